// Declaring shared data: hashing a file by streaming it, signing the declaration and holdings, verifying
// both signatures of a holding, and the access rule a holder applies before serving.
import fs from 'node:fs/promises';
import path from 'node:path';
import { Access, DeclFlag, DeclLimits, chunkCount, encodeCore, type AccessRule, type DeclarationCore, type Holding } from '../../src-shared/protocol/declaration.js';
import { HASH_BYTES } from '../../src-shared/protocol/constants.js';
import { ByteWriter } from '../../src-shared/protocol/bytes.js';
import { bytesEqual } from '../../src-shared/ids.js';
import { Blake2b256Stream } from '../crypto/blake2b-stream.js';
import { blake2b256 } from '../crypto/hash.js';
import { sign, verify, type Identity } from '../crypto/identity.js';

const DECL_LABEL = Buffer.from('w2w/1 decl');
const HOLD_LABEL = Buffer.from('w2w/1 hold');

/**
 * Chunks a declaration may have: the whole hash list (32 bytes each) is held in memory and in SQLite,
 * so this caps it at 32 MiB (64 GiB of file at 64 KiB chunks, 128 GiB at 128 KiB).
 */
export const MAX_CHUNKS = 1 << 20;

export interface FileDigest {
  size: number;
  /** the file's modification time when it was hashed (a holder notices a later change by it) */
  mtimeMs: number;
  chunkSize: number;
  contentHash: Buffer;
  treeRoot: Buffer;
  /** n x 32 bytes: BLAKE2b-256 of each chunk */
  chunkHashes: Buffer;
}

export function checkChunkSize(chunkSize: number): void {
  if (!Number.isInteger(chunkSize) || chunkSize < DeclLimits.MIN_CHUNK || chunkSize > DeclLimits.MAX_CHUNK) {
    throw new RangeError(`chunkSize must be an integer from ${DeclLimits.MIN_CHUNK} to ${DeclLimits.MAX_CHUNK}, got ${chunkSize}.`);
  }
}

/** treeRoot = BLAKE2b-256(h0 ‖ … ‖ hn-1). */
export function treeRootOf(chunkHashes: Uint8Array): Buffer {
  return blake2b256(chunkHashes);
}

/**
 * Hashes a file in one pass with one chunk-sized buffer, whatever the file's size. Throws if the file
 * is too large for the chunk size or changes while it is read.
 */
export async function hashFile(file: string, chunkSize: number = DeclLimits.DEFAULT_CHUNK): Promise<FileDigest> {
  checkChunkSize(chunkSize);
  const fh = await fs.open(file, 'r');
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new Error(`${file} is not a regular file.`);
    const size = st.size;
    if (size > DeclLimits.MAX_SIZE) throw new RangeError(`${file} is larger than ${DeclLimits.MAX_SIZE} bytes.`);
    const n = chunkCount(size, chunkSize);
    if (n > MAX_CHUNKS) throw new RangeError(`${file} would have ${n} chunks of ${chunkSize} bytes; at most ${MAX_CHUNKS}: use a larger chunk size.`);
    const chunkHashes = Buffer.alloc(n * HASH_BYTES);
    const content = new Blake2b256Stream();
    const buf = Buffer.allocUnsafe(chunkSize);
    for (let i = 0; i < n; i++) {
      const want = Math.min(chunkSize, size - i * chunkSize);
      const got = await readFully(fh, buf, want, i * chunkSize);
      if (got !== want) throw new Error(`${file} shrank while it was being hashed.`);
      const chunk = buf.subarray(0, want);
      content.update(chunk);
      blake2b256(chunk).copy(chunkHashes, i * HASH_BYTES);
    }
    const after = await fh.stat();
    if (after.size !== size || after.mtimeMs !== st.mtimeMs) throw new Error(`${file} changed while it was being hashed.`);
    return { size, mtimeMs: st.mtimeMs, chunkSize, contentHash: content.digest(), treeRoot: treeRootOf(chunkHashes), chunkHashes };
  } finally {
    await fh.close();
  }
}

/**
 * Whether the regular file at `file` holds exactly the data `contentHash` names (streamed, one buffer).
 * A path is only where a copy was: the user may have removed it and saved something else there since.
 */
export async function fileHoldsContent(file: string, contentHash: Uint8Array): Promise<boolean> {
  const fh = await fs.open(file, 'r');
  try {
    if (!(await fh.stat()).isFile()) return false;
    const stream = new Blake2b256Stream();
    const buf = Buffer.allocUnsafe(1 << 20);
    for (let pos = 0; ; ) {
      const { bytesRead } = await fh.read(buf, 0, buf.byteLength, pos);
      if (bytesRead === 0) break;
      stream.update(buf.subarray(0, bytesRead));
      pos += bytesRead;
    }
    return stream.digest().equals(contentHash);
  } finally {
    await fh.close();
  }
}

/** Reads up to `length` bytes at `position` into buf (short only at end of file). */
export async function readFully(fh: fs.FileHandle, buf: Buffer, length: number, position: number): Promise<number> {
  let done = 0;
  while (done < length) {
    const { bytesRead } = await fh.read(buf, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done;
}

export interface DeclareOptions {
  /** shown to fetchers; the file's base name by default */
  name?: string;
  mime?: string;
  chunkSize?: number;
  access?: AccessRule;
  /** let fetchers serve their copy to others the access rule allows */
  reshare?: boolean;
  createdMs?: number;
}

/** The owner's signed core and its own holding (owner = holder), from an already computed digest. */
export function declareDigest(identity: Identity, digest: FileDigest, opts: DeclareOptions & { name: string }): Holding {
  const core: DeclarationCore = {
    contentHash: digest.contentHash,
    treeRoot: digest.treeRoot,
    size: digest.size,
    chunkSize: digest.chunkSize,
    name: opts.name,
    mime: opts.mime ?? 'application/octet-stream',
    createdMs: opts.createdMs ?? Date.now(),
    owner: identity.publicKey,
    access: opts.access ?? { kind: Access.PUBLIC },
    flags: opts.reshare ? DeclFlag.RESHARE : 0,
  };
  const coreBytes = encodeCore(core);
  const ownerSig = sign(identity, Buffer.concat([DECL_LABEL, coreBytes]));
  return signHolding(identity, core, coreBytes, ownerSig, core.createdMs);
}

/** Hashes `file` and declares it: the signed Holding with the caller as owner and holder. */
export async function createDeclaration(identity: Identity, file: string, opts: DeclareOptions = {}): Promise<Holding> {
  const digest = await hashFile(file, opts.chunkSize ?? DeclLimits.DEFAULT_CHUNK);
  return declareDigest(identity, digest, { ...opts, name: opts.name ?? path.basename(file) });
}

function holdMessage(coreBytes: Uint8Array, ownerSig: Uint8Array, holder: Uint8Array, heldSinceMs: number): Buffer {
  const w = new ByteWriter(coreBytes.byteLength + 120);
  w.raw(HOLD_LABEL).raw(coreBytes).raw(ownerSig).raw(holder).u64(heldSinceMs);
  return Buffer.from(w.finish());
}

/** A holder's countersignature over an owner's declaration: "I hold a copy since heldSinceMs". */
export function signHolding(identity: Identity, core: DeclarationCore, coreBytes: Uint8Array, ownerSig: Uint8Array, heldSinceMs = Date.now()): Holding {
  const holder = identity.publicKey;
  const holderSig = sign(identity, holdMessage(coreBytes, ownerSig, holder, heldSinceMs));
  return { core, coreBytes, ownerSig, holder, heldSinceMs, holderSig };
}

export type HoldingCheck = { ok: true } | { ok: false; reason: string };

/**
 * Checks a holding from anyone: the core bytes match the core, the owner signed the core, the holder
 * countersigned, and a holder other than the owner is one the declaration lets re-serve. Never throws.
 */
export function verifyHolding(h: Holding): HoldingCheck {
  let encoded: Uint8Array;
  try {
    encoded = encodeCore(h.core);
  } catch {
    return { ok: false, reason: 'the declaration core is out of range' };
  }
  if (!bytesEqual(encoded, h.coreBytes)) return { ok: false, reason: 'the core bytes do not match the declaration' };
  if (!verify(h.core.owner, Buffer.concat([DECL_LABEL, h.coreBytes]), h.ownerSig)) return { ok: false, reason: "the owner's signature does not verify" };
  if (!verify(h.holder, holdMessage(h.coreBytes, h.ownerSig, h.holder, h.heldSinceMs), h.holderSig)) return { ok: false, reason: "the holder's signature does not verify" };
  if (!bytesEqual(h.holder, h.core.owner)) {
    if ((h.core.flags & DeclFlag.RESHARE) === 0) return { ok: false, reason: 'the owner did not let others re-serve this data' };
    const a = h.core.access;
    if (a.kind === Access.PEERS && !a.peers.some((p) => bytesEqual(p, h.holder))) return { ok: false, reason: 'the holder is not among the peers the owner allowed' };
  }
  if (h.core.size > 0 && chunkCount(h.core.size, h.core.chunkSize) > MAX_CHUNKS) return { ok: false, reason: `the data has more than ${MAX_CHUNKS} chunks` };
  return { ok: true };
}

/** Whether `requester` is a member of `group` on the relay `groupRelay` (asked of the holder's relay). */
export type GroupMembership = (group: string, groupRelay: Uint8Array, requester: Uint8Array) => Promise<boolean>;

/** The access rule: the owner always; anyone for PUBLIC; the listed peers for PEERS; members for GROUP. */
export async function mayFetch(core: DeclarationCore, requester: Uint8Array, isGroupMember: GroupMembership): Promise<boolean> {
  if (bytesEqual(requester, core.owner)) return true;
  switch (core.access.kind) {
    case Access.PUBLIC:
      return true;
    case Access.PEERS:
      return core.access.peers.some((p) => bytesEqual(p, requester));
    case Access.GROUP:
      return isGroupMember(core.access.group, core.access.groupRelay, requester);
  }
}
