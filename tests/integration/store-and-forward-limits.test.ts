// Store-and-forward limits (PROTOCOL §9.6) over real sockets and a real SQLite store: the per-recipient
// quota, and the cap on the bytes a relay keeps for all offline recipients together.
import { afterEach, describe, expect, it } from 'vitest';
import { Route } from '../../src-shared/protocol/constants.js';
import { ErrorCode } from '../../src-shared/protocol/errors.js';
import { RelayClient } from '../../src-main/client/relay-client.js';
import { generateIdentity, type Identity } from '../../src-main/crypto/identity.js';
import { idKey } from '../../src-main/relay/id-key.js';
import { Peer, startFedRelay, waitFor, type FedRelay } from '../helpers/federation.js';

const open: { relays: FedRelay[]; peers: Peer[] } = { relays: [], peers: [] };

afterEach(async () => {
  for (const p of open.peers.splice(0)) await p.client.close();
  for (const r of open.relays.splice(0)) await r.close();
});

async function relay(opts: Parameters<typeof startFedRelay>[0]): Promise<FedRelay> {
  const r = await startFedRelay(opts);
  open.relays.push(r);
  return r;
}

async function peer(r: FedRelay, identity?: Identity): Promise<Peer> {
  const p = await Peer.connect(r, identity);
  open.peers.push(p);
  return p;
}

/** An ID in the relay's node list that is offline now: the relay keeps messages for it. */
async function offlineRecipient(r: FedRelay): Promise<Identity> {
  const identity = generateIdentity();
  const p = await Peer.connect(r, identity);
  await p.client.close();
  await waitFor(() => !r.server.core.isOnline(idKey(identity.publicKey)), 5000, 'the recipient offline');
  return identity;
}

const BODY = 100_000;

describe('store-and-forward limits', () => {
  it('misses with STORE_FULL once the whole store would pass its byte cap, whoever the recipient', async () => {
    // Room for two 100 kB messages, not three (each kept frame is the body plus the MSG header).
    const r = await relay({ maxStoredBytes: 250_000 });
    const bob = await offlineRecipient(r);
    const carol = await offlineRecipient(r);
    const alice = await peer(r);
    const send = (to: Identity, n: number) => alice.client.send({ route: Route.A2B, to: to.publicKey }, Buffer.alloc(BODY, n), { ack: true, store: true });
    expect(await send(bob, 1)).toMatchObject({ stored: 1, missed: [] });
    expect(await send(carol, 2)).toMatchObject({ stored: 1, missed: [] });
    // Another recipient, far below its own quota of 1000: the relay-wide cap still applies.
    const third = await send(bob, 3);
    expect(third.stored).toBe(0);
    expect((third.missed ?? []).map((m) => m.code)).toEqual([ErrorCode.STORE_FULL]);
    expect(r.store.storedMessages.total()).toBe(2);
    expect(r.store.storedMessages.bytes()).toBeLessThanOrEqual(250_000);

    // Handing messages over frees their room.
    const back = await peer(r, bob);
    await waitFor(() => back.got.length === 1, 5000, 'stored delivery');
    await waitFor(() => r.store.storedMessages.total() === 1, 5000, 'the delivered copy deleted');
    expect(await send(carol, 4)).toMatchObject({ stored: 1, missed: [] });
  });

  it('counts the bytes already kept when the relay restarts', async () => {
    const r = await relay({ maxStoredBytes: 250_000 });
    const bob = await offlineRecipient(r);
    const alice = await peer(r);
    for (const n of [1, 2]) {
      expect(await alice.client.send({ route: Route.A2B, to: bob.publicKey }, Buffer.alloc(BODY, n), { ack: true, store: true })).toMatchObject({ stored: 1 });
    }
    const kept = r.store.storedMessages.bytes();
    expect(kept).toBeGreaterThan(2 * BODY);
    const { dir, identity } = r;
    await alice.client.close();
    open.peers.splice(0);
    await r.close();
    open.relays.splice(0);
    const again = await relay({ dir, identity, maxStoredBytes: 250_000 });
    expect(again.store.storedMessages.bytes()).toBe(kept);
    const alice2 = await peer(again);
    const res = await alice2.client.send({ route: Route.A2B, to: bob.publicKey }, Buffer.alloc(BODY, 3), { ack: true, store: true });
    expect((res.missed ?? []).map((m) => m.code)).toEqual([ErrorCode.STORE_FULL]);
  });

  it('keeps at most maxStoredPerRecipient messages for one recipient', async () => {
    const r = await relay({ maxStoredPerRecipient: 3 });
    const bob = await offlineRecipient(r);
    const alice = await peer(r);
    const codes: number[][] = [];
    for (let i = 0; i < 4; i++) {
      const res = await alice.client.send({ route: Route.A2B, to: bob.publicKey }, Buffer.from(`m${i}`), { ack: true, store: true });
      codes.push((res.missed ?? []).map((m) => m.code));
    }
    expect(codes).toEqual([[], [], [], [ErrorCode.STORE_FULL]]);
  });

  it('hands over a backlog larger than one read from the store (4 MiB), all of it, in order', async () => {
    const r = await relay({});
    const bob = await offlineRecipient(r);
    const alice = await peer(r);
    // 50 × 120 kB = 6 MB: two reads from the store, and still under the session's 8 MiB send buffer.
    for (let i = 0; i < 50; i++) {
      const body = Buffer.alloc(120_000, i);
      expect(await alice.client.send({ route: Route.A2B, to: bob.publicKey }, body, { ack: true, store: true })).toMatchObject({ stored: 1 });
    }
    // Without PUBLISH_HOME, registering is the only hand-over: it must not stop after the first read.
    const back = await RelayClient.connect({ url: r.url, identity: bob, publishHome: false });
    const got: number[] = [];
    back.on('message', (m) => got.push(m.body[0] as number));
    try {
      await waitFor(() => got.length === 50, 10_000, 'all 50 kept messages');
    } finally {
      await back.close();
    }
    expect(got).toEqual([...Array(50).keys()]);
    expect(r.store.storedMessages.total()).toBe(0);
    expect(r.store.storedMessages.bytes()).toBe(0);
  });
});
