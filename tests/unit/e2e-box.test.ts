// The one-shot box for offline recipients and a2a (src-main/e2e/box.ts): round trip, a fresh ephemeral
// per box, and every field a relay could alter or swap makes it refuse to open.
import { describe, expect, it } from 'vitest';
import { Route } from '../../src-shared/protocol/constants.js';
import { envelopeAd } from '../../src-shared/protocol/e2e.js';
import { toHex } from '../../src-shared/ids.js';
import { generateIdentity } from '../../src-main/crypto/identity.js';
import { openBox, sealBox } from '../../src-main/e2e/box.js';

const alice = generateIdentity();
const bob = generateIdentity();
const carol = generateIdentity();
const msgId = new Uint8Array(16).fill(0x4d);
const ad = envelopeAd({ route: Route.A2B, to: bob.publicKey }, msgId, alice.publicKey);
const plaintext = Buffer.from('\x01meet at noon');

const flip = (b: Uint8Array, i = 0): Uint8Array => {
  const c = Uint8Array.from(b);
  c[i] = (c[i] as number) ^ 0x01;
  return c;
};

describe('sealBox / openBox', () => {
  it('opens for the recipient, with the sender and envelope it was sealed for', () => {
    const box = sealBox(alice, bob.publicKey, msgId, ad, plaintext);
    expect(box.ephemeral.byteLength).toBe(32);
    expect(box.sig.byteLength).toBe(64);
    expect(box.ciphertext.byteLength).toBe(plaintext.byteLength + 16);
    expect(openBox(bob, alice.publicKey, msgId, ad, box)?.toString()).toBe(plaintext.toString());
  });

  it('boxes to oneself (a2a): any session of the same identity opens it', () => {
    const selfAd = envelopeAd({ route: Route.A2A }, msgId, alice.publicKey);
    const box = sealBox(alice, alice.publicKey, msgId, selfAd, plaintext);
    expect(openBox(alice, alice.publicKey, msgId, selfAd, box)?.toString()).toBe(plaintext.toString());
  });

  it('uses a fresh ephemeral every time, unless one is injected (test vectors only)', () => {
    const a = sealBox(alice, bob.publicKey, msgId, ad, plaintext);
    const b = sealBox(alice, bob.publicKey, msgId, ad, plaintext);
    expect(toHex(a.ephemeral)).not.toBe(toHex(b.ephemeral));
    expect(toHex(a.ciphertext)).not.toBe(toHex(b.ciphertext));
    const secret = new Uint8Array(32).fill(7);
    const c = sealBox(alice, bob.publicKey, msgId, ad, plaintext, secret);
    const d = sealBox(alice, bob.publicKey, msgId, ad, plaintext, secret);
    expect(toHex(c.ciphertext)).toBe(toHex(d.ciphertext));
    expect(toHex(secret)).toBe('07'.repeat(32)); // the caller's buffer is not wiped
  });

  describe('refuses to open', () => {
    const box = sealBox(alice, bob.publicKey, msgId, ad, plaintext);
    it.each([
      ['a flipped ciphertext bit', (): Buffer | null => openBox(bob, alice.publicKey, msgId, ad, { ...box, ciphertext: flip(box.ciphertext) })],
      ['a flipped tag bit', (): Buffer | null => openBox(bob, alice.publicKey, msgId, ad, { ...box, ciphertext: flip(box.ciphertext, box.ciphertext.byteLength - 1) })],
      ['a flipped signature bit', (): Buffer | null => openBox(bob, alice.publicKey, msgId, ad, { ...box, sig: flip(box.sig) })],
      ['another ephemeral', (): Buffer | null => openBox(bob, alice.publicKey, msgId, ad, { ...box, ephemeral: flip(box.ephemeral) })],
      ['another message ID', (): Buffer | null => openBox(bob, alice.publicKey, flip(msgId), ad, box)],
      ['another envelope (re-addressed)', (): Buffer | null => openBox(bob, alice.publicKey, msgId, envelopeAd({ route: Route.A2B, to: carol.publicKey }, msgId, alice.publicKey), box)],
      ['another claimed sender', (): Buffer | null => openBox(bob, carol.publicKey, msgId, ad, box)],
      ['another recipient', (): Buffer | null => openBox(carol, alice.publicKey, msgId, ad, box)],
      ['a truncated ciphertext', (): Buffer | null => openBox(bob, alice.publicKey, msgId, ad, { ...box, ciphertext: box.ciphertext.subarray(0, 15) })],
      ['a short signature', (): Buffer | null => openBox(bob, alice.publicKey, msgId, ad, { ...box, sig: box.sig.subarray(0, 63) })],
    ])('%s', (_name, attempt) => {
      expect(attempt()).toBeNull();
    });

    it('a box re-signed by someone else for the same recipient', () => {
      // Carol cannot take over Alice's box: the signature must verify under the claimed sender.
      const forged = sealBox(carol, bob.publicKey, msgId, ad, plaintext);
      expect(openBox(bob, alice.publicKey, msgId, ad, { ...box, sig: forged.sig })).toBeNull();
      expect(openBox(bob, alice.publicKey, msgId, ad, forged)).toBeNull();
    });
  });

  it('refuses to seal to a recipient ID that is not a usable Ed25519 key (caller mistake)', () => {
    // 01 00 .. 00 encodes the neutral element (y = 1): of small order, refused by the conversion.
    const neutral = new Uint8Array(32);
    neutral[0] = 1;
    expect(() => sealBox(alice, neutral, msgId, ad, plaintext)).toThrow(RangeError);
  });
});
