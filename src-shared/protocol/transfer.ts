// Data-plane payloads: what two clients put inside an end-to-end payload (u8 kind | data, see e2e.ts)
// to move a shared file chunk by chunk and to ask its holders to delete it. Relays never see them.
// The kinds extend e2e.ts PayloadKind from 0x10 up. Layouts (big-endian):
//
//   FETCH          u8 0x10 | 32 contentHash | u32 firstChunk | u32 count (1..64)
//   HASHES_REQ     u8 0x11 | 32 contentHash | u32 first | u16 count (1..2048)
//   HASHES         u8 0x12 | 32 contentHash | u32 first | u16 n (1..2048) | n x 32 chunk hashes
//   CHUNK          u8 0x13 | 32 contentHash | u32 index | data (1..131072 bytes)
//   DENY           u8 0x14 | 32 contentHash | u16 code (TransferCode 1..99) | str16 reason (<= 1024 bytes)
//   DELETE_REQ     u8 0x15 | 32 contentHash | u64 timeMs | 64 ownerSig
//   DELETE_RECEIPT u8 0x16 | 32 contentHash | u8 status (1 deleted, 2 refused, 3 not held) | u64 timeMs | 64 holderSig
//   HOLDING_NOTICE u8 0x17 | holding (declaration.ts: core | ownerSig | holder | heldSinceMs | holderSig)
//
//   ownerSig  = Sign(owner,  "w2w/1 delete"  ‖ contentHash ‖ u64 timeMs)
//   holderSig = Sign(holder, "w2w/1 deleted" ‖ contentHash ‖ u8 status ‖ u64 timeMs)
//   A receipt echoes the request's timeMs, which binds it to that request.
//
// Flow (each line one sealed a2b message; FETCH, HASHES_REQ, HASHES, CHUNK and DENY only inside a live
// session, never boxed: a stored request would be answered to someone long gone):
//
//   fetcher -> holder  HASHES_REQ   repeated until the fetcher has all n chunk hashes
//   holder  -> fetcher HASHES       the fetcher checks BLAKE2b-256(h0 ‖ … ‖ hn-1) == treeRoot before using any
//   fetcher -> holder  FETCH        a window of chunks; the fetcher keeps a bounded number in flight (credit)
//   holder  -> fetcher CHUNK        in request order, one per chunk; checked against hi before it is written
//   holder  -> fetcher DENY         instead of any answer: not held, access refused, file gone, busy…
//   fetcher -> owner   HOLDING_NOTICE   after a fetch of RESHARE data the fetcher re-serves (may be boxed)
//   owner   -> holder  DELETE_REQ        store-and-forward: an offline holder gets it on its return
//   holder  -> owner   DELETE_RECEIPT    signed by the holder; also to a non-owner, whose request is refused
import { ByteReader, ByteWriter } from './bytes.js';
import { HASH_BYTES, SIGNATURE_BYTES } from './constants.js';
import { DeclLimits, decodeHolding, encodeHolding, type Holding } from './declaration.js';
import { ErrorCode, W2wError } from './errors.js';

export const TransferKind = {
  FETCH: 0x10,
  HASHES_REQ: 0x11,
  HASHES: 0x12,
  CHUNK: 0x13,
  DENY: 0x14,
  DELETE_REQ: 0x15,
  DELETE_RECEIPT: 0x16,
  HOLDING_NOTICE: 0x17,
} as const;
export type TransferKind = (typeof TransferKind)[keyof typeof TransferKind];

export function isTransferKind(kind: number | undefined): kind is TransferKind {
  return kind !== undefined && kind >= TransferKind.FETCH && kind <= TransferKind.HOLDING_NOTICE;
}

export const TransferLimits = {
  /** chunks one FETCH may ask for */
  MAX_WINDOW: 64,
  /** hashes in one HASHES (64 KiB of them) or asked for in one HASHES_REQ */
  MAX_HASHES: 2048,
  MAX_CHUNK: DeclLimits.MAX_CHUNK,
  MAX_REASON_BYTES: 1024,
} as const;

/**
 * Bytes a sealed CHUNK adds around its data on the wire: MSG header a2b (88) + SEALED header (25) +
 * AEAD tag (16) + CHUNK header (37). A chunk fits a relay when chunkSize + this <= its maxFrameBytes.
 */
export const CHUNK_FRAME_OVERHEAD = 88 + 25 + 16 + 37;

/** u8 kind | 32 contentHash | u32 index: what precedes a CHUNK's data */
export const CHUNK_HEADER_BYTES = 1 + HASH_BYTES + 4;

/**
 * Writes a CHUNK header into the first CHUNK_HEADER_BYTES of `out`, whose data the caller puts (or
 * already read from disk) right behind it: the same bytes as encodeTransfer(CHUNK), without copying the data.
 */
export function writeChunkHeader(out: Uint8Array, contentHash: Uint8Array, index: number): void {
  if (out.byteLength < CHUNK_HEADER_BYTES) throw new RangeError('writeChunkHeader() needs room for the header.');
  if (contentHash.byteLength !== HASH_BYTES) throw new RangeError('A content hash is 32 bytes.');
  if (!Number.isInteger(index) || index < 0 || index > 0xffff_ffff) throw new RangeError(`a chunk index is a u32, got ${index}`);
  out[0] = TransferKind.CHUNK;
  out.set(contentHash, 1);
  out[33] = index >>> 24;
  out[34] = (index >>> 16) & 0xff;
  out[35] = (index >>> 8) & 0xff;
  out[36] = index & 0xff;
}

/**
 * Why a transfer did not happen. 1..99 travel in DENY (a holder's answer); 100 and up are the fetcher's
 * own findings and never go on the wire. Codes never change meaning; new ones are only appended.
 */
export const TransferCode = {
  /** the holder does not serve that content hash */
  NOT_HELD: 1,
  /** the declaration's access rule (peers list) does not include the requester */
  NOT_ALLOWED: 2,
  /** group access: the requester, or the holder itself, is not a member of the group on its relay */
  NOT_GROUP_MEMBER: 3,
  /** the file vanished from the holder's disk; it stopped serving it */
  FILE_GONE: 4,
  /** the file on the holder's disk no longer matches its declaration (size, time or a chunk hash); it stopped serving it */
  FILE_CHANGED: 5,
  /** the request names chunks or hashes past the end of the file */
  BAD_RANGE: 6,
  /** too many requests at once; ask again later */
  BUSY: 7,
  /** a sealed chunk would not fit the holder's relay frames (chunkSize too large for it) */
  CHUNK_TOO_LARGE: 8,
  /** the holder failed to read the file for another reason */
  INTERNAL: 9,
  // fetcher-side outcomes
  /** no usable holder is left (each one's reason is in the message) */
  NO_HOLDER: 100,
  /** the chunk hash list from a holder does not match the declaration's treeRoot */
  BAD_HASH_LIST: 101,
  /** a holder sent a chunk whose hash does not match */
  CORRUPT_CHUNK: 102,
  /** a holder stopped answering */
  TIMEOUT: 103,
  /** the assembled file does not hash to contentHash */
  CONTENT_MISMATCH: 104,
  /** a holding failed verification or names other content */
  BAD_DECLARATION: 105,
  /** the fetch was stopped (closed connection, data plane closed, deleted by its owner) */
  ABORTED: 106,
  /** the holder could not be reached end to end (offline, unknown) */
  UNREACHABLE: 107,
} as const;
export type TransferCode = (typeof TransferCode)[keyof typeof TransferCode];

const CODE_NAMES: ReadonlyMap<number, string> = new Map(Object.entries(TransferCode).map(([name, code]) => [code, name]));

/** "FILE_GONE" for 4; unknown codes read as "T<code>". */
export function transferCodeName(code: number): string {
  return CODE_NAMES.get(code) ?? `T${code}`;
}

export const DeleteStatus = {
  DELETED: 1,
  REFUSED: 2,
  NOT_HELD: 3,
} as const;
export type DeleteStatus = (typeof DeleteStatus)[keyof typeof DeleteStatus];

export type TransferPayload =
  | { kind: typeof TransferKind.FETCH; contentHash: Uint8Array; first: number; count: number }
  | { kind: typeof TransferKind.HASHES_REQ; contentHash: Uint8Array; first: number; count: number }
  /** `hashes` holds n x 32 bytes */
  | { kind: typeof TransferKind.HASHES; contentHash: Uint8Array; first: number; hashes: Uint8Array }
  | { kind: typeof TransferKind.CHUNK; contentHash: Uint8Array; index: number; data: Uint8Array }
  | { kind: typeof TransferKind.DENY; contentHash: Uint8Array; code: number; reason: string }
  | { kind: typeof TransferKind.DELETE_REQ; contentHash: Uint8Array; timeMs: number; ownerSig: Uint8Array }
  | { kind: typeof TransferKind.DELETE_RECEIPT; contentHash: Uint8Array; status: DeleteStatus; timeMs: number; holderSig: Uint8Array }
  | { kind: typeof TransferKind.HOLDING_NOTICE; holding: Holding };

function checkCount(n: number, max: number, what: string): void {
  if (!Number.isInteger(n) || n < 1 || n > max) throw new RangeError(`${what} must be 1..${max}, got ${n}`);
}

/** Encodes a payload; values out of range are the caller's mistake and throw RangeError. */
export function encodeTransfer(p: TransferPayload): Uint8Array {
  const size = p.kind === TransferKind.CHUNK ? 37 + p.data.byteLength : p.kind === TransferKind.HASHES ? 39 + p.hashes.byteLength : 256;
  const w = new ByteWriter(size);
  w.u8(p.kind);
  if (p.kind !== TransferKind.HOLDING_NOTICE) w.fixed(p.contentHash, HASH_BYTES, 'contentHash');
  switch (p.kind) {
    case TransferKind.FETCH:
      checkCount(p.count, TransferLimits.MAX_WINDOW, 'FETCH count');
      w.u32(p.first).u32(p.count);
      break;
    case TransferKind.HASHES_REQ:
      checkCount(p.count, TransferLimits.MAX_HASHES, 'HASHES_REQ count');
      w.u32(p.first).u16(p.count);
      break;
    case TransferKind.HASHES: {
      if (p.hashes.byteLength % HASH_BYTES !== 0) throw new RangeError('HASHES holds whole 32-byte hashes');
      const n = p.hashes.byteLength / HASH_BYTES;
      checkCount(n, TransferLimits.MAX_HASHES, 'HASHES count');
      w.u32(p.first).u16(n).raw(p.hashes);
      break;
    }
    case TransferKind.CHUNK:
      checkCount(p.data.byteLength, TransferLimits.MAX_CHUNK, 'CHUNK data length');
      w.u32(p.index).raw(p.data);
      break;
    case TransferKind.DENY:
      if (!Number.isInteger(p.code) || p.code < 1 || p.code > 99) throw new RangeError(`a DENY code is 1..99, got ${p.code}`);
      w.u16(p.code).str16(p.reason, TransferLimits.MAX_REASON_BYTES, 'reason');
      break;
    case TransferKind.DELETE_REQ:
      w.u64(p.timeMs).fixed(p.ownerSig, SIGNATURE_BYTES, 'ownerSig');
      break;
    case TransferKind.DELETE_RECEIPT:
      if (p.status < DeleteStatus.DELETED || p.status > DeleteStatus.NOT_HELD) throw new RangeError(`receipt status must be 1..3, got ${String(p.status)}`);
      w.u8(p.status).u64(p.timeMs).fixed(p.holderSig, SIGNATURE_BYTES, 'holderSig');
      break;
    case TransferKind.HOLDING_NOTICE:
      w.raw(encodeHolding(p.holding));
      break;
  }
  return w.finish();
}

function malformed(message: string): W2wError {
  return new W2wError(ErrorCode.MALFORMED_FRAME, message);
}

function readCount(r: ByteReader, width: 16 | 32, max: number, what: string): number {
  const n = width === 16 ? r.u16(what) : r.u32(what);
  if (n < 1 || n > max) throw malformed(`${what} must be 1..${max}, got ${n}`);
  return n;
}

function decodeUnchecked(bytes: Uint8Array): TransferPayload {
  const r = new ByteReader(bytes);
  const kind = r.u8('payload kind');
  if (kind === TransferKind.HOLDING_NOTICE) {
    const d = decodeHolding(bytes.subarray(1));
    if (!d.ok) throw d.error;
    return { kind, holding: d.holding };
  }
  if (!isTransferKind(kind)) throw malformed(`unknown transfer payload kind 0x${kind.toString(16)}`);
  const contentHash = r.bytes(HASH_BYTES, 'contentHash');
  let p: TransferPayload;
  switch (kind) {
    case TransferKind.FETCH: {
      const first = r.u32('firstChunk');
      p = { kind, contentHash, first, count: readCount(r, 32, TransferLimits.MAX_WINDOW, 'FETCH count') };
      break;
    }
    case TransferKind.HASHES_REQ: {
      const first = r.u32('first');
      p = { kind, contentHash, first, count: readCount(r, 16, TransferLimits.MAX_HASHES, 'HASHES_REQ count') };
      break;
    }
    case TransferKind.HASHES: {
      const first = r.u32('first');
      const n = readCount(r, 16, TransferLimits.MAX_HASHES, 'HASHES count');
      p = { kind, contentHash, first, hashes: r.bytes(n * HASH_BYTES, 'chunk hashes') };
      break;
    }
    case TransferKind.CHUNK: {
      const index = r.u32('index');
      const n = r.remaining;
      if (n < 1 || n > TransferLimits.MAX_CHUNK) throw malformed(`CHUNK data must be 1..${TransferLimits.MAX_CHUNK} bytes, got ${n}`);
      p = { kind, contentHash, index, data: r.bytes(n, 'data') };
      break;
    }
    case TransferKind.DENY: {
      const code = r.u16('code');
      if (code < 1 || code > 99) throw malformed(`DENY code must be 1..99, got ${code}`);
      p = { kind, contentHash, code, reason: r.str16('reason', TransferLimits.MAX_REASON_BYTES) };
      break;
    }
    case TransferKind.DELETE_REQ:
      p = { kind, contentHash, timeMs: r.u64('timeMs'), ownerSig: r.bytes(SIGNATURE_BYTES, 'ownerSig') };
      break;
    case TransferKind.DELETE_RECEIPT: {
      const status = r.u8('status');
      if (status !== DeleteStatus.DELETED && status !== DeleteStatus.REFUSED && status !== DeleteStatus.NOT_HELD) {
        throw malformed(`unknown DELETE_RECEIPT status ${status}`);
      }
      p = { kind, contentHash, status, timeMs: r.u64('timeMs'), holderSig: r.bytes(SIGNATURE_BYTES, 'holderSig') };
      break;
    }
    default:
      throw malformed(`unknown transfer payload kind 0x${kind.toString(16)}`);
  }
  r.end(`transfer payload 0x${kind.toString(16)}`);
  return p;
}

export type TransferDecodeResult = { ok: true; payload: TransferPayload } | { ok: false; error: W2wError };

/** Strict decode of an untrusted payload (kind byte included); never throws. Signatures are checked by the caller. */
export function decodeTransfer(bytes: Uint8Array): TransferDecodeResult {
  try {
    return { ok: true, payload: decodeUnchecked(bytes) };
  } catch (err) {
    return { ok: false, error: err instanceof W2wError ? err : malformed('undecodable transfer payload') };
  }
}

const DELETE_LABEL = new TextEncoder().encode('w2w/1 delete');
const DELETED_LABEL = new TextEncoder().encode('w2w/1 deleted');

/** The bytes an owner signs to ask for deletion: "w2w/1 delete" ‖ contentHash ‖ u64 timeMs. */
export function deleteRequestMessage(contentHash: Uint8Array, timeMs: number): Uint8Array {
  return new ByteWriter(64).raw(DELETE_LABEL).fixed(contentHash, HASH_BYTES, 'contentHash').u64(timeMs).finish();
}

/** The bytes a holder signs in its receipt: "w2w/1 deleted" ‖ contentHash ‖ u8 status ‖ u64 timeMs. */
export function deleteReceiptMessage(contentHash: Uint8Array, status: DeleteStatus, timeMs: number): Uint8Array {
  return new ByteWriter(64).raw(DELETED_LABEL).fixed(contentHash, HASH_BYTES, 'contentHash').u8(status).u64(timeMs).finish();
}
