// Remote delete through real relays: the owner's signed request reaches online holders at once and
// offline ones on their return (store-and-forward), each answers a signed receipt the owner tracks in
// SQLite; requests not signed by the owner, or replayed from before the copy, delete nothing.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Route } from '../../src-shared/protocol/constants.js';
import { ErrorCode } from '../../src-shared/protocol/errors.js';
import { encodeCore, encodeHolding, type Holding } from '../../src-shared/protocol/declaration.js';
import { signHolding, verifyHolding } from '../../src-main/data/declare.js';
import { publishHolding } from '../../src-main/data/directory-client.js';
import { PART_SUFFIX } from '../../src-main/data/fetch-job.js';
import { TransferError } from '../../src-main/data/transfer-error.js';
import { DeleteStatus, TransferCode, TransferKind, deleteReceiptMessage, deleteRequestMessage, encodeTransfer } from '../../src-shared/protocol/transfer.js';
import { idToText, toHex } from '../../src-shared/ids.js';
import { generateIdentity, sign, verify } from '../../src-main/crypto/identity.js';
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

async function sharedAndFetched(r: FedRelay, alice: TestNode, bob: TestNode, reshare = false): Promise<{ holding: Holding; src: string; copy: string }> {
  const src = path.join(alice.dir, 'doc.bin');
  await randomFile(src, 400_000);
  const holding = await alice.plane.share(src, { reshare });
  const copy = path.join(bob.dir, 'doc.bin');
  await bob.plane.fetch(holding.core.contentHash, { from: [holding], out: copy, reshare });
  void r;
  return { holding, src, copy };
}

describe('remote delete', () => {
  it('an online holder deletes its copy and answers a signed receipt; the owner keeps its original', async () => {
    const r = await relay();
    const [alice, bob] = [await node(r), await node(r)];
    const { holding, src, copy } = await sharedAndFetched(r, alice, bob);
    const deleted: { contentHash: string; owner: string; paths: string[] }[] = [];
    bob.plane.on('deleted', (d) => deleted.push(d));
    const statuses: string[] = [];
    alice.plane.on('status', (s) => statuses.push(s.status));
    const res = await alice.plane.delete(holding.core.contentHash, { waitMs: 5000 });
    expect(res).toEqual([{ holder: idToText(bob.id), status: 'deleted', error: null }]);
    expect(statuses).toEqual(['pending', 'deleted']);
    expect(fs.existsSync(copy)).toBe(false);
    expect(deleted).toEqual([{ contentHash: toHex(holding.core.contentHash), owner: idToText(alice.id), paths: [copy] }]);
    expect(bob.store.fetches.get(Buffer.from(holding.core.contentHash))).toBeNull();
    // the receipt is kept as proof, and it verifies under bob's key
    const row = alice.store.deleteRequests.get(Buffer.from(holding.core.contentHash), bob.id);
    expect(row?.holderSig).not.toBeNull();
    expect(verify(bob.id, deleteReceiptMessage(holding.core.contentHash, DeleteStatus.DELETED, row?.timeMs ?? 0), row?.holderSig ?? Buffer.alloc(64))).toBe(true);
    // the owner stopped serving but its own file stays
    expect(fs.existsSync(src)).toBe(true);
    expect(alice.plane.list()).toEqual([]);
  });

  it('an offline holder gets the request when it returns (store-and-forward), and the owner sees it settle', async () => {
    const r = await relay();
    const alice = await node(r);
    const bobKey = generateIdentity();
    const bobDir = tempDir();
    cleanup.push(() => fs.rmSync(bobDir, { recursive: true, force: true }));
    let bob = await startNode(r.url, { identity: bobKey, dir: bobDir });
    const { holding, copy } = await sharedAndFetched(r, alice, bob);
    await bob.close();
    const res = await alice.plane.delete(holding.core.contentHash);
    expect(res).toEqual([{ holder: idToText(bobKey.publicKey), status: 'pending', error: null }]);
    expect(fs.existsSync(copy)).toBe(true);
    // persisted: the owner's status survives in SQLite
    expect(alice.store.deleteRequests.pending().map((p) => toHex(p.holder))).toEqual([toHex(bobKey.publicKey)]);
    const settled = new Promise<string>((resolve) => alice.plane.on('status', (s) => s.status !== 'pending' && resolve(s.status)));
    bob = await startNode(r.url, { identity: bobKey, dir: bobDir });
    cleanup.push(() => bob.close());
    expect(await settled).toBe('deleted');
    await waitUntil(() => !fs.existsSync(copy), 'the copy deleted');
    expect(alice.plane.deleteStatus(holding.core.contentHash)).toEqual([{ holder: idToText(bobKey.publicKey), status: 'deleted', error: null }]);
  });

  it('nobody can settle another holder\'s status: receipts count only for their signed, relay-checked sender', async () => {
    const r = await relay();
    const alice = await node(r);
    const mallory = await node(r);
    const bobKey = generateIdentity();
    const bobDir = tempDir();
    cleanup.push(() => fs.rmSync(bobDir, { recursive: true, force: true }));
    let bob = await startNode(r.url, { identity: bobKey, dir: bobDir });
    const { holding } = await sharedAndFetched(r, alice, bob);
    await bob.close();
    const hash = Buffer.from(holding.core.contentHash);
    await alice.plane.delete(hash);
    const timeMs = alice.store.deleteRequests.get(hash, bobKey.publicKey)?.timeMs as number;
    const rejected: { from: string; code: number }[] = [];
    alice.plane.on('rejected', (x) => rejected.push(x));
    const receipt = (holderSig: Uint8Array, t = timeMs) => encodeTransfer({ kind: TransferKind.DELETE_RECEIPT, contentHash: hash, status: DeleteStatus.DELETED, timeMs: t, holderSig });
    const msg = deleteReceiptMessage(hash, DeleteStatus.DELETED, timeMs);
    // Mallory, who learnt the request's time, cannot sign as Bob: a signature by her own key does not
    // verify under Bob's, and whatever she sends counts as hers (the relay and the session prove her ID).
    await mallory.channel.send({ route: Route.A2B, to: alice.id }, receipt(new Uint8Array(64).fill(9)));
    await mallory.channel.send({ route: Route.A2B, to: alice.id }, receipt(sign(mallory.identity, msg), timeMs + 1));
    await waitUntil(() => rejected.length === 2, 'both forged receipts refused');
    expect(rejected.every((x) => x.from === idToText(mallory.id) && x.code === ErrorCode.BAD_SIGNATURE)).toBe(true);
    // Her own, correctly signed "deleted" is about her only (a copy she says she held): Bob stays pending.
    await mallory.channel.send({ route: Route.A2B, to: alice.id }, receipt(sign(mallory.identity, msg)));
    await waitUntil(() => alice.plane.deleteStatus(hash).length === 2, "mallory's own receipt recorded");
    expect(alice.plane.deleteStatus(hash)).toContainEqual({ holder: idToText(bobKey.publicKey), status: 'pending', error: null });
    expect(alice.store.deleteRequests.get(hash, bobKey.publicKey)?.holderSig ?? null).toBeNull();
    // Bob's own receipt, when he returns, settles his status.
    const settled = new Promise<void>((resolve) => alice.plane.on('status', (x) => x.holder === idToText(bobKey.publicKey) && x.status === 'deleted' && resolve()));
    bob = await startNode(r.url, { identity: bobKey, dir: bobDir });
    cleanup.push(() => bob.close());
    await settled;
    expect(alice.plane.deleteStatus(hash)).toContainEqual({ holder: idToText(bobKey.publicKey), status: 'deleted', error: null });
  });

  it('a delete request signed by someone other than the owner is refused and deletes nothing', async () => {
    const r = await relay();
    const [alice, bob, mallory] = [await node(r), await node(r), await node(r)];
    const { holding, src, copy } = await sharedAndFetched(r, alice, bob);
    const res = await mallory.plane.delete(holding.core.contentHash, { holders: [bob.id], waitMs: 5000 });
    expect(res).toEqual([{ holder: idToText(bob.id), status: 'refused', error: null }]);
    expect(await sameBytes(src, copy)).toBe(true);
    expect(bob.store.fetches.get(Buffer.from(holding.core.contentHash))?.state).toBe('complete');
  });

  it('an old owner request replayed after the holder fetched again is refused', async () => {
    const r = await relay();
    const [alice, bob, mallory] = [await node(r), await node(r), await node(r)];
    const { holding, copy } = await sharedAndFetched(r, alice, bob);
    // a request alice signed an hour ago, captured and replayed by mallory
    const oldMs = Date.now() - 3600_000;
    const ownerSig = sign(alice.identity, deleteRequestMessage(holding.core.contentHash, oldMs));
    const receipts: number[] = [];
    mallory.channel.on('payload', (o) => {
      if (o.payload[0] === TransferKind.DELETE_RECEIPT) receipts.push(o.payload[33] as number);
    });
    await mallory.channel.send(
      { route: Route.A2B, to: bob.id },
      encodeTransfer({ kind: TransferKind.DELETE_REQ, contentHash: holding.core.contentHash, timeMs: oldMs, ownerSig }),
    );
    await waitUntil(() => receipts.length === 1, 'a receipt');
    expect(receipts).toEqual([DeleteStatus.REFUSED]);
    expect(fs.existsSync(copy)).toBe(true);
  });

  it('deletes only its copy: another file the user since saved under the same name stays', async () => {
    const r = await relay();
    const [alice, bob] = [await node(r), await node(r)];
    const { holding, copy } = await sharedAndFetched(r, alice, bob);
    // bob's user removed the fetched file and saved another document under that name
    fs.rmSync(copy);
    fs.writeFileSync(copy, 'my own notes, not alice\'s data');
    const deleted: string[][] = [];
    bob.plane.on('deleted', (d) => deleted.push(d.paths));
    const res = await alice.plane.delete(holding.core.contentHash, { waitMs: 5000 });
    // bob holds no copy any more (its records go), but the unrelated file is not alice's to delete
    expect(res).toEqual([{ holder: idToText(bob.id), status: 'deleted', error: null }]);
    expect(fs.readFileSync(copy, 'utf8')).toBe("my own notes, not alice's data");
    expect(deleted).toEqual([[]]);
    expect(bob.store.fetches.get(Buffer.from(holding.core.contentHash))).toBeNull();
  });

  it('a delete that arrives while a fetch of the data is starting leaves no record, part file or open handle behind', async () => {
    const r = await relay();
    const [alice, bob] = [await node(r), await node(r)];
    const src = path.join(alice.dir, 'doc.bin');
    await randomFile(src, 400_000);
    const holding = await alice.plane.share(src);
    const hash = Buffer.from(holding.core.contentHash);
    const copy = path.join(bob.dir, 'doc.bin');
    // an earlier fetch of it was interrupted: bob holds a partial record (a copy alice may delete)
    bob.store.fetches.start(hash, copy, Buffer.from(encodeHolding(holding)), Date.now());
    const fetching = bob.plane.fetch(hash, { from: [holding], out: copy });
    const failed = fetching.then(
      () => null,
      (err: unknown) => err,
    );
    // alice's request arrives while that fetch is still opening its part file
    const timeMs = Date.now();
    const status = await bob.plane.remoteDelete.onRequest(alice.id, hash, timeMs, sign(alice.identity, deleteRequestMessage(hash, timeMs)));
    expect(status).toBe(DeleteStatus.DELETED);
    expect(await failed).toBeInstanceOf(TransferError);
    expect(bob.store.fetches.get(hash)).toBeNull();
    expect(fs.existsSync(copy + PART_SUFFIX)).toBe(false);
    expect(fs.existsSync(copy)).toBe(false);
    // no handle of this process is left open on the part file
    const open = fs.readdirSync('/proc/self/fd').flatMap((fd) => {
      try {
        return [fs.readlinkSync(path.join('/proc/self/fd', fd))];
      } catch {
        return [];
      }
    });
    expect(open.filter((l) => l.startsWith(copy))).toEqual([]);
  });

  it('a copy fetched from the owner the user chose answers only that owner: a duplicate declaration by someone else cannot delete it', async () => {
    const r = await relay();
    const alice = await startNode(r.url, { plane: { publish: true } });
    cleanup.push(() => alice.close());
    const [bob, mallory] = [await node(r), await node(r)];
    const src = path.join(alice.dir, 'doc.bin');
    await randomFile(src, 300_000);
    const holding = await alice.plane.share(src);
    const hash = Buffer.from(holding.core.contentHash);
    await waitUntil(() => r.store.directory.byHash(hash, 10).length === 1, "alice's holding in the directory");
    // mallory never had the data: it copies the public layout into a declaration of its own, listed newer
    const core = { ...holding.core, owner: mallory.id, createdMs: Date.now() + 60_000 };
    const coreBytes = encodeCore(core);
    const fake = signHolding(mallory.identity, core, coreBytes, sign(mallory.identity, Buffer.concat([Buffer.from('w2w/1 decl'), coreBytes])), core.createdMs);
    expect(verifyHolding(fake).ok).toBe(true);
    await publishHolding(mallory.client, fake);
    expect(r.store.directory.byHash(hash, 10)).toHaveLength(2);
    const copy = path.join(bob.dir, 'doc.bin');
    const res = await bob.plane.fetch(hash, { out: copy, owner: alice.id });
    expect(Buffer.from(res.holding.core.owner)).toEqual(alice.id);
    expect(await sameBytes(src, copy)).toBe(true);
    const receipts: number[] = [];
    mallory.channel.on('payload', (o) => {
      if (o.payload[0] === TransferKind.DELETE_RECEIPT) receipts.push(o.payload[33] as number);
    });
    const timeMs = Date.now();
    await mallory.channel.send(
      { route: Route.A2B, to: bob.id },
      encodeTransfer({ kind: TransferKind.DELETE_REQ, contentHash: hash, timeMs, ownerSig: sign(mallory.identity, deleteRequestMessage(hash, timeMs)) }),
    );
    await waitUntil(() => receipts.length === 1, 'a receipt');
    expect(receipts).toEqual([DeleteStatus.REFUSED]);
    expect(await sameBytes(src, copy)).toBe(true);
    // a fetch for an owner nobody lists finds no holder
    await expect(bob.plane.fetch(hash, { out: path.join(bob.dir, 'none.bin'), owner: generateIdentity().publicKey })).rejects.toMatchObject({ code: TransferCode.NO_HOLDER });
  });

  it('deletes a whole copy left under a partial record (a fetch killed between renaming its part file and recording it)', async () => {
    const r = await relay();
    const [alice, bob] = [await node(r), await node(r)];
    const { holding, copy } = await sharedAndFetched(r, alice, bob);
    const hash = Buffer.from(holding.core.contentHash);
    bob.store.db.prepare("UPDATE fetches SET state = 'partial' WHERE content_hash = ?").run(hash);
    const res = await alice.plane.delete(hash, { waitMs: 5000 });
    expect(res).toEqual([{ holder: idToText(bob.id), status: 'deleted', error: null }]);
    expect(fs.existsSync(copy)).toBe(false);
    expect(bob.store.fetches.get(hash)).toBeNull();
  });

  it('a holder that never had the data answers NOT_HELD', async () => {
    const r = await relay();
    const [alice, bob, carol] = [await node(r), await node(r), await node(r)];
    const { holding } = await sharedAndFetched(r, alice, bob);
    const res = await alice.plane.delete(holding.core.contentHash, { holders: [carol.id], waitMs: 5000 });
    expect(res).toEqual([{ holder: idToText(carol.id), status: 'not-held', error: null }]);
  });

  it('reaches re-served copies: the re-server passes the request on to those who fetched from it', async () => {
    const r = await relay();
    const [alice, carol, bob] = [await node(r), await node(r), await node(r)];
    const held: Holding[] = [];
    carol.plane.on('holding', (h) => held.push(h));
    const { holding, copy: carolCopy } = await sharedAndFetched(r, alice, carol, true);
    await waitUntil(() => alice.store.knownHolders.list(Buffer.from(holding.core.contentHash)).length === 1, 'HOLDING_NOTICE');
    // bob fetches from carol only: alice never hears of bob
    expect(held).toHaveLength(1);
    const bobCopy = path.join(bob.dir, 'doc.bin');
    await bob.plane.fetch(holding.core.contentHash, { from: held, out: bobCopy });
    const done = new Set<string>();
    alice.plane.on('status', (s) => s.status === 'deleted' && done.add(s.holder));
    await alice.plane.delete(holding.core.contentHash);
    await waitUntil(() => done.size === 2, 'receipts from carol and bob');
    expect([...done].sort()).toEqual([idToText(carol.id), idToText(bob.id)].sort());
    expect(fs.existsSync(carolCopy)).toBe(false);
    expect(fs.existsSync(bobCopy)).toBe(false);
  });
});
