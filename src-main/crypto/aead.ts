// XChaCha20-Poly1305 with counter nonces: each direction of a session has its own key, so the
// 64-bit message counter alone makes every nonce unique (no random nonce per message: that halves
// small-message speed). Decryption of untrusted input returns null instead of throwing.
import sodium from 'sodium-native';

export const KEY_BYTES = sodium.crypto_aead_xchacha20poly1305_ietf_KEYBYTES;
export const TAG_BYTES = sodium.crypto_aead_xchacha20poly1305_ietf_ABYTES;
const NONCE_BYTES = sodium.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;

/** nonce = 16 zero bytes ‖ u64be(counter) */
function nonceFor(counter: number, out: Buffer): Buffer {
  out.fill(0, 0, 16);
  out.writeUInt32BE(Math.floor(counter / 0x1_0000_0000), 16);
  out.writeUInt32BE(counter >>> 0, 20);
  return out;
}

export function seal(key: Uint8Array, counter: number, ad: Uint8Array, plaintext: Uint8Array): Buffer {
  const out = Buffer.alloc(plaintext.byteLength + TAG_BYTES);
  sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(out, plaintext, ad, null, nonceFor(counter, Buffer.alloc(NONCE_BYTES)), key);
  return out;
}

export function open(key: Uint8Array, counter: number, ad: Uint8Array, ciphertext: Uint8Array): Buffer | null {
  if (ciphertext.byteLength < TAG_BYTES) return null;
  const out = Buffer.alloc(ciphertext.byteLength - TAG_BYTES);
  try {
    sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(out, null, ciphertext, ad, nonceFor(counter, Buffer.alloc(NONCE_BYTES)), key);
    return out;
  } catch {
    return null;
  }
}
