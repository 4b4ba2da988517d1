// Shared-data declarations ("I hold this data"): the owner signs what the data is and who may fetch
// it; each holder (the owner, or someone the owner let re-serve it) countersigns that it holds a copy.
//
//   core   = u8 version (1) | 32 contentHash | 32 treeRoot | u64 size | u32 chunkSize | str8 name | str8 mime
//            | u64 createdMs | 32 owner | u8 access | access data | u8 flags
//            access 0 PUBLIC: (none) | 1 PEERS: u8 n (1..64) | n x 32 | 2 GROUP: str8 group | 32 groupRelay
//            flags bit 0: RESHARE (fetchers may serve their copy to others the access rule allows)
//   ownerSig  = Sign(owner, "w2w/1 decl" ‖ core)
//   holding   = core | 64 ownerSig | 32 holder | u64 heldSinceMs | 64 holderSig
//   holderSig = Sign(holder, "w2w/1 hold" ‖ core ‖ ownerSig ‖ holder ‖ u64 heldSinceMs)
//
// contentHash = BLAKE2b-256(file). treeRoot = BLAKE2b-256(h0 ‖ h1 ‖ … ‖ hn-1), hi = BLAKE2b-256(chunk i):
// a fetcher checks each chunk against its hash before writing it, and the file against contentHash.
import { ByteReader, ByteWriter } from './bytes.js';
import { HASH_BYTES, ID_BYTES, SIGNATURE_BYTES } from './constants.js';
import { ErrorCode, W2wError } from './errors.js';

export const DECLARATION_VERSION = 1;

export const Access = {
  PUBLIC: 0,
  PEERS: 1,
  GROUP: 2,
} as const;

export const DeclFlag = {
  RESHARE: 0x01,
} as const;

export const DeclLimits = {
  MAX_NAME_BYTES: 255,
  MAX_MIME_BYTES: 127,
  MAX_PEERS: 64,
  MIN_CHUNK: 1024,
  MAX_CHUNK: 128 * 1024,
  DEFAULT_CHUNK: 64 * 1024,
  /** 2^40 bytes (1 TiB) */
  MAX_SIZE: 2 ** 40,
} as const;

export type AccessRule =
  | { kind: typeof Access.PUBLIC }
  | { kind: typeof Access.PEERS; peers: Uint8Array[] }
  | { kind: typeof Access.GROUP; group: string; groupRelay: Uint8Array };

export interface DeclarationCore {
  contentHash: Uint8Array;
  treeRoot: Uint8Array;
  size: number;
  chunkSize: number;
  name: string;
  mime: string;
  createdMs: number;
  owner: Uint8Array;
  access: AccessRule;
  flags: number;
}

export interface Holding {
  core: DeclarationCore;
  /** the exact core bytes the signatures cover */
  coreBytes: Uint8Array;
  ownerSig: Uint8Array;
  holder: Uint8Array;
  heldSinceMs: number;
  holderSig: Uint8Array;
}

export function chunkCount(size: number, chunkSize: number): number {
  return size === 0 ? 0 : Math.ceil(size / chunkSize);
}

export function encodeCore(c: DeclarationCore): Uint8Array {
  if (c.chunkSize < DeclLimits.MIN_CHUNK || c.chunkSize > DeclLimits.MAX_CHUNK) throw new RangeError(`chunkSize must be ${DeclLimits.MIN_CHUNK}..${DeclLimits.MAX_CHUNK}`);
  if (c.size < 0 || c.size > DeclLimits.MAX_SIZE) throw new RangeError('size out of range');
  const w = new ByteWriter(256);
  w.u8(DECLARATION_VERSION).fixed(c.contentHash, HASH_BYTES, 'contentHash').fixed(c.treeRoot, HASH_BYTES, 'treeRoot');
  w.u64(c.size).u32(c.chunkSize).str8(c.name, DeclLimits.MAX_NAME_BYTES, 'name').str8(c.mime, DeclLimits.MAX_MIME_BYTES, 'mime');
  w.u64(c.createdMs).fixed(c.owner, ID_BYTES, 'owner').u8(c.access.kind);
  switch (c.access.kind) {
    case Access.PUBLIC:
      break;
    case Access.PEERS:
      if (c.access.peers.length < 1 || c.access.peers.length > DeclLimits.MAX_PEERS) throw new RangeError(`1..${DeclLimits.MAX_PEERS} peers`);
      w.u8(c.access.peers.length);
      for (const p of c.access.peers) w.fixed(p, ID_BYTES, 'peer');
      break;
    case Access.GROUP:
      w.str8(c.access.group, 64, 'group').fixed(c.access.groupRelay, ID_BYTES, 'groupRelay');
      break;
  }
  w.u8(c.flags);
  return w.finish();
}

function readCore(r: ByteReader): DeclarationCore {
  const version = r.u8('declaration version');
  if (version !== DECLARATION_VERSION) throw new W2wError(ErrorCode.UNSUPPORTED_VERSION, `declaration version ${version}`);
  const contentHash = r.bytes(HASH_BYTES, 'contentHash');
  const treeRoot = r.bytes(HASH_BYTES, 'treeRoot');
  const size = r.u64('size');
  const chunkSize = r.u32('chunkSize');
  if (chunkSize < DeclLimits.MIN_CHUNK || chunkSize > DeclLimits.MAX_CHUNK) throw new W2wError(ErrorCode.MALFORMED_FRAME, `chunkSize ${chunkSize} out of range`);
  if (size > DeclLimits.MAX_SIZE) throw new W2wError(ErrorCode.MALFORMED_FRAME, 'size out of range');
  const name = r.str8('name', DeclLimits.MAX_NAME_BYTES);
  const mime = r.str8('mime', DeclLimits.MAX_MIME_BYTES);
  const createdMs = r.u64('createdMs');
  const owner = r.bytes(ID_BYTES, 'owner');
  const kind = r.u8('access');
  let access: AccessRule;
  if (kind === Access.PUBLIC) access = { kind };
  else if (kind === Access.PEERS) {
    const n = r.u8('peer count');
    if (n < 1 || n > DeclLimits.MAX_PEERS) throw new W2wError(ErrorCode.MALFORMED_FRAME, `access lists ${n} peers`);
    const peers: Uint8Array[] = [];
    for (let i = 0; i < n; i++) peers.push(r.bytes(ID_BYTES, 'peer'));
    access = { kind, peers };
  } else if (kind === Access.GROUP) {
    access = { kind, group: r.str8('group', 64), groupRelay: r.bytes(ID_BYTES, 'groupRelay') };
  } else {
    throw new W2wError(ErrorCode.MALFORMED_FRAME, `unknown access kind ${kind}`);
  }
  const flags = r.u8('flags');
  if ((flags & ~DeclFlag.RESHARE) !== 0) throw new W2wError(ErrorCode.MALFORMED_FRAME, `unknown declaration flags 0x${flags.toString(16)}`);
  return { contentHash, treeRoot, size, chunkSize, name, mime, createdMs, owner, access, flags };
}

export function encodeHolding(h: Holding): Uint8Array {
  const w = new ByteWriter(h.coreBytes.byteLength + 200);
  w.raw(h.coreBytes).fixed(h.ownerSig, SIGNATURE_BYTES, 'ownerSig').fixed(h.holder, ID_BYTES, 'holder').u64(h.heldSinceMs);
  w.fixed(h.holderSig, SIGNATURE_BYTES, 'holderSig');
  return w.finish();
}

export type HoldingDecodeResult = { ok: true; holding: Holding } | { ok: false; error: W2wError };

/** Strict decode (signatures are checked separately, in src-main/data). Never throws. */
export function decodeHolding(bytes: Uint8Array): HoldingDecodeResult {
  try {
    const r = new ByteReader(bytes);
    const core = readCore(r);
    const coreLen = bytes.byteLength - r.remaining;
    const coreBytes = bytes.subarray(0, coreLen);
    const ownerSig = r.bytes(SIGNATURE_BYTES, 'ownerSig');
    const holder = r.bytes(ID_BYTES, 'holder');
    const heldSinceMs = r.u64('heldSinceMs');
    const holderSig = r.bytes(SIGNATURE_BYTES, 'holderSig');
    r.end('declaration');
    return { ok: true, holding: { core, coreBytes, ownerSig, holder, heldSinceMs, holderSig } };
  } catch (err) {
    return { ok: false, error: err instanceof W2wError ? err : new W2wError(ErrorCode.MALFORMED_FRAME, 'undecodable declaration') };
  }
}

const WITHDRAW_LABEL = new TextEncoder().encode('w2w/1 withdraw');

/** What a holder signs to withdraw its holding: "w2w/1 withdraw" ‖ contentHash ‖ u64be(timeMs). */
export function withdrawMessage(contentHash: Uint8Array, timeMs: number): Uint8Array {
  return new ByteWriter(64).raw(WITHDRAW_LABEL).fixed(contentHash, HASH_BYTES, 'contentHash').u64(timeMs).finish();
}
