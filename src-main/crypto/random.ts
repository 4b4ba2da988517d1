// Cryptographically secure random bytes from libsodium.
import sodium from 'sodium-native';

export function randomBytes(n: number): Buffer {
  const out = Buffer.alloc(n);
  sodium.randombytes_buf(out);
  return out;
}
