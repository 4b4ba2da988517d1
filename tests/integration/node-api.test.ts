// The node's API contract driven in process against a real node (relay, SQLite, sockets): every
// method, its events, and parameter validation (the renderer and browsers are untrusted callers).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiEvents, NodeApi } from '../../src-shared/api/contract.js';
import { ErrorCode } from '../../src-shared/protocol/errors.js';
import { idToText } from '../../src-shared/ids.js';
import { Messenger } from '../../src-main/client/messenger.js';
import { RelayClient } from '../../src-main/client/relay-client.js';
import { generateIdentity } from '../../src-main/crypto/identity.js';
import { createNodeApi } from '../../src-main/node/api.js';
import { W2wNode } from '../../src-main/node/node.js';
import { openStore, type Store } from '../../src-main/store/db.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'w2w-api-'));

function nextEvent<E extends keyof ApiEvents>(api: NodeApi, event: E, test: (p: ApiEvents[E]) => boolean, timeoutMs = 5000): Promise<ApiEvents[E]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no ${event} event`));
    }, timeoutMs);
    const off = api.on(event, (p) => {
      if (!test(p)) return;
      clearTimeout(timer);
      off();
      resolve(p);
    });
  });
}

describe('node API contract', () => {
  let node: W2wNode;
  let api: NodeApi;
  let peerStore: Store;
  let peer: Messenger;

  beforeAll(async () => {
    node = await W2wNode.start({ dataDir: path.join(tmp, 'node'), host: '127.0.0.1', port: 0 });
    api = createNodeApi(node);
    peerStore = openStore(path.join(tmp, 'peer'));
    const client = await RelayClient.connect({ url: node.url, identity: generateIdentity() });
    peer = new Messenger(client, peerStore);
  });

  afterAll(async () => {
    await peer.client.close();
    peerStore.close();
    await node.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('identity.get and node.status describe the running node', async () => {
    const id = await api.call('identity.get', {});
    expect(id).toEqual({ ok: true, value: { id: node.id } });
    const status = await api.call('node.status', {});
    expect(status.ok && status.value.relayUrl).toBe(node.url);
    expect(status.ok && status.value.registered).toBe(2);
  });

  it('peers.add watches presence; messages.send and history keep delivery status', async () => {
    const peerId = idToText(peer.client.id);
    const added = await api.call('peers.add', { id: peerId, nickname: 'Bob' });
    expect(added).toMatchObject({ ok: true, value: { id: peerId, nickname: 'Bob', online: true } });
    const incoming = new Promise((resolve) => peer.once('message', resolve));
    const sent = await api.call('messages.send', { to: { kind: 'peer', id: peerId }, text: 'こんにちは' });
    expect(sent).toMatchObject({ ok: true, value: { status: 'delivered', delivered: 1, missed: [] } });
    expect(await incoming).toMatchObject({ text: 'こんにちは', peer: node.id });

    const reply = nextEvent(api, 'message', (m) => m.text === 'reply');
    await peer.send({ kind: 'peer', id: node.id }, 'reply');
    expect(await reply).toMatchObject({ direction: 'in', peer: peerId, route: 'a2b' });

    const history = await api.call('messages.history', { peer: peerId });
    expect(history.ok && history.value.map((m) => [m.direction, m.text, m.status])).toEqual([
      ['out', 'こんにちは', 'delivered'],
      ['in', 'reply', 'received'],
    ]);

    const offline = nextEvent(api, 'presence', (p) => p.id === peerId && !p.online);
    await peer.client.close();
    await offline;
    const failed = await api.call('messages.send', { to: { kind: 'peer', id: peerId }, text: 'are you there?', store: false });
    expect(failed).toMatchObject({ ok: true, value: { status: 'failed', delivered: 0, missed: [{ id: peerId, code: ErrorCode.RECIPIENT_OFFLINE }] } });
    // By default the relay keeps it: sent -> stored, then delivered when the peer returns.
    const kept = await api.call('messages.send', { to: { kind: 'peer', id: peerId }, text: 'kept for you' });
    expect(kept).toMatchObject({ ok: true, value: { status: 'stored', stored: 1, missed: [] } });
    const keptId = kept.ok ? kept.value.msgId : '';
    const delivered = nextEvent(api, 'message.status', (s) => s.msgId === keptId && s.status === 'delivered');
    const client = await RelayClient.connect({ url: node.url, identity: peer.client.identity });
    peer = new Messenger(client, peerStore);
    const got = new Promise((resolve) => peer.once('message', resolve));
    expect(await got).toMatchObject({ text: 'kept for you' });
    await delivered;
    const after = await api.call('messages.history', { peer: peerId });
    expect(after.ok && after.value.find((m) => m.msgId === keptId)?.status).toBe('delivered');
  });

  it('groups: create, add, send, remove, delete', async () => {
    const peerId = idToText(peer.client.id);
    expect(await api.call('groups.create', { name: '開発' })).toMatchObject({ ok: true, value: { name: '開発', owner: node.id } });
    const withPeer = await api.call('groups.add', { name: '開発', members: [peerId] });
    expect(withPeer.ok && withPeer.value.members.sort()).toEqual([node.id, peerId].sort());
    const got = new Promise((resolve) => peer.once('message', resolve));
    const sent = await api.call('messages.send', { to: { kind: 'group', name: '開発' }, text: 'standup' });
    expect(sent).toMatchObject({ ok: true, value: { delivered: 2 } });
    expect(await got).toMatchObject({ group: '開発', text: 'standup' });
    expect((await api.call('messages.history', { group: '開発' })).ok).toBe(true);
    const removed = await api.call('groups.remove', { name: '開発', members: [peerId] });
    expect(removed.ok && removed.value?.members).toEqual([node.id]);
    expect(await api.call('groups.delete', { name: '開発' })).toEqual({ ok: true, value: true });
    const list = await api.call('groups.list', {});
    expect(list).toEqual({ ok: true, value: [] });
  });

  it('links.add, links.list and routes.get show federation to the UI', async () => {
    const other = await W2wNode.start({ dataDir: path.join(tmp, 'other'), host: '127.0.0.1', port: 0, openFederation: true });
    try {
      const added = await api.call('links.add', { url: other.url, relayId: other.id });
      expect(added.ok).toBe(true);
      const t0 = Date.now();
      let links = await api.call('links.list', {});
      while (!(links.ok && links.value.some((l) => l.up)) && Date.now() - t0 < 5000) {
        await new Promise((r) => setTimeout(r, 50));
        links = await api.call('links.list', {});
      }
      expect(links.ok && links.value[0]).toMatchObject({ relayId: other.id, url: other.url, outbound: true, up: true });
      let route = await api.call('routes.get', { id: other.id });
      while (!(route.ok && route.value.kind === 'remote') && Date.now() - t0 < 5000) {
        await new Promise((r) => setTimeout(r, 50));
        route = await api.call('routes.get', { id: other.id });
      }
      expect(route).toEqual({ ok: true, value: { kind: 'remote', path: [other.id] } });
      expect(await api.call('routes.get', { id: node.id })).toEqual({ ok: true, value: { kind: 'local', path: [node.id] } });
      const refused = await api.call('links.add', { url: 'ws://192.0.2.7:7070/' });
      expect(!refused.ok && refused.error.code).toBe(ErrorCode.BAD_REQUEST);
      // "URL#RELAY_ID" pins as relayId does; an empty or wrong pin, or two different ones, are refused
      // and change nothing.
      for (const [params, message] of [
        [{ url: 'ws://127.0.0.1:9/#' }, 'the relay ID after "#" is not valid'],
        [{ url: `ws://127.0.0.1:9/#${node.id}`, relayId: other.id }, 'two different relay IDs'],
      ] as const) {
        const r = await api.call('links.add', params);
        expect(!r.ok && r.error).toMatchObject({ code: ErrorCode.BAD_REQUEST, message: expect.stringContaining(message) });
      }
      const pinned = await api.call('links.add', { url: `ws://127.0.0.1:9/#${node.id}`, relayId: node.id });
      expect(pinned.ok && pinned.value.map((l) => l.url)).toEqual([other.url, 'ws://127.0.0.1:9/']);
      const settings = await api.call('settings.get', {});
      expect(settings.ok && settings.value.links).toContainEqual({ url: 'ws://127.0.0.1:9/', relayId: node.id });
    } finally {
      await other.stop();
    }
  });

  it('rejects bad parameters with BAD_REQUEST and unknown methods without throwing', async () => {
    const bad: [string, unknown][] = [
      ['peers.add', { id: 'not-an-id' }],
      ['peers.add', { id: 42 }],
      ['messages.send', { to: { kind: 'peer', id: 'w2w1xyz' }, text: 'x' }],
      ['messages.send', { to: { kind: 'nowhere' }, text: 'x' }],
      ['messages.send', { to: { kind: 'all' }, text: '' }],
      ['messages.send', null],
      ['messages.history', { limit: 1e9 }],
      ['messages.history', { limit: 2.5 }],
      ['data.deletes', { limit: 0 }],
      ['data.deletes', { limit: '10' }],
      ['data.delete', { hash: '00'.repeat(32), waitMs: -1 }],
      ['groups.create', { name: 'bad\u0000name' }],
      ['groups.add', { name: 'x', members: 'everyone' }],
    ];
    for (const [method, params] of bad) {
      const r = await api.call(method as 'peers.add', params as { id: string });
      expect(r.ok, method).toBe(false);
      expect(!r.ok && r.error.code, method).toBe(ErrorCode.BAD_REQUEST);
    }
    const unknown = await api.call('no.such.method' as 'peers.list', {});
    expect(!unknown.ok && unknown.error.name).toBe('BAD_REQUEST');
    const relayRefusal = await api.call('groups.delete', { name: 'never-made' });
    expect(!relayRefusal.ok && relayRefusal.error.code).toBe(ErrorCode.UNKNOWN_GROUP);
  });
});
