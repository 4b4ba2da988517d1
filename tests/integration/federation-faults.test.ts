// Faults inside a relay while it handles link frames: the frame fails, the relay (and its links) live on.
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ReceiptStatus, Route } from '../../src-shared/protocol/constants.js';
import { RelayClient, type ReceiptEvent } from '../../src-main/client/relay-client.js';
import { generateIdentity } from '../../src-main/crypto/identity.js';
import { signHomeProof } from '../../src-main/federation/home-proof.js';
import { Link } from '../../src-main/federation/link.js';
import { CloseCode, ErrorCode } from '../../src-shared/protocol/errors.js';
import { idKey } from '../../src-main/relay/id-key.js';
import { link, Peer, routeKnown, startFedRelay, waitFor, type FedRelay } from '../helpers/federation.js';
import { RawPeer } from '../helpers/raw-peer.js';

const open: { relays: FedRelay[]; clients: RelayClient[]; raws: RawPeer[]; dbs: Database.Database[] } = { relays: [], clients: [], raws: [], dbs: [] };

afterEach(async () => {
  for (const db of open.dbs.splice(0)) {
    if (db.inTransaction) db.exec('ROLLBACK');
    db.close();
  }
  for (const c of open.clients.splice(0)) await c.close();
  for (const p of open.raws.splice(0)) p.terminate();
  for (const r of open.relays.splice(0)) await r.close();
});

describe('a store that fails under a link frame', () => {
  it('a FWD to keep for an offline ID while another process holds the write lock: no crash, the link stays up', async () => {
    const uncaught: unknown[] = [];
    const onUncaught = (err: unknown): void => {
      uncaught.push(err);
    };
    process.on('uncaughtException', onUncaught);
    try {
      const a = await startFedRelay();
      const b = await startFedRelay();
      open.relays.push(a, b);
      await link(a, b);
      const bob = generateIdentity();
      const bobFirst = await RelayClient.connect({ url: b.url, identity: bob });
      await routeKnown(a, bob.publicKey);
      await bobFirst.close();
      await waitFor(() => a.fed.routes.best(idKey(bob.publicKey)) === null, 5000, 'bob withdrawn');
      const alice = await RelayClient.connect({ url: a.url, identity: generateIdentity() });
      open.clients.push(alice);
      const receipts: ReceiptEvent[] = [];
      alice.on('receipt', (r) => receipts.push(r));

      // Another process (the CLI, a backup) holds b's write lock; b gives up after a short busy wait.
      b.store.db.pragma('busy_timeout = 100');
      const other = new Database(b.store.path);
      open.dbs.push(other);
      other.exec('BEGIN IMMEDIATE');
      const res = await alice.send({ route: Route.A2B, to: bob.publicKey }, Buffer.from('kept for bob'), { ack: true, store: true });
      expect(res.forwarded).toBe(1);
      await waitFor(() => uncaught.length > 0 || b.server.core.snapshot().errors['500'] !== undefined, 5000, 'b fails the FWD');
      other.exec('ROLLBACK');
      expect(uncaught).toEqual([]);

      // b and the link are still there: the same message, resent, is kept and reported STORED.
      expect(a.fed.linkInfo().some((l) => l.up)).toBe(true);
      const again = await alice.send({ route: Route.A2B, to: bob.publicKey }, Buffer.from('kept for bob, again'), { ack: true, store: true });
      expect(again.forwarded).toBe(1);
      await waitFor(() => receipts.some((r) => r.status === ReceiptStatus.STORED), 5000, 'STORED receipt');
      const bobBack = await Peer.connect(b, bob);
      open.clients.push(bobBack.client);
      await bobBack.waitText('kept for bob, again');
      expect(uncaught).toEqual([]);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  }, 30_000);
});

describe('handing over kept messages', () => {
  it('more kept bytes than a connection may queue: all of them arrive, paced, and the recipient is not cut as slow', async () => {
    // A small send queue makes the case cheap: 48 kept messages of 8 KiB are 6 times the limit.
    const r = await startFedRelay({ limits: { maxBufferedBytes: 64 * 1024 } });
    open.relays.push(r);
    const bob = generateIdentity();
    const bobFirst = await RelayClient.connect({ url: r.url, identity: bob });
    await bobFirst.close();
    await waitFor(() => !r.server.core.isOnline(idKey(bob.publicKey)), 5000, 'bob offline');
    const alice = await RelayClient.connect({ url: r.url, identity: generateIdentity() });
    open.clients.push(alice);
    const n = 48;
    for (let i = 0; i < n; i++) {
      const body = Buffer.alloc(8 * 1024, i);
      body.write(`kept ${i} `);
      const res = await alice.send({ route: Route.A2B, to: bob.publicKey }, body, { ack: true, store: true });
      expect(res.stored).toBe(1);
    }
    expect(r.store.storedMessages.countFor(bob.publicKey)).toBe(n);

    const closes: number[] = [];
    const bobBack = await Peer.connect(r, bob);
    open.clients.push(bobBack.client);
    bobBack.client.on('close', (e: { code: number }) => closes.push(e.code));
    await waitFor(() => bobBack.got.length === n, 10_000, 'every kept message');
    expect(bobBack.texts().map((t) => t.slice(0, t.indexOf(' ', 5)))).toEqual(Array.from({ length: n }, (_, i) => `kept ${i}`));
    expect(r.store.storedMessages.countFor(bob.publicKey)).toBe(0);
    expect(closes).toEqual([]);
    expect(r.server.core.snapshot().slowConsumers).toBe(0);
  }, 30_000);
});

describe('a paused hand-over', () => {
  it('a recipient that stops reading: the hand-over waits without querying the store again and again', async () => {
    // No ping sweep during the test: a peer that does not read would be cut for not answering pings.
    const r = await startFedRelay({ limits: { maxBufferedBytes: 64 * 1024, pingIntervalMs: 60_000, pingTimeoutMs: 60_000 } });
    open.relays.push(r);
    const bob = generateIdentity();
    await (await RelayClient.connect({ url: r.url, identity: bob })).close();
    await waitFor(() => !r.server.core.isOnline(idKey(bob.publicKey)), 5000, 'bob offline');
    const alice = await RelayClient.connect({ url: r.url, identity: generateIdentity() });
    open.clients.push(alice);
    // More than the kernel's socket buffers take, so the relay's own queue stays full once bob stops.
    const n = 200;
    for (let i = 0; i < n; i++) expect((await alice.send({ route: Route.A2B, to: bob.publicKey }, Buffer.alloc(64 * 1024, i), { ack: true, store: true })).stored).toBe(1);

    const raw = await RawPeer.open(r.url, {}, 'bob, not reading');
    open.raws.push(raw);
    await raw.register(bob);
    raw.pause();
    // the hand-over runs until bob's queue is full, then waits
    let left = -1;
    await waitFor(() => {
      const now = r.store.storedMessages.countFor(bob.publicKey);
      const settled = now === left;
      left = now;
      return settled && now > 0;
    }, 10_000, 'the hand-over stalls');
    const reads = vi.spyOn(r.store.storedMessages, 'takeBatch');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(reads).not.toHaveBeenCalled();
    expect(r.store.storedMessages.countFor(bob.publicKey)).toBe(left);
    expect(r.server.core.isOnline(idKey(bob.publicKey))).toBe(true);
    // bob reads again: the rest follows
    raw.resume();
    await waitFor(() => r.store.storedMessages.countFor(bob.publicKey) === 0, 10_000, 'the hand-over ends');
    reads.mockRestore();
  }, 60_000);
});

describe('the route snapshot a fresh link gets', () => {
  it('more routes than the link may queue at once: the snapshot is paced, the link stays up and learns them all', async () => {
    // A link may queue 8 x maxBufferedBytes = 32 KiB here; 300 routes of [M, A] are about 61 KiB.
    const limits = { maxBufferedBytes: 4 * 1024 };
    const m = await startFedRelay({ limits });
    const a = await startFedRelay({ limits });
    const c = await startFedRelay({ limits });
    open.relays.push(m, a, c);
    const ids = Array.from({ length: 300 }, () => generateIdentity());
    // Each ID publishes its home at M exactly as PUBLISH_HOME does (the proof is checked).
    for (const id of ids) {
      const proof = signHomeProof(id, m.id, Date.now());
      m.fed.publishHome(id.publicKey, proof.timeMs, proof.sig);
    }
    await link(m, a);
    await waitFor(() => ids.every((id) => a.fed.routes.best(idKey(id.publicKey)) !== null), 10_000, 'A learns every route from M');

    await link(c, a);
    await waitFor(() => ids.every((id) => c.fed.routes.best(idKey(id.publicKey)) !== null), 10_000, 'C learns every route from A');
    expect(c.fed.routes.best(idKey(ids[0]!.publicKey))?.advert.path.length).toBe(2);
    // one link from C to A all along: it was never cut and redialled
    expect(c.fed.linkInfo().filter((l) => l.outbound).map((l) => l.lastError)).toEqual([null]);
    expect(a.fed.linkCount).toBe(2);
  }, 30_000);
});

describe('the relay-wide cap on kept bytes', () => {
  it('kept messages for many offline IDs stop at the cap (STORE_FULL), also after a restart, and hand-over frees room', async () => {
    const cap = 64 * 1024;
    const first = await startFedRelay({ maxStoredBytes: cap });
    open.relays.push(first);
    // Eight IDs that registered here once and are offline now: each could be sent 1000 messages.
    const offline = Array.from({ length: 8 }, () => generateIdentity());
    for (const id of offline) await (await RelayClient.connect({ url: first.url, identity: id })).close();
    await waitFor(() => offline.every((id) => !first.server.core.isOnline(idKey(id.publicKey))), 5000, 'all offline');
    const sender = generateIdentity();
    const body = Buffer.alloc(6 * 1024, 7);
    const sendAll = async (r: FedRelay, n: number, start = 0): Promise<{ stored: number; missed: number[] }> => {
      const alice = await RelayClient.connect({ url: r.url, identity: sender });
      open.clients.push(alice);
      const out = { stored: 0, missed: [] as number[] };
      for (let i = 0; i < n; i++) {
        const res = await alice.send({ route: Route.A2B, to: offline[(start + i) % offline.length]!.publicKey }, body, { ack: true, store: true });
        out.stored += res.stored ?? 0;
        out.missed.push(...(res.missed ?? []).map((m) => m.code));
      }
      return out;
    };
    const got = await sendAll(first, 16);
    const kept = first.store.storedMessages.total();
    const msgBytes = first.store.storedMessages.totalBytes() / kept;
    expect(got.stored).toBe(kept);
    expect(kept).toBe(Math.floor(cap / msgBytes));
    expect(got.missed).toEqual(Array.from({ length: 16 - kept }, () => ErrorCode.STORE_FULL));

    // After a restart the relay still counts what it keeps.
    const { dir, identity } = first;
    await first.close();
    const r = await startFedRelay({ dir, identity, maxStoredBytes: cap });
    open.relays.push(r);
    expect((await sendAll(r, 1, 1)).missed).toEqual([ErrorCode.STORE_FULL]);

    // The first recipient comes back: its messages go, and the room they took is free again.
    const back = await Peer.connect(r, offline[0]!);
    open.clients.push(back.client);
    await waitFor(() => back.got.length > 0 && r.store.storedMessages.countFor(offline[0]!.publicKey) === 0, 5000, 'hand-over');
    expect((await sendAll(r, 1, 1)).stored).toBe(1);
  }, 30_000);
});

describe('many best routes changing at once', () => {
  it('a link carrying many best routes goes down: the re-announcements are paced, no other link is cut as slow', async () => {
    // Links may queue 32 KiB here; 300 announcements of [N, A] are about 61 KiB.
    const limits = { maxBufferedBytes: 4 * 1024 };
    const n = await startFedRelay({ limits });
    const a = await startFedRelay({ limits });
    const c = await startFedRelay({ limits });
    open.relays.push(n, a, c);
    await link(c, a);
    const ids = Array.from({ length: 300 }, () => generateIdentity());
    for (const id of ids) {
      const proof = signHomeProof(id, n.id, Date.now());
      n.fed.publishHome(id.publicKey, proof.timeMs, proof.sig);
    }
    // N links to A twice (two URLs for the same relay): A holds every route over both links.
    n.fed.addPeer(a.url, a.id);
    n.fed.addPeer(`${a.url}second`, a.id);
    await waitFor(() => a.fed.linkCount === 3, 5000, 'both links from N');
    await waitFor(() => ids.every((id) => c.fed.routes.best(idKey(id.publicKey)) !== null), 10_000, 'C learns every route');
    const firstLink = a.fed.routes.best(idKey(ids[0]!.publicKey))?.via;

    const closes = vi.spyOn(Link.prototype, 'close');
    try {
      // The link A's best routes use goes: all 300 switch to the other link from N at once.
      n.fed.removePeer(a.url);
      await waitFor(() => ids.every((id) => {
        const best = a.fed.routes.best(idKey(id.publicKey));
        return best !== null && best.via !== firstLink;
      }), 5000, 'A switches every route');
      await waitFor(() => ids.every((id) => c.fed.routes.best(idKey(id.publicKey)) !== null), 10_000, 'C keeps every route');
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(closes.mock.calls.map((call) => call[0]).filter((code) => code === CloseCode.SLOW_CONSUMER)).toEqual([]);
      expect(c.fed.linkInfo().filter((l) => l.up)).toHaveLength(1);
    } finally {
      closes.mockRestore();
    }
  }, 30_000);
});

describe('a failure set off by a registration', () => {
  it('costs neither the relay nor the READY of the other registrations committed with it', async () => {
    const uncaught: unknown[] = [];
    const onUncaught = (err: unknown): void => {
      uncaught.push(err);
    };
    process.on('uncaughtException', onUncaught);
    const r = await startFedRelay();
    open.relays.push(r);
    // The hand-over of kept messages fails for the first ID that registers (as when another process
    // holds the store's write lock at that instant); when both HS3s are read in one turn they share one
    // node-list commit, and the second READY comes from the same callback loop.
    const realJoined = r.fed.localJoined.bind(r.fed);
    let failures = 0;
    const joined = vi.spyOn(r.fed, 'localJoined').mockImplementation((key) => {
      if (failures++ === 0) throw new Error('SQLITE_BUSY: database is locked (injected)');
      realJoined(key);
    });
    try {
      const [first, second] = await Promise.all([RelayClient.connect({ url: r.url, identity: generateIdentity() }), RelayClient.connect({ url: r.url, identity: generateIdentity() })]);
      open.clients.push(first, second);
      expect(failures).toBe(2);
      expect(r.server.core.snapshot()).toMatchObject({ registered: 2, errors: { '500': 1 } });
      // Both sessions work: a message from one reaches the other.
      const got = new Promise<Buffer>((resolve) => second.on('message', (m) => resolve(Buffer.from(m.body))));
      await first.send({ route: Route.A2B, to: second.id }, Buffer.from('still here'));
      expect((await got).toString()).toBe('still here');
      expect(uncaught).toEqual([]);
    } finally {
      joined.mockRestore();
      process.off('uncaughtException', onUncaught);
    }
  });
});
