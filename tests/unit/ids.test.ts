// ID text form: round trips, fixed length, and that every single-character typo is caught.
import { describe, expect, it } from 'vitest';
import { generateIdentity, identityFromSeed } from '../../src-main/crypto/identity.js';
import { ID_PREFIX, ID_TEXT_LENGTH, base32Decode, base32Encode, bytesEqual, crc32, fromHex, idToText, parseId, parseRelayAddress, shortId, toHex } from '../../src-shared/ids.js';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

function parsed(text: string): Uint8Array {
  const r = parseId(text);
  if (!r.ok) throw new Error(`parseId("${text}") failed: ${r.reason}`);
  return r.id;
}

describe('ID text form', () => {
  it('round-trips random keys and edge keys, always 62 characters', () => {
    const keys = [new Uint8Array(32), new Uint8Array(32).fill(0xff), ...Array.from({ length: 200 }, () => generateIdentity().publicKey)];
    for (const key of keys) {
      const text = idToText(key);
      expect(text).toHaveLength(ID_TEXT_LENGTH);
      expect(text.startsWith(ID_PREFIX)).toBe(true);
      expect(text).toMatch(/^w2w1[a-z2-7]{58}$/);
      expect(bytesEqual(parsed(text), key)).toBe(true);
    }
  });

  it('is stable for a fixed key (a vector)', () => {
    const key = identityFromSeed(new Uint8Array(32).fill(1)).publicKey;
    const text = idToText(key);
    expect(idToText(parsed(text))).toBe(text);
    // CRC-32 check value of "123456789" pins the checksum variant (IEEE, as in zlib).
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new TextEncoder().encode('1234'), new TextEncoder().encode('56789'))).toBe(0xcbf43926);
  });

  it('accepts upper case and surrounding whitespace', () => {
    const key = generateIdentity().publicKey;
    const text = idToText(key);
    expect(bytesEqual(parsed(text.toUpperCase()), key)).toBe(true);
    expect(bytesEqual(parsed(`  ${text}\n`), key)).toBe(true);
  });

  it('rejects every single-character substitution of a sample ID', () => {
    const text = idToText(identityFromSeed(new Uint8Array(32).fill(7)).publicKey);
    const candidates = [...new Set([...ALPHABET, ...ALPHABET.toUpperCase(), ...'0189!-_ =w'])];
    let tried = 0;
    for (let i = 0; i < text.length; i++) {
      const original = text[i] as string;
      for (const ch of candidates) {
        // A change of case is the same ID, not a typo.
        if (ch.toLowerCase() === original.toLowerCase()) continue;
        const typo = text.slice(0, i) + ch + text.slice(i + 1);
        const r = parseId(typo);
        if (r.ok) throw new Error(`typo at ${i} ("${original}" -> "${ch}") was accepted: ${typo}`);
        tried++;
      }
    }
    expect(tried).toBeGreaterThan(62 * 40);
  });

  it('rejects a swap of two adjacent characters', () => {
    const text = idToText(identityFromSeed(new Uint8Array(32).fill(9)).publicKey);
    for (let i = ID_PREFIX.length; i < text.length - 1; i++) {
      if (text[i] === text[i + 1]) continue;
      const swapped = text.slice(0, i) + text[i + 1] + text[i] + text.slice(i + 2);
      expect(parseId(swapped).ok).toBe(false);
    }
  });

  it('tells wrong prefix, wrong length, foreign characters and bad checksum apart', () => {
    const text = idToText(generateIdentity().publicKey);
    const reasons = [
      parseId('w2w2' + text.slice(4)),
      parseId(text.slice(0, -1)),
      parseId(text + 'a'),
      parseId(text.slice(0, 10) + '1' + text.slice(11)),
      parseId(text.slice(0, 10) + (text[10] === 'a' ? 'b' : 'a') + text.slice(11)),
      parseId(''),
    ].map((r) => (r.ok ? 'ok' : r.reason));
    expect(reasons[0]).toMatch(/starts with/);
    expect(reasons[1]).toMatch(/62 characters/);
    expect(reasons[2]).toMatch(/62 characters/);
    expect(reasons[3]).toMatch(/a-z and 2-7/);
    expect(reasons[4]).toMatch(/checksum/);
    expect(reasons[5]).toMatch(/starts with/);
  });

  it('refuses to format a key of the wrong size (caller mistake)', () => {
    expect(() => idToText(new Uint8Array(31))).toThrow(RangeError);
  });

  it('short form is the prefix and 12 characters', () => {
    const key = generateIdentity().publicKey;
    expect(shortId(key)).toBe(idToText(key).slice(0, 16));
  });
});

describe('base32 and hex helpers', () => {
  it('base32 round-trips every length and refuses non-zero padding bits', () => {
    for (let n = 0; n < 40; n++) {
      const b = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff);
      expect(toHex(base32Decode(base32Encode(b)) as Uint8Array)).toBe(toHex(b));
    }
    expect(base32Encode(new TextEncoder().encode('foobar'))).toBe('mzxw6ytboi');
    expect(base32Decode('mzxw6ytboj')).toBeNull();
    expect(base32Decode('mzxw6ytbo1')).toBeNull();
  });

  it('hex round-trips and refuses odd or foreign input', () => {
    expect(toHex(fromHex('00ff7A') as Uint8Array)).toBe('00ff7a');
    expect(fromHex('abc')).toBeNull();
    expect(fromHex('zz')).toBeNull();
  });

  it('bytesEqual compares content and length', () => {
    expect(bytesEqual(new Uint8Array([1, 2]), Buffer.from([1, 2]))).toBe(true);
    expect(bytesEqual(new Uint8Array([1, 2]), new Uint8Array([1, 3]))).toBe(false);
    expect(bytesEqual(new Uint8Array([1]), new Uint8Array([1, 0]))).toBe(false);
  });
});

describe('relay address "URL#RELAY_ID"', () => {
  // A fixed ID: a changed last character can fall in its padding bits, so the typo goes in the middle.
  const id = new Uint8Array(32).fill(7);
  it('splits off a pin, or has none', () => {
    expect(parseRelayAddress(' wss://relay.example/w2w ')).toEqual({ ok: true, url: 'wss://relay.example/w2w', pinned: null });
    const r = parseRelayAddress(`wss://relay.example/w2w#${idToText(id)}`);
    expect(r.ok && r.url).toBe('wss://relay.example/w2w');
    expect(r.ok && r.pinned && toHex(r.pinned)).toBe(toHex(id));
  });
  it('refuses a "#" with no valid ID after it, with the reason parseId gives', () => {
    expect(parseRelayAddress('ws://127.0.0.1:7070#')).toEqual({ ok: false, reason: `an ID starts with "${ID_PREFIX}"` });
    const text = idToText(id);
    const at = ID_PREFIX.length + 10;
    const typo = `${text.slice(0, at)}${text[at] === 'a' ? 'b' : 'a'}${text.slice(at + 1)}`;
    expect(parseRelayAddress(`ws://127.0.0.1:7070#${typo}`)).toEqual({ ok: false, reason: 'the ID checksum does not match (typo?)' });
  });
});
