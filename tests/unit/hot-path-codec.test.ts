// The relay's in-place readers and writers (forwarding without decoding) against the strict codec:
// each must accept exactly what decodeFrame accepts and build exactly what encodeFrame builds.
import { describe, expect, it } from 'vitest';
import { EventKind, FrameType, Limits, Route } from '../../src-shared/protocol/constants.js';
import { decodeFrame, encodeFrame, encodeFwd, encodeReceipt, isWellFormedA2b, isWellFormedFwdA2b, isWellFormedReceipt, receiptEventOf, type MsgFrame } from '../../src-shared/protocol/frames.js';
import { toHex } from '../../src-shared/ids.js';
import { idEqualAt } from '../../src-main/relay/id-key.js';
import { tickNow } from '../../src-main/relay/tick-clock.js';
import { ID_A, ID_B, ID_C, MSG_ID, RELAY_A, sampleFrames } from '../helpers/frames.js';
import { Mutator } from '../helpers/mutate.js';

const a2b: MsgFrame = { type: FrameType.MSG, route: Route.A2B, flags: 1, hops: 8, id: MSG_ID, from: ID_A, to: ID_B, body: new Uint8Array([9, 8, 7]) };

/** Whether the strict decoder takes `b` as the frame type / route the in-place reader claims. */
function strictA2b(b: Uint8Array): boolean {
  const d = decodeFrame(b, Number.MAX_SAFE_INTEGER);
  return d.ok && d.frame.type === FrameType.MSG && d.frame.route === Route.A2B;
}
function strictReceipt(b: Uint8Array): boolean {
  const d = decodeFrame(b, Number.MAX_SAFE_INTEGER);
  return d.ok && d.frame.type === FrameType.RECEIPT;
}

function strictFwdA2b(b: Uint8Array): boolean {
  const d = decodeFrame(b, Number.MAX_SAFE_INTEGER);
  return d.ok && d.frame.type === FrameType.FWD && d.frame.targets.length === 1 && d.frame.inner.route === Route.A2B;
}

describe('in-place readers agree with the strict decoder', () => {
  it('isWellFormedA2b and isWellFormedReceipt on 50,000 mutated frames', () => {
    const receipt = encodeFrame({ type: FrameType.RECEIPT, toRelay: RELAY_A, hops: 3, sender: ID_A, msgId: MSG_ID, recipient: ID_B, status: 2 });
    // the frames the readers look for, several times over, among every other frame shape
    const bases = [...sampleFrames().map((s) => encodeFrame(s.frame)), ...Array.from({ length: 6 }, () => [encodeFrame(a2b), encodeFrame({ ...a2b, body: new Uint8Array(0) }), receipt]).flat()];
    const m = new Mutator(0x5eed, bases);
    let a2bSeen = 0;
    let receiptSeen = 0;
    for (let i = 0; i < 50_000; i++) {
      const { bytes } = m.next();
      const fast = isWellFormedA2b(bytes);
      if (fast !== strictA2b(bytes)) throw new Error(`isWellFormedA2b says ${fast} for ${toHex(bytes)}`);
      const r = isWellFormedReceipt(bytes);
      if (r !== strictReceipt(bytes)) throw new Error(`isWellFormedReceipt says ${r} for ${toHex(bytes)}`);
      if (fast) a2bSeen++;
      if (r) receiptSeen++;
    }
    // both kinds were accepted often enough for the comparison to mean something
    expect(a2bSeen).toBeGreaterThan(500);
    expect(receiptSeen).toBeGreaterThan(200);
  });

  it('isWellFormedFwdA2b on 50,000 mutated frames', () => {
    const msg = encodeFrame(a2b);
    const empty = encodeFrame({ ...a2b, body: new Uint8Array(0) });
    // one-target a2b FWDs, several times over, next to the FWDs it must refuse (two targets, other
    // routes, a flood) and every other frame shape
    const near = [
      encodeFwd(RELAY_A, [ID_B], msg, 7),
      encodeFwd(RELAY_A, [ID_C], empty, 1),
      encodeFwd(RELAY_A, [ID_B, ID_C], msg, 7),
      encodeFwd(RELAY_A, [ID_A], encodeFrame({ ...a2b, route: Route.A2A } as MsgFrame), 7),
      encodeFwd(RELAY_A, [], encodeFrame({ ...a2b, route: Route.A2N } as MsgFrame), 7),
    ];
    const bases = [...sampleFrames().map((s) => encodeFrame(s.frame)), ...Array.from({ length: 4 }, () => near).flat()];
    const m = new Mutator(0xf3d, bases);
    let seen = 0;
    for (let i = 0; i < 50_000; i++) {
      const { bytes } = m.next();
      const fast = isWellFormedFwdA2b(bytes);
      if (fast !== strictFwdA2b(bytes)) throw new Error(`isWellFormedFwdA2b says ${fast} for ${toHex(bytes)}`);
      if (fast) seen++;
    }
    expect(seen).toBeGreaterThan(500);
  });

  it('isWellFormedFwdA2b refuses two targets, another route, a bad inner MSG and a short frame', () => {
    const msg = encodeFrame(a2b);
    const good = encodeFwd(RELAY_A, [ID_B], msg, 7);
    expect(isWellFormedFwdA2b(good)).toBe(true);
    expect(isWellFormedFwdA2b(encodeFwd(RELAY_A, [ID_B, ID_C], msg, 7))).toBe(false);
    expect(isWellFormedFwdA2b(encodeFwd(RELAY_A, [ID_A], encodeFrame({ ...a2b, route: Route.A2A } as MsgFrame), 7))).toBe(false);
    expect(isWellFormedFwdA2b(good.subarray(0, good.byteLength - 1))).toBe(false);
    expect(isWellFormedFwdA2b(good.subarray(0, 66))).toBe(false);
    const flags = Uint8Array.from(good);
    flags[66 + 2] = 0x80;
    expect(isWellFormedFwdA2b(flags)).toBe(false);
    const count = Uint8Array.from(good);
    count[33] = 0;
    expect(isWellFormedFwdA2b(count)).toBe(false);
  });

  it('isWellFormedA2b refuses unknown flags, a body length that lies, and other routes', () => {
    const good = encodeFrame(a2b);
    expect(isWellFormedA2b(good)).toBe(true);
    const flags = Uint8Array.from(good);
    flags[2] = 0x80;
    expect(isWellFormedA2b(flags)).toBe(false);
    expect(isWellFormedA2b(good.subarray(0, good.byteLength - 1))).toBe(false);
    expect(isWellFormedA2b(Buffer.concat([good, new Uint8Array(1)]))).toBe(false);
    expect(isWellFormedA2b(encodeFrame({ ...a2b, route: Route.A2A } as MsgFrame))).toBe(false);
  });
});

describe('in-place writers agree with the encoder', () => {
  it('encodeFwd gives encodeFrame(FWD) of the MSG with its hops replaced, without touching the MSG', () => {
    const msg = encodeFrame(a2b);
    const before = toHex(msg);
    const fwd = encodeFwd(RELAY_A, [ID_B, ID_C], msg, 7);
    const lowered = Uint8Array.from(msg);
    lowered[3] = 7;
    const inner = decodeFrame(lowered);
    if (!inner.ok || inner.frame.type !== FrameType.MSG) throw new Error('inner MSG');
    expect(toHex(fwd)).toBe(toHex(encodeFrame({ type: FrameType.FWD, originRelay: RELAY_A, targets: [ID_B, ID_C], msg: lowered, inner: inner.frame })));
    expect(toHex(msg)).toBe(before);
    expect(() => encodeFwd(RELAY_A, Array.from({ length: Limits.MAX_RECIPIENTS + 1 }, () => ID_B), msg, 7)).toThrow(RangeError);
    expect(() => encodeFwd(RELAY_A, [ID_B.subarray(1)], msg, 7)).toThrow(RangeError);
    expect(() => encodeFwd(RELAY_A, [], encodeFrame({ type: FrameType.HS3, sigC: new Uint8Array(64) }), 7)).toThrow(RangeError);
  });

  it('encodeReceipt gives encodeFrame(RECEIPT), and refuses what encodeFrame refuses', () => {
    for (const status of [0, 1, 301, 0xffff]) {
      expect(toHex(encodeReceipt(RELAY_A, 16, ID_A, MSG_ID, ID_B, status))).toBe(
        toHex(encodeFrame({ type: FrameType.RECEIPT, toRelay: RELAY_A, hops: 16, sender: ID_A, msgId: MSG_ID, recipient: ID_B, status })),
      );
    }
    expect(() => encodeReceipt(RELAY_A, 256, ID_A, MSG_ID, ID_B, 1)).toThrow(RangeError);
    expect(() => encodeReceipt(RELAY_A, 1, ID_A, MSG_ID, ID_B, 0x10000)).toThrow(RangeError);
    expect(() => encodeReceipt(RELAY_A, 1, ID_A, MSG_ID.subarray(1), ID_B, 1)).toThrow(RangeError);
    expect(() => encodeReceipt(RELAY_A, 1, ID_A.subarray(1), MSG_ID, ID_B, 1)).toThrow(RangeError);
  });

  it('receiptEventOf gives the EVENT RECEIPT encodeFrame builds from the RECEIPT fields', () => {
    const receipt = encodeFrame({ type: FrameType.RECEIPT, toRelay: RELAY_A, hops: 3, sender: ID_A, msgId: MSG_ID, recipient: ID_B, status: 2 });
    expect(toHex(receiptEventOf(receipt))).toBe(toHex(encodeFrame({ type: FrameType.EVENT, kind: EventKind.RECEIPT, msgId: MSG_ID, recipient: ID_B, status: 2 })));
  });

  it('idEqualAt compares 32 bytes in place', () => {
    const b = Buffer.concat([new Uint8Array(5), ID_B]);
    expect(idEqualAt(b, 5, ID_B)).toBe(true);
    expect(idEqualAt(b, 4, ID_B)).toBe(false);
    expect(idEqualAt(b, 6, ID_B)).toBe(false);
    expect(idEqualAt(b, 5, ID_C)).toBe(false);
  });
});

describe('tickNow', () => {
  it('reads the clock once per synchronous run and again after it', async () => {
    const t0 = tickNow();
    const spinUntil = performance.now() + 2;
    while (performance.now() < spinUntil) {
      // let real time pass within this run
    }
    expect(tickNow()).toBe(t0);
    await new Promise((r) => setTimeout(r, 2));
    expect(tickNow()).toBeGreaterThan(t0);
  });
});
