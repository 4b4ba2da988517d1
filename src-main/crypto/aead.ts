// XChaCha20-Poly1305 with counter nonces: each direction of a session has its own key, so the
// 64-bit message counter alone makes every nonce unique (no random nonce per message: that halves
// small-message speed). Decryption of untrusted input returns null instead of throwing.
import sodium from 'sodium-native';

export const KEY_BYTES = sodium.crypto_aead_xchacha20poly1305_ietf_KEYBYTES;
export const TAG_BYTES = sodium.crypto_aead_xchacha20poly1305_ietf_ABYTES;
export const NONCE_BYTES = sodium.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;

/** nonce = 16 zero bytes ‖ u64be(counter); `out` is a NONCE_BYTES scratch buffer whose first 16 bytes stay zero */
function nonceFor(counter: number, out: Buffer): Buffer {
  out.writeUInt32BE(Math.floor(counter / 0x1_0000_0000), 16);
  out.writeUInt32BE(counter >>> 0, 20);
  return out;
}

/** A nonce scratch buffer for sealInto/openInto (one per key user: it saves an allocation per message). */
export function nonceScratch(): Buffer {
  return Buffer.alloc(NONCE_BYTES);
}

export function seal(key: Uint8Array, counter: number, ad: Uint8Array, plaintext: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(plaintext.byteLength + TAG_BYTES);
  sealInto(out, key, counter, ad, plaintext, nonceScratch());
  return out;
}

/** Seals into `out` (exactly plaintext + TAG_BYTES long, e.g. the tail of a frame being built). */
export function sealInto(out: Uint8Array, key: Uint8Array, counter: number, ad: Uint8Array, plaintext: Uint8Array, nonce: Buffer): void {
  if (out.byteLength !== plaintext.byteLength + TAG_BYTES) throw new RangeError('sealInto() needs an output of exactly plaintext + tag bytes.');
  sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(out, plaintext, ad, null, nonceFor(counter, nonce), key);
}

export function open(key: Uint8Array, counter: number, ad: Uint8Array, ciphertext: Uint8Array): Buffer | null {
  return openWith(key, counter, ad, ciphertext, nonceScratch());
}

/** open() with the caller's nonce scratch buffer. */
export function openWith(key: Uint8Array, counter: number, ad: Uint8Array, ciphertext: Uint8Array, nonce: Buffer): Buffer | null {
  if (ciphertext.byteLength < TAG_BYTES) return null;
  const out = Buffer.allocUnsafe(ciphertext.byteLength - TAG_BYTES);
  try {
    sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(out, null, ciphertext, ad, nonceFor(counter, nonce), key);
    return out;
  } catch {
    return null;
  }
}
