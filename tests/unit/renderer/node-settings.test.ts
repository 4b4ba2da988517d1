// Renderer logic of the Node view and Settings: per-peer usage, the relaying switch kept in step by
// events, settings changes through the API, and the views rendered (svelte/server) in en and ja.
import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import type { NodeStatusView, PeerUsageView, SettingsView } from '../../../src-shared/api/contract.js';
import { idToText } from '../../../src-shared/ids.js';
import App from '../../../src-renderer/src/App.svelte';
import { I18n } from '../../../src-renderer/src/lib/i18n/i18n.svelte.js';
import { AppState } from '../../../src-renderer/src/lib/state/app.svelte.js';
import { FakeApi, fail, ok, settle } from './fake-api.js';

const ME = idToText(new Uint8Array(32).fill(1));
const BOB = idToText(new Uint8Array(32).fill(2));
const RELAY = idToText(new Uint8Array(32).fill(3));

const status = (paused = false): NodeStatusView => ({
  id: ME,
  relayUrl: 'ws://127.0.0.1:7070/',
  startedMs: 1_700_000_000_000,
  connections: 3,
  registered: 2,
  messagesRouted: 12,
  deliveries: 11,
  bytesForwarded: 4096,
  linksUp: 1,
  relaying: { policy: 'friends', paused },
  errors: {},
});

const usage: PeerUsageView[] = [
  { id: ME, online: true, sessions: 1, connectedSinceMs: 1, lastSeenMs: null, msgsIn: 1, bytesIn: 10, msgsOut: 9, bytesOut: 900, self: true, friend: false },
  { id: BOB, online: true, sessions: 2, connectedSinceMs: 1_700_000_000_000, lastSeenMs: null, msgsIn: 1234, bytesIn: 5 * 1024 * 1024, msgsOut: 7, bytesOut: 700, self: false, friend: true },
];

const settings = (over: Partial<SettingsView['listen']> = {}): SettingsView => ({
  listen: { host: '127.0.0.1', port: 7070, savedHost: null, savedPort: null, hostFromFlag: false, portFromFlag: false, ...over },
  relaying: { policy: 'friends', paused: false },
  relayingFlags: { policy: null, paused: false },
  savedRelaying: { policy: 'friends', paused: false },
  links: [{ url: 'wss://relay.example.org/', relayId: RELAY }],
  trusted: [RELAY],
  openFederation: false,
});

function makeApi(): FakeApi {
  return new FakeApi()
    .handle('identity.get', () => ok({ id: ME }))
    .handle('peers.list', () => ok([{ id: BOB, nickname: 'Bob', online: true, lastSeenMs: null }]))
    .handle('groups.list', () => ok([]))
    .handle('messages.history', () => ok([]))
    .handle('node.status', () => ok(status()))
    .handle('node.usage', () => ok(usage))
    .handle('links.list', () => ok([]))
    .handle('settings.get', () => ok(settings()))
    .handle('relaying.set', (p) => ok({ policy: 'friends', paused: p.paused }))
    .handle('settings.set', (p) => ok({ ...settings(), relaying: { policy: p.relayPolicy ?? 'friends', paused: false } }));
}

async function makeApp(api: FakeApi, hash: string, lang: 'en' | 'ja' = 'en'): Promise<AppState> {
  const app = new AppState({ transport: api, i18n: new I18n({ storage: null, languages: [lang] }), initialHash: hash, setHash: () => {} });
  await app.refresh();
  return app;
}

const text = (html: string): string => html.replace(/<!--[^>]*-->/g, '').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

describe('NodeState: usage and the relaying switch', () => {
  it('loads per-peer usage and leaves this node out of "others"', async () => {
    const app = await makeApp(makeApi(), '#/node');
    expect(await app.node.loadUsage()).toBeNull();
    expect(app.node.usage).toHaveLength(2);
    expect(app.node.others.map((u) => u.id)).toEqual([BOB]);
  });

  it('pauses through relaying.set and reflects the answer in the status', async () => {
    const api = makeApi();
    const app = await makeApp(api, '#/node');
    await app.node.loadStatus();
    expect(await app.node.setPaused(true)).toBeNull();
    expect(api.calls.at(-1)).toEqual({ method: 'relaying.set', params: { paused: true } });
    expect(app.node.relaying).toEqual({ policy: 'friends', paused: true });
    expect(app.node.status?.relaying.paused).toBe(true);
    expect(app.node.switching).toBe(false);
  });

  it('keeps the old state and returns the error when the node refuses', async () => {
    const api = makeApi().handle('relaying.set', () => fail(310, 'BAD_REQUEST'));
    const app = await makeApp(api, '#/node');
    await app.node.loadStatus();
    expect(await app.node.setPaused(true)).toMatchObject({ name: 'BAD_REQUEST' });
    expect(app.node.relaying?.paused).toBe(false);
  });

  it('follows a switch flipped elsewhere (the relaying event) in the Node and Settings state', async () => {
    const api = makeApi();
    const app = await makeApp(api, '#/settings');
    app.start();
    await settle();
    await app.node.loadStatus();
    await app.settings.load();
    api.emit('relaying', { policy: 'self', paused: true });
    expect(app.node.relaying).toEqual({ policy: 'self', paused: true });
    expect(app.node.status?.relaying).toEqual({ policy: 'self', paused: true });
    expect(app.settings.view?.relaying).toEqual({ policy: 'self', paused: true });
    app.stop();
  });
});

describe('Relaying flags of this run (--relay-for, --paused)', () => {
  const flagged = (): SettingsView => ({
    ...settings(),
    relaying: { policy: 'self', paused: true },
    relayingFlags: { policy: 'self', paused: true },
    savedRelaying: { policy: 'anyone', paused: false },
  });

  for (const lang of ['en', 'ja'] as const) {
    it(`Settings says which relaying settings a flag set for this run, and the saved ones (${lang})`, async () => {
      const app = await makeApp(makeApi().handle('settings.get', () => ok(flagged())).handle('node.status', () => ok(status(true))), '#/settings', lang);
      await app.node.loadStatus();
      await app.settings.load();
      const { body } = render(App, { props: { app } });
      expect(body).toMatch(/<input[^>]*name="relay-policy"[^>]*value="self"[^>]*checked/);
      expect(body).toContain('data-testid="relaying-flag"');
      expect(text(body)).toContain('--relay-for');
      expect(text(body)).toContain(app.i18n.t('relaying.policy.anyone'));
      expect(body).toContain('data-testid="paused-flag"');
      expect(text(body)).toContain('--paused');
    });
  }

  it('has no flag notes without flags', async () => {
    const app = await makeApp(makeApi(), '#/settings');
    await app.settings.load();
    const { body } = render(App, { props: { app } });
    expect(body).not.toContain('data-testid="relaying-flag"');
    expect(body).not.toContain('data-testid="paused-flag"');
  });

  it('reads the flags again when the relaying switch changes elsewhere (the override ends)', async () => {
    let view = flagged();
    const api = makeApi().handle('settings.get', () => ok(view));
    const app = await makeApp(api, '#/settings');
    app.start();
    await settle();
    await app.settings.load();
    view = { ...flagged(), relaying: { policy: 'self', paused: false }, relayingFlags: { policy: 'self', paused: false }, savedRelaying: { policy: 'anyone', paused: false } };
    api.emit('relaying', { policy: 'self', paused: false });
    await settle();
    expect(app.settings.view?.relayingFlags).toEqual({ policy: 'self', paused: false });
    app.stop();
  });
});

describe('SettingsState', () => {
  it('saves a policy and listen values through settings.set and keeps the node’s answer', async () => {
    const api = makeApi();
    const app = await makeApp(api, '#/settings');
    await app.settings.load();
    await app.settings.setPolicy('self');
    expect(api.calls.at(-1)).toEqual({ method: 'settings.set', params: { relayPolicy: 'self' } });
    expect(app.settings.view?.relaying.policy).toBe('self');
    await app.settings.save({ listenHost: '0.0.0.0', listenPort: 7443 });
    expect(api.calls.at(-1)).toEqual({ method: 'settings.set', params: { listenHost: '0.0.0.0', listenPort: 7443 } });
  });

  it('says when a saved listen address waits for a restart', async () => {
    const api = makeApi();
    const app = await makeApp(api, '#/settings');
    app.settings.view = settings();
    expect(app.settings.restartPending).toBe(false);
    app.settings.view = settings({ savedPort: 7071 });
    expect(app.settings.restartPending).toBe(true);
    app.settings.view = settings({ savedHost: '127.0.0.1', savedPort: 7070 });
    expect(app.settings.restartPending).toBe(false);
  });

  it('trusts and untrusts relays; a refusal leaves the view as it was', async () => {
    const api = makeApi()
      .handle('trust.add', () => fail(310, 'BAD_REQUEST', 'this node runs without federation'))
      .handle('trust.remove', () => ok({ ...settings(), trusted: [] }));
    const app = await makeApp(api, '#/settings');
    await app.settings.load();
    expect(await app.settings.trust(RELAY)).toMatchObject({ message: 'this node runs without federation' });
    expect(app.settings.view?.trusted).toEqual([RELAY]);
    expect(await app.settings.untrust(RELAY)).toBeNull();
    expect(app.settings.view?.trusted).toEqual([]);
  });
});

describe('Node and Settings views', () => {
  for (const lang of ['en', 'ja'] as const) {
    it(`Node view shows per-peer usage and the relaying state (${lang})`, async () => {
      const app = await makeApp(makeApi(), '#/node', lang);
      await app.node.loadStatus();
      await app.node.loadUsage();
      const { body } = render(App, { props: { app } });
      expect(body).toContain('data-testid="usage"');
      expect(body).toContain(`data-peer="${BOB}"`);
      expect(body).not.toContain(`data-peer="${ME}"`);
      expect(body).toMatch(/data-testid="usage-in"[^>]*>\s*<div class="num[^"]*">1,234<\/div>/);
      expect(text(body)).toContain('5.0 MiB');
      expect(text(body)).toContain(app.i18n.t('node.usage.friend'));
      expect(text(body)).toContain(app.i18n.t('relaying.policy.friends'));
      expect(body).toMatch(/<button[^>]*aria-pressed="false"[^>]*data-testid="relaying-switch"/);
    });

    it(`Settings view shows policy, relays, trust and the listen form with labels (${lang})`, async () => {
      const app = await makeApp(makeApi(), '#/settings', lang);
      await app.node.loadStatus();
      await app.settings.load();
      app.settings.view = settings({ portFromFlag: true });
      const { body } = render(App, { props: { app } });
      expect(body).toMatch(/<input[^>]*type="radio"[^>]*name="relay-policy"[^>]*value="friends"[^>]*checked/);
      expect(body).toMatch(/<label for="listen-host"/);
      expect(body).toMatch(/<label for="listen-port"/);
      expect(body).toMatch(/<label class="visually-hidden" for="relay-url"/);
      expect(body).toMatch(/<label class="visually-hidden" for="trust-id"/);
      expect(text(body)).toContain('wss://relay.example.org/');
      expect(body).toContain('data-testid="listen-flag"');
      expect(text(body)).toContain('--port');
      expect(text(body)).toContain(app.i18n.t('settings.trust'));
    });
  }
});
