// Domain-separated BLAKE2b hashing: the transcript hash H and the keyed session-key derivation.
import sodium from 'sodium-native';

export type HashPart = Uint8Array | string;

/**
 * H(p1, ..., pn) = BLAKE2b-256( u32be(len p1) ‖ p1 ‖ ... ‖ u32be(len pn) ‖ pn ), strings as UTF-8.
 * The length prefixes make the encoding injective: no two different part lists hash the same input.
 */
export function transcriptHash(...parts: HashPart[]): Buffer {
  const state = Buffer.alloc(sodium.crypto_generichash_STATEBYTES);
  sodium.crypto_generichash_init(state, null, 32);
  const len = Buffer.alloc(4);
  for (const part of parts) {
    const bytes = typeof part === 'string' ? Buffer.from(part, 'utf8') : part;
    len.writeUInt32BE(bytes.byteLength, 0);
    sodium.crypto_generichash_update(state, len);
    sodium.crypto_generichash_update(state, bytes);
  }
  const out = Buffer.alloc(32);
  sodium.crypto_generichash_final(state, out);
  return out;
}

/** Keyed BLAKE2b with an output of outLen bytes (16..64). */
export function keyedHash(key: Uint8Array, input: Uint8Array, outLen: number): Buffer {
  const out = Buffer.alloc(outLen);
  sodium.crypto_generichash(out, input, key);
  return out;
}

/** BLAKE2b-256 of one input, unkeyed (content hashes). */
export function blake2b256(input: Uint8Array): Buffer {
  const out = Buffer.alloc(32);
  sodium.crypto_generichash(out, input);
  return out;
}
