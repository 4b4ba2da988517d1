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
    .handle('data.downloads', () => ok([]))
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

describe('Shared data and Remote delete', () => {
  const H = 'ab'.repeat(32);

  async function dataApp(hash: string, lang: 'en' | 'ja'): Promise<AppState> {
    const app = await makeApp(hash, lang);
    app.shared.mine = [
      { contentHash: H, name: 'plan<b>.pdf', mime: 'application/pdf', size: 3 * 1024 * 1024, path: '/x', owner: ME, access: 'peers', reshare: true, state: 'stopped', stopReason: 'FILE_GONE: the file vanished', fetchers: 2 },
    ];
    app.shared.mineLoaded = true;
    app.shared.declarations = [
      { contentHash: H, name: 'photos.zip', mime: 'application/zip', size: 8 * 1024 * 1024, owner: BOB, holder: BOB, access: { kind: 'group', group: 'team' }, reshare: false, createdMs: 1 },
      { contentHash: 'cd'.repeat(32), name: 'done.txt', mime: 'text/plain', size: 10, owner: BOB, holder: BOB, access: { kind: 'public' }, reshare: false, createdMs: 2 },
      { contentHash: 'ef'.repeat(32), name: 'denied.txt', mime: 'text/plain', size: 10, owner: BOB, holder: BOB, access: { kind: 'public' }, reshare: false, createdMs: 3 },
    ];
    app.shared.declarationsLoaded = true;
    app.shared.transfers = {
      [H]: { hash: H, fileName: 'photos.zip', phase: 'fetching', bytes: 2 * 1024 * 1024, total: 8 * 1024 * 1024, bytesPerSec: 1024 * 1024, etaMs: 6000, error: null, path: null },
      ['cd'.repeat(32)]: { hash: 'cd'.repeat(32), fileName: 'done.txt', phase: 'done', bytes: 10, total: 10, bytesPerSec: 0, etaMs: 0, error: null, path: '/d/done.txt' },
      ['ef'.repeat(32)]: {
        hash: 'ef'.repeat(32),
        fileName: 'denied.txt',
        phase: 'failed',
        bytes: 0,
        total: 10,
        bytesPerSec: 0,
        etaMs: null,
        error: { code: 600, name: 'TRANSFER_FAILED', message: 'w2w1…: NOT_ALLOWED (2)', transfer: 'NOT_ALLOWED' },
        path: null,
      },
    };
    app.deletes.list = [
      {
        contentHash: H,
        requestedMs: Date.now(),
        holders: [
          { holder: BOB, status: 'deleted', error: null },
          { holder: ME, status: 'pending', error: 'RECIPIENT_OFFLINE' },
        ],
      },
    ];
    app.deletes.loaded = true;
    return app;
  }

  it('shows my files, declarations with progress, speed and time left, a save link and a named refusal', async () => {
    const { body } = render(App, { props: { app: await dataApp('#/shared', 'en') } });
    const t = text(body);
    expect(body).toContain('data-testid="drop-zone"');
    expect(t).toContain('Choose a file…');
    expect(body).toContain('plan&lt;b>.pdf');
    expect(t).toContain('3.0 MiB');
    expect(t).toContain('reshare allowed');
    expect(t).toContain('FILE_GONE: the file vanished');
    expect(body).toMatch(/<progress[^>]*max="100"[^>]*value="25"[^>]*aria-label="Fetching photos.zip"/);
    expect(t).toContain('2.0 MiB of 8.0 MiB');
    expect(t).toContain('1.0 MiB/s');
    expect(t).toContain('0:06 left');
    expect(t).toContain('Group team');
    expect(body).toContain('href="./files/download?name=done.txt"');
    expect(body).toMatch(/download="done.txt"/);
    expect(t).toContain('The owner did not allow you to fetch this file.');
    expect(body).toContain(`href="#/deletes/${H}"`);
  });

  it('lists downloads after a reload: save again, interrupted with Resume or Discard, gone from disk (en, ja)', async () => {
    const G = '9a'.repeat(32);
    const P = '8b'.repeat(32);
    const base = { mime: 'text/plain', owner: BOB, inDownloads: true, startedMs: Date.now() - 60_000 };
    const fill = (app: AppState): AppState => {
      app.shared.downloads = [
        { ...base, contentHash: 'cd'.repeat(32), name: 'done.txt', fileName: 'done.txt', path: '/d/downloads/done.txt', size: 10, state: 'complete', bytes: 10, onDisk: true, finishedMs: Date.now() },
        { ...base, contentHash: P, name: 'movie.mkv', fileName: 'movie.mkv', path: '/d/downloads/movie.mkv', size: 1000, state: 'partial', bytes: 420, onDisk: true, finishedMs: null },
        { ...base, contentHash: G, name: 'old.txt', fileName: 'old.txt', path: '/d/downloads/old.txt', size: 5, state: 'complete', bytes: 5, onDisk: false, finishedMs: Date.now() },
      ];
      app.shared.downloadsLoaded = true;
      return app;
    };
    const { body } = render(App, { props: { app: fill(await dataApp('#/shared', 'en')) } });
    const t = text(body);
    expect(body).toContain('data-testid="downloads"');
    expect(t).toContain('Downloads');
    expect(body).toMatch(/data-state="partial"[\s\S]*Interrupted at 42%[\s\S]*aria-label="Resume fetching movie.mkv"/);
    expect(body).toMatch(/data-state="partial"[\s\S]*aria-label="Discard the interrupted download of movie.mkv"[\s\S]*aria-label="Resume fetching movie.mkv"/);
    // Only the interrupted one can be discarded: a finished copy is the user's file.
    expect(body.match(/aria-label="Discard /g)).toHaveLength(1);
    expect(body).toMatch(/data-testid="download-gone"[^>]*>No longer on disk/);
    // In a browser the finished copy is saved through the UI server; there is no folder to show.
    expect(body.match(/href="\.\/files\/download\?name=done.txt"/g)?.length).toBeGreaterThanOrEqual(2);
    expect(t).not.toContain('Show in folder');
    expect(t).toContain('Owner Bob');
    const ja = text(render(App, { props: { app: fill(await dataApp('#/shared', 'ja')) } }).body);
    expect(ja).toContain('ダウンロード');
    expect(ja).toContain('42% で中断');
    expect(ja).toContain('再開');
    expect(ja).toContain('破棄');
    expect(ja).toContain('ディスク上にありません');
  });

  it('has an empty downloads list that says what it is for', async () => {
    const app = await makeApp('#/shared', 'en');
    expect(text(render(App, { props: { app } }).body)).toContain('Files you fetch are listed here, also after a reload.');
  });

  it('shows each holder’s delete status, in Japanese too', async () => {
    const en = text(render(App, { props: { app: await dataApp(`#/deletes/${H}`, 'en') } }).body);
    expect(en).toContain('1 of 2 deleted');
    expect(en).toContain('Deleted');
    expect(en).toContain('not delivered yet (RECIPIENT_OFFLINE)');
    // Arriving from "Delete copies" asks for confirmation at once.
    expect(en).toContain('Ask every holder of plan&lt;b>.pdf to delete their copy?');
    const ja = text(render(App, { props: { app: await dataApp('#/deletes', 'ja') } }).body);
    expect(ja).toContain('削除済み');
    expect(ja).toContain('応答待ち');
    expect(ja).toContain('2 件中 1 件削除済み');
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
