// End-to-end body codec (src-shared/protocol/e2e.ts): round trips of every kind, strict decoding of
// untrusted bodies (codes, never a throw), caller mistakes, and the exact bytes of the envelope AD.
import { describe, expect, it } from 'vitest';
import { FrameType, HandshakeContext, Route } from '../../src-shared/protocol/constants.js';
import { E2eKind, decodeE2e, encodeE2e, envelopeAd, type E2eBody } from '../../src-shared/protocol/e2e.js';
import { ErrorCode, errorName } from '../../src-shared/protocol/errors.js';
import { encodeFrame, type Hs1Frame, type MsgTarget } from '../../src-shared/protocol/frames.js';
import { toHex } from '../../src-shared/ids.js';
import { ID_A, ID_B, ID_C, MSG_ID, filled } from '../helpers/frames.js';

const SESSION = filled(16, 0x5e);
const HS_ID = filled(16, 0x48);
const hs1: Hs1Frame = {
  type: FrameType.HS1, ctx: HandshakeContext.E2E, idA: ID_A, ephA: filled(32, 1), nonceA: filled(32, 2), expectedIdB: ID_B, binding: '', sigA: filled(64, 3),
};

const samples: [string, E2eBody][] = [
  ['HANDSHAKE', { kind: E2eKind.HANDSHAKE, hsId: HS_ID, frame: hs1, frameBytes: encodeFrame(hs1) }],
  ['SEALED', { kind: E2eKind.SEALED, sessionId: SESSION, counter: 2 ** 53 - 1, ciphertext: filled(40, 0xcc) }],
  [
    'SEALED_MULTI',
    {
      kind: E2eKind.SEALED_MULTI,
      parts: [
        { recipient: ID_B, sessionId: SESSION, counter: 0, ciphertext: filled(16, 1) },
        { recipient: ID_C, sessionId: filled(16, 7), counter: 9, ciphertext: filled(33, 2) },
      ],
    },
  ],
  ['SIGNED', { kind: E2eKind.SIGNED, sig: filled(64, 0x51), payload: filled(5, 9) }],
  ['SIGNED, empty payload', { kind: E2eKind.SIGNED, sig: filled(64, 0x51), payload: new Uint8Array(0) }],
  ['BOX', { kind: E2eKind.BOX, ephemeral: filled(32, 0xe0), sig: filled(64, 0x52), ciphertext: filled(17, 3) }],
  ['REJECT', { kind: E2eKind.REJECT, ref: SESSION, code: ErrorCode.BAD_REQUEST }],
];

function normalize(v: unknown): unknown {
  if (v instanceof Uint8Array) return toHex(v);
  if (Array.isArray(v)) return v.map(normalize);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalize(x)]));
  return v;
}

function codeOf(bytes: Uint8Array): string {
  const d = decodeE2e(bytes);
  return d.ok ? 'accepted' : errorName(d.error.code);
}

describe('e2e body round trips', () => {
  it.each(samples)('%s: encode -> decode -> equal -> same bytes', (_name, body) => {
    const bytes = encodeE2e(body);
    const d = decodeE2e(bytes);
    if (!d.ok) throw d.error;
    expect(normalize(d.body)).toEqual(normalize(body));
    expect(toHex(encodeE2e(d.body))).toBe(toHex(bytes));
  });

  it('covers every body kind', () => {
    expect(new Set(samples.map(([, b]) => b.kind))).toEqual(new Set(Object.values(E2eKind)));
  });

  it('lays SEALED out as kind | sessionId | u64 counter | ciphertext', () => {
    const bytes = encodeE2e({ kind: E2eKind.SEALED, sessionId: SESSION, counter: 2 ** 32 + 1, ciphertext: filled(16, 0xcc) });
    expect(toHex(bytes)).toBe(`02${toHex(SESSION)}0000000100000001${'cc'.repeat(16)}`);
  });

  it('lays REJECT out as kind | ref | u16 code', () => {
    expect(toHex(encodeE2e({ kind: E2eKind.REJECT, ref: SESSION, code: 310 }))).toBe(`06${toHex(SESSION)}0136`);
  });
});

describe('e2e body strictness', () => {
  it.each(samples)('%s: every truncation is refused with a code, never a throw', (_name, body) => {
    const bytes = encodeE2e(body);
    // SIGNED, SEALED and BOX run to the end of the body: cut inside the payload or ciphertext (keeping
    // the 16-byte tag), they are still valid, shorter bodies. Below that every cut is refused.
    const minimum: Partial<Record<number, number>> = { [E2eKind.SIGNED]: 1 + 64, [E2eKind.SEALED]: 1 + 16 + 8 + 16, [E2eKind.BOX]: 1 + 32 + 64 + 16 };
    const shortest = minimum[body.kind] ?? bytes.byteLength;
    for (let n = 0; n < shortest; n++) expect(codeOf(bytes.subarray(0, n)), `${n} bytes`).not.toBe('accepted');
  });

  it('refuses a trailing byte where the layout is exact', () => {
    for (const [, body] of samples.filter(([, b]) => b.kind === E2eKind.REJECT || b.kind === E2eKind.SEALED_MULTI || b.kind === E2eKind.HANDSHAKE)) {
      expect(codeOf(Buffer.concat([encodeE2e(body), Buffer.of(0)]))).toBe('MALFORMED_FRAME');
    }
  });

  it.each([
    ['empty', [], 'MALFORMED_FRAME'],
    ['kind 0', [0], 'MALFORMED_FRAME'],
    ['kind 7', [7, ...new Array(40).fill(0)], 'MALFORMED_FRAME'],
    ['kind 0xff', [0xff], 'MALFORMED_FRAME'],
    ['SEALED, ciphertext of 15 bytes', [2, ...SESSION, ...new Array(8).fill(0), ...new Array(15).fill(0)], 'MALFORMED_FRAME'],
    ['SEALED, counter 2^53', [2, ...SESSION, 0, 0x20, 0, 0, 0, 0, 0, 0, ...new Array(16).fill(0)], 'MALFORMED_FRAME'],
    ['SEALED_MULTI of 0 parts', [3, 0], 'MALFORMED_FRAME'],
    ['SEALED_MULTI of 65 parts', [3, 65], 'MALFORMED_FRAME'],
    ['BOX, ciphertext of 15 bytes', [5, ...new Array(96).fill(0), ...new Array(15).fill(0)], 'MALFORMED_FRAME'],
    ['HANDSHAKE carrying an unknown frame type', [1, ...HS_ID, 0x06], 'UNKNOWN_FRAME_TYPE'],
    ['HANDSHAKE carrying READY', [1, ...HS_ID, ...encodeFrame({ type: FrameType.READY, transcriptHash: filled(32, 1), timeMs: 1 })], 'MALFORMED_FRAME'],
    ['HANDSHAKE carrying a MSG', [1, ...HS_ID, ...encodeFrame({ type: FrameType.MSG, route: Route.A2A, flags: 0, hops: 1, id: MSG_ID, from: ID_A, body: new Uint8Array(0) })], 'MALFORMED_FRAME'],
  ] as const)('%s: %s', (_name, bytes, code) => {
    expect(codeOf(Uint8Array.from(bytes))).toBe(code);
  });

  it('never throws on arbitrary bytes', () => {
    let seed = 0x2545f491;
    const rand = (): number => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) / 0x1_0000_0000;
    };
    for (let i = 0; i < 5000; i++) {
      const bytes = Uint8Array.from({ length: Math.floor(rand() * 300) }, () => Math.floor(rand() * 256));
      if (bytes.byteLength > 0) bytes[0] = 1 + Math.floor(rand() * 7);
      expect(() => decodeE2e(bytes)).not.toThrow();
    }
  });

  it('leaves the context of a carried HS1 to the session layer', () => {
    // The codec only checks that HS1 decodes; a c2s HS1 is refused later, by the e2e responder (WRONG_CONTEXT).
    const c2s = { ...hs1, ctx: HandshakeContext.C2S };
    expect(codeOf(encodeE2e({ kind: E2eKind.HANDSHAKE, hsId: HS_ID, frame: c2s, frameBytes: encodeFrame(c2s) }))).toBe('accepted');
  });
});

describe('e2e encoder guards (caller mistakes throw at once)', () => {
  it.each([
    ['a short session ID', (): unknown => encodeE2e({ kind: E2eKind.SEALED, sessionId: filled(15, 1), counter: 0, ciphertext: filled(16, 0) })],
    ['a counter above 2^53-1', (): unknown => encodeE2e({ kind: E2eKind.SEALED, sessionId: SESSION, counter: 2 ** 53, ciphertext: filled(16, 0) })],
    ['no parts', (): unknown => encodeE2e({ kind: E2eKind.SEALED_MULTI, parts: [] })],
    [
      '65 parts',
      (): unknown =>
        encodeE2e({ kind: E2eKind.SEALED_MULTI, parts: Array.from({ length: 65 }, () => ({ recipient: ID_B, sessionId: SESSION, counter: 0, ciphertext: filled(16, 0) })) }),
    ],
    ['a short hsId', (): unknown => encodeE2e({ kind: E2eKind.HANDSHAKE, hsId: filled(8, 1), frame: hs1, frameBytes: encodeFrame(hs1) })],
    ['a 63-byte signature', (): unknown => encodeE2e({ kind: E2eKind.SIGNED, sig: filled(63, 1), payload: new Uint8Array(0) })],
  ])('%s', (_name, make) => {
    expect(make).toThrow(RangeError);
  });
});

describe('envelopeAd', () => {
  const label = toHex(new TextEncoder().encode('w2w/1 ad'));
  const head = (route: number): string => `${label}${route.toString(16).padStart(2, '0')}${toHex(MSG_ID)}${toHex(ID_A)}`;
  const cases: [string, MsgTarget, string][] = [
    ['a2a', { route: Route.A2A }, head(1)],
    ['a2b', { route: Route.A2B, to: ID_B }, `${head(2)}${toHex(ID_B)}`],
    ['a2g-list', { route: Route.A2G_LIST, to: [ID_B, ID_C] }, `${head(3)}02${toHex(ID_B)}${toHex(ID_C)}`],
    ['a2g-named', { route: Route.A2G_NAMED, group: 'team' }, `${head(4)}04${toHex(new TextEncoder().encode('team'))}`],
    ['a2n', { route: Route.A2N }, head(5)],
  ];

  it.each(cases)('%s: "w2w/1 ad" | route | msgId | from | target', (_name, target, hex) => {
    expect(toHex(envelopeAd(target, MSG_ID, ID_A))).toBe(hex);
  });

  it('covers what relays must not change, and nothing they may (hops, flags)', () => {
    const base = envelopeAd({ route: Route.A2B, to: ID_B }, MSG_ID, ID_A);
    expect(toHex(envelopeAd({ route: Route.A2B, to: ID_C }, MSG_ID, ID_A))).not.toBe(toHex(base));
    expect(toHex(envelopeAd({ route: Route.A2B, to: ID_B }, filled(16, 1), ID_A))).not.toBe(toHex(base));
    expect(toHex(envelopeAd({ route: Route.A2B, to: ID_B }, MSG_ID, ID_C))).not.toBe(toHex(base));
    // A MSG frame's hops and flags are not inputs: the same envelope whatever a relay does to them.
    const frameTarget = { type: FrameType.MSG, flags: 3, hops: 2, id: MSG_ID, from: ID_A, body: new Uint8Array(0), route: Route.A2B, to: ID_B } as const;
    expect(toHex(envelopeAd(frameTarget, MSG_ID, ID_A))).toBe(toHex(base));
  });
});
