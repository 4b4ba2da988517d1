// Map keys for 32-byte IDs: a latin1 string is an exact, cheap copy of the bytes (no hex cost per message).
export type IdKey = string & { readonly __idKey: unique symbol };

export function idKey(id: Uint8Array): IdKey {
  // Decoded frame fields are already Buffer views: wrapping them again costs an allocation per message.
  const b = Buffer.isBuffer(id) ? id : Buffer.from(id.buffer, id.byteOffset, id.byteLength);
  return b.toString('latin1') as IdKey;
}

export function idFromKey(key: IdKey): Buffer {
  return Buffer.from(key, 'latin1');
}

/**
 * Whether the 32 bytes of `a` at `at` are the ID `id`. A plain loop: on the forwarding hot path it is
 * cheaper than a view plus Buffer.equals (two native calls and an allocation per message).
 */
export function idEqualAt(a: Uint8Array, at: number, id: Uint8Array): boolean {
  if (a.byteLength < at + 32 || id.byteLength !== 32) return false;
  for (let i = 0; i < 32; i++) if (a[at + i] !== id[i]) return false;
  return true;
}
