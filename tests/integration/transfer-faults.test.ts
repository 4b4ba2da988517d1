// Transfers that go wrong: a holder that lies (flipped bytes, a wrong hash list), one that goes quiet,
// one that is offline, and a file that vanishes or changes on the holder's disk mid-transfer. Every
// case ends in a verified file from an honest holder, or in a TransferError with a clear code.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Route } from '../../src-shared/protocol/constants.js';
import { ErrorCode } from '../../src-shared/protocol/errors.js';
import { CHUNK_FRAME_OVERHEAD, TransferCode, TransferKind, encodeTransfer } from '../../src-shared/protocol/transfer.js';
import type { Holding } from '../../src-shared/protocol/declaration.js';
import { toHex } from '../../src-shared/ids.js';
import { generateIdentity } from '../../src-main/crypto/identity.js';
import { RelayClient } from '../../src-main/client/relay-client.js';
import { signHolding } from '../../src-main/data/declare.js';
import { TransferError } from '../../src-main/data/transfer-error.js';
import { startFedRelay, type FedRelay } from '../helpers/federation.js';
import { randomFile, sameBytes, startFakeHolder, startNode, tempDir, waitUntil, type FakeHolder, type FakeHolderOptions, type TestNode } from './transfer-harness.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function setup(size: number, beforeShare?: (src: string) => void): Promise<{ r: FedRelay; alice: TestNode; bob: TestNode; src: string; holding: Holding }> {
  const r = await startFedRelay();
  cleanup.push(() => r.close());
  const alice = await startNode(r.url);
  cleanup.push(() => alice.close());
  const bob = await startNode(r.url);
  cleanup.push(() => bob.close());
  const src = path.join(alice.dir, 'file.bin');
  await randomFile(src, size);
  beforeShare?.(src);
  const holding = await alice.plane.share(src, { reshare: true });
  return { r, alice, bob, src, holding };
}

/** A fake holder of alice's file, with its own countersigned holding (alice allowed re-sharing). */
async function fake(r: FedRelay, holding: Holding, opts: FakeHolderOptions): Promise<{ holder: FakeHolder; holding: Holding }> {
  const identity = generateIdentity();
  const holder = await startFakeHolder(r.url, opts, identity);
  cleanup.push(() => holder.close());
  return { holder, holding: signHolding(identity, holding.core, holding.coreBytes, holding.ownerSig) };
}

const flipByte = (index: number, data: Buffer): Buffer => {
  const out = Buffer.from(data);
  out[index % out.byteLength] = (out[index % out.byteLength] as number) ^ 0x01;
  return out;
};

describe('faulty holders', () => {
  it('rejects chunks from a holder that flips a byte and fetches them again from an honest one', async () => {
    const { r, bob, src, holding } = await setup(3 * 1024 * 1024);
    const liar = await fake(r, holding, { file: src, tamperChunk: flipByte });
    const out = path.join(bob.dir, 'file.bin');
    // the liar first, so it is asked for the first windows
    const res = await bob.plane.fetch(holding.core.contentHash, { from: [liar.holding, holding], out });
    expect(await sameBytes(src, out)).toBe(true);
    expect(res.corruptChunks).toBeGreaterThanOrEqual(1);
    const byId = new Map(res.holders.map((h) => [toHex(h.id), h]));
    expect(byId.get(toHex(liar.holder.id))).toMatchObject({ chunks: 0, dropped: expect.stringMatching(/^CORRUPT_CHUNK/) });
    expect(byId.get(toHex(holding.holder))?.chunks).toBe(48);
  });

  it('fails with CORRUPT_CHUNK when the only holder lies, and keeps nothing it sent', async () => {
    const { r, bob, src, holding } = await setup(200_000);
    const liar = await fake(r, holding, { file: src, tamperChunk: (i, d) => (i === 1 ? flipByte(i, d) : d) });
    const out = path.join(bob.dir, 'file.bin');
    const err = await bob.plane.fetch(holding.core.contentHash, { from: [liar.holding], out }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransferError);
    expect(err).toMatchObject({ code: TransferCode.CORRUPT_CHUNK });
    expect(fs.existsSync(out)).toBe(false);
    // chunk 1 was never marked verified
    const bits = bob.store.fetches.bitmap(Buffer.from(holding.core.contentHash), 4);
    expect((bits[0] as number) & 0b10).toBe(0);
  });

  it('refuses a hash list that does not match the treeRoot and takes it from another holder', async () => {
    const { r, bob, src, holding } = await setup(500_000);
    const liar = await fake(r, holding, { file: src, badHashes: true });
    const out = path.join(bob.dir, 'file.bin');
    const res = await bob.plane.fetch(holding.core.contentHash, { from: [liar.holding, holding], out });
    expect(await sameBytes(src, out)).toBe(true);
    expect(res.holders.find((h) => toHex(h.id) === toHex(liar.holder.id))?.dropped).toMatch(/^BAD_HASH_LIST/);
    expect(liar.holder.fetches).toEqual([]);
  });

  it('gives up on a holder that goes quiet and finishes with another', async () => {
    const { r, bob, src, holding } = await setup(1024 * 1024);
    const quiet = await fake(r, holding, { file: src, silent: true });
    const out = path.join(bob.dir, 'file.bin');
    const t0 = Date.now();
    const res = await bob.plane.fetch(holding.core.contentHash, { from: [quiet.holding, holding], out, timeoutMs: 500 });
    expect(await sameBytes(src, out)).toBe(true);
    expect(res.holders.find((h) => toHex(h.id) === toHex(quiet.holder.id))?.dropped).toMatch(/^TIMEOUT/);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('reports TIMEOUT when the only holder stays quiet', async () => {
    const { r, bob, src, holding } = await setup(100_000);
    const quiet = await fake(r, holding, { file: src, silent: true });
    const err = await bob.plane.fetch(holding.core.contentHash, { from: [quiet.holding], out: path.join(bob.dir, 'f'), timeoutMs: 200 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: TransferCode.TIMEOUT });
  });

  it('reports UNREACHABLE for an offline holder', async () => {
    const { r, bob, src, holding } = await setup(100_000);
    const gone = generateIdentity();
    // known to the relay (registered once), offline now
    await (await RelayClient.connect({ url: r.url, identity: gone })).close();
    const goneHolding = signHolding(gone, holding.core, holding.coreBytes, holding.ownerSig);
    void src;
    const err = await bob.plane.fetch(holding.core.contentHash, { from: [goneHolding], out: path.join(bob.dir, 'f') }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: TransferCode.UNREACHABLE });
    expect(String(err)).toMatch(/^UNREACHABLE \(107\): no holder can serve/);
  });

  it('refuses holdings that do not verify', async () => {
    const { bob, holding } = await setup(10_000);
    const forged = { ...holding, holderSig: Buffer.alloc(64, 1) };
    await expect(bob.plane.fetch(holding.core.contentHash, { from: [forged], out: path.join(bob.dir, 'f') })).rejects.toMatchObject({ code: TransferCode.BAD_DECLARATION });
    await expect(bob.plane.fetch(Buffer.alloc(32), { from: [holding], out: path.join(bob.dir, 'f') })).rejects.toMatchObject({ code: TransferCode.BAD_DECLARATION });
  });
});

describe('the file on the holder changes', () => {
  it('a file vanishing mid-transfer: DENY FILE_GONE, the fetcher reports it, the holder stops serving it', async () => {
    const { alice, bob, src, holding } = await setup(4 * 1024 * 1024);
    const stopped: { code: number; reason: string }[] = [];
    alice.plane.on('stopped', (s) => stopped.push(s));
    let removed = false;
    const out = path.join(bob.dir, 'file.bin');
    const err = await bob.plane
      .fetch(holding.core.contentHash, {
        from: [holding],
        out,
        creditsPerHolder: 2,
        windowChunks: 1,
        progressEveryMs: 0,
        onProgress: () => {
          if (!removed) {
            removed = true;
            fs.rmSync(src);
          }
        },
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransferError);
    expect(err).toMatchObject({ code: TransferCode.FILE_GONE });
    expect(String(err)).toMatch(/FILE_GONE \(4\).*the file vanished from the holder/);
    expect(stopped).toMatchObject([{ code: TransferCode.FILE_GONE }]);
    expect(alice.plane.list()).toMatchObject([{ state: 'stopped', stopReason: expect.stringMatching(/vanished/) }]);
    expect(fs.existsSync(out)).toBe(false);
    // it stays stopped: a new request is answered NOT_HELD at once
    await expect(bob.plane.fetch(holding.core.contentHash, { from: [holding], out })).rejects.toMatchObject({ code: TransferCode.NOT_HELD });
  });

  it('a file changed on disk: DENY FILE_CHANGED', async () => {
    const { alice, bob, src, holding } = await setup(300_000);
    await waitUntil(() => true, 'tick');
    fs.appendFileSync(src, 'more');
    const err = await bob.plane.fetch(holding.core.contentHash, { from: [holding], out: path.join(bob.dir, 'f') }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: TransferCode.FILE_CHANGED });
    expect(alice.plane.list()[0]?.state).toBe('stopped');
  });

  it('a chunk rewritten in place (same size and time): caught by the chunk hash, FILE_CHANGED', async () => {
    // whole seconds, so the time can be put back exactly after the bytes change
    const { bob, src, holding } = await setup(300_000, (f) => fs.utimesSync(f, 1_700_000_000, 1_700_000_000));
    const fd = fs.openSync(src, 'r+');
    fs.writeSync(fd, Buffer.from('tampered'), 0, 8, 70_000);
    fs.closeSync(fd);
    fs.utimesSync(src, 1_700_000_000, 1_700_000_000);
    const err = await bob.plane.fetch(holding.core.contentHash, { from: [holding], out: path.join(bob.dir, 'f') }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: TransferCode.FILE_CHANGED });
    expect(String(err)).toMatch(/chunk 1 no longer matches/);
  });
});

describe('what the relay frames allow, and bad payloads', () => {
  it('a chunk size of exactly maxFrameBytes - CHUNK_FRAME_OVERHEAD travels; a larger one is refused CHUNK_TOO_LARGE', async () => {
    const r = await startFedRelay();
    cleanup.push(() => r.close());
    const alice = await startNode(r.url);
    cleanup.push(() => alice.close());
    const bob = await startNode(r.url);
    cleanup.push(() => bob.close());
    const src = path.join(alice.dir, 'f');
    await randomFile(src, 400_000);
    const limit = alice.client.hello.maxFrameBytes - CHUNK_FRAME_OVERHEAD;
    const fits = await alice.plane.share(src, { chunkSize: limit });
    await bob.plane.fetch(fits.core.contentHash, { from: [fits], out: path.join(bob.dir, 'fits') });
    expect(await sameBytes(src, path.join(bob.dir, 'fits'))).toBe(true);
    const src2 = path.join(alice.dir, 'g');
    await randomFile(src2, 400_000);
    const tooBig = await alice.plane.share(src2, { chunkSize: limit + 1 });
    const err = await bob.plane.fetch(tooBig.core.contentHash, { from: [tooBig], out: path.join(bob.dir, 'big') }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: TransferCode.CHUNK_TOO_LARGE });
  });

  it('malformed transfer payloads and boxed chunk traffic are reported on "rejected", and the node carries on', async () => {
    const { r, alice, bob, src, holding } = await setup(100_000);
    const rejected: { code: number; reason: string }[] = [];
    alice.plane.on('rejected', (x) => rejected.push(x));
    await bob.channel.send({ route: Route.A2B, to: alice.id }, Buffer.from([TransferKind.FETCH, 1, 2, 3]));
    await waitUntil(() => rejected.length === 1, 'a rejection');
    expect(rejected[0]).toMatchObject({ code: ErrorCode.MALFORMED_FRAME });
    // a FETCH boxed for an offline holder would be answered long after, to nobody: refused on arrival
    const carolKey = generateIdentity();
    const carolDir = tempDir();
    cleanup.push(() => fs.rmSync(carolDir, { recursive: true, force: true }));
    await (await startNode(r.url, { identity: carolKey, dir: carolDir })).close();
    const fetch = encodeTransfer({ kind: TransferKind.FETCH, contentHash: holding.core.contentHash, first: 0, count: 1 });
    expect(await bob.channel.send({ route: Route.A2B, to: carolKey.publicKey }, fetch, { ack: true, store: true })).toMatchObject({ mode: 'box', stored: 1 });
    const carol = await startNode(r.url, { identity: carolKey, dir: carolDir });
    cleanup.push(() => carol.close());
    const carolRejected: { code: number; reason: string }[] = [];
    carol.plane.on('rejected', (x) => carolRejected.push(x));
    await waitUntil(() => carolRejected.length === 1, 'the boxed FETCH refused');
    expect(carolRejected[0]).toMatchObject({ code: ErrorCode.BAD_REQUEST, reason: expect.stringMatching(/live session/) });
    // and transfers still work
    const out = path.join(bob.dir, 'after');
    await bob.plane.fetch(holding.core.contentHash, { from: [holding], out });
    expect(await sameBytes(src, out)).toBe(true);
  });
});
