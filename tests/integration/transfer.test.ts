// Encrypted file transfer end to end through a real relay: a few MiB fetched and checked, several
// holders, resume from the persisted bitmap, progress events, and re-sharing with a HOLDING_NOTICE.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Route } from '../../src-shared/protocol/constants.js';
import { TransferCode, TransferKind, decodeTransfer } from '../../src-shared/protocol/transfer.js';
import { toHex } from '../../src-shared/ids.js';
import { generateIdentity } from '../../src-main/crypto/identity.js';
import { hashFile, verifyHolding } from '../../src-main/data/declare.js';
import { openStore } from '../../src-main/store/db.js';
import type { Holding } from '../../src-shared/protocol/declaration.js';
import { PART_SUFFIX, type FetchProgress } from '../../src-main/data/fetch-job.js';
import { startFedRelay, type FedRelay } from '../helpers/federation.js';
import { randomFile, sameBytes, startNode, tempDir, waitUntil, type TestNode } from './transfer-harness.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function relay(): Promise<FedRelay> {
  const r = await startFedRelay();
  cleanup.push(() => r.close());
  return r;
}

async function node(r: FedRelay): Promise<TestNode> {
  const n = await startNode(r.url);
  cleanup.push(() => n.close());
  return n;
}

describe('file transfer through a relay', () => {
  it('fetches a few MiB end to end; the file hashes to the declaration', async () => {
    const r = await relay();
    const [alice, bob] = [await node(r), await node(r)];
    const src = path.join(alice.dir, 'photo.bin');
    await randomFile(src, 5 * 1024 * 1024 + 123);
    const holding = await alice.plane.share(src, { mime: 'application/x-test' });
    const progress: FetchProgress[] = [];
    const out = path.join(bob.dir, 'got', 'photo.bin');
    const res = await bob.plane.fetch(holding.core.contentHash, { from: [holding], out, onProgress: (p) => progress.push(p) });
    expect(res.path).toBe(out);
    expect(res.chunksFetched).toBe(81);
    expect(res.chunksResumed).toBe(0);
    expect(await sameBytes(src, out)).toBe(true);
    expect((await hashFile(out)).contentHash.equals(Buffer.from(holding.core.contentHash))).toBe(true);
    expect(fs.existsSync(out + '.w2w-part')).toBe(false);
    const last = progress.at(-1) as FetchProgress;
    expect(last).toMatchObject({ bytes: holding.core.size, total: holding.core.size, etaMs: 0 });
    expect(last.bytesPerSec).toBeGreaterThan(0);
    // the holder recorded who fetched what (fetch receipts drive remote delete)
    expect(alice.store.fetchReceipts.list(Buffer.from(holding.core.contentHash)).map((x) => toHex(x.fetcher))).toEqual([toHex(bob.id)]);
    expect(bob.store.fetches.get(Buffer.from(holding.core.contentHash))?.state).toBe('complete');
    expect(alice.plane.list()).toMatchObject([{ name: 'photo.bin', size: holding.core.size, state: 'serving', fetchers: 1 }]);
  });

  it('a fetcher whose credit is the holder\'s queue limit (64) is never refused BUSY; progress ends fully durable', async () => {
    const r = await relay();
    const [alice, bob] = [await node(r), await node(r)];
    const src = path.join(alice.dir, 'big.bin');
    await randomFile(src, 8 * 1024 * 1024);
    const holding = await alice.plane.share(src);
    const denies: number[] = [];
    bob.channel.on('payload', (o) => {
      const d = decodeTransfer(o.payload);
      if (d.ok && d.payload.kind === TransferKind.DENY) denies.push(d.payload.code);
    });
    const progress: FetchProgress[] = [];
    const out = path.join(bob.dir, 'big.bin');
    const res = await bob.plane.fetch(holding.core.contentHash, { from: [holding], out, creditsPerHolder: 64, windowChunks: 32, progressEveryMs: 0, onProgress: (p) => progress.push(p) });
    expect(res.chunksFetched).toBe(128);
    expect(denies).toEqual([]);
    expect(await sameBytes(src, out)).toBe(true);
    // durable progress never runs ahead of verified progress, and the last report has all of it
    expect(progress.every((p) => p.durableBytes <= p.bytes)).toBe(true);
    expect(progress.at(-1)).toMatchObject({ bytes: 8 * 1024 * 1024, durableBytes: 8 * 1024 * 1024 });
  });

  it('spreads windows over several holders and names each one\'s share', async () => {
    const r = await relay();
    const [alice, carol, bob] = [await node(r), await node(r), await node(r)];
    const src = path.join(alice.dir, 'data.bin');
    await randomFile(src, 4 * 1024 * 1024);
    const holding = await alice.plane.share(src, { reshare: true });
    // carol fetches first and re-serves her copy
    const carolCopy = path.join(carol.dir, 'data.bin');
    const notices: string[] = [];
    alice.plane.on('holder', (n) => notices.push(n.holder));
    const held: Holding[] = [];
    carol.plane.on('holding', (h) => held.push(h));
    await carol.plane.fetch(holding.core.contentHash, { from: [holding], out: carolCopy, reshare: true });
    expect(held).toHaveLength(1);
    const carolHolding = held[0] as Holding;
    expect(toHex(carolHolding.holder)).toBe(toHex(carol.id));
    expect(verifyHolding(carolHolding)).toEqual({ ok: true });
    // the owner hears of the new holder and keeps it for remote delete
    await waitUntil(() => notices.length === 1, 'HOLDING_NOTICE at the owner');
    expect(alice.store.knownHolders.list(Buffer.from(holding.core.contentHash)).map((k) => toHex(k.holder))).toEqual([toHex(carol.id)]);
    expect(carol.plane.list()).toMatchObject([{ path: carolCopy, state: 'serving', owner: expect.stringMatching(/^w2w1/) }]);

    const out = path.join(bob.dir, 'data.bin');
    const res = await bob.plane.fetch(holding.core.contentHash, { from: [holding, carolHolding], out });
    expect(await sameBytes(src, out)).toBe(true);
    const byHolder = new Map(res.holders.map((h) => [toHex(h.id), h.chunks]));
    expect(byHolder.get(toHex(alice.id))).toBeGreaterThan(0);
    expect(byHolder.get(toHex(carol.id))).toBeGreaterThan(0);
    expect((byHolder.get(toHex(alice.id)) ?? 0) + (byHolder.get(toHex(carol.id)) ?? 0)).toBe(64);
  });

  it('fetches an empty file and a file of one short chunk', async () => {
    const r = await relay();
    const [alice, bob] = [await node(r), await node(r)];
    for (const size of [0, 1, 1500]) {
      const src = path.join(alice.dir, `f${size}`);
      await randomFile(src, size);
      const holding = await alice.plane.share(src, { chunkSize: 1024 });
      const out = path.join(bob.dir, `f${size}`);
      const res = await bob.plane.fetch(holding.core.contentHash, { from: [holding], out });
      expect(res.size).toBe(size);
      expect(await sameBytes(src, out)).toBe(true);
    }
  });

  it('finds holders in the relay directory when none are given', async () => {
    const r = await relay();
    const alice = await startNode(r.url, { plane: { publish: true } });
    cleanup.push(() => alice.close());
    const bob = await node(r);
    const src = path.join(alice.dir, 'listed.bin');
    await randomFile(src, 300_000);
    const holding = await alice.plane.share(src);
    const out = path.join(bob.dir, 'listed.bin');
    await waitUntil(() => r.store.directory.byHash(Buffer.from(holding.core.contentHash), 10).length === 1, 'the holding in the directory');
    await bob.plane.fetch(holding.core.contentHash, { out });
    expect(await sameBytes(src, out)).toBe(true);
    // nobody holds unknown content
    await expect(bob.plane.fetch(Buffer.alloc(32, 7), { out: path.join(bob.dir, 'nothing') })).rejects.toMatchObject({ code: TransferCode.NO_HOLDER });
  });

  it('a restarted holder serves what it shared before (SQLite), and refuses what it never had', async () => {
    const r = await relay();
    const aliceDir = tempDir();
    cleanup.push(() => fs.rmSync(aliceDir, { recursive: true, force: true }));
    const aliceKey = generateIdentity();
    let alice = await startNode(r.url, { identity: aliceKey, dir: aliceDir });
    const src = path.join(aliceDir, 'kept.bin');
    await randomFile(src, 700_000);
    const holding = await alice.plane.share(src);
    await alice.close();
    alice = await startNode(r.url, { identity: aliceKey, dir: aliceDir });
    cleanup.push(() => alice.close());
    const bob = await node(r);
    const out = path.join(bob.dir, 'kept.bin');
    await bob.plane.fetch(holding.core.contentHash, { from: [holding], out });
    expect(await sameBytes(src, out)).toBe(true);
    // another declaration of content alice does not serve
    const other = path.join(aliceDir, 'other.bin');
    await randomFile(other, 5000);
    const notServed = await alice.plane.share(other);
    alice.plane.unshare(notServed.core.contentHash);
    await expect(bob.plane.fetch(notServed.core.contentHash, { from: [notServed], out: path.join(bob.dir, 'other.bin') })).rejects.toMatchObject({
      code: TransferCode.NOT_HELD,
    });
    // an existing output is never overwritten unless asked
    await expect(bob.plane.fetch(holding.core.contentHash, { from: [holding], out })).rejects.toThrow(/already exists/);
    await bob.plane.fetch(holding.core.contentHash, { from: [holding], out, overwrite: true });
  });

  it('a fetch killed after renaming its part file into place but before recording it is found done on resume', async () => {
    const r = await relay();
    const [alice, bob] = [await node(r), await node(r)];
    const src = path.join(alice.dir, 'done.bin');
    await randomFile(src, 300_000);
    const holding = await alice.plane.share(src);
    const hash = Buffer.from(holding.core.contentHash);
    const out = path.join(bob.dir, 'done.bin');
    await bob.plane.fetch(hash, { from: [holding], out });
    // what a kill between fs.rename() and the record leaves: the whole file in place, the record still partial
    bob.store.db.prepare("UPDATE fetches SET state = 'partial' WHERE content_hash = ?").run(hash);
    expect(fs.existsSync(out + PART_SUFFIX)).toBe(false);
    await alice.disconnect(); // nobody serves it now: the resume must not need a holder
    const res = await bob.plane.fetch(hash, { from: [holding], out });
    expect(res).toMatchObject({ path: out, size: 300_000, chunksFetched: 0, chunksResumed: 5 });
    expect(await sameBytes(src, out)).toBe(true);
    expect(bob.store.fetches.get(hash)?.state).toBe('complete');
    // a partial record whose out path holds something else is not taken for done
    bob.store.db.prepare("UPDATE fetches SET state = 'partial' WHERE content_hash = ?").run(hash);
    fs.writeFileSync(out, 'something else');
    await expect(bob.plane.fetch(hash, { from: [holding], out })).rejects.toThrow('already exists');
    expect(bob.store.fetches.get(hash)?.state).toBe('partial');
  });

  it('resumes a fetch killed at random points (connection closed, new fetcher on the same SQLite) to an identical file', async () => {
    const r = await relay();
    const alice = await node(r);
    const src = path.join(alice.dir, 'big.bin');
    await randomFile(src, 6 * 1024 * 1024);
    const holding = await alice.plane.share(src);
    const chunks = 96;
    const bobKey = generateIdentity();
    const bobDir = tempDir();
    cleanup.push(() => fs.rmSync(bobDir, { recursive: true, force: true }));
    const out = path.join(bobDir, 'big.bin');
    const hash = Buffer.from(holding.core.contentHash);
    let killedAt = 0;
    for (let round = 0; round < 3; round++) {
      const bob = await startNode(r.url, { identity: bobKey, dir: bobDir });
      // a random point further on than the last kill
      const stopAt = killedAt + 1 + Math.floor(Math.random() * 24);
      let closing = false;
      const run = bob.plane.fetch(hash, {
        from: [holding],
        out,
        creditsPerHolder: 4,
        windowChunks: 2,
        progressEveryMs: 0,
        onProgress: (p) => {
          if (!closing && p.bytes >= stopAt * 65536) {
            closing = true;
            void bob.client.close();
          }
        },
      });
      const err = await run.then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toMatchObject({ code: TransferCode.ABORTED });
      await bob.close();
      const rec = openStore(bobDir);
      const bits = rec.fetches.bitmap(hash, chunks);
      rec.close();
      const done = countBits(bits);
      expect(done).toBeGreaterThanOrEqual(stopAt);
      expect(fs.existsSync(out + '.w2w-part')).toBe(true);
      killedAt = done;
    }
    const bob = await startNode(r.url, { identity: bobKey, dir: bobDir });
    cleanup.push(() => bob.close());
    const res = await bob.plane.fetch(hash, { from: [holding], out });
    expect(res.chunksResumed).toBe(killedAt);
    expect(res.chunksFetched).toBe(chunks - killedAt);
    expect(await sameBytes(src, out)).toBe(true);
    expect(fs.existsSync(out + '.w2w-part')).toBe(false);
  });

  it('a resume that repairs a chunk damaged on disk reports durable bytes that never exceed the verified ones', async () => {
    const r = await relay();
    const alice = await node(r);
    const src = path.join(alice.dir, 'big.bin');
    await randomFile(src, 2 * 1024 * 1024);
    const holding = await alice.plane.share(src);
    const hash = Buffer.from(holding.core.contentHash);
    const chunks = 32;
    const bobKey = generateIdentity();
    const bobDir = tempDir();
    cleanup.push(() => fs.rmSync(bobDir, { recursive: true, force: true }));
    const out = path.join(bobDir, 'big.bin');
    // First run: stopped after 8 chunks (a stopping fetch syncs and records what it wrote).
    const first = await startNode(r.url, { identity: bobKey, dir: bobDir });
    let closing = false;
    const err = await first.plane
      .fetch(hash, {
        from: [holding],
        out,
        creditsPerHolder: 4,
        windowChunks: 2,
        progressEveryMs: 0,
        onProgress: (p) => {
          if (!closing && p.bytes >= 8 * 65536) {
            closing = true;
            void first.client.close();
          }
        },
      })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(err).toMatchObject({ code: TransferCode.ABORTED });
    await first.close();
    const rec = openStore(bobDir);
    const bits = rec.fetches.bitmap(hash, chunks);
    rec.close();
    expect((bits[0] as number) & 1).toBe(1);
    // Chunk 0 is recorded as durable, but its bytes on disk are damaged (a crash, a bad disk).
    const part = fs.openSync(out + '.w2w-part', 'r+');
    fs.writeSync(part, Buffer.alloc(16, 0xee), 0, 16, 0);
    fs.closeSync(part);
    const bob = await startNode(r.url, { identity: bobKey, dir: bobDir });
    cleanup.push(() => bob.close());
    const progress: FetchProgress[] = [];
    await bob.plane.fetch(hash, { from: [holding], out, progressEveryMs: 0, onProgress: (p) => progress.push(p) });
    expect(await sameBytes(src, out)).toBe(true);
    expect(progress.filter((p) => p.durableBytes > p.bytes)).toEqual([]);
    expect(progress.at(-1)).toMatchObject({ bytes: holding.core.size, durableBytes: holding.core.size });
  });

  it('does not mix chunk traffic with chat: a text message still arrives during a transfer', async () => {
    const r = await relay();
    const [alice, bob] = [await node(r), await node(r)];
    const src = path.join(alice.dir, 'x.bin');
    await randomFile(src, 2 * 1024 * 1024);
    const holding = await alice.plane.share(src);
    const texts: string[] = [];
    bob.channel.on('payload', (o) => {
      if (o.payload[0] === 0x01) texts.push(o.payload.subarray(1).toString());
    });
    const fetching = bob.plane.fetch(holding.core.contentHash, { from: [holding], out: path.join(bob.dir, 'x.bin') });
    await alice.channel.send({ route: Route.A2B, to: bob.id }, Buffer.concat([Buffer.of(1), Buffer.from('hello')]));
    await fetching;
    await waitUntil(() => texts.includes('hello'), 'the text');
    expect(bob.plane.listenerCount('rejected')).toBe(0);
  });
});

function countBits(bits: Uint8Array): number {
  let n = 0;
  for (const b of bits) for (let i = 0; i < 8; i++) n += (b >> i) & 1;
  return n;
}
