// The text form of a w2w ID (an Ed25519 public key): "w2w1" + base32(key ‖ CRC-32), so a typo is caught.
//
//   text = "w2w1" ‖ base32( pk[32] ‖ u32be( crc32( "w2w1" ‖ pk ) ) )
//
// base32 is RFC 4648 with the lowercase alphabet "abcdefghijklmnopqrstuvwxyz234567" and no padding:
// 36 bytes -> 58 characters, so an ID is always 62 characters. Parsing accepts upper case too.
import { ID_BYTES } from './protocol/constants.js';

export const ID_PREFIX = 'w2w1';
export const ID_TEXT_LENGTH = ID_PREFIX.length + 58;
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
const PREFIX_BYTES = new TextEncoder().encode(ID_PREFIX);

const CRC_TABLE: Uint32Array = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE 802.3, as in zlib/PNG) over the concatenation of the parts. */
export function crc32(...parts: Uint8Array[]): number {
  let c = 0xffffffff;
  for (const part of parts) {
    for (const byte of part) c = (CRC_TABLE[(c ^ byte) & 0xff] as number) ^ (c >>> 8);
  }
  return (c ^ 0xffffffff) >>> 0;
}

export function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

/** Strict base32 decode; returns null on a foreign character or non-zero padding bits. */
export function base32Decode(text: string): Uint8Array | null {
  const out = new Uint8Array(Math.floor((text.length * 5) / 8));
  let bits = 0;
  let value = 0;
  let i = 0;
  for (const ch of text.toLowerCase()) {
    const v = ALPHABET.indexOf(ch);
    if (v < 0) return null;
    value = ((value << 5) | v) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      out[i++] = (value >>> (bits - 8)) & 0xff;
      bits -= 8;
    }
  }
  if ((value & ((1 << bits) - 1)) !== 0) return null;
  return out;
}

/** The 62-character text form of a 32-byte public key. */
export function idToText(id: Uint8Array): string {
  if (id.byteLength !== ID_BYTES) throw new RangeError(`an ID is ${ID_BYTES} bytes, got ${id.byteLength}`);
  const sum = crc32(PREFIX_BYTES, id);
  const full = new Uint8Array(ID_BYTES + 4);
  full.set(id);
  new DataView(full.buffer).setUint32(ID_BYTES, sum);
  return ID_PREFIX + base32Encode(full);
}

export type IdParseResult = { ok: true; id: Uint8Array } | { ok: false; reason: string };

/** Parses an ID's text form, telling a wrong prefix, length, character or checksum apart. */
export function parseId(text: string): IdParseResult {
  const t = text.trim();
  if (!t.toLowerCase().startsWith(ID_PREFIX)) return { ok: false, reason: `an ID starts with "${ID_PREFIX}"` };
  if (t.length !== ID_TEXT_LENGTH) return { ok: false, reason: `an ID is ${ID_TEXT_LENGTH} characters, this one has ${t.length}` };
  const full = base32Decode(t.slice(ID_PREFIX.length));
  if (!full || full.byteLength !== ID_BYTES + 4) return { ok: false, reason: 'an ID uses only a-z and 2-7 after its prefix' };
  const id = full.slice(0, ID_BYTES);
  const sum = new DataView(full.buffer, full.byteOffset).getUint32(ID_BYTES);
  if (sum !== crc32(PREFIX_BYTES, id)) return { ok: false, reason: 'the ID checksum does not match (typo?)' };
  return { ok: true, id };
}

export type RelayAddressResult = { ok: true; url: string; pinned: Uint8Array | null } | { ok: false; reason: string };

/**
 * "URL" or "URL#RELAY_ID", the form the CLI's --relay and --peer and the UI's link fields take: the ID
 * after the first "#" pins the relay's identity. A "#" with nothing valid after it is an error (the
 * reason is parseId()'s), never a silently unpinned link. The URL itself is not checked here.
 */
export function parseRelayAddress(text: string): RelayAddressResult {
  const t = text.trim();
  const hash = t.indexOf('#');
  if (hash < 0) return { ok: true, url: t, pinned: null };
  const id = parseId(t.slice(hash + 1));
  return id.ok ? { ok: true, url: t.slice(0, hash), pinned: id.id } : id;
}

/** Short form for logs and lists: the first 12 characters after the prefix. */
export function shortId(id: Uint8Array): string {
  return idToText(id).slice(0, ID_PREFIX.length + 12);
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  let diff = 0;
  for (let i = 0; i < a.byteLength; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

const HEX_BYTE: readonly string[] = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

export function toHex(bytes: Uint8Array): string {
  // A table, not toString/padStart per byte: IDs and session IDs are map keys on every message.
  let out = '';
  for (let i = 0; i < bytes.byteLength; i++) out += HEX_BYTE[bytes[i] as number] as string;
  return out;
}

export function fromHex(hex: string): Uint8Array | null {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return null;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}
