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
