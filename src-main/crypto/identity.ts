// Ed25519 identities: creation, signing and verification (an identity's public key is its w2w ID).
import sodium from 'sodium-native';

export interface Identity {
  /** 32-byte Ed25519 public key: the account ID */
  readonly publicKey: Buffer;
  /** 64-byte libsodium secret key (seed ‖ public key) */
  readonly secretKey: Buffer;
}

export function generateIdentity(): Identity {
  const publicKey = Buffer.alloc(sodium.crypto_sign_PUBLICKEYBYTES);
  // Buffer.alloc, not sodium_malloc: the latter aborts inside Electron's V8 memory cage.
  const secretKey = Buffer.alloc(sodium.crypto_sign_SECRETKEYBYTES);
  sodium.crypto_sign_keypair(publicKey, secretKey);
  return { publicKey, secretKey };
}

/** Deterministic identity from a 32-byte seed (test vectors and tests only). */
export function identityFromSeed(seed: Uint8Array): Identity {
  if (seed.byteLength !== sodium.crypto_sign_SEEDBYTES) throw new RangeError(`a seed is ${sodium.crypto_sign_SEEDBYTES} bytes`);
  const publicKey = Buffer.alloc(sodium.crypto_sign_PUBLICKEYBYTES);
  const secretKey = Buffer.alloc(sodium.crypto_sign_SECRETKEYBYTES);
  sodium.crypto_sign_seed_keypair(publicKey, secretKey, seed);
  return { publicKey, secretKey };
}

export function sign(identity: Identity, message: Uint8Array): Buffer {
  const sig = Buffer.alloc(sodium.crypto_sign_BYTES);
  sodium.crypto_sign_detached(sig, message, identity.secretKey);
  return sig;
}

/** Never throws for peer input: wrong sizes and bad signatures both return false. */
export function verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.byteLength !== sodium.crypto_sign_PUBLICKEYBYTES || signature.byteLength !== sodium.crypto_sign_BYTES) return false;
  try {
    return sodium.crypto_sign_verify_detached(signature, message, publicKey);
  } catch {
    return false;
  }
}

export function wipe(...buffers: Uint8Array[]): void {
  for (const b of buffers) sodium.sodium_memzero(b);
}
