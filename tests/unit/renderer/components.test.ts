// Components rendered server-side (svelte/server) with a fake API: every view renders in English and
// Japanese, forms are labelled, statuses and the QR code come out as they should. Interaction is
// covered by the Playwright end-to-end test in a real browser.
import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import type { MessageView } from '../../../src-shared/api/contract.js';
import { idToText } from '../../../src-shared/ids.js';
import App from '../../../src-renderer/src/App.svelte';
import StatusBadge from '../../../src-renderer/src/components/chat/StatusBadge.svelte';
import MessageBubble from '../../../src-renderer/src/components/chat/MessageBubble.svelte';
import QrCode from '../../../src-renderer/src/components/peers/QrCode.svelte';
import { I18n } from '../../../src-renderer/src/lib/i18n/i18n.svelte.js';
import { AppState } from '../../../src-renderer/src/lib/state/app.svelte.js';
import { appContext } from '../../../src-renderer/src/lib/state/app-context.js';
import { VIEWS } from '../../../src-renderer/src/lib/state/nav.svelte.js';
import { FakeApi, ok, settle } from './fake-api.js';

const ME = idToText(new Uint8Array(32).fill(1));
const BOB = idToText(new Uint8Array(32).fill(2));

async function makeApp(hash: string, lang: 'en' | 'ja'): Promise<AppState> {
  const api = new FakeApi()
    .handle('identity.get', () => ok({ id: ME }))
    .handle('peers.list', () => ok([{ id: BOB, nickname: 'Bob', online: true, lastSeenMs: null }]))
    .handle('groups.list', () => ok([{ name: 'team', owner: ME, members: [ME, BOB] }]))
    .handle('messages.history', () => ok([]))
    .handle('data.shared', () => ok([]))
    .handle('data.deletes', () => ok([]))
    .handle('data.declarations', () => ok([]));
  const app = new AppState({ transport: api, i18n: new I18n({ storage: null, languages: [lang] }), initialHash: hash, setHash: () => {} });
  await app.refresh();
  return app;
}

const text = (html: string): string => html.replace(/<!--[^>]*-->/g, '').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

describe('App', () => {
  for (const lang of ['en', 'ja'] as const) {
    it(`renders every view in ${lang}, with its title and the nav marking it current`, async () => {
      for (const view of VIEWS) {
        const app = await makeApp(`#/${view}`, lang);
        const { body } = render(App, { props: { app } });
        expect(body, view).toContain(`aria-current="page" data-view="${view}"`);
        expect(text(body), view).toContain(app.i18n.t(`nav.${view}`));
        expect(body).not.toMatch(/style="/);
      }
    });
  }

  it('shows my ID, its QR code and the peer list on the Peers view', async () => {
    const app = await makeApp('#/peers', 'en');
    const { body } = render(App, { props: { app } });
    expect(body).toContain(ME);
    expect(body).toMatch(/<svg[^>]*class="qr[^"]*"[^>]*role="img"[^>]*aria-label="QR code of my invite link"/);
    expect(text(body)).toContain('Bob');
    expect(body).toMatch(/<label for="peer-id"/);
    expect(body).toMatch(/id="peer-id"/);
  });

  it('opens a chat from the hash and a group with its members', async () => {
    const chat = await makeApp(`#/chat/${BOB}`, 'en');
    expect(text(render(App, { props: { app: chat } }).body)).toContain('No messages yet');
    const groups = await makeApp('#/groups/team', 'ja');
    const body = text(render(App, { props: { app: groups } }).body);
    expect(body).toContain('メンバー（2）');
    expect(body).toContain('あなた');
  });
});

describe('StatusBadge', () => {
  const i18n = new I18n({ storage: null, languages: ['en'] });
  it.each([
    ['pending', 'Sending'],
    ['sent', 'Sent'],
    ['stored', 'Stored: delivered when they return'],
    ['delivered', 'Delivered'],
    ['failed', 'Failed'],
  ] as const)('%s reads "%s"', (status, label) => {
    const { body } = render(StatusBadge, { props: { status, i18n } });
    expect(body).toContain(`data-status="${status}"`);
    expect(text(body).trim()).toBe(label);
  });

  it('names the error of a failed message', () => {
    expect(text(render(StatusBadge, { props: { status: 'failed', errorCode: 301, i18n } }).body).trim()).toBe('Failed (RECIPIENT_OFFLINE)');
  });
});

describe('MessageBubble', () => {
  it('escapes message text and shows the sender in groups', async () => {
    const app = await makeApp('', 'en');
    await settle();
    const message: MessageView = {
      msgId: 'ab',
      direction: 'in',
      route: 'group',
      peer: BOB,
      group: 'team',
      recipients: null,
      text: '<img src=x onerror=alert(1)>',
      status: 'received',
      errorCode: null,
      createdMs: Date.now(),
    };
    const { body } = render(MessageBubble, { props: { message, showSender: true }, context: appContext(app) });
    expect(body).not.toContain('<img');
    expect(body).toContain('&lt;img src=x onerror=alert(1)>');
    expect(text(body)).toContain('Bob');
  });
});

describe('QrCode', () => {
  it('draws an SVG with a path and the version it chose', () => {
    const { body } = render(QrCode, { props: { text: `w2w://${ME}`, label: 'my code' } });
    expect(body).toContain('data-qr-version="5"');
    expect(body).toContain('viewBox="0 0 45 45"');
    expect(body).toMatch(/<path d="M4 4h7v1h-7z/);
  });
});
