// Cryptographically secure random bytes from libsodium.
import sodium from 'sodium-native';

export function randomBytes(n: number): Buffer {
  const out = Buffer.alloc(n);
  sodium.randombytes_buf(out);
  return out;
}

/** Fills `out` (e.g. the message ID field of a frame being built) with random bytes. */
export function randomFill(out: Uint8Array): void {
  sodium.randombytes_buf(out);
}
