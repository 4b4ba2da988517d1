// Types for the subset of sodium-native 5 that w2w uses (the package ships none).
// Every function checks its arguments and throws on a wrong size; decrypt/verify failures are noted per function.
declare module 'sodium-native' {
  type Bytes = Uint8Array;

  export const crypto_sign_PUBLICKEYBYTES: number;
  export const crypto_sign_SECRETKEYBYTES: number;
  export const crypto_sign_SEEDBYTES: number;
  export const crypto_sign_BYTES: number;
  export function crypto_sign_keypair(pk: Bytes, sk: Bytes): void;
  export function crypto_sign_seed_keypair(pk: Bytes, sk: Bytes, seed: Bytes): void;
  export function crypto_sign_detached(sig: Bytes, m: Bytes, sk: Bytes): void;
  /** false when the signature does not verify (never throws for a bad signature) */
  export function crypto_sign_verify_detached(sig: Bytes, m: Bytes, pk: Bytes): boolean;
  export function crypto_sign_ed25519_pk_to_curve25519(x25519pk: Bytes, ed25519pk: Bytes): void;
  export function crypto_sign_ed25519_sk_to_curve25519(x25519sk: Bytes, ed25519sk: Bytes): void;

  export const crypto_scalarmult_BYTES: number;
  export const crypto_scalarmult_SCALARBYTES: number;
  export function crypto_scalarmult_base(q: Bytes, n: Bytes): void;
  /** throws when the result is the all-zero point (low-order input) */
  export function crypto_scalarmult(q: Bytes, n: Bytes, p: Bytes): void;

  export const crypto_generichash_BYTES: number;
  export const crypto_generichash_BYTES_MAX: number;
  export const crypto_generichash_KEYBYTES: number;
  export const crypto_generichash_STATEBYTES: number;
  export function crypto_generichash(out: Bytes, input: Bytes, key?: Bytes | null): void;
  export function crypto_generichash_init(state: Bytes, key: Bytes | null, outLen: number): void;
  export function crypto_generichash_update(state: Bytes, input: Bytes): void;
  export function crypto_generichash_final(state: Bytes, out: Bytes): void;

  export const crypto_aead_xchacha20poly1305_ietf_KEYBYTES: number;
  export const crypto_aead_xchacha20poly1305_ietf_NPUBBYTES: number;
  export const crypto_aead_xchacha20poly1305_ietf_ABYTES: number;
  export function crypto_aead_xchacha20poly1305_ietf_encrypt(c: Bytes, m: Bytes, ad: Bytes | null, nsec: null, npub: Bytes, k: Bytes): number;
  /** throws when the ciphertext does not authenticate */
  export function crypto_aead_xchacha20poly1305_ietf_decrypt(m: Bytes, nsec: null, c: Bytes, ad: Bytes | null, npub: Bytes, k: Bytes): number;

  export function randombytes_buf(buf: Bytes): void;
  export function sodium_memzero(buf: Bytes): void;
  export function sodium_is_zero(buf: Bytes, len?: number): boolean;
}
