// Frame codec: round trips of every frame shape, literal-hex layouts, strict decoding of bad bytes, encoder guards.
import { describe, expect, it } from 'vitest';
import { EventKind, FrameType, Limits, Op, Route } from '../../src-shared/protocol/constants.js';
import { ErrorCode, W2wError, errorName, isErrorCode } from '../../src-shared/protocol/errors.js';
import { decodeFrame, encodeFrame, frameTypeName, groupNameProblem, truncateUtf8, type Frame, type MsgFrame } from '../../src-shared/protocol/frames.js';
import { toHex } from '../../src-shared/ids.js';
import { ID_A, ID_B, ID_C, MSG_ID, filled, sampleFrames } from '../helpers/frames.js';

/** Byte arrays as hex strings, so frames compare by content whatever the array class. */
function normalize(v: unknown): unknown {
  if (v instanceof Uint8Array) return `hex:${toHex(v)}`;
  if (Array.isArray(v)) return v.map(normalize);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalize(x)]));
  return v;
}

function bytes(...parts: (string | number[] | Uint8Array)[]): Uint8Array {
  return Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p.replace(/\s+/g, ''), 'hex') : Buffer.from(p))));
}

const u16 = (n: number): string => n.toString(16).padStart(4, '0');
const u32 = (n: number): string => n.toString(16).padStart(8, '0');
const hexOf = (b: Uint8Array): string => toHex(b);

function expectCode(input: Uint8Array, code: ErrorCode, maxFrameBytes?: number): void {
  const r = decodeFrame(input, maxFrameBytes);
  if (r.ok) throw new Error(`decoded as ${frameTypeName(r.frame.type)}, expected ${errorName(code)}`);
  expect(r.error).toBeInstanceOf(W2wError);
  expect(errorName(r.error.code)).toBe(errorName(code));
}

function decodeOk(input: Uint8Array): Frame {
  const r = decodeFrame(input);
  if (!r.ok) throw new Error(`expected a frame, got ${r.error.toString()}`);
  return r.frame;
}

describe('frame round trips', () => {
  const samples = sampleFrames();

  it.each(samples.map((s) => [s.name, s.frame] as const))('%s: encode -> decode -> equal, re-encode -> same bytes', (_name, frame) => {
    const encoded = encodeFrame(frame);
    const decoded = decodeOk(encoded);
    expect(normalize(decoded)).toEqual(normalize(frame));
    expect(toHex(encodeFrame(decoded))).toBe(toHex(encoded));
  });

  it('covers every frame type, route, request op (REQ and RES) and event kind', () => {
    const frames = samples.map((s) => s.frame);
    expect(new Set(frames.map((f) => f.type))).toEqual(new Set(Object.values(FrameType)));
    const routes = frames.flatMap((f) => (f.type === FrameType.MSG ? [f.route] : []));
    expect(new Set(routes)).toEqual(new Set(Object.values(Route)));
    const reqOps = frames.flatMap((f) => (f.type === FrameType.REQ ? [f.op] : []));
    expect(new Set(reqOps)).toEqual(new Set(Object.values(Op)));
    const resOps = frames.flatMap((f) => (f.type === FrameType.RES && f.status === 0 ? [f.op] : []));
    expect(new Set(resOps)).toEqual(new Set(Object.values(Op)));
    const kinds = frames.flatMap((f) => (f.type === FrameType.EVENT ? [f.kind] : []));
    expect(new Set(kinds)).toEqual(new Set(Object.values(EventKind)));
  });

  it('decodes fields as views of the input (no copies)', () => {
    const encoded = encodeFrame({ type: FrameType.HS3, sigC: filled(64, 7) });
    const f = decodeOk(encoded);
    if (f.type !== FrameType.HS3) throw new Error('not HS3');
    expect(f.sigC.buffer).toBe(encoded.buffer);
  });

  it('round-trips limits at their edges', () => {
    const edge: Frame[] = [
      { type: FrameType.MSG, route: Route.A2G_LIST, flags: 0, hops: 255, id: MSG_ID, from: ID_A, body: filled(1000, 9), to: Array.from({ length: Limits.MAX_RECIPIENTS }, (_, i) => filled(32, i)) },
      { type: FrameType.MSG, route: Route.A2G_NAMED, flags: 0, hops: 1, id: MSG_ID, from: ID_A, body: new Uint8Array(0), group: 'g'.repeat(Limits.MAX_GROUP_NAME_BYTES) },
      { type: FrameType.HS1, ctx: 1, idA: ID_A, ephA: ID_A, nonceA: ID_A, expectedIdB: ID_B, binding: 'b'.repeat(Limits.MAX_BINDING_BYTES), sigA: filled(64, 1) },
      { type: FrameType.EVENT, kind: EventKind.NOTICE, text: 'n'.repeat(Limits.MAX_TEXT_BYTES) },
      { type: FrameType.ACK, id: MSG_ID, delivered: 0xffff_ffff, forwarded: 0xffff_ffff, stored: 0xffff_ffff, missed: Array.from({ length: Limits.MAX_RECIPIENTS }, (_, i) => ({ id: filled(32, i), code: ErrorCode.UNKNOWN_RECIPIENT })) },
      { type: FrameType.REQ, reqId: 0, op: Op.WATCH, ids: Array.from({ length: Limits.MAX_WATCH }, (_, i) => filled(32, i)) },
      { type: FrameType.RES, reqId: 9, op: Op.GROUP_LIST, status: 0, groups: [{ name: 'big', owner: ID_A, members: Array.from({ length: Limits.MAX_GROUP_MEMBERS }, (_, i) => filled(32, i % 256)) }] },
      { type: FrameType.READY, transcriptHash: filled(32, 1), timeMs: Number.MAX_SAFE_INTEGER },
    ];
    for (const f of edge) expect(normalize(decodeOk(encodeFrame(f)))).toEqual(normalize(f));
  });
});

describe('literal byte layouts', () => {
  it('HS3: type 04 then 64 signature bytes', () => {
    expect(toHex(encodeFrame({ type: FrameType.HS3, sigC: filled(64, 0x5c) }))).toBe('04' + '5c'.repeat(64));
  });

  it('READY: type 05 | 32 th | u64 time', () => {
    expect(toHex(encodeFrame({ type: FrameType.READY, transcriptHash: filled(32, 0x7e), timeMs: 0x0102_0304_0506 }))).toBe('05' + '7e'.repeat(32) + '0000010203040506');
  });

  it('MSG a2b: type | route | flags | hops | id | from | to | u32 len | body', () => {
    const f: Frame = { type: FrameType.MSG, route: Route.A2B, flags: 1, hops: 8, id: MSG_ID, from: ID_A, to: ID_B, body: new Uint8Array([0xca, 0xfe]) };
    expect(toHex(encodeFrame(f))).toBe('10' + '02' + '01' + '08' + '4d'.repeat(16) + 'a1'.repeat(32) + 'b2'.repeat(32) + '00000002' + 'cafe');
  });

  it('MSG a2g named: the group is a str8 after from', () => {
    const f: Frame = { type: FrameType.MSG, route: Route.A2G_NAMED, flags: 0, hops: 1, id: MSG_ID, from: ID_A, group: 'ab', body: new Uint8Array(0) };
    expect(toHex(encodeFrame(f))).toBe('10040001' + '4d'.repeat(16) + 'a1'.repeat(32) + '026162' + '00000000');
  });

  it('ACK: type | id | u32 delivered | u32 forwarded | u32 stored | u8 n | n x (id | u16 code)', () => {
    const f: Frame = { type: FrameType.ACK, id: MSG_ID, delivered: 3, forwarded: 4, stored: 5, missed: [{ id: ID_B, code: ErrorCode.RECIPIENT_OFFLINE }] };
    expect(toHex(encodeFrame(f))).toBe('11' + '4d'.repeat(16) + '00000003' + '00000004' + '00000005' + '01' + 'b2'.repeat(32) + u16(301));
  });

  it('FWD: type 31 | origin relay | u8 n | n x target | the MSG bytes unchanged', () => {
    const inner: MsgFrame = { type: FrameType.MSG, route: Route.A2A, flags: 0, hops: 2, id: MSG_ID, from: ID_A, body: new Uint8Array([0xee]) };
    const msgBytes = encodeFrame(inner);
    const f: Frame = { type: FrameType.FWD, originRelay: ID_B, targets: [ID_A], msg: msgBytes, inner };
    expect(toHex(encodeFrame(f))).toBe('31' + 'b2'.repeat(32) + '01' + 'a1'.repeat(32) + toHex(msgBytes));
  });

  it('RECEIPT: type 32 | to relay | u8 hops | sender | msg id | recipient | u16 status', () => {
    const f: Frame = { type: FrameType.RECEIPT, toRelay: ID_B, hops: 4, sender: ID_A, msgId: MSG_ID, recipient: ID_C, status: 1 };
    expect(toHex(encodeFrame(f))).toBe('32' + 'b2'.repeat(32) + '04' + 'a1'.repeat(32) + '4d'.repeat(16) + 'c3'.repeat(32) + '0001');
  });

  it('REQ GROUP_ADD and RES error', () => {
    const req: Frame = { type: FrameType.REQ, reqId: 0x01020304, op: Op.GROUP_ADD, name: 'g', members: [ID_B] };
    expect(toHex(encodeFrame(req))).toBe('20' + '01020304' + '03' + '0167' + '01' + 'b2'.repeat(32));
    const res: Frame = { type: FrameType.RES, reqId: 7, op: Op.GROUP_ADD, status: ErrorCode.NOT_GROUP_OWNER, message: 'no' };
    expect(toHex(encodeFrame(res))).toBe('21' + '00000007' + '03' + u16(305) + '0002' + '6e6f');
  });

  it('ERROR: type 7f | u16 code | 16 ref | str16 message', () => {
    const f: Frame = { type: FrameType.ERROR, code: ErrorCode.SPOOFED_SENDER, ref: MSG_ID, message: 'x' };
    expect(toHex(encodeFrame(f))).toBe('7f' + u16(302) + '4d'.repeat(16) + '0001' + '78');
  });

  it('EVENT presence: type 22 | kind 01 | id | u8 online | u64 time', () => {
    const f: Frame = { type: FrameType.EVENT, kind: EventKind.PRESENCE, id: ID_B, online: false, timeMs: 1 };
    expect(toHex(encodeFrame(f))).toBe('2201' + 'b2'.repeat(32) + '00' + '0000000000000001');
  });

  it('HELLO decodes from literal bytes', () => {
    const hello = bytes('01 01', 'b2'.repeat(32), '0000018bcfe56800', u32(131072), u16(64), u32(1000), u32(2000), u32(30000), u32(10000));
    const f = decodeOk(hello);
    expect(normalize(f)).toEqual(
      normalize({ type: 1, version: 1, relayId: ID_B, timeMs: 0x18bcfe56800, maxFrameBytes: 131072, maxRecipients: 64, ratePerSec: 1000, rateBurst: 2000, pingIntervalMs: 30000, handshakeTimeoutMs: 10000 }),
    );
  });
});

describe('strict decoding', () => {
  const samples = sampleFrames();
  const msgHead = (route: number, flags = 0, hops = 8): string => '10' + [route, flags, hops].map((n) => n.toString(16).padStart(2, '0')).join('') + hexOf(MSG_ID) + hexOf(ID_A);

  it('refuses an empty frame and a frame over the size limit', () => {
    expectCode(new Uint8Array(0), ErrorCode.MALFORMED_FRAME);
    expectCode(new Uint8Array(11).fill(0x10), ErrorCode.FRAME_TOO_LARGE, 10);
    expectCode(new Uint8Array(Limits.MAX_FRAME_BYTES + 1), ErrorCode.FRAME_TOO_LARGE);
    // the size check comes first: an over-size frame of an unknown type is still FRAME_TOO_LARGE
    expectCode(new Uint8Array(101).fill(0x55), ErrorCode.FRAME_TOO_LARGE, 100);
  });

  it('refuses unknown frame types', () => {
    const known = new Set<number>(Object.values(FrameType));
    for (let t = 0; t < 256; t++) {
      if (known.has(t)) continue;
      expectCode(bytes([t], '00'.repeat(40)), ErrorCode.UNKNOWN_FRAME_TYPE);
    }
  });

  it.each(samples.map((s) => [s.name, s.frame] as const))('%s: every truncation and one trailing byte are malformed', (_name, frame) => {
    const encoded = encodeFrame(frame);
    for (let n = 0; n < encoded.byteLength; n++) expectCode(encoded.subarray(0, n), ErrorCode.MALFORMED_FRAME);
    expectCode(bytes(encoded, [0]), ErrorCode.MALFORMED_FRAME);
  });

  it('HELLO of another version is UNSUPPORTED_VERSION', () => {
    for (const v of [0, 2, 255]) expectCode(bytes([1, v], '00'.repeat(62)), ErrorCode.UNSUPPORTED_VERSION);
  });

  it('HS1 with an unknown context or an over-long binding', () => {
    const hs1 = encodeFrame(samples.find((x) => x.name === 'HS1')!.frame);
    for (const ctx of [0, 4, 255]) {
      const bad = Uint8Array.from(hs1);
      bad[1] = ctx;
      expectCode(bad, ErrorCode.MALFORMED_FRAME);
    }
    const long = 'b'.repeat(Limits.MAX_BINDING_BYTES + 1);
    expectCode(bytes('0201', '00'.repeat(128), u16(long.length), Buffer.from(long), '00'.repeat(64)), ErrorCode.MALFORMED_FRAME);
  });

  it('MSG: unknown flags, unknown routes, bad lists, body length lies', () => {
    for (const flags of [0x04, 0x80, 0xff]) expectCode(bytes(msgHead(Route.A2A, flags), '00000000'), ErrorCode.MALFORMED_FRAME);
    for (const route of [0, 6, 0xff]) expectCode(bytes(msgHead(route), '00000000'), ErrorCode.MALFORMED_FRAME);
    expectCode(bytes(msgHead(Route.A2G_LIST), '00', '00000000'), ErrorCode.MALFORMED_FRAME);
    expectCode(bytes(msgHead(Route.A2G_LIST), '41', 'b2'.repeat(32 * 65), '00000000'), ErrorCode.MALFORMED_FRAME);
    expectCode(bytes(msgHead(Route.A2A), '00000003', 'aabb'), ErrorCode.MALFORMED_FRAME);
    expectCode(bytes(msgHead(Route.A2A), '00000001', 'aabb'), ErrorCode.MALFORMED_FRAME);
    expectCode(bytes(msgHead(Route.A2A), 'ffffffff'), ErrorCode.MALFORMED_FRAME);
    // hops is not the codec's business: any u8 decodes, the relay judges it (BAD_HOPS)
    expect(decodeOk(bytes(msgHead(Route.A2A, 0, 0), '00000000')).type).toBe(FrameType.MSG);
  });

  it('group names: empty, too long, control characters, outer spaces, bad UTF-8', () => {
    const named = (name: Uint8Array): Uint8Array => bytes(msgHead(Route.A2G_NAMED), [name.byteLength], name, '00000000');
    expect(decodeOk(named(Buffer.from('ok name'))).type).toBe(FrameType.MSG);
    for (const bad of [
      Buffer.alloc(0),
      Buffer.from('x'.repeat(65)),
      Buffer.from('tab\there'),
      Buffer.from('nul\u0000'),
      Buffer.from('c1\u0085'),
      Buffer.from(' lead'),
      Buffer.from('trail '),
      Buffer.from([0xc3, 0x28]),
      Buffer.from([0xed, 0xa0, 0x80]),
    ]) {
      expectCode(named(bad), ErrorCode.MALFORMED_FRAME);
    }
    expect(groupNameProblem('team')).toBeNull();
    expect(groupNameProblem(' team')).not.toBeNull();
  });

  it('ACK: too many missed recipients or a code that is no error code; newer codes are kept', () => {
    const head = bytes('11', hexOf(MSG_ID), '00000000', '00000000', '00000000');
    expectCode(bytes(head, '41', ('b2'.repeat(32) + u16(300)).repeat(65)), ErrorCode.MALFORMED_FRAME);
    for (const code of [0, 99]) expectCode(bytes(head, '01', 'b2'.repeat(32), u16(code)), ErrorCode.MALFORMED_FRAME);
    const f = decodeOk(bytes(head, '01', 'b2'.repeat(32), u16(999)));
    expect(f.type === FrameType.ACK && f.missed[0]!.code).toBe(999);
  });

  it('ROUTE: unknown actions and paths of 0 or more than MAX_HOPS relays', () => {
    for (const action of [0, 3, 0xff]) expectCode(bytes('30', [action], 'c3'.repeat(32)), ErrorCode.MALFORMED_FRAME);
    const announce = (n: number): Uint8Array => bytes('3001', 'c3'.repeat(32), '1a'.repeat(32), '0000000000000001', '70'.repeat(64), [n], '1b'.repeat(32 * n));
    expect(decodeOk(announce(Limits.MAX_HOPS)).type).toBe(FrameType.ROUTE);
    expectCode(announce(0), ErrorCode.MALFORMED_FRAME);
    expectCode(announce(Limits.MAX_HOPS + 1), ErrorCode.MALFORMED_FRAME);
  });

  it('FWD: too many targets, or anything but one MSG inside', () => {
    const inner = encodeFrame({ type: FrameType.MSG, route: Route.A2A, flags: 0, hops: 2, id: MSG_ID, from: ID_A, body: new Uint8Array(0) });
    const fwd = (n: number, rest: Uint8Array): Uint8Array => bytes('31', '1a'.repeat(32), [n], 'b2'.repeat(32 * n), rest);
    expect(decodeOk(fwd(Limits.MAX_RECIPIENTS, inner)).type).toBe(FrameType.FWD);
    expectCode(fwd(Limits.MAX_RECIPIENTS + 1, inner), ErrorCode.MALFORMED_FRAME);
    expectCode(fwd(0, new Uint8Array(0)), ErrorCode.MALFORMED_FRAME);
    expectCode(fwd(0, encodeFrame({ type: FrameType.HS3, sigC: filled(64, 1) })), ErrorCode.MALFORMED_FRAME);
    expectCode(fwd(0, bytes(inner, [0])), ErrorCode.MALFORMED_FRAME);
  });

  it('FWD nested in FWD is refused without recursing (a frame of nested FWDs stays cheap)', () => {
    const inner = encodeFrame({ type: FrameType.MSG, route: Route.A2A, flags: 0, hops: 2, id: MSG_ID, from: ID_A, body: new Uint8Array(0) });
    let nested: Uint8Array = inner;
    for (let i = 0; i < 7000; i++) nested = bytes('31', '1a'.repeat(32), '00', nested);
    const r = decodeFrame(nested);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(errorName(r.error.code)).toBe('MALFORMED_FRAME');
      expect(r.error.message).toMatch(/FWD carries FWD/);
    }
  });

  it('RES ROUTE_OF and LINKS: unknown kinds, long paths, non-boolean flags', () => {
    expectCode(bytes('21', u32(1), '0a', '0000', '04', '00'), ErrorCode.MALFORMED_FRAME);
    expectCode(bytes('21', u32(1), '0a', '0000', '02', [Limits.MAX_HOPS + 1], '1a'.repeat(32 * (Limits.MAX_HOPS + 1))), ErrorCode.MALFORMED_FRAME);
    const link = (outbound: number): Uint8Array => bytes('21', u32(1), '09', '0000', '01', '1a'.repeat(32), [outbound], '01', u32(1), u32(2), '0000');
    expect(decodeOk(link(1)).type).toBe(FrameType.RES);
    expectCode(link(2), ErrorCode.MALFORMED_FRAME);
  });

  it('REQ: unknown ops, empty member lists', () => {
    for (const op of [0, 8, 0xff]) expectCode(bytes('20', u32(1), [op]), ErrorCode.MALFORMED_FRAME);
    expectCode(bytes('20', u32(1), '03', '0167', '00'), ErrorCode.MALFORMED_FRAME);
    expectCode(bytes('20', u32(1), '07', '02', 'b2'.repeat(32)), ErrorCode.MALFORMED_FRAME);
  });

  it('RES: an unknown status from a newer relay is kept; non-boolean flags, oversize times and groups are not', () => {
    const kept = decodeOk(bytes('21', u32(1), '02', u16(999), '0000'));
    expect(kept.type === FrameType.RES && kept.status).toBe(999);
    expectCode(bytes('21', u32(1), '01', '0000', '0001', 'a1'.repeat(32), '02', '0000000000000000'), ErrorCode.MALFORMED_FRAME);
    expectCode(bytes('21', u32(1), '01', '0000', '0001', 'a1'.repeat(32), '01', '0020000000000000'), ErrorCode.MALFORMED_FRAME);
    expectCode(bytes('21', u32(1), '05', '0000', '0001', '0167', 'a1'.repeat(32), u16(1025)), ErrorCode.MALFORMED_FRAME);
    expectCode(bytes('21', u32(1), '07', '0000', '01', 'a1'.repeat(32), '07'), ErrorCode.MALFORMED_FRAME);
  });

  it('EVENT: unknown kind, non-boolean online, over-long notice', () => {
    expectCode(bytes('2203', '00'), ErrorCode.MALFORMED_FRAME);
    expectCode(bytes('2201', 'b2'.repeat(32), '02', '0000000000000000'), ErrorCode.MALFORMED_FRAME);
    expectCode(bytes('2202', u16(Limits.MAX_TEXT_BYTES + 1), '61'.repeat(Limits.MAX_TEXT_BYTES + 1)), ErrorCode.MALFORMED_FRAME);
  });

  it('READY and HELLO times above 2^53-1 are malformed', () => {
    expectCode(bytes('05', '7e'.repeat(32), '0020000000000000'), ErrorCode.MALFORMED_FRAME);
    expect(decodeOk(bytes('05', '7e'.repeat(32), '001fffffffffffff')).type).toBe(FrameType.READY);
  });

  it('ERROR: an unknown code from a newer peer is kept; bad UTF-8 is not', () => {
    const f = decodeOk(bytes('7f', u16(999), '00'.repeat(16), '0000'));
    expect(f.type === FrameType.ERROR && f.code).toBe(999);
    expect(errorName(999)).toBe('E999');
    expectCode(bytes('7f', u16(100), '00'.repeat(16), '0001', 'ff'), ErrorCode.MALFORMED_FRAME);
  });
});

describe('encoder guards (caller mistakes throw at once)', () => {
  const base = { type: FrameType.MSG, flags: 0, hops: 8, id: MSG_ID, from: ID_A, body: new Uint8Array(0) } as const;

  it('wrong field sizes, unknown flags, out-of-range integers', () => {
    expect(() => encodeFrame({ ...base, route: Route.A2B, to: new Uint8Array(31) })).toThrow(RangeError);
    expect(() => encodeFrame({ ...base, id: new Uint8Array(15), route: Route.A2A })).toThrow(RangeError);
    expect(() => encodeFrame({ ...base, flags: 4, route: Route.A2A })).toThrow(RangeError);
    expect(() => encodeFrame({ ...base, hops: 256, route: Route.A2A })).toThrow(RangeError);
    expect(() => encodeFrame({ type: FrameType.READY, transcriptHash: filled(32, 0), timeMs: -1 })).toThrow(RangeError);
    expect(() => encodeFrame({ type: FrameType.READY, transcriptHash: filled(32, 0), timeMs: 2 ** 53 })).toThrow(RangeError);
  });

  it('recipient lists and group names', () => {
    expect(() => encodeFrame({ ...base, route: Route.A2G_LIST, to: [] })).toThrow(RangeError);
    expect(() => encodeFrame({ ...base, route: Route.A2G_LIST, to: Array.from({ length: 65 }, () => ID_B) })).toThrow(RangeError);
    for (const group of ['', ' x', 'x\n', 'é'.repeat(33)]) expect(() => encodeFrame({ ...base, route: Route.A2G_NAMED, group })).toThrow(RangeError);
    expect(() => encodeFrame({ type: FrameType.REQ, reqId: 1, op: Op.WATCH, ids: Array.from({ length: 256 }, () => ID_B) })).toThrow(RangeError);
    expect(() => encodeFrame({ type: FrameType.REQ, reqId: 2 ** 32, op: Op.LIST_PEERS })).toThrow(RangeError);
    expect(() => encodeFrame({ type: FrameType.ROUTE, action: 1, dest: ID_B, origin: ID_A, proofTimeMs: 1, proofSig: filled(64, 1), path: [] })).toThrow(RangeError);
    const inner = { ...base, route: Route.A2A } as const;
    expect(() => encodeFrame({ type: FrameType.FWD, originRelay: ID_A, targets: Array.from({ length: 65 }, () => ID_B), msg: encodeFrame(inner), inner })).toThrow(RangeError);
  });

  it('text fields: notices over the limit throw, ERROR messages are cut at a character boundary', () => {
    expect(() => encodeFrame({ type: FrameType.EVENT, kind: EventKind.NOTICE, text: 'x'.repeat(Limits.MAX_TEXT_BYTES + 1) })).toThrow(RangeError);
    const long = '€'.repeat(2000); // 3 bytes each: 6000 bytes
    const f = decodeOk(encodeFrame({ type: FrameType.ERROR, code: ErrorCode.INTERNAL, ref: MSG_ID, message: long }));
    if (f.type !== FrameType.ERROR) throw new Error('not ERROR');
    expect(f.message).toBe('€'.repeat(1365));
    expect(truncateUtf8('a€b', 3)).toBe('a');
    expect(truncateUtf8('short', 100)).toBe('short');
  });
});

describe('error codes', () => {
  it('are unique, named, and recognised', () => {
    const codes = Object.values(ErrorCode);
    expect(new Set(codes).size).toBe(codes.length);
    for (const [name, code] of Object.entries(ErrorCode)) {
      expect(errorName(code)).toBe(name);
      expect(isErrorCode(code)).toBe(true);
    }
    expect(isErrorCode(0)).toBe(false);
    expect(new W2wError(ErrorCode.RECIPIENT_OFFLINE, 'gone').toString()).toBe('RECIPIENT_OFFLINE (301): gone');
  });

  it('frame type names', () => {
    expect(frameTypeName(FrameType.MSG)).toBe('MSG');
    expect(frameTypeName(0x55)).toBe('0x55');
  });
});
