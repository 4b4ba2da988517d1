// Ephemeral X25519 key agreement for the handshake (forward secrecy: the keys live for one handshake).
import sodium from 'sodium-native';
import { randomBytes } from './random.js';

export interface EphemeralKeyPair {
  readonly publicKey: Buffer;
  readonly secretKey: Buffer;
}

/** A fresh key pair, or a deterministic one from a given 32-byte secret (test vectors only). */
export function ephemeralKeyPair(secret?: Uint8Array): EphemeralKeyPair {
  const secretKey = secret ? Buffer.from(secret) : randomBytes(sodium.crypto_scalarmult_SCALARBYTES);
  const publicKey = Buffer.alloc(sodium.crypto_scalarmult_BYTES);
  sodium.crypto_scalarmult_base(publicKey, secretKey);
  return { publicKey, secretKey };
}

/** X25519(secret, peerPublic); null when the result is all zeros (a low-order peer key). */
export function x25519(secretKey: Uint8Array, peerPublic: Uint8Array): Buffer | null {
  if (peerPublic.byteLength !== sodium.crypto_scalarmult_BYTES) return null;
  const q = Buffer.alloc(sodium.crypto_scalarmult_BYTES);
  try {
    sodium.crypto_scalarmult(q, secretKey, peerPublic);
  } catch {
    return null;
  }
  if (sodium.sodium_is_zero(q)) return null;
  return q;
}
