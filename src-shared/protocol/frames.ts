// The frame codec of protocol v1: one typed object per frame, encodeFrame() and a strict decodeFrame().
// Decoding never throws: untrusted bytes yield { ok: false, error } with a stable code.
import { ByteReader, ByteWriter } from './bytes.js';
import {
  EPHEMERAL_BYTES,
  EventKind,
  FrameType,
  HASH_BYTES,
  HandshakeContext,
  ID_BYTES,
  Limits,
  MSG_FLAGS_MASK,
  MSG_ID_BYTES,
  NONCE_BYTES,
  Op,
  PROTOCOL_VERSION,
  Route,
  RouteAction,
  SIGNATURE_BYTES,
  DeclQueryBy,
} from './constants.js';
import { ErrorCode, W2wError } from './errors.js';

export interface HelloFrame {
  type: typeof FrameType.HELLO;
  version: number;
  relayId: Uint8Array;
  timeMs: number;
  maxFrameBytes: number;
  maxRecipients: number;
  ratePerSec: number;
  rateBurst: number;
  pingIntervalMs: number;
  handshakeTimeoutMs: number;
}

export interface Hs1Frame {
  type: typeof FrameType.HS1;
  ctx: HandshakeContext;
  idA: Uint8Array;
  ephA: Uint8Array;
  nonceA: Uint8Array;
  expectedIdB: Uint8Array;
  binding: string;
  sigA: Uint8Array;
}

export interface Hs2Frame {
  type: typeof FrameType.HS2;
  idB: Uint8Array;
  ephB: Uint8Array;
  nonceB: Uint8Array;
  sigB: Uint8Array;
}

export interface Hs3Frame {
  type: typeof FrameType.HS3;
  sigC: Uint8Array;
}

export interface ReadyFrame {
  type: typeof FrameType.READY;
  transcriptHash: Uint8Array;
  timeMs: number;
}

export type MsgTarget =
  | { route: typeof Route.A2A }
  | { route: typeof Route.A2B; to: Uint8Array }
  | { route: typeof Route.A2G_LIST; to: Uint8Array[] }
  | { route: typeof Route.A2G_NAMED; group: string }
  | { route: typeof Route.A2N };

export type MsgFrame = {
  type: typeof FrameType.MSG;
  flags: number;
  hops: number;
  id: Uint8Array;
  from: Uint8Array;
  body: Uint8Array;
} & MsgTarget;

export interface MissedRecipient {
  id: Uint8Array;
  code: ErrorCode;
}

export interface AckFrame {
  type: typeof FrameType.ACK;
  id: Uint8Array;
  /** recipient IDs that had at least one session on this relay the message was handed to */
  delivered: number;
  /** recipient IDs the message was passed towards over relay links (RECEIPT events follow) */
  forwarded: number;
  /** offline recipient IDs whose copy this relay keeps until they return (STORE flag) */
  stored: number;
  /** recipients that could not be reached, each with UNKNOWN_RECIPIENT or RECIPIENT_OFFLINE */
  missed: MissedRecipient[];
}

export interface PeerEntry {
  id: Uint8Array;
  online: boolean;
  lastSeenMs: number;
}

export interface GroupEntry {
  name: string;
  owner: Uint8Array;
  members: Uint8Array[];
}

export interface PresenceEntry {
  id: Uint8Array;
  online: boolean;
}

export type ReqArgs =
  | { op: typeof Op.LIST_PEERS }
  | { op: typeof Op.GROUP_CREATE; name: string }
  | { op: typeof Op.GROUP_ADD; name: string; members: Uint8Array[] }
  | { op: typeof Op.GROUP_REMOVE; name: string; members: Uint8Array[] }
  | { op: typeof Op.GROUP_LIST }
  | { op: typeof Op.GROUP_DELETE; name: string }
  | { op: typeof Op.WATCH; ids: Uint8Array[] }
  | { op: typeof Op.PUBLISH_HOME; timeMs: number; sig: Uint8Array }
  | { op: typeof Op.LINKS }
  | { op: typeof Op.ROUTE_OF; id: Uint8Array }
  | { op: typeof Op.DECL_PUBLISH; holding: Uint8Array }
  | { op: typeof Op.DECL_WITHDRAW; contentHash: Uint8Array; timeMs: number; sig: Uint8Array }
  | { op: typeof Op.DECL_QUERY; by: DeclQueryBy; key: Uint8Array };

export interface LinkEntry {
  relayId: Uint8Array;
  outbound: boolean;
  up: boolean;
  rttMs: number;
  routes: number;
  url: string;
}

/** How a relay reaches an ID: none, locally, over links, or only a remembered home relay. */
export const RouteKind = { NONE: 0, LOCAL: 1, REMOTE: 2, HOME_ONLY: 3 } as const;
export type RouteKind = (typeof RouteKind)[keyof typeof RouteKind];

export type ReqFrame = { type: typeof FrameType.REQ; reqId: number } & ReqArgs;

export type ResResult =
  | { op: typeof Op.LIST_PEERS; peers: PeerEntry[] }
  | { op: typeof Op.GROUP_CREATE }
  | { op: typeof Op.GROUP_ADD }
  | { op: typeof Op.GROUP_REMOVE }
  | { op: typeof Op.GROUP_LIST; groups: GroupEntry[] }
  | { op: typeof Op.GROUP_DELETE }
  | { op: typeof Op.WATCH; presence: PresenceEntry[] }
  | { op: typeof Op.PUBLISH_HOME }
  | { op: typeof Op.LINKS; links: LinkEntry[] }
  | { op: typeof Op.ROUTE_OF; kind: RouteKind; path: Uint8Array[] }
  | { op: typeof Op.DECL_PUBLISH }
  | { op: typeof Op.DECL_WITHDRAW }
  | { op: typeof Op.DECL_QUERY; holdings: Uint8Array[] };

export type ResFrame =
  | ({ type: typeof FrameType.RES; reqId: number; status: 0 } & ResResult)
  | { type: typeof FrameType.RES; reqId: number; op: Op; status: ErrorCode; message: string };

export type EventFrame =
  | { type: typeof FrameType.EVENT; kind: typeof EventKind.PRESENCE; id: Uint8Array; online: boolean; timeMs: number }
  | { type: typeof FrameType.EVENT; kind: typeof EventKind.NOTICE; text: string }
  | { type: typeof FrameType.EVENT; kind: typeof EventKind.RECEIPT; msgId: Uint8Array; recipient: Uint8Array; status: number };

export type RouteFrame =
  | {
      type: typeof FrameType.ROUTE;
      action: typeof RouteAction.ANNOUNCE;
      dest: Uint8Array;
      origin: Uint8Array;
      proofTimeMs: number;
      proofSig: Uint8Array;
      path: Uint8Array[];
    }
  | { type: typeof FrameType.ROUTE; action: typeof RouteAction.WITHDRAW; dest: Uint8Array };

/** A directory change passed between linked relays (flooded, deduplicated by signature). */
export type DeclFrame =
  | { type: typeof FrameType.DECL; action: 1; holding: Uint8Array }
  | { type: typeof FrameType.DECL; action: 2; contentHash: Uint8Array; holder: Uint8Array; timeMs: number; sig: Uint8Array };

export interface FwdFrame {
  type: typeof FrameType.FWD;
  /** the relay where the message entered the federation (receipts go back to it) */
  originRelay: Uint8Array;
  /** the recipient IDs this hop is responsible for; empty: every client (a2n flood) */
  targets: Uint8Array[];
  /** the sender's MSG frame, unchanged except for its hops byte */
  msg: Uint8Array;
  inner: MsgFrame;
}

export interface ReceiptFrame {
  type: typeof FrameType.RECEIPT;
  toRelay: Uint8Array;
  hops: number;
  sender: Uint8Array;
  msgId: Uint8Array;
  recipient: Uint8Array;
  /** ReceiptStatus or an ErrorCode */
  status: number;
}

export interface ErrorFrame {
  type: typeof FrameType.ERROR;
  code: ErrorCode;
  /** the id of the MSG the error is about, else 16 zero bytes (failed REQs are answered by RES, not ERROR) */
  ref: Uint8Array;
  message: string;
}

export type Frame =
  | HelloFrame
  | Hs1Frame
  | Hs2Frame
  | Hs3Frame
  | ReadyFrame
  | MsgFrame
  | AckFrame
  | ReqFrame
  | ResFrame
  | EventFrame
  | RouteFrame
  | FwdFrame
  | ReceiptFrame
  | DeclFrame
  | ErrorFrame;

export type DecodeResult = { ok: true; frame: Frame } | { ok: false; error: W2wError };

export const ZERO_REF = new Uint8Array(MSG_ID_BYTES);

// ---------------------------------------------------------------------------------------------
// Encoding. Callers pass well-formed values; a wrong size or range throws at once (caller bug).

function writeIdList(w: ByteWriter, ids: readonly Uint8Array[], max: number, field: string): void {
  if (ids.length < 1 || ids.length > max) throw new RangeError(`${field} must hold 1..${max} IDs, got ${ids.length}`);
  w.u8(ids.length);
  for (const id of ids) w.fixed(id, ID_BYTES, field);
}

function writeGroupName(w: ByteWriter, name: string): void {
  assertGroupName(name);
  w.str8(name, Limits.MAX_GROUP_NAME_BYTES, 'group name');
}

/** Bytes of a RECEIPT (§9.7): type, toRelay, hops, sender, msgId, recipient, status. */
export const RECEIPT_BYTES = 1 + ID_BYTES + 1 + ID_BYTES + MSG_ID_BYTES + ID_BYTES + 2;

/**
 * Where the per-message writers below get their bytes. Every byte is written, so the caller may pass
 * an allocator that does not zero (in Node, Buffer.allocUnsafe: pooled, no backing store per frame).
 */
export type Alloc = (n: number) => Uint8Array;
const newBytes: Alloc = (n) => new Uint8Array(n);

/** Offsets in a RECEIPT; msgId, recipient and status end the frame, in the order a RECEIPT event has them. */
export const ReceiptAt = { TO_RELAY: 1, HOPS: 1 + ID_BYTES, SENDER: 2 + ID_BYTES, MSG_ID: 2 + 2 * ID_BYTES } as const;

/** True exactly when decodeFrame would accept `b` as a RECEIPT (every field of it is fixed-size). */
export function isWellFormedReceipt(b: Uint8Array): boolean {
  return b.byteLength === RECEIPT_BYTES && b[0] === FrameType.RECEIPT;
}

/**
 * The EVENT RECEIPT (§7.10) a sender gets for a well-formed RECEIPT: its msgId, recipient and status,
 * copied as they are, behind the EVENT type and kind bytes.
 */
export function receiptEventOf(receipt: Uint8Array, alloc: Alloc = newBytes): Uint8Array {
  const tail = receipt.subarray(ReceiptAt.MSG_ID);
  const out = alloc(2 + tail.byteLength);
  out[0] = FrameType.EVENT;
  out[1] = EventKind.RECEIPT;
  out.set(tail, 2);
  return out;
}

/** encodeFrame(RECEIPT) written field by field into one exact allocation (a RECEIPT per message crosses links). */
export function encodeReceipt(toRelay: Uint8Array, hops: number, sender: Uint8Array, msgId: Uint8Array, recipient: Uint8Array, status: number, alloc: Alloc = newBytes): Uint8Array {
  if (toRelay.byteLength !== ID_BYTES || sender.byteLength !== ID_BYTES || recipient.byteLength !== ID_BYTES) throw new RangeError(`RECEIPT IDs must be ${ID_BYTES} bytes`);
  if (msgId.byteLength !== MSG_ID_BYTES) throw new RangeError(`msgId must be ${MSG_ID_BYTES} bytes, got ${msgId.byteLength}`);
  if (!Number.isInteger(hops) || hops < 0 || hops > 0xff) throw new RangeError(`u8 out of range: ${hops}`);
  if (!Number.isInteger(status) || status < 0 || status > 0xffff) throw new RangeError(`u16 out of range: ${status}`);
  const out = alloc(RECEIPT_BYTES);
  out[0] = FrameType.RECEIPT;
  out.set(toRelay, ReceiptAt.TO_RELAY);
  out[ReceiptAt.HOPS] = hops;
  out.set(sender, ReceiptAt.SENDER);
  out.set(msgId, ReceiptAt.MSG_ID);
  out.set(recipient, ReceiptAt.MSG_ID + MSG_ID_BYTES);
  out[RECEIPT_BYTES - 2] = status >>> 8;
  out[RECEIPT_BYTES - 1] = status & 0xff;
  return out;
}

/** A first guess at a frame's size; exact for the frames relays send per message (FWD, RECEIPT). */
function sizeHint(f: Frame): number {
  switch (f.type) {
    case FrameType.MSG:
      return 96 + f.body.byteLength;
    case FrameType.FWD:
      return 2 + ID_BYTES * (1 + f.targets.length) + f.msg.byteLength;
    case FrameType.RECEIPT:
      return RECEIPT_BYTES;
    default:
      return 128;
  }
}

/**
 * A FWD (§9.4) carrying `msg` with its hops byte set to `hops`, built in one exact allocation: what
 * encodeFrame gives for the same FWD after copying `msg` with the new hops byte, without that copy.
 */
export function encodeFwd(originRelay: Uint8Array, targets: readonly Uint8Array[], msg: Uint8Array, hops: number, alloc: Alloc = newBytes): Uint8Array {
  if (originRelay.byteLength !== ID_BYTES) throw new RangeError(`originRelay must be ${ID_BYTES} bytes, got ${originRelay.byteLength}`);
  if (targets.length > Limits.MAX_RECIPIENTS) throw new RangeError(`FWD takes at most ${Limits.MAX_RECIPIENTS} targets`);
  if (!Number.isInteger(hops) || hops < 0 || hops > 0xff) throw new RangeError(`hops out of range: ${hops}`);
  if (msg[0] !== FrameType.MSG || msg.byteLength < 4) throw new RangeError('FWD carries a MSG frame');
  const at = 2 + ID_BYTES * (1 + targets.length);
  const out = alloc(at + msg.byteLength);
  out[0] = FrameType.FWD;
  out.set(originRelay, 1);
  out[1 + ID_BYTES] = targets.length;
  for (let i = 0; i < targets.length; i++) {
    const t = targets[i] as Uint8Array;
    if (t.byteLength !== ID_BYTES) throw new RangeError(`target must be ${ID_BYTES} bytes, got ${t.byteLength}`);
    out.set(t, 2 + ID_BYTES * (1 + i));
  }
  out.set(msg, at);
  out[at + MsgAt.HOPS] = hops;
  return out;
}

export function encodeFrame(f: Frame): Uint8Array {
  const w = new ByteWriter(sizeHint(f));
  w.u8(f.type);
  switch (f.type) {
    case FrameType.HELLO:
      w.u8(f.version).fixed(f.relayId, ID_BYTES, 'relayId').u64(f.timeMs).u32(f.maxFrameBytes).u16(f.maxRecipients);
      w.u32(f.ratePerSec).u32(f.rateBurst).u32(f.pingIntervalMs).u32(f.handshakeTimeoutMs);
      break;
    case FrameType.HS1:
      w.u8(f.ctx).fixed(f.idA, ID_BYTES, 'idA').fixed(f.ephA, EPHEMERAL_BYTES, 'ephA').fixed(f.nonceA, NONCE_BYTES, 'nonceA');
      w.fixed(f.expectedIdB, ID_BYTES, 'expectedIdB').str16(f.binding, Limits.MAX_BINDING_BYTES, 'binding');
      w.fixed(f.sigA, SIGNATURE_BYTES, 'sigA');
      break;
    case FrameType.HS2:
      w.fixed(f.idB, ID_BYTES, 'idB').fixed(f.ephB, EPHEMERAL_BYTES, 'ephB').fixed(f.nonceB, NONCE_BYTES, 'nonceB');
      w.fixed(f.sigB, SIGNATURE_BYTES, 'sigB');
      break;
    case FrameType.HS3:
      w.fixed(f.sigC, SIGNATURE_BYTES, 'sigC');
      break;
    case FrameType.READY:
      w.fixed(f.transcriptHash, HASH_BYTES, 'transcriptHash').u64(f.timeMs);
      break;
    case FrameType.MSG:
      if ((f.flags & ~MSG_FLAGS_MASK) !== 0) throw new RangeError(`unknown MSG flags: ${f.flags}`);
      w.u8(f.route).u8(f.flags).u8(f.hops).fixed(f.id, MSG_ID_BYTES, 'id').fixed(f.from, ID_BYTES, 'from');
      switch (f.route) {
        case Route.A2B:
          w.fixed(f.to, ID_BYTES, 'to');
          break;
        case Route.A2G_LIST:
          writeIdList(w, f.to, Limits.MAX_RECIPIENTS, 'to');
          break;
        case Route.A2G_NAMED:
          writeGroupName(w, f.group);
          break;
        case Route.A2A:
        case Route.A2N:
          break;
      }
      w.u32(f.body.byteLength).raw(f.body);
      break;
    case FrameType.ACK:
      w.fixed(f.id, MSG_ID_BYTES, 'id').u32(f.delivered).u32(f.forwarded).u32(f.stored).u8(f.missed.length);
      for (const m of f.missed) w.fixed(m.id, ID_BYTES, 'missed id').u16(m.code);
      break;
    case FrameType.REQ:
      w.u32(f.reqId).u8(f.op);
      writeReqArgs(w, f);
      break;
    case FrameType.RES:
      w.u32(f.reqId).u8(f.op).u16(f.status);
      if (f.status === 0) writeResResult(w, f);
      else w.str16(f.message, Limits.MAX_TEXT_BYTES, 'message');
      break;
    case FrameType.EVENT:
      w.u8(f.kind);
      if (f.kind === EventKind.PRESENCE) w.fixed(f.id, ID_BYTES, 'id').u8(f.online ? 1 : 0).u64(f.timeMs);
      else if (f.kind === EventKind.NOTICE) w.str16(f.text, Limits.MAX_TEXT_BYTES, 'text');
      else w.fixed(f.msgId, MSG_ID_BYTES, 'msgId').fixed(f.recipient, ID_BYTES, 'recipient').u16(f.status);
      break;
    case FrameType.ROUTE:
      w.u8(f.action).fixed(f.dest, ID_BYTES, 'dest');
      if (f.action === RouteAction.ANNOUNCE) {
        w.fixed(f.origin, ID_BYTES, 'origin').u64(f.proofTimeMs).fixed(f.proofSig, SIGNATURE_BYTES, 'proofSig');
        writeIdList(w, f.path, Limits.MAX_HOPS, 'path');
      }
      break;
    case FrameType.FWD:
      w.fixed(f.originRelay, ID_BYTES, 'originRelay').u8(f.targets.length);
      if (f.targets.length > Limits.MAX_RECIPIENTS) throw new RangeError(`FWD takes at most ${Limits.MAX_RECIPIENTS} targets`);
      for (const t of f.targets) w.fixed(t, ID_BYTES, 'target');
      w.raw(f.msg);
      break;
    case FrameType.DECL:
      w.u8(f.action);
      if (f.action === 1) w.u32(f.holding.byteLength).raw(f.holding);
      else w.fixed(f.contentHash, HASH_BYTES, 'contentHash').fixed(f.holder, ID_BYTES, 'holder').u64(f.timeMs).fixed(f.sig, SIGNATURE_BYTES, 'sig');
      break;
    case FrameType.RECEIPT:
      w.fixed(f.toRelay, ID_BYTES, 'toRelay').u8(f.hops).fixed(f.sender, ID_BYTES, 'sender').fixed(f.msgId, MSG_ID_BYTES, 'msgId');
      w.fixed(f.recipient, ID_BYTES, 'recipient').u16(f.status);
      break;
    case FrameType.ERROR:
      w.u16(f.code).fixed(f.ref, MSG_ID_BYTES, 'ref').str16(truncateUtf8(f.message, Limits.MAX_TEXT_BYTES), Limits.MAX_TEXT_BYTES, 'message');
      break;
  }
  return w.finish();
}

function writeReqArgs(w: ByteWriter, a: ReqArgs): void {
  switch (a.op) {
    case Op.LIST_PEERS:
    case Op.GROUP_LIST:
      break;
    case Op.GROUP_CREATE:
    case Op.GROUP_DELETE:
      writeGroupName(w, a.name);
      break;
    case Op.GROUP_ADD:
    case Op.GROUP_REMOVE:
      writeGroupName(w, a.name);
      writeIdList(w, a.members, Limits.MAX_RECIPIENTS, 'members');
      break;
    case Op.WATCH:
      if (a.ids.length > Limits.MAX_WATCH) throw new RangeError(`WATCH takes at most ${Limits.MAX_WATCH} IDs`);
      w.u8(a.ids.length);
      for (const id of a.ids) w.fixed(id, ID_BYTES, 'ids');
      break;
    case Op.PUBLISH_HOME:
      w.u64(a.timeMs).fixed(a.sig, SIGNATURE_BYTES, 'sig');
      break;
    case Op.LINKS:
      break;
    case Op.ROUTE_OF:
      w.fixed(a.id, ID_BYTES, 'id');
      break;
    case Op.DECL_PUBLISH:
      w.u32(a.holding.byteLength).raw(a.holding);
      break;
    case Op.DECL_WITHDRAW:
      w.fixed(a.contentHash, HASH_BYTES, 'contentHash').u64(a.timeMs).fixed(a.sig, SIGNATURE_BYTES, 'sig');
      break;
    case Op.DECL_QUERY:
      w.u8(a.by).fixed(a.key, 32, 'key');
      break;
  }
}

function writeResResult(w: ByteWriter, r: ResResult): void {
  switch (r.op) {
    case Op.LIST_PEERS:
      w.u16(r.peers.length);
      for (const p of r.peers) w.fixed(p.id, ID_BYTES, 'peer id').u8(p.online ? 1 : 0).u64(p.lastSeenMs);
      break;
    case Op.GROUP_LIST:
      w.u16(r.groups.length);
      for (const g of r.groups) {
        writeGroupName(w, g.name);
        w.fixed(g.owner, ID_BYTES, 'owner').u16(g.members.length);
        for (const m of g.members) w.fixed(m, ID_BYTES, 'member');
      }
      break;
    case Op.WATCH:
      w.u8(r.presence.length);
      for (const p of r.presence) w.fixed(p.id, ID_BYTES, 'id').u8(p.online ? 1 : 0);
      break;
    case Op.LINKS:
      if (r.links.length > Limits.MAX_LINKS) throw new RangeError(`LINKS lists at most ${Limits.MAX_LINKS} links`);
      w.u8(r.links.length);
      for (const l of r.links) {
        w.fixed(l.relayId, ID_BYTES, 'relayId').u8(l.outbound ? 1 : 0).u8(l.up ? 1 : 0).u32(l.rttMs).u32(l.routes);
        w.str16(l.url, Limits.MAX_BINDING_BYTES, 'url');
      }
      break;
    case Op.ROUTE_OF:
      w.u8(r.kind).u8(r.path.length);
      if (r.path.length > Limits.MAX_HOPS) throw new RangeError(`a path has at most ${Limits.MAX_HOPS} relays`);
      for (const p of r.path) w.fixed(p, ID_BYTES, 'path');
      break;
    case Op.DECL_QUERY:
      w.u16(r.holdings.length);
      for (const h of r.holdings) w.u32(h.byteLength).raw(h);
      break;
    case Op.DECL_PUBLISH:
    case Op.DECL_WITHDRAW:
    case Op.PUBLISH_HOME:
    case Op.GROUP_CREATE:
    case Op.GROUP_ADD:
    case Op.GROUP_REMOVE:
    case Op.GROUP_DELETE:
      break;
  }
}

/** Cuts text to at most maxBytes of UTF-8 without splitting a character (for human messages). */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (text.length * 3 <= maxBytes) return text;
  let out = '';
  let size = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    const n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (size + n > maxBytes) break;
    out += ch;
    size += n;
  }
  return out;
}

/** Group names: 1..64 UTF-8 bytes, no control characters, no leading/trailing spaces. */
export function groupNameProblem(name: string): string | null {
  const size = new TextEncoder().encode(name).byteLength;
  if (size < 1 || size > Limits.MAX_GROUP_NAME_BYTES) return `group name must be 1..${Limits.MAX_GROUP_NAME_BYTES} UTF-8 bytes`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/u.test(name)) return 'group name contains a control character';
  if (name.trim() !== name) return 'group name has leading or trailing spaces';
  return null;
}

function assertGroupName(name: string): void {
  const problem = groupNameProblem(name);
  if (problem) throw new RangeError(problem);
}

// ---------------------------------------------------------------------------------------------
// Decoding untrusted bytes.

function readIdList(r: ByteReader, max: number, field: string): Uint8Array[] {
  const n = r.u8(`${field} count`);
  if (n < 1 || n > max) throw new W2wError(ErrorCode.MALFORMED_FRAME, `${field} must hold 1..${max} IDs, got ${n}`);
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++) out.push(r.bytes(ID_BYTES, field));
  return out;
}

function readGroupName(r: ByteReader): string {
  const name = r.str8('group name', Limits.MAX_GROUP_NAME_BYTES);
  const problem = groupNameProblem(name);
  if (problem) throw new W2wError(ErrorCode.MALFORMED_FRAME, problem);
  return name;
}

/** u32 length | bytes, at most one declaration's worth (a holding is < 3 KiB). */
const MAX_BLOB = 8 * 1024;
function readBlob(r: ByteReader, field: string): Uint8Array {
  const n = r.u32(`${field} length`);
  if (n > MAX_BLOB) throw new W2wError(ErrorCode.MALFORMED_FRAME, `${field} is ${n} bytes, limit ${MAX_BLOB}`);
  return r.bytes(n, field);
}

function readBool(r: ByteReader, field: string): boolean {
  const v = r.u8(field);
  if (v > 1) throw new W2wError(ErrorCode.MALFORMED_FRAME, `${field} must be 0 or 1, got ${v}`);
  return v === 1;
}

const OPS: ReadonlySet<number> = new Set(Object.values(Op));

function readOp(r: ByteReader): Op {
  const op = r.u8('op');
  if (!OPS.has(op)) throw new W2wError(ErrorCode.MALFORMED_FRAME, `unknown request op ${op}`);
  return op as Op;
}

function decodeMsg(r: ByteReader): MsgFrame {
  const route = r.u8('route');
  const flags = r.u8('flags');
  if ((flags & ~MSG_FLAGS_MASK) !== 0) throw new W2wError(ErrorCode.MALFORMED_FRAME, `unknown MSG flags 0x${flags.toString(16)}`);
  const hops = r.u8('hops');
  const id = r.bytes(MSG_ID_BYTES, 'id');
  const from = r.bytes(ID_BYTES, 'from');
  let target: MsgTarget;
  switch (route) {
    case Route.A2A:
      target = { route };
      break;
    case Route.A2B:
      target = { route, to: r.bytes(ID_BYTES, 'to') };
      break;
    case Route.A2G_LIST:
      target = { route, to: readIdList(r, Limits.MAX_RECIPIENTS, 'to') };
      break;
    case Route.A2G_NAMED:
      target = { route, group: readGroupName(r) };
      break;
    case Route.A2N:
      target = { route };
      break;
    default:
      throw new W2wError(ErrorCode.MALFORMED_FRAME, `unknown route ${route}`);
  }
  const bodyLen = r.u32('body length');
  const body = r.bytes(bodyLen, 'body');
  r.end('MSG');
  return { type: FrameType.MSG, flags, hops, id, from, body, ...target };
}

function decodeReq(r: ByteReader): ReqFrame {
  const reqId = r.u32('reqId');
  const op = readOp(r);
  let args: ReqArgs;
  switch (op) {
    case Op.LIST_PEERS:
    case Op.GROUP_LIST:
      args = { op };
      break;
    case Op.GROUP_CREATE:
    case Op.GROUP_DELETE:
      args = { op, name: readGroupName(r) };
      break;
    case Op.GROUP_ADD:
    case Op.GROUP_REMOVE:
      args = { op, name: readGroupName(r), members: readIdList(r, Limits.MAX_RECIPIENTS, 'members') };
      break;
    case Op.WATCH: {
      const n = r.u8('ids count');
      const ids: Uint8Array[] = [];
      for (let i = 0; i < n; i++) ids.push(r.bytes(ID_BYTES, 'ids'));
      args = { op, ids };
      break;
    }
    case Op.PUBLISH_HOME:
      args = { op, timeMs: r.u64('timeMs'), sig: r.bytes(SIGNATURE_BYTES, 'sig') };
      break;
    case Op.LINKS:
      args = { op };
      break;
    case Op.ROUTE_OF:
      args = { op, id: r.bytes(ID_BYTES, 'id') };
      break;
    case Op.DECL_PUBLISH:
      args = { op, holding: readBlob(r, 'holding') };
      break;
    case Op.DECL_WITHDRAW:
      args = { op, contentHash: r.bytes(HASH_BYTES, 'contentHash'), timeMs: r.u64('timeMs'), sig: r.bytes(SIGNATURE_BYTES, 'sig') };
      break;
    case Op.DECL_QUERY: {
      const by = r.u8('query by');
      if (by < DeclQueryBy.HASH || by > DeclQueryBy.OWNER) throw new W2wError(ErrorCode.MALFORMED_FRAME, `unknown query kind ${by}`);
      args = { op, by: by as DeclQueryBy, key: r.bytes(32, 'key') };
      break;
    }
  }
  r.end('REQ');
  return { type: FrameType.REQ, reqId, ...args };
}

function decodeRes(r: ByteReader): ResFrame {
  const reqId = r.u32('reqId');
  const op = readOp(r);
  const status = r.u16('status');
  if (status !== 0) {
    // Unknown codes from a newer relay are kept as-is (shown as "E<code>"), not refused.
    const message = r.str16('message', Limits.MAX_TEXT_BYTES);
    r.end('RES');
    return { type: FrameType.RES, reqId, op, status: status as ErrorCode, message };
  }
  let result: ResResult;
  switch (op) {
    case Op.LIST_PEERS: {
      const n = r.u16('peer count');
      const peers: PeerEntry[] = [];
      for (let i = 0; i < n; i++) {
        peers.push({ id: r.bytes(ID_BYTES, 'peer id'), online: readBool(r, 'online'), lastSeenMs: r.u64('lastSeenMs') });
      }
      result = { op, peers };
      break;
    }
    case Op.GROUP_LIST: {
      const n = r.u16('group count');
      const groups: GroupEntry[] = [];
      for (let i = 0; i < n; i++) {
        const name = readGroupName(r);
        const owner = r.bytes(ID_BYTES, 'owner');
        const m = r.u16('member count');
        if (m > Limits.MAX_GROUP_MEMBERS) throw new W2wError(ErrorCode.MALFORMED_FRAME, `group has ${m} members, limit ${Limits.MAX_GROUP_MEMBERS}`);
        const members: Uint8Array[] = [];
        for (let j = 0; j < m; j++) members.push(r.bytes(ID_BYTES, 'member'));
        groups.push({ name, owner, members });
      }
      result = { op, groups };
      break;
    }
    case Op.WATCH: {
      const n = r.u8('presence count');
      const presence: PresenceEntry[] = [];
      for (let i = 0; i < n; i++) presence.push({ id: r.bytes(ID_BYTES, 'id'), online: readBool(r, 'online') });
      result = { op, presence };
      break;
    }
    case Op.LINKS: {
      const n = r.u8('link count');
      const links: LinkEntry[] = [];
      for (let i = 0; i < n; i++) {
        links.push({
          relayId: r.bytes(ID_BYTES, 'relayId'),
          outbound: readBool(r, 'outbound'),
          up: readBool(r, 'up'),
          rttMs: r.u32('rttMs'),
          routes: r.u32('routes'),
          url: r.str16('url', Limits.MAX_BINDING_BYTES),
        });
      }
      result = { op, links };
      break;
    }
    case Op.ROUTE_OF: {
      const kind = r.u8('route kind');
      if (kind > RouteKind.HOME_ONLY) throw new W2wError(ErrorCode.MALFORMED_FRAME, `unknown route kind ${kind}`);
      const n = r.u8('path length');
      if (n > Limits.MAX_HOPS) throw new W2wError(ErrorCode.MALFORMED_FRAME, `path of ${n} relays, limit ${Limits.MAX_HOPS}`);
      const path: Uint8Array[] = [];
      for (let i = 0; i < n; i++) path.push(r.bytes(ID_BYTES, 'path'));
      result = { op, kind: kind as RouteKind, path };
      break;
    }
    case Op.DECL_QUERY: {
      const n = r.u16('holding count');
      const holdings: Uint8Array[] = [];
      for (let i = 0; i < n; i++) holdings.push(readBlob(r, 'holding'));
      result = { op, holdings };
      break;
    }
    case Op.DECL_PUBLISH:
    case Op.DECL_WITHDRAW:
    case Op.PUBLISH_HOME:
    case Op.GROUP_CREATE:
    case Op.GROUP_ADD:
    case Op.GROUP_REMOVE:
    case Op.GROUP_DELETE:
      result = { op };
      break;
  }
  r.end('RES');
  return { type: FrameType.RES, reqId, status: 0, ...result };
}

const CONTEXTS: ReadonlySet<number> = new Set(Object.values(HandshakeContext));

function decodeUnchecked(bytes: Uint8Array): Frame {
  const r = new ByteReader(bytes);
  const type = r.u8('type');
  switch (type) {
    case FrameType.HELLO: {
      const version = r.u8('version');
      if (version !== PROTOCOL_VERSION) throw new W2wError(ErrorCode.UNSUPPORTED_VERSION, `HELLO version ${version}, this side speaks ${PROTOCOL_VERSION}`);
      const f: HelloFrame = {
        type, version, relayId: r.bytes(ID_BYTES, 'relayId'), timeMs: r.u64('timeMs'),
        maxFrameBytes: r.u32('maxFrameBytes'), maxRecipients: r.u16('maxRecipients'),
        ratePerSec: r.u32('ratePerSec'), rateBurst: r.u32('rateBurst'),
        pingIntervalMs: r.u32('pingIntervalMs'), handshakeTimeoutMs: r.u32('handshakeTimeoutMs'),
      };
      r.end('HELLO');
      return f;
    }
    case FrameType.HS1: {
      const ctx = r.u8('ctx');
      if (!CONTEXTS.has(ctx)) throw new W2wError(ErrorCode.MALFORMED_FRAME, `unknown handshake context ${ctx}`);
      const f: Hs1Frame = {
        type, ctx: ctx as HandshakeContext, idA: r.bytes(ID_BYTES, 'idA'), ephA: r.bytes(EPHEMERAL_BYTES, 'ephA'),
        nonceA: r.bytes(NONCE_BYTES, 'nonceA'), expectedIdB: r.bytes(ID_BYTES, 'expectedIdB'),
        binding: r.str16('binding', Limits.MAX_BINDING_BYTES), sigA: r.bytes(SIGNATURE_BYTES, 'sigA'),
      };
      r.end('HS1');
      return f;
    }
    case FrameType.HS2: {
      const f: Hs2Frame = {
        type, idB: r.bytes(ID_BYTES, 'idB'), ephB: r.bytes(EPHEMERAL_BYTES, 'ephB'),
        nonceB: r.bytes(NONCE_BYTES, 'nonceB'), sigB: r.bytes(SIGNATURE_BYTES, 'sigB'),
      };
      r.end('HS2');
      return f;
    }
    case FrameType.HS3: {
      const f: Hs3Frame = { type, sigC: r.bytes(SIGNATURE_BYTES, 'sigC') };
      r.end('HS3');
      return f;
    }
    case FrameType.READY: {
      const f: ReadyFrame = { type, transcriptHash: r.bytes(HASH_BYTES, 'transcriptHash'), timeMs: r.u64('timeMs') };
      r.end('READY');
      return f;
    }
    case FrameType.MSG:
      return decodeMsg(r);
    case FrameType.ACK: {
      const id = r.bytes(MSG_ID_BYTES, 'id');
      const delivered = r.u32('delivered');
      const forwarded = r.u32('forwarded');
      const stored = r.u32('stored');
      const n = r.u8('missed count');
      if (n > Limits.MAX_RECIPIENTS) throw new W2wError(ErrorCode.MALFORMED_FRAME, `ACK lists ${n} missed recipients, limit ${Limits.MAX_RECIPIENTS}`);
      const missed: MissedRecipient[] = [];
      for (let i = 0; i < n; i++) {
        const mid = r.bytes(ID_BYTES, 'missed id');
        const code = r.u16('missed code');
        if (code < 100) throw new W2wError(ErrorCode.MALFORMED_FRAME, `missed code ${code} is not an error code`);
        missed.push({ id: mid, code: code as ErrorCode });
      }
      const f: AckFrame = { type, id, delivered, forwarded, stored, missed };
      r.end('ACK');
      return f;
    }
    case FrameType.REQ:
      return decodeReq(r);
    case FrameType.RES:
      return decodeRes(r);
    case FrameType.EVENT: {
      const kind = r.u8('kind');
      let f: EventFrame;
      if (kind === EventKind.PRESENCE) {
        f = { type, kind, id: r.bytes(ID_BYTES, 'id'), online: readBool(r, 'online'), timeMs: r.u64('timeMs') };
      } else if (kind === EventKind.NOTICE) {
        f = { type, kind, text: r.str16('text', Limits.MAX_TEXT_BYTES) };
      } else if (kind === EventKind.RECEIPT) {
        f = { type, kind, msgId: r.bytes(MSG_ID_BYTES, 'msgId'), recipient: r.bytes(ID_BYTES, 'recipient'), status: r.u16('status') };
      } else {
        throw new W2wError(ErrorCode.MALFORMED_FRAME, `unknown event kind ${kind}`);
      }
      r.end('EVENT');
      return f;
    }
    case FrameType.ROUTE: {
      const action = r.u8('action');
      const dest = r.bytes(ID_BYTES, 'dest');
      let f: RouteFrame;
      if (action === RouteAction.ANNOUNCE) {
        f = {
          type, action, dest, origin: r.bytes(ID_BYTES, 'origin'), proofTimeMs: r.u64('proofTimeMs'),
          proofSig: r.bytes(SIGNATURE_BYTES, 'proofSig'), path: readIdList(r, Limits.MAX_HOPS, 'path'),
        };
      } else if (action === RouteAction.WITHDRAW) {
        f = { type, action, dest };
      } else {
        throw new W2wError(ErrorCode.MALFORMED_FRAME, `unknown route action ${action}`);
      }
      r.end('ROUTE');
      return f;
    }
    case FrameType.FWD: {
      const originRelay = r.bytes(ID_BYTES, 'originRelay');
      const n = r.u8('target count');
      if (n > Limits.MAX_RECIPIENTS) throw new W2wError(ErrorCode.MALFORMED_FRAME, `FWD names ${n} targets, limit ${Limits.MAX_RECIPIENTS}`);
      const targets: Uint8Array[] = [];
      for (let i = 0; i < n; i++) targets.push(r.bytes(ID_BYTES, 'target'));
      const msg = r.bytes(r.remaining, 'msg');
      // Check the type byte before decoding: decoding first would let a frame of FWDs nested in FWDs
      // recurse once per 34 bytes, thousands deep, until the stack overflows.
      if (msg[0] !== FrameType.MSG) {
        throw new W2wError(ErrorCode.MALFORMED_FRAME, `FWD carries ${msg.byteLength === 0 ? 'nothing' : frameTypeName(msg[0] as number)}, not MSG`);
      }
      const inner = decodeSimpleMsg(msg) ?? (decodeUnchecked(msg) as MsgFrame);
      return { type, originRelay, targets, msg, inner };
    }
    case FrameType.DECL: {
      const action = r.u8('action');
      let f: DeclFrame;
      if (action === 1) f = { type, action, holding: readBlob(r, 'holding') };
      else if (action === 2) {
        f = { type, action, contentHash: r.bytes(HASH_BYTES, 'contentHash'), holder: r.bytes(ID_BYTES, 'holder'), timeMs: r.u64('timeMs'), sig: r.bytes(SIGNATURE_BYTES, 'sig') };
      } else throw new W2wError(ErrorCode.MALFORMED_FRAME, `unknown DECL action ${action}`);
      r.end('DECL');
      return f;
    }
    case FrameType.RECEIPT: {
      const f: ReceiptFrame = {
        type, toRelay: r.bytes(ID_BYTES, 'toRelay'), hops: r.u8('hops'), sender: r.bytes(ID_BYTES, 'sender'),
        msgId: r.bytes(MSG_ID_BYTES, 'msgId'), recipient: r.bytes(ID_BYTES, 'recipient'), status: r.u16('status'),
      };
      r.end('RECEIPT');
      return f;
    }
    case FrameType.ERROR: {
      const code = r.u16('code');
      const f: ErrorFrame = {
        type,
        // Unknown codes from a newer peer are kept as-is (the reader shows "E<code>"), not rejected.
        code: code as ErrorCode,
        ref: r.bytes(MSG_ID_BYTES, 'ref'),
        message: r.str16('message', Limits.MAX_TEXT_BYTES),
      };
      r.end('ERROR');
      return f;
    }
    default:
      throw new W2wError(ErrorCode.UNKNOWN_FRAME_TYPE, `unknown frame type 0x${type.toString(16).padStart(2, '0')}`);
  }
}

/** Offsets in a MSG frame (§7.6): u8 type | u8 route | u8 flags | u8 hops | id | from | to (a2b) | u32 bodyLen | body. */
export const MsgAt = { HOPS: 3, ID: 4, FROM: 20, TO: 52, A2B_BODY_LEN: 84 } as const;

/**
 * True exactly when decodeFrame would accept `b` as an a2b MSG (size limit aside): the relay's
 * forwarding hot path reads such frames in place without decoding them. The fuzz test holds this
 * function and the strict decoder to the same answer.
 */
export function isWellFormedA2b(b: Uint8Array): boolean {
  return isA2bAt(b, 0);
}

/** isWellFormedA2b for the bytes of `b` from `from` to its end, read in place (no view). */
function isA2bAt(b: Uint8Array, from: number): boolean {
  const n = b.byteLength - from;
  if (n < MsgAt.A2B_BODY_LEN + 4 || b[from] !== FrameType.MSG || b[from + 1] !== Route.A2B || ((b[from + 2] as number) & ~MSG_FLAGS_MASK) !== 0) return false;
  return bodyFillsFrame(b, from + MsgAt.A2B_BODY_LEN);
}

/** Whether the u32 body length at `lenAt` (whose 4 bytes `b` holds) says the body ends exactly where `b` does. */
function bodyFillsFrame(b: Uint8Array, lenAt: number): boolean {
  const bodyLen = (((b[lenAt] as number) << 24) | ((b[lenAt + 1] as number) << 16) | ((b[lenAt + 2] as number) << 8) | (b[lenAt + 3] as number)) >>> 0;
  return lenAt + 4 + bodyLen === b.byteLength;
}

/** Offsets in a FWD (§9.4) naming one target: u8 type | originRelay | u8 count (1) | target | msg. */
export const FwdOneAt = { ORIGIN: 1, COUNT: 1 + ID_BYTES, TARGET: 2 + ID_BYTES, MSG: 2 + 2 * ID_BYTES } as const;

/**
 * True exactly when decodeFrame would accept `b` as a FWD with one target carrying an a2b MSG (size
 * limit aside): the terminal relay of a route delivers such frames in place without decoding them.
 * The fuzz test holds this function and the strict decoder to the same answer.
 */
export function isWellFormedFwdA2b(b: Uint8Array): boolean {
  return b[0] === FrameType.FWD && b.byteLength > FwdOneAt.MSG && b[FwdOneAt.COUNT] === 1 && isA2bAt(b, FwdOneAt.MSG);
}

/**
 * The relay's hot path: a2a, a2b and a2n MSG frames have fixed offsets, so they are read directly
 * (no reader object, no spread). Anything unusual returns null and goes through the strict decoder,
 * which gives the same result or the precise error; the vector tests hold both to the same bytes.
 */
function decodeSimpleMsg(b: Uint8Array): MsgFrame | null {
  if (b[0] !== FrameType.MSG || b.byteLength < MsgAt.TO + 4) return null;
  const route = b[1] as number;
  const flags = b[2] as number;
  if ((flags & ~MSG_FLAGS_MASK) !== 0) return null;
  const hasTo = route === Route.A2B;
  if (!hasTo && route !== Route.A2A && route !== Route.A2N) return null;
  // a2a and a2n have no `to`: their body length stands where an a2b's `to` begins
  const lenAt = hasTo ? MsgAt.A2B_BODY_LEN : MsgAt.TO;
  if (b.byteLength < lenAt + 4 || !bodyFillsFrame(b, lenAt)) return null;
  const id = b.subarray(MsgAt.ID, MsgAt.FROM);
  const from = b.subarray(MsgAt.FROM, MsgAt.TO);
  const body = b.subarray(lenAt + 4);
  const hops = b[MsgAt.HOPS] as number;
  if (hasTo) return { type: FrameType.MSG, route: Route.A2B, flags, hops, id, from, to: b.subarray(MsgAt.TO, MsgAt.A2B_BODY_LEN), body };
  return route === Route.A2A
    ? { type: FrameType.MSG, route: Route.A2A, flags, hops, id, from, body }
    : { type: FrameType.MSG, route: Route.A2N, flags, hops, id, from, body };
}

/**
 * Strictly decodes one WebSocket message. Fields are views into `bytes` (no copies): keep `bytes`
 * unchanged while the frame is in use.
 */
export function decodeFrame(bytes: Uint8Array, maxFrameBytes: number = Limits.MAX_FRAME_BYTES): DecodeResult {
  if (bytes.byteLength > maxFrameBytes) {
    return { ok: false, error: new W2wError(ErrorCode.FRAME_TOO_LARGE, `frame is ${bytes.byteLength} bytes, limit ${maxFrameBytes}`) };
  }
  if (bytes.byteLength === 0) return { ok: false, error: new W2wError(ErrorCode.MALFORMED_FRAME, 'empty frame') };
  const fast = decodeSimpleMsg(bytes);
  if (fast) return { ok: true, frame: fast };
  try {
    return { ok: true, frame: decodeUnchecked(bytes) };
  } catch (err) {
    if (err instanceof W2wError) return { ok: false, error: err };
    return { ok: false, error: new W2wError(ErrorCode.MALFORMED_FRAME, 'undecodable frame') };
  }
}

/** Name of a frame type for messages, e.g. 0x10 -> "MSG". */
export function frameTypeName(type: number): string {
  for (const [name, value] of Object.entries(FrameType)) if (value === type) return name;
  return `0x${type.toString(16).padStart(2, '0')}`;
}
