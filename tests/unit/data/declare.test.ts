// Declaring data (src-main/data/declare.ts): streaming hashes match one-shot ones, declarations and
// holdings verify under the exact labels, every tampered field fails, and the access rule.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Access, DeclFlag, encodeCore, type DeclarationCore } from '../../../src-shared/protocol/declaration.js';
import { blake2b256 } from '../../../src-main/crypto/hash.js';
import { generateIdentity, sign } from '../../../src-main/crypto/identity.js';
import { Blake2b256Stream } from '../../../src-main/crypto/blake2b-stream.js';
import { createDeclaration, hashFile, mayFetch, signHolding, treeRootOf, verifyHolding } from '../../../src-main/data/declare.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'w2w-declare-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function file(name: string, bytes: Buffer): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, bytes);
  return p;
}

const pattern = (n: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7 + 3) & 0xff));

describe('hashFile', () => {
  it('computes contentHash, chunk hashes and treeRoot as the declaration defines them', async () => {
    const data = pattern(2500);
    const d = await hashFile(file('a', data), 1024);
    expect(d.size).toBe(2500);
    expect(d.contentHash.equals(blake2b256(data))).toBe(true);
    const hs = [data.subarray(0, 1024), data.subarray(1024, 2048), data.subarray(2048)].map((c) => blake2b256(c));
    expect(d.chunkHashes.equals(Buffer.concat(hs))).toBe(true);
    expect(d.treeRoot.equals(blake2b256(Buffer.concat(hs)))).toBe(true);
  });

  it('hashes an empty file: no chunks, treeRoot of nothing', async () => {
    const d = await hashFile(file('empty', Buffer.alloc(0)));
    expect(d.chunkHashes.byteLength).toBe(0);
    expect(d.contentHash.equals(blake2b256(Buffer.alloc(0)))).toBe(true);
    expect(d.treeRoot.equals(treeRootOf(Buffer.alloc(0)))).toBe(true);
  });

  it('refuses chunk sizes outside the declaration limits and things that are not files', async () => {
    await expect(hashFile(file('b', pattern(10)), 1000)).rejects.toThrow(RangeError);
    await expect(hashFile(file('c', pattern(10)), 128 * 1024 + 1)).rejects.toThrow(RangeError);
    await expect(hashFile(dir)).rejects.toThrow(/not a regular file/);
  });

  it('streaming BLAKE2b-256 equals the one-shot hash, and a stream is single-use', () => {
    const data = pattern(100_000);
    const s = new Blake2b256Stream().update(data.subarray(0, 333)).update(data.subarray(333));
    expect(s.digest().equals(blake2b256(data))).toBe(true);
    expect(() => s.digest()).toThrow();
    expect(() => s.update(data)).toThrow();
  });
});

describe('declarations and holdings', () => {
  it('the owner declares: both signatures verify and owner = holder', async () => {
    const alice = generateIdentity();
    const h = await createDeclaration(alice, file('d', pattern(5000)), { mime: 'text/plain', chunkSize: 2048 });
    expect(h.core.name).toBe('d');
    expect(h.core.chunkSize).toBe(2048);
    expect(Buffer.from(h.holder).equals(alice.publicKey)).toBe(true);
    expect(verifyHolding(h)).toEqual({ ok: true });
  });

  it('signs "w2w/1 decl" ‖ core and "w2w/1 hold" ‖ core ‖ ownerSig ‖ holder ‖ u64 heldSinceMs exactly', async () => {
    const alice = generateIdentity();
    const h = await createDeclaration(alice, file('e', pattern(100)));
    const ownerSig = sign(alice, Buffer.concat([Buffer.from('w2w/1 decl'), h.coreBytes]));
    expect(ownerSig.equals(Buffer.from(h.ownerSig))).toBe(true);
    const t = Buffer.alloc(8);
    t.writeBigUInt64BE(BigInt(h.heldSinceMs));
    const holderSig = sign(alice, Buffer.concat([Buffer.from('w2w/1 hold'), h.coreBytes, h.ownerSig, h.holder, t]));
    expect(holderSig.equals(Buffer.from(h.holderSig))).toBe(true);
  });

  it('fails every tampered field with a reason', async () => {
    const alice = generateIdentity();
    const h = await createDeclaration(alice, file('f', pattern(100)));
    const bad = (x: object) => verifyHolding({ ...h, ...x });
    expect(bad({ ownerSig: Buffer.alloc(64) })).toEqual({ ok: false, reason: "the owner's signature does not verify" });
    expect(bad({ holderSig: Buffer.alloc(64) })).toEqual({ ok: false, reason: "the holder's signature does not verify" });
    expect(bad({ heldSinceMs: h.heldSinceMs + 1 })).toMatchObject({ ok: false });
    expect(bad({ core: { ...h.core, size: 101 } })).toEqual({ ok: false, reason: 'the core bytes do not match the declaration' });
    const otherCore = { ...h.core, name: 'other' };
    expect(bad({ core: otherCore, coreBytes: encodeCore(otherCore) })).toMatchObject({ ok: false, reason: "the owner's signature does not verify" });
    expect(bad({ core: { ...h.core, chunkSize: 5 } })).toEqual({ ok: false, reason: 'the declaration core is out of range' });
  });

  it('a re-server countersigns only where the owner allows it', async () => {
    const alice = generateIdentity();
    const carol = generateIdentity();
    const eve = generateIdentity();
    const open = await createDeclaration(alice, file('g', pattern(100)));
    const noReshare = signHolding(carol, open.core, open.coreBytes, open.ownerSig);
    expect(verifyHolding(noReshare)).toEqual({ ok: false, reason: 'the owner did not let others re-serve this data' });
    const peers = await createDeclaration(alice, file('h', pattern(100)), { reshare: true, access: { kind: Access.PEERS, peers: [carol.publicKey] } });
    expect(peers.core.flags & DeclFlag.RESHARE).toBe(DeclFlag.RESHARE);
    expect(verifyHolding(signHolding(carol, peers.core, peers.coreBytes, peers.ownerSig))).toEqual({ ok: true });
    expect(verifyHolding(signHolding(eve, peers.core, peers.coreBytes, peers.ownerSig))).toEqual({ ok: false, reason: 'the holder is not among the peers the owner allowed' });
  });
});

describe('mayFetch', () => {
  const owner = Buffer.alloc(32, 1);
  const bob = Buffer.alloc(32, 2);
  const eve = Buffer.alloc(32, 3);
  const relay = Buffer.alloc(32, 9);
  const base = { contentHash: Buffer.alloc(32), treeRoot: Buffer.alloc(32), size: 0, chunkSize: 1024, name: '', mime: '', createdMs: 0, owner, flags: 0 };
  const noGroups = async (): Promise<boolean> => {
    throw new Error('not asked');
  };

  it('public: anyone; peers: the listed ones and the owner', async () => {
    expect(await mayFetch({ ...base, access: { kind: Access.PUBLIC } }, eve, noGroups)).toBe(true);
    const peers: DeclarationCore = { ...base, access: { kind: Access.PEERS, peers: [bob] } };
    expect(await mayFetch(peers, bob, noGroups)).toBe(true);
    expect(await mayFetch(peers, owner, noGroups)).toBe(true);
    expect(await mayFetch(peers, eve, noGroups)).toBe(false);
  });

  it('group: whatever the membership check on the group relay answers', async () => {
    const asked: string[] = [];
    const check = async (group: string, groupRelay: Uint8Array, who: Uint8Array): Promise<boolean> => {
      asked.push(`${group}@${groupRelay[0]}:${who[0]}`);
      return who[0] === 2;
    };
    const g: DeclarationCore = { ...base, access: { kind: Access.GROUP, group: 'team', groupRelay: relay } };
    expect(await mayFetch(g, bob, check)).toBe(true);
    expect(await mayFetch(g, eve, check)).toBe(false);
    expect(asked).toEqual(['team@9:2', 'team@9:3']);
  });
});
