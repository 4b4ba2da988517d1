// One-shot encryption to an offline recipient (store-and-forward), where no live handshake is
// possible: an ephemeral X25519 key against the recipient's identity converted to X25519, a key
// bound to both identities and the message, and the sender's signature. No forward secrecy for the
// recipient's side (its long-term key opens it): live sessions are used whenever the peer is online.
//
//   q   = X25519(e, X25519(B))             k = BLAKE2b-256(key = q, "w2w/1 box" ‖ E ‖ A ‖ B ‖ msgId)
//   sig = Sign(A, "w2w/1 box" ‖ E ‖ B ‖ msgId ‖ ad)
//   ct  = XChaCha20-Poly1305(k, nonce = 0, ad, plaintext)
import sodium from 'sodium-native';
import { open, seal } from '../crypto/aead.js';
import { keyedHash } from '../crypto/hash.js';
import { sign, verify, wipe, type Identity } from '../crypto/identity.js';
import { ephemeralKeyPair, x25519 } from '../crypto/x25519.js';

const LABEL = Buffer.from('w2w/1 box');

function edToX25519Public(ed: Uint8Array): Buffer | null {
  const out = Buffer.alloc(32);
  try {
    sodium.crypto_sign_ed25519_pk_to_curve25519(out, ed);
    return out;
  } catch {
    return null;
  }
}

function boxKey(q: Buffer, eph: Uint8Array, from: Uint8Array, to: Uint8Array, msgId: Uint8Array): Buffer {
  const k = keyedHash(q, Buffer.concat([LABEL, eph, from, to, msgId]), 32);
  wipe(q);
  return k;
}

/** `ephemeralSecret` is for test vectors only: production code never passes it (a fresh key per box). */
export function sealBox(sender: Identity, recipient: Uint8Array, msgId: Uint8Array, ad: Uint8Array, plaintext: Uint8Array, ephemeralSecret?: Uint8Array) {
  const recipientX = edToX25519Public(recipient);
  if (!recipientX) throw new RangeError('the recipient ID is not a valid Ed25519 key');
  const e = ephemeralKeyPair(ephemeralSecret);
  const q = x25519(e.secretKey, recipientX);
  wipe(e.secretKey);
  if (!q) throw new RangeError('the recipient key is of low order');
  const k = boxKey(q, e.publicKey, sender.publicKey, recipient, msgId);
  const ciphertext = seal(k, 0, ad, plaintext);
  wipe(k);
  const sig = sign(sender, Buffer.concat([LABEL, e.publicKey, recipient, msgId, ad]));
  return { ephemeral: e.publicKey, sig, ciphertext };
}

export function openBox(
  recipient: Identity,
  sender: Uint8Array,
  msgId: Uint8Array,
  ad: Uint8Array,
  box: { ephemeral: Uint8Array; sig: Uint8Array; ciphertext: Uint8Array },
): Buffer | null {
  if (!verify(sender, Buffer.concat([LABEL, box.ephemeral, recipient.publicKey, msgId, ad]), box.sig)) return null;
  const sk = Buffer.alloc(32);
  sodium.crypto_sign_ed25519_sk_to_curve25519(sk, recipient.secretKey);
  const q = x25519(sk, box.ephemeral);
  wipe(sk);
  if (!q) return null;
  const k = boxKey(q, box.ephemeral, sender, recipient.publicKey, msgId);
  const plaintext = open(k, 0, ad, box.ciphertext);
  wipe(k);
  return plaintext;
}
