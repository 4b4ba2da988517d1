// The sealed a2b fast path: buildSealedA2b makes exactly the bytes of encodeFrame(MSG{SEALED body}) with
// the ciphertext of E2eSession.seal, in one buffer; the peer opens it with its prebuilt AD; A2bAd gives
// the envelope AD of §11.3 for every message ID.
import { describe, expect, it } from 'vitest';
import { FrameType, HandshakeContext, Limits, MsgFlag, Route } from '../../src-shared/protocol/constants.js';
import { E2eKind, decodeE2e, encodeE2e, envelopeAd } from '../../src-shared/protocol/e2e.js';
import { decodeFrame, encodeFrame, type MsgFrame } from '../../src-shared/protocol/frames.js';
import { toHex } from '../../src-shared/ids.js';
import { HandshakeInitiator, HandshakeResponder } from '../../src-main/crypto/handshake.js';
import { generateIdentity } from '../../src-main/crypto/identity.js';
import { A2bAd } from '../../src-main/e2e/a2b-ad.js';
import { SEALED_A2B_OVERHEAD, buildSealedA2b } from '../../src-main/e2e/sealed-frame.js';
import { E2eSession } from '../../src-main/e2e/session.js';

function sessions(withIds = true) {
  const a = generateIdentity();
  const b = generateIdentity();
  const init = new HandshakeInitiator(HandshakeContext.E2E, a, b.publicKey, '');
  const resp = new HandshakeResponder({ ctx: HandshakeContext.E2E, identity: b, acceptBinding: (x) => x === '' });
  const m2 = resp.respond(init.start());
  if (!m2.ok) throw m2.error;
  const m3 = init.finish(m2.value);
  if (!m3.ok) throw m3.error;
  const rb = resp.finish(m3.value.m3);
  if (!rb.ok) throw rb.error;
  // Two sessions per side with the same keys: one seals the slow way, one the fast way.
  const copy = (r: typeof rb.value) => ({ ...r, sendKey: Buffer.from(r.sendKey), recvKey: Buffer.from(r.recvKey) });
  return {
    a,
    b,
    fastA: new E2eSession(copy(m3.value.result), withIds ? a.publicKey : undefined),
    slowA: new E2eSession(copy(m3.value.result)),
    b1: new E2eSession(copy(rb.value), withIds ? b.publicKey : undefined),
  };
}

describe('A2bAd', () => {
  it('is the envelope AD of §11.3 for each message ID, built once', () => {
    const from = new Uint8Array(32).fill(1);
    const to = new Uint8Array(32).fill(2);
    const ad = new A2bAd(from, to);
    for (const fill of [0x00, 0x5a, 0xff]) {
      const id = new Uint8Array(16).fill(fill);
      expect(toHex(ad.withId(id))).toBe(toHex(envelopeAd({ route: Route.A2B, to }, id, from)));
    }
  });
});

describe('buildSealedA2b', () => {
  it('makes the bytes of encodeFrame(MSG with a SEALED body) for the same counter, flags, hops and ID', () => {
    const { a, fastA, slowA } = sessions();
    const id = new Uint8Array(16).fill(0x33);
    for (const [payload, flags] of [
      [Buffer.from('hello'), 0],
      [Buffer.alloc(1024, 7), MsgFlag.ACK],
      [Buffer.alloc(0), MsgFlag.ACK | MsgFlag.STORE],
      [Buffer.alloc(65_573, 9), 0],
    ] as const) {
      const fast = buildSealedA2b(fastA, a.publicKey, payload, flags, Limits.DEFAULT_HOPS, id);
      const ad = envelopeAd({ route: Route.A2B, to: slowA.peerId }, id, a.publicKey);
      const { counter, ciphertext } = slowA.seal(ad, payload);
      const body = encodeE2e({ kind: E2eKind.SEALED, sessionId: slowA.sessionId, counter, ciphertext });
      const slow = encodeFrame({ type: FrameType.MSG, route: Route.A2B, flags, hops: Limits.DEFAULT_HOPS, id, from: a.publicKey, to: slowA.peerId, body } as MsgFrame);
      expect(toHex(fast.frame)).toBe(toHex(slow));
      expect(toHex(fast.id)).toBe(toHex(id));
      expect(fast.frame.byteLength).toBe(payload.byteLength + SEALED_A2B_OVERHEAD);
    }
  });

  it('gives every message a fresh random ID and the next counter; the peer opens each with its prebuilt AD', () => {
    const { a, b, fastA, b1 } = sessions();
    const seen = new Set<string>();
    for (let n = 0; n < 3; n++) {
      const { frame, id } = buildSealedA2b(fastA, a.publicKey, Buffer.from(`m${n}`), 0, 8);
      seen.add(toHex(id));
      const d = decodeFrame(frame);
      if (!d.ok || d.frame.type !== FrameType.MSG || d.frame.route !== Route.A2B) throw new Error('not an a2b MSG');
      expect(toHex(d.frame.to)).toBe(toHex(b.publicKey));
      const body = decodeE2e(d.frame.body);
      if (!body.ok || body.body.kind !== E2eKind.SEALED) throw new Error('not SEALED');
      expect(body.body.counter).toBe(n);
      const ad = b1.adFromPeer?.withId(d.frame.id) as Buffer;
      expect(b1.open(body.body.counter, ad, body.body.ciphertext)?.plaintext.toString()).toBe(`m${n}`);
    }
    expect(seen.size).toBe(3);
  });

  it('refuses a session made without our ID, unknown flags and a wrong-sized ID; a destroyed session is worn', () => {
    const plain = sessions(false);
    expect(() => buildSealedA2b(plain.fastA, plain.a.publicKey, Buffer.from('x'), 0, 8)).toThrow(/our own ID/);
    const { a, fastA } = sessions();
    expect(() => buildSealedA2b(fastA, a.publicKey, Buffer.from('x'), 0x04, 8)).toThrow(RangeError);
    expect(() => buildSealedA2b(fastA, a.publicKey, Buffer.from('x'), 0, 8, new Uint8Array(15))).toThrow(RangeError);
    fastA.destroy();
    expect(fastA.worn).toBe(true);
    expect(() => buildSealedA2b(fastA, a.publicKey, Buffer.from('x'), 0, 8)).toThrow(/worn/);
  });
});
