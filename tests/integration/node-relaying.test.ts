// Who may relay through a node (policy, pause switch), per-peer relay usage, and the node's settings,
// driven through the API contract against a real node with real client sockets and a real SQLite file.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiEvents, NodeApi } from '../../src-shared/api/contract.js';
import { CloseCode, ErrorCode } from '../../src-shared/protocol/errors.js';
import { idToText } from '../../src-shared/ids.js';
import { Route } from '../../src-shared/protocol/constants.js';
import { RelayClient, type CloseInfo } from '../../src-main/client/relay-client.js';
import { generateIdentity, type Identity } from '../../src-main/crypto/identity.js';
import { createNodeApi } from '../../src-main/node/api.js';
import { W2wNode } from '../../src-main/node/node.js';
import { startFedRelay, waitFor, type FedRelay } from '../helpers/federation.js';
import { idKey } from '../../src-main/relay/id-key.js';
import { dialRelay } from '../../src-main/client/dial.js';
import { signHomeProof } from '../../src-main/federation/home-proof.js';
import { FrameType, HandshakeContext, RouteAction } from '../../src-shared/protocol/constants.js';
import { decodeFrame, encodeFrame, type MsgFrame } from '../../src-shared/protocol/frames.js';
import { randomBytes } from '../../src-main/crypto/random.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'w2w-relaying-'));

function nextEvent<E extends keyof ApiEvents>(api: NodeApi, event: E, timeoutMs = 5000): Promise<ApiEvents[E]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no ${event} event`));
    }, timeoutMs);
    const off = api.on(event, (p) => {
      clearTimeout(timer);
      off();
      resolve(p);
    });
  });
}

function closed(client: RelayClient): Promise<CloseInfo> {
  return new Promise((resolve) => client.once('close', resolve));
}

async function refusal(url: string, identity: Identity): Promise<unknown> {
  return RelayClient.connect({ url, identity }).then(
    async (c) => {
      await c.close();
      return 'registered';
    },
    (e: unknown) => e,
  );
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function value<T>(p: Promise<{ ok: true; value: T } | { ok: false; error: { message: string } }>): Promise<T> {
  const r = await p;
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

describe('relaying for others: policy, pause, usage', () => {
  const dataDir = path.join(tmp, 'node');
  let node: W2wNode;
  let api: NodeApi;
  const friend = generateIdentity();
  const stranger = generateIdentity();

  beforeAll(async () => {
    node = await W2wNode.start({ dataDir, host: '127.0.0.1', port: 0 });
    api = createNodeApi(node);
  });

  afterAll(async () => {
    await node?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('counts messages and bytes per ID, in and out, and keeps the totals after the ID leaves', async () => {
    const s = await RelayClient.connect({ url: node.url, identity: stranger });
    const before = await value(api.call('node.usage', {}));
    expect(before.find((u) => u.id === idToText(stranger.publicKey))).toMatchObject({ online: true, sessions: 1, msgsIn: 0, msgsOut: 0, self: false, friend: false });
    const body = Buffer.alloc(100, 7);
    for (let i = 0; i < 5; i++) void s.send({ route: Route.A2B, to: node.identity.publicKey }, body);
    await waitFor(() => node.relay.core.usage().some((u) => u.id.equals(stranger.publicKey) && u.msgsIn === 5), 5000, 'usage counted');
    const usage = await value(api.call('node.usage', {}));
    const mine = usage.find((u) => u.self);
    const theirs = usage.find((u) => u.id === idToText(stranger.publicKey));
    expect(theirs).toMatchObject({ online: true, msgsIn: 5, msgsOut: 0 });
    expect(theirs!.bytesIn).toBeGreaterThan(5 * 100);
    expect(theirs!.connectedSinceMs).toBeGreaterThan(0);
    expect(mine).toMatchObject({ id: node.id, online: true, msgsOut: 5 });
    expect(mine!.bytesOut).toBe(theirs!.bytesIn);
    await s.close();
    await waitFor(() => node.relay.core.usage().some((u) => u.id.equals(stranger.publicKey) && !u.online), 5000, 'stranger offline');
    const after = await value(api.call('node.usage', {}));
    expect(after.find((u) => u.id === idToText(stranger.publicKey))).toMatchObject({ online: false, sessions: 0, connectedSinceMs: null, msgsIn: 5 });
  });

  it('policy "friends": strangers are closed (4006) and refused (RELAY_REFUSED), friends and the node itself keep working', async () => {
    await value(api.call('peers.add', { id: idToText(friend.publicKey), nickname: 'friend' }));
    const s = await RelayClient.connect({ url: node.url, identity: stranger });
    const f = await RelayClient.connect({ url: node.url, identity: friend });
    const sClosed = closed(s);
    const changed = nextEvent(api, 'relaying');
    const view = await value(api.call('settings.set', { relayPolicy: 'friends' }));
    expect(view.relaying).toEqual({ policy: 'friends', paused: false });
    expect(await changed).toEqual({ policy: 'friends', paused: false });
    expect((await sClosed).code).toBe(CloseCode.NOT_RELAYING);
    expect(await refusal(node.url, stranger)).toMatchObject({ code: ErrorCode.RELAY_REFUSED });
    // The friend's session stays and still reaches the node's own client.
    const sent = await f.send({ route: Route.A2B, to: node.identity.publicKey }, Buffer.from('still here'), { ack: true });
    expect(sent).toMatchObject({ delivered: 1 });
    // Removing the friend closes their session under this policy.
    const fClosed = closed(f);
    await value(api.call('peers.remove', { id: idToText(friend.publicKey) }));
    expect((await fClosed).code).toBe(CloseCode.NOT_RELAYING);
    expect(await refusal(node.url, friend)).toMatchObject({ code: ErrorCode.RELAY_REFUSED });
    await value(api.call('peers.add', { id: idToText(friend.publicKey) }));
  });

  it('pause: friends are closed and refused (RELAYING_PAUSED) while the own client keeps working; resume restores', async () => {
    const f = await RelayClient.connect({ url: node.url, identity: friend });
    const fClosed = closed(f);
    const changed = nextEvent(api, 'relaying');
    expect(await value(api.call('relaying.set', { paused: true }))).toEqual({ policy: 'friends', paused: true });
    expect(await changed).toEqual({ policy: 'friends', paused: true });
    expect((await fClosed).code).toBe(CloseCode.NOT_RELAYING);
    expect(await refusal(node.url, friend)).toMatchObject({ code: ErrorCode.RELAYING_PAUSED });
    const status = await value(api.call('node.status', {}));
    expect(status.relaying.paused).toBe(true);
    // The node's own client is never refused: a message to itself still goes through its relay.
    const self = await value(api.call('messages.send', { to: { kind: 'self' }, text: 'note to self' }));
    expect(self.delivered).toBe(1);
    expect(await value(api.call('relaying.set', { paused: false }))).toEqual({ policy: 'friends', paused: false });
    expect(await refusal(node.url, friend)).toBe('registered');
  });

  it('policy "self": only the node itself is relayed', async () => {
    await value(api.call('settings.set', { relayPolicy: 'self' }));
    expect(await refusal(node.url, friend)).toMatchObject({ code: ErrorCode.RELAY_REFUSED });
    expect(await refusal(node.url, stranger)).toMatchObject({ code: ErrorCode.RELAY_REFUSED });
    await value(api.call('settings.set', { relayPolicy: 'anyone' }));
    expect(await refusal(node.url, stranger)).toBe('registered');
  });

  it('rejects bad settings with BAD_REQUEST and stores nothing', async () => {
    const before = await value(api.call('settings.get', {}));
    const bad: [string, unknown][] = [
      ['settings.set', { listenPort: 70000 }],
      ['settings.set', { listenPort: '7070' }],
      ['settings.set', { listenPort: 1.5 }],
      ['settings.set', { listenHost: '' }],
      ['settings.set', { listenHost: 'not a host!' }],
      ['settings.set', { listenHost: 42 }],
      // plain ws:// off loopback would stop the next start: refused without TLS or --insecure
      ['settings.set', { listenHost: '0.0.0.0' }],
      ['settings.set', { relayPolicy: 'everyone' }],
      ['settings.set', { paused: true }],
      ['settings.set', 'anyone'],
      ['relaying.set', { paused: 'yes' }],
      ['relaying.set', {}],
      ['trust.add', { relayId: 'w2w1nope' }],
      ['trust.remove', {}],
      ['links.remove', { url: 'ws://127.0.0.1:1/' }],
      ['links.remove', { url: 7 }],
    ];
    for (const [method, params] of bad) {
      const r = await api.call(method as 'settings.set', params as never);
      expect(r.ok, `${method} ${JSON.stringify(params)}`).toBe(false);
      expect(!r.ok && r.error.code, method).toBe(ErrorCode.BAD_REQUEST);
    }
    expect(await value(api.call('settings.get', {}))).toEqual(before);
  });

  it('links.remove stops dialling; trust.add/remove edit the trust list and close an untrusted inbound link', async () => {
    const other = await W2wNode.start({ dataDir: path.join(tmp, 'other'), host: '127.0.0.1', port: 0 });
    try {
      // other -> node needs node's trust.
      await value(api.call('trust.add', { relayId: other.id }));
      expect((await value(api.call('settings.get', {}))).trusted).toEqual([other.id]);
      await value(createNodeApi(other).call('links.add', { url: node.url, relayId: node.id }));
      await waitFor(() => (node.relay.core.federation?.linkInfo() ?? []).some((l) => l.up && !l.outbound), 5000, 'inbound link');
      const view = await value(api.call('trust.remove', { relayId: other.id }));
      expect(view.trusted).toEqual([]);
      await waitFor(() => !(node.relay.core.federation?.linkInfo() ?? []).some((l) => l.up && !l.outbound), 5000, 'inbound link closed');
      // node -> other: added, saved, then removed (no longer dialled nor saved).
      await value(createNodeApi(other).call('trust.add', { relayId: node.id }));
      await value(api.call('links.add', { url: other.url, relayId: other.id }));
      expect((await value(api.call('settings.get', {}))).links).toEqual([{ url: other.url, relayId: other.id }]);
      await waitFor(() => (node.relay.core.federation?.linkInfo() ?? []).some((l) => l.up && l.outbound), 5000, 'outbound link');
      expect(await value(api.call('links.remove', { url: other.url }))).toEqual([]);
      expect((await value(api.call('settings.get', {}))).links).toEqual([]);
      await waitFor(() => (other.relay.core.federation?.linkInfo() ?? []).every((l) => !l.up), 5000, 'link gone at the other side');
    } finally {
      await other.stop();
    }
  });

  it('keeps policy, pause and the listen address across a restart; flags override the saved address', async () => {
    const port = await freePort();
    await value(api.call('settings.set', { relayPolicy: 'friends', listenHost: '127.0.0.1', listenPort: port }));
    await value(api.call('relaying.set', { paused: true }));
    const saved = await value(api.call('settings.get', {}));
    expect(saved.listen).toMatchObject({ savedHost: '127.0.0.1', savedPort: port, hostFromFlag: true, portFromFlag: true });
    await node.stop();
    node = await W2wNode.start({ dataDir });
    api = createNodeApi(node);
    const after = await value(api.call('settings.get', {}));
    expect(after.listen).toEqual({ host: '127.0.0.1', port, savedHost: '127.0.0.1', savedPort: port, hostFromFlag: false, portFromFlag: false });
    expect(after.relaying).toEqual({ policy: 'friends', paused: true });
    expect(node.url).toBe(`ws://127.0.0.1:${port}/`);
    expect(await refusal(node.url, friend)).toMatchObject({ code: ErrorCode.RELAYING_PAUSED });
    await node.stop();
    node = await W2wNode.start({ dataDir, port: 0 });
    api = createNodeApi(node);
    const flagged = await value(api.call('settings.get', {}));
    expect(flagged.listen).toMatchObject({ savedPort: port, portFromFlag: true, hostFromFlag: false });
    expect(flagged.listen.port).not.toBe(port);
    await value(api.call('settings.set', { listenHost: null, listenPort: null }));
    expect((await value(api.call('settings.get', {}))).listen).toMatchObject({ savedHost: null, savedPort: null });
  });
});

describe('pausing also stops transit between other relays', () => {
  it('A-B-C: while B is paused A routes nothing through B (ends in RELAYING_PAUSED or no route), B itself still reaches both', async () => {
    const dir = path.join(tmp, 'transit');
    const relays: FedRelay[] = [await startFedRelay(), await startFedRelay()];
    const [a, c] = relays as [FedRelay, FedRelay];
    const b = await W2wNode.start({ dataDir: dir, host: '127.0.0.1', port: 0 });
    const api = createNodeApi(b);
    const clients: RelayClient[] = [];
    try {
      await value(api.call('links.add', { url: a.url, relayId: idToText(a.id) }));
      await value(api.call('links.add', { url: c.url, relayId: idToText(c.id) }));
      const onA = await RelayClient.connect({ url: a.url, identity: generateIdentity() });
      const onC = await RelayClient.connect({ url: c.url, identity: generateIdentity() });
      clients.push(onA, onC);
      await waitFor(() => a.fed.routes.best(idKey(onC.id)) !== null, 5000, 'route A -> C via B');
      const through = await onA.send({ route: Route.A2B, to: onC.id }, Buffer.from('via B'), { ack: true });
      expect(through).toMatchObject({ forwarded: 1, missed: [] });

      await value(api.call('relaying.set', { paused: true }));
      // B withdrew what it learned over links: A has no way to C any more; B's own ID stays routable.
      await waitFor(() => a.fed.routes.best(idKey(onC.id)) === null, 5000, 'A forgets the route to C');
      expect(a.fed.routes.best(idKey(b.identity.publicKey))).not.toBeNull();
      const blocked = await onA.send({ route: Route.A2B, to: onC.id }, Buffer.from('blocked'), { ack: true });
      expect(blocked.forwarded).toBe(0);
      expect(blocked.missed?.[0]?.code).toBe(ErrorCode.RECIPIENT_OFFLINE);
      // The owner's own client still reaches both sides over its links.
      const gotA = new Promise((resolve) => onA.once('message', resolve));
      const gotC = new Promise((resolve) => onC.once('message', resolve));
      await b.client.send({ route: Route.A2B, to: onA.id }, Buffer.from('from B'));
      await b.client.send({ route: Route.A2B, to: onC.id }, Buffer.from('from B'));
      await Promise.all([gotA, gotC]);

      await value(api.call('relaying.set', { paused: false }));
      await waitFor(() => a.fed.routes.best(idKey(onC.id)) !== null, 5000, 'route back via B');
      const again = await onA.send({ route: Route.A2B, to: onC.id }, Buffer.from('via B again'), { ack: true });
      expect(again).toMatchObject({ forwarded: 1, missed: [] });
    } finally {
      for (const cl of clients) await cl.close().catch(() => {});
      await b.stop();
      for (const r of relays) await r.close();
    }
  });
});

describe('a transit FWD reaching a paused relay', () => {
  it('ends there with a RELAYING_PAUSED receipt to its origin; after resume it is routed as usual', async () => {
    const node = await W2wNode.start({ dataDir: path.join(tmp, 'fwd'), host: '127.0.0.1', port: 0 });
    const api = createNodeApi(node);
    const rogue = generateIdentity();
    try {
      await value(api.call('trust.add', { relayId: idToText(rogue.publicKey) }));
      const d = await dialRelay({ url: node.url, identity: rogue, ctx: HandshakeContext.S2S });
      const receipts: number[] = [];
      d.takeOver((data) => {
        const f = decodeFrame(data);
        if (f.ok && f.frame.type === FrameType.RECEIPT) receipts.push(f.frame.status);
      });
      // The neighbour announces itself so that receipts can travel back to it.
      const proof = signHomeProof(rogue, rogue.publicKey, Date.now());
      d.ws.send(encodeFrame({ type: FrameType.ROUTE, action: RouteAction.ANNOUNCE, dest: rogue.publicKey, origin: rogue.publicKey, proofTimeMs: proof.timeMs, proofSig: proof.sig, path: [rogue.publicKey] }));
      await waitFor(() => node.relay.core.federation?.routes.best(idKey(rogue.publicKey)) != null, 5000, 'route to the neighbour');
      const fwd = (): void => {
        const to = generateIdentity().publicKey;
        const inner = { type: FrameType.MSG, flags: 0, hops: 8, id: randomBytes(16), from: generateIdentity().publicKey, route: Route.A2B, to, body: Buffer.from('transit') } as MsgFrame;
        const msg = encodeFrame(inner);
        d.ws.send(encodeFrame({ type: FrameType.FWD, originRelay: rogue.publicKey, targets: [to], msg, inner }));
      };
      await value(api.call('relaying.set', { paused: true }));
      fwd();
      await waitFor(() => receipts.length === 1, 5000, 'receipt while paused');
      expect(receipts).toEqual([ErrorCode.RELAYING_PAUSED]);
      await value(api.call('relaying.set', { paused: false }));
      fwd();
      await waitFor(() => receipts.length === 2, 5000, 'receipt after resume');
      expect(receipts[1]).toBe(ErrorCode.UNKNOWN_RECIPIENT);
      d.ws.close();
    } finally {
      await node.stop();
    }
  });
});
