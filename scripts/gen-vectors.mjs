#!/usr/bin/env node
// Writes the protocol v1 test vectors (docs/vectors/*.json) from fixed seeds.
//
// Usage: node scripts/gen-vectors.mjs           (re)write docs/vectors/{ids,handshake,frames,federation,declarations,e2e,transfer}.json
//        node scripts/gen-vectors.mjs --check   exit 1 if a file differs from what would be written
//
// This is a second, independent implementation of docs/PROTOCOL.md: its own byte writer, CRC-32,
// base32 and handshake transcript, Ed25519 and X25519 from node:crypto (OpenSSL, not libsodium), its own
// Ed25519-to-X25519 conversion (RFC 7748 birational map, BigInt) and XChaCha20-Poly1305 (its own
// HChaCha20 in front of node:crypto's ChaCha20-Poly1305, checked once against libsodium), and only
// BLAKE2b from sodium-native (node:crypto has no keyed or 256-bit BLAKE2b). It never imports
// src-shared or src-main, so tests/unit/vectors.test.ts checks the code against the spec rather than
// against a snapshot of itself. Every decoded field below is written out by hand from the spec.
import crypto from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import sodium from 'sodium-native';

const OUT_DIR = fileURLToPath(new URL('../docs/vectors/', import.meta.url));

// ---------------------------------------------------------------------------------------------
// Bytes

const hex = (b) => Buffer.from(b).toString('hex');
const unhex = (h) => Buffer.from(h, 'hex');
const utf8 = (s) => Buffer.from(s, 'utf8');
/** n bytes start, start+1, ... (mod 256): easy to type into another language's test. */
const seq = (start, n = 32, step = 1) => Buffer.from(Array.from({ length: n }, (_, i) => (start + i * step) & 0xff));
const cat = (...parts) => Buffer.concat(parts.flat(Infinity));
const u8 = (v) => Buffer.from([v]);
const u16 = (v) => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(v);
  return b;
};
const u32 = (v) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v);
  return b;
};
const u64 = (v) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(v));
  return b;
};
const rawStr8 = (bytes) => cat(u8(bytes.length), bytes);
const rawStr16 = (bytes) => cat(u16(bytes.length), bytes);
const str8 = (s) => rawStr8(utf8(s));
const str16 = (s) => rawStr16(utf8(s));

// ---------------------------------------------------------------------------------------------
// Constants, typed from the spec's tables (deliberately not imported from constants.ts)

const T = {
  HELLO: 0x01, HS1: 0x02, HS2: 0x03, HS3: 0x04, READY: 0x05, MSG: 0x10, ACK: 0x11, REQ: 0x20, RES: 0x21, EVENT: 0x22,
  ROUTE: 0x30, FWD: 0x31, RECEIPT: 0x32, DECL: 0x33, ERROR: 0x7f,
};
const ROUTE = { A2A: 1, A2B: 2, A2G_LIST: 3, A2G_NAMED: 4, A2N: 5 };
const OP = {
  LIST_PEERS: 1, GROUP_CREATE: 2, GROUP_ADD: 3, GROUP_REMOVE: 4, GROUP_LIST: 5, GROUP_DELETE: 6, WATCH: 7,
  PUBLISH_HOME: 8, LINKS: 9, ROUTE_OF: 10, DECL_PUBLISH: 11, DECL_WITHDRAW: 12, DECL_QUERY: 13,
};
const DECL_ACTION = { PUBLISH: 1, WITHDRAW: 2 };
const QUERY_BY = { HASH: 1, HOLDER: 2, OWNER: 3 };
/** A holding travels in DECL and DECL_PUBLISH as u32 len ‖ bytes, with len at most this. */
const MAX_HOLDING_BLOB = 8192;
const KIND = { PRESENCE: 1, NOTICE: 2, RECEIPT: 3 };
const CTX = { C2S: 1, S2S: 2, E2E: 3 };
const CTX_LABEL = { 1: 'c2s', 2: 's2s', 3: 'e2e' };
const FLAG = { ACK: 0x01, STORE: 0x02 };
const FLAG_ACK = FLAG.ACK;
const FLAG_STORE = FLAG.STORE;
const ACTION = { ANNOUNCE: 1, WITHDRAW: 2 };
const ROUTE_KIND = { NONE: 0, LOCAL: 1, REMOTE: 2, HOME_ONLY: 3 };
const RECEIPT_STATUS = { DELIVERED: 0, STORED: 1 };
const ERR = {
  MALFORMED_FRAME: 100, UNKNOWN_FRAME_TYPE: 101, UNEXPECTED_FRAME: 102, FRAME_TOO_LARGE: 103, UNSUPPORTED_VERSION: 104,
  BAD_SIGNATURE: 201, WRONG_PEER: 202, WRONG_CONTEXT: 203, WRONG_BINDING: 204, WEAK_KEY: 205,
  UNTRUSTED_RELAY: 207, BAD_HOME_PROOF: 208,
  UNKNOWN_RECIPIENT: 300, RECIPIENT_OFFLINE: 301, SPOOFED_SENDER: 302, GROUP_EXISTS: 306, BAD_REQUEST: 310, HOP_LIMIT: 311,
  ROUTE_REJECTED: 312, STORE_FULL: 404,
};
/** The home-proof label of §9.3; no other part of the protocol signs with it. */
const LABEL_HOME = 'w2w/1 home';
const TIME_MS = 1767225600000; // 2026-01-01T00:00:00Z
const MAX_SAFE = 2 ** 53 - 1;

// ---------------------------------------------------------------------------------------------
// Crypto primitives

const PKCS8_ED25519 = unhex('302e020100300506032b657004220420');
const PKCS8_X25519 = unhex('302e020100300506032b656e04220420');
const SPKI_X25519 = unhex('302a300506032b656e032100');

/** Ed25519 identity from a 32-byte seed (RFC 8032 private key). */
function identity(seed) {
  const key = crypto.createPrivateKey({ key: cat(PKCS8_ED25519, seed), format: 'der', type: 'pkcs8' });
  const publicKey = crypto.createPublicKey(key).export({ format: 'der', type: 'spki' }).subarray(-32);
  return { seed, publicKey, sign: (msg) => crypto.sign(null, msg, key) };
}

/** X25519 key pair from a 32-byte secret (clamped by X25519 itself, RFC 7748). */
function ephemeral(secret) {
  const key = crypto.createPrivateKey({ key: cat(PKCS8_X25519, secret), format: 'der', type: 'pkcs8' });
  const publicKey = crypto.createPublicKey(key).export({ format: 'der', type: 'spki' }).subarray(-32);
  const dh = (peer) =>
    crypto.diffieHellman({ privateKey: key, publicKey: crypto.createPublicKey({ key: cat(SPKI_X25519, peer), format: 'der', type: 'spki' }) });
  return { secret, publicKey, dh };
}

function blake2b(outLen, input, key) {
  const out = Buffer.alloc(outLen);
  if (key) sodium.crypto_generichash(out, input, key);
  else sodium.crypto_generichash(out, input);
  return out;
}

/** H(p1..pn) = BLAKE2b-256(u32be(len p1) ‖ p1 ‖ ... ); strings as UTF-8. Returns the hashed input too. */
function H(...parts) {
  const input = cat(parts.map((p) => {
    const b = typeof p === 'string' ? utf8(p) : p;
    return [u32(b.length), b];
  }));
  return { input, hash: blake2b(32, input) };
}

const LABEL_A = utf8('w2w/1|A');
const LABEL_B = utf8('w2w/1|B');
const LABEL_C = utf8('w2w/1|C');
const LABEL_KEYS = utf8('w2w/1 keys');

/** HChaCha20 (draft-irtf-cfrg-xchacha §2.2): the subkey XChaCha20 derives from the key and 16 nonce bytes. */
function hchacha20(key, nonce16) {
  const rotl = (v, n) => (v << n) | (v >>> (32 - n));
  const s = new Uint32Array(16);
  s.set([0x61707865, 0x3320646e, 0x79622d32, 0x6b206574]);
  for (let i = 0; i < 8; i++) s[4 + i] = key.readUInt32LE(4 * i);
  for (let i = 0; i < 4; i++) s[12 + i] = nonce16.readUInt32LE(4 * i);
  const qr = (a, b, c, d) => {
    s[a] += s[b]; s[d] = rotl(s[d] ^ s[a], 16);
    s[c] += s[d]; s[b] = rotl(s[b] ^ s[c], 12);
    s[a] += s[b]; s[d] = rotl(s[d] ^ s[a], 8);
    s[c] += s[d]; s[b] = rotl(s[b] ^ s[c], 7);
  };
  for (let r = 0; r < 10; r++) {
    qr(0, 4, 8, 12); qr(1, 5, 9, 13); qr(2, 6, 10, 14); qr(3, 7, 11, 15);
    qr(0, 5, 10, 15); qr(1, 6, 11, 12); qr(2, 7, 8, 13); qr(3, 4, 9, 14);
  }
  const out = Buffer.alloc(32);
  [0, 1, 2, 3, 12, 13, 14, 15].forEach((w, i) => out.writeUInt32LE(s[w], 4 * i));
  return out;
}

let xchachaChecked = false;
/** XChaCha20-Poly1305 (IETF): ChaCha20-Poly1305 under HChaCha20(key, nonce[0..16)) with nonce 0000 ‖ nonce[16..24). */
function xchachaSeal(key, nonce24, ad, plaintext) {
  const sub = hchacha20(key, nonce24.subarray(0, 16));
  const c = crypto.createCipheriv('chacha20-poly1305', sub, cat(Buffer.alloc(4), nonce24.subarray(16, 24)), { authTagLength: 16 });
  c.setAAD(ad, { plaintextLength: plaintext.length });
  const out = cat(c.update(plaintext), c.final(), c.getAuthTag());
  if (!xchachaChecked) {
    // One cross-check against libsodium, so that a slip in this file cannot go unnoticed.
    const ref = Buffer.alloc(plaintext.length + 16);
    sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(ref, plaintext, ad, null, nonce24, key);
    if (!ref.equals(out)) throw new Error('XChaCha20-Poly1305 disagrees with libsodium');
    xchachaChecked = true;
  }
  return out;
}

/** The AEAD nonce of a counter (§11.5): 16 zero bytes ‖ u64be(counter). */
const counterNonce = (counter) => cat(Buffer.alloc(16), u64(counter));

const P25519 = (1n << 255n) - 19n;
const leToBig = (b) => b.reduceRight((x, byte) => (x << 8n) | BigInt(byte), 0n);
const bigToLe = (x) => Buffer.from(Array.from({ length: 32 }, (_, i) => Number((x >> BigInt(8 * i)) & 0xffn)));
function powMod(b, e) {
  let r = 1n;
  for (b %= P25519; e > 0n; e >>= 1n, b = (b * b) % P25519) if (e & 1n) r = (r * b) % P25519;
  return r;
}
/** An Ed25519 public key as an X25519 one (RFC 7748 §4.1 birational map): u = (1 + y) / (1 - y) mod p. */
function edPublicToX25519(pk) {
  const y = leToBig(pk) & ((1n << 255n) - 1n);
  return bigToLe((((1n + y) * powMod((1n - y + P25519) % P25519, P25519 - 2n)) % P25519 + P25519) % P25519);
}
/** An Ed25519 seed's X25519 secret: the first half of SHA-512(seed), clamped (RFC 8032 §5.1.5). */
function edSeedToX25519Secret(seed) {
  const s = crypto.createHash('sha512').update(seed).digest().subarray(0, 32);
  s[0] &= 248;
  s[31] &= 127;
  s[31] |= 64;
  return Buffer.from(s);
}

// ---------------------------------------------------------------------------------------------
// The frame codec, from the spec's byte tables. Frames are JSON objects with hex strings for bytes.

function encodeMsgTarget(f) {
  switch (f.route) {
    case ROUTE.A2A:
    case ROUTE.A2N:
      return [];
    case ROUTE.A2B:
      return unhex(f.to);
    case ROUTE.A2G_LIST:
      return cat(u8(f.to.length), f.to.map(unhex));
    case ROUTE.A2G_NAMED:
      return str8(f.group);
  }
  throw new Error(`route ${f.route}`);
}

function encodeReqArgs(f) {
  switch (f.op) {
    case OP.LIST_PEERS:
    case OP.GROUP_LIST:
      return [];
    case OP.GROUP_CREATE:
    case OP.GROUP_DELETE:
      return str8(f.name);
    case OP.GROUP_ADD:
    case OP.GROUP_REMOVE:
      return cat(str8(f.name), u8(f.members.length), f.members.map(unhex));
    case OP.WATCH:
      return cat(u8(f.ids.length), f.ids.map(unhex));
    case OP.PUBLISH_HOME:
      return cat(u64(f.timeMs), unhex(f.sig));
    case OP.LINKS:
      return [];
    case OP.ROUTE_OF:
      return unhex(f.id);
    case OP.DECL_PUBLISH: {
      const h = unhex(f.holding);
      return cat(u32(h.length), h);
    }
    case OP.DECL_WITHDRAW:
      return cat(unhex(f.contentHash), u64(f.timeMs), unhex(f.sig));
    case OP.DECL_QUERY:
      return cat(u8(f.by), unhex(f.key));
  }
  throw new Error(`op ${f.op}`);
}

function encodeResResult(f) {
  switch (f.op) {
    case OP.LIST_PEERS:
      return cat(u16(f.peers.length), f.peers.map((p) => [unhex(p.id), u8(p.online ? 1 : 0), u64(p.lastSeenMs)]));
    case OP.GROUP_LIST:
      return cat(u16(f.groups.length), f.groups.map((g) => [str8(g.name), unhex(g.owner), u16(g.members.length), g.members.map(unhex)]));
    case OP.WATCH:
      return cat(u8(f.presence.length), f.presence.map((p) => [unhex(p.id), u8(p.online ? 1 : 0)]));
    case OP.LINKS:
      return cat(u8(f.links.length), f.links.map((l) => [
        unhex(l.relayId), u8(l.outbound ? 1 : 0), u8(l.up ? 1 : 0), u32(l.rttMs), u32(l.routes), str16(l.url),
      ]));
    case OP.ROUTE_OF:
      return cat(u8(f.kind), u8(f.path.length), f.path.map(unhex));
    case OP.DECL_QUERY:
      return cat(u16(f.holdings.length), f.holdings.map((h) => [u32(unhex(h).length), unhex(h)]));
    default:
      return [];
  }
}

function encode(f) {
  const t = u8(f.type);
  switch (f.type) {
    case T.HELLO:
      return cat(t, u8(f.version), unhex(f.relayId), u64(f.timeMs), u32(f.maxFrameBytes), u16(f.maxRecipients),
        u32(f.ratePerSec), u32(f.rateBurst), u32(f.pingIntervalMs), u32(f.handshakeTimeoutMs));
    case T.HS1:
      return cat(t, u8(f.ctx), unhex(f.idA), unhex(f.ephA), unhex(f.nonceA), unhex(f.expectedIdB), str16(f.binding), unhex(f.sigA));
    case T.HS2:
      return cat(t, unhex(f.idB), unhex(f.ephB), unhex(f.nonceB), unhex(f.sigB));
    case T.HS3:
      return cat(t, unhex(f.sigC));
    case T.READY:
      return cat(t, unhex(f.transcriptHash), u64(f.timeMs));
    case T.MSG: {
      const body = unhex(f.body);
      return cat(t, u8(f.route), u8(f.flags), u8(f.hops), unhex(f.id), unhex(f.from), encodeMsgTarget(f), u32(body.length), body);
    }
    case T.ACK:
      return cat(t, unhex(f.id), u32(f.delivered), u32(f.forwarded), u32(f.stored), u8(f.missed.length),
        f.missed.map((m) => [unhex(m.id), u16(m.code)]));
    case T.REQ:
      return cat(t, u32(f.reqId), u8(f.op), encodeReqArgs(f));
    case T.RES:
      return cat(t, u32(f.reqId), u8(f.op), u16(f.status), f.status === 0 ? encodeResResult(f) : str16(f.message));
    case T.EVENT:
      if (f.kind === KIND.PRESENCE) return cat(t, u8(f.kind), unhex(f.id), u8(f.online ? 1 : 0), u64(f.timeMs));
      if (f.kind === KIND.NOTICE) return cat(t, u8(f.kind), str16(f.text));
      return cat(t, u8(f.kind), unhex(f.msgId), unhex(f.recipient), u16(f.status));
    case T.ROUTE:
      return f.action === ACTION.ANNOUNCE
        ? cat(t, u8(f.action), unhex(f.dest), unhex(f.origin), u64(f.proofTimeMs), unhex(f.proofSig), u8(f.path.length), f.path.map(unhex))
        : cat(t, u8(f.action), unhex(f.dest));
    case T.FWD:
      // The carried MSG travels as bytes; `inner` is its decoded form and must encode to exactly `msg`.
      if (hex(encode(f.inner)) !== f.msg) throw new Error('FWD: msg and inner disagree');
      return cat(t, unhex(f.originRelay), u8(f.targets.length), f.targets.map(unhex), unhex(f.msg));
    case T.RECEIPT:
      return cat(t, unhex(f.toRelay), u8(f.hops), unhex(f.sender), unhex(f.msgId), unhex(f.recipient), u16(f.status));
    case T.DECL:
      return f.action === DECL_ACTION.PUBLISH
        ? cat(t, u8(f.action), u32(unhex(f.holding).length), unhex(f.holding))
        : cat(t, u8(f.action), unhex(f.contentHash), unhex(f.holder), u64(f.timeMs), unhex(f.sig));
    case T.ERROR:
      return cat(t, u16(f.code), unhex(f.ref), str16(f.message));
  }
  throw new Error(`type ${f.type}`);
}

// ---------------------------------------------------------------------------------------------
// Fixed keys and randomness

const A = identity(seq(0x00)); // the client (initiator)
const B = identity(seq(0x20)); // the relay (responder)
const C = identity(seq(0x40)); // a third party
const EPH_A = ephemeral(seq(0x60));
const EPH_B = ephemeral(seq(0x80));
const EPH_B_FRESH = ephemeral(seq(0xe0));
const NONCE_A = seq(0xa0);
const NONCE_B = seq(0xc0);
const NONCE_B_FRESH = seq(0xff, 32, -1);
/** A point of order 8 on Curve25519 (in libsodium's blocklist): X25519 with it yields all zeros. */
const LOW_ORDER_POINT = unhex('e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800');
const MSG_ID = unhex('00112233445566778899aabbccddeeff');
const ZERO_REF = Buffer.alloc(16);
// Relays of the federation vectors, seeded with 32 copies of one letter: R receives announcements,
// N is its neighbour, O an origin (home) relay further away, MID a relay in the middle.
const R = identity(Buffer.alloc(32, 0x52));
const N = identity(Buffer.alloc(32, 0x4e));
const O = identity(Buffer.alloc(32, 0x4f));
const MID = identity(Buffer.alloc(32, 0x4d));
/** Sixteen more relays (seeds 32 × 0x70 .. 32 × 0x7f) for the longest paths. */
const P = Array.from({ length: 16 }, (_, i) => identity(Buffer.alloc(32, 0x70 + i)));

/** §9.3: proof = Sign(client, "w2w/1 home" ‖ relayId ‖ u64be(timeMs)). */
function homeProof(client, relayId, timeMs) {
  const message = cat(utf8(LABEL_HOME), relayId, u64(timeMs));
  return { message, sig: client.sign(message) };
}

// ---------------------------------------------------------------------------------------------
// IDs

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
const B32 = 'abcdefghijklmnopqrstuvwxyz234567';
function base32(bytes) {
  let bits = '';
  for (const b of bytes) bits += b.toString(2).padStart(8, '0');
  while (bits.length % 5) bits += '0';
  let out = '';
  for (let i = 0; i < bits.length; i += 5) out += B32[parseInt(bits.slice(i, i + 5), 2)];
  return out;
}
const ID_PREFIX = 'w2w1';
function idText(pk) {
  const sum = crc32(cat(utf8(ID_PREFIX), pk));
  return { crc32: hex(u32(sum)), text: ID_PREFIX + base32(cat(pk, u32(sum))) };
}
const replaceAt = (s, i, ch) => s.slice(0, i) + ch + s.slice(i + 1);

function idsVectors() {
  const valid = [
    { seed: A.seed, publicKey: A.publicKey, note: 'identity A (the client in handshake.json): seed 00 01 .. 1f' },
    { seed: B.seed, publicKey: B.publicKey, note: 'identity B (the relay in handshake.json): seed 20 21 .. 3f' },
    { seed: C.seed, publicKey: C.publicKey, note: 'identity C (a third party): seed 40 41 .. 5f' },
    { seed: null, publicKey: Buffer.alloc(32), note: '32 zero bytes: not a usable Ed25519 key, but the text form does not care' },
    { seed: null, publicKey: Buffer.alloc(32, 0xff), note: '32 bytes of ff' },
  ].map((v) => ({
    seed: v.seed ? hex(v.seed) : null,
    publicKey: hex(v.publicKey),
    crc32Input: hex(cat(utf8(ID_PREFIX), v.publicKey)),
    ...idText(v.publicKey),
    note: v.note,
  }));
  const a = valid[0].text;
  const body = a.slice(ID_PREFIX.length);
  // The last character carries 3 data bits and 2 zero padding bits; find a same-data neighbour with a padding bit set.
  const last = a[a.length - 1];
  const padded = B32[B32.indexOf(last) | 1];
  // A character change inside the key part that is still valid base32: only the checksum can catch it.
  const typoAt = ID_PREFIX.length + 10;
  const typo = replaceAt(a, typoAt, a[typoAt] === 'q' ? 'r' : 'q');
  let swapAt = ID_PREFIX.length + 20;
  while (a[swapAt] === a[swapAt + 1]) swapAt++;
  const swapped = a.slice(0, swapAt) + a[swapAt + 1] + a[swapAt] + a.slice(swapAt + 2);
  return {
    description:
      'ID text form: "w2w1" + base32(publicKey[32] ‖ u32be(crc32("w2w1" ‖ publicKey))), RFC 4648 base32 with the lower-case ' +
      'alphabet and no padding, 62 characters in all. crc32 is the IEEE/zlib CRC-32 (Python: zlib.crc32). See docs/PROTOCOL.md §3.',
    prefix: ID_PREFIX,
    alphabet: B32,
    length: 62,
    valid,
    alsoAccepted: [
      { text: a.toUpperCase(), publicKey: hex(A.publicKey), note: 'parsing is case-insensitive (prefix included); IDs are always written in lower case' },
      { text: ` ${a}\n`, publicKey: hex(A.publicKey), note: 'surrounding white space is trimmed before parsing' },
    ],
    invalid: [
      { text: '', reason: 'prefix', note: 'empty' },
      { text: `w2w2${body}`, reason: 'prefix', note: 'wrong prefix (w2w2)' },
      { text: `${body}abcd`, reason: 'prefix', note: 'no prefix: 62 characters of base32 alone' },
      { text: a.slice(0, -1), reason: 'length', note: '61 characters: last one missing' },
      { text: `${a}a`, reason: 'length', note: '63 characters: one extra' },
      { text: replaceAt(a, ID_PREFIX.length + 5, '0'), reason: 'character', note: '"0" is not in the alphabet (nor are 1, 8, 9 or "=")' },
      { text: replaceAt(a, ID_PREFIX.length + 5, '8'), reason: 'character', note: '"8" is not in the alphabet' },
      { text: replaceAt(a, a.length - 1, padded), reason: 'character', note: `last character "${padded}" instead of "${last}": same data bits, but a padding bit is set; padding bits must be zero` },
      { text: typo, reason: 'checksum', note: 'one character of the key part changed (a typo): valid base32, wrong CRC-32' },
      { text: swapped, reason: 'checksum', note: 'two adjacent characters swapped' },
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// Handshake

function m1({ ctx = CTX.C2S, a = A, ephA = EPH_A.publicKey, nonceA = NONCE_A, expectedIdB = B.publicKey, binding, signer = a }) {
  const h1 = H('w2w/1', CTX_LABEL[ctx], a.publicKey, ephA, nonceA, expectedIdB, binding);
  const sigA = signer.sign(cat(LABEL_A, h1.hash));
  const frame = { type: T.HS1, ctx, idA: hex(a.publicKey), ephA: hex(ephA), nonceA: hex(nonceA), expectedIdB: hex(expectedIdB), binding, sigA: hex(sigA) };
  return { h1, sigA, frame };
}

function m2(first, { b = B, ephB = EPH_B.publicKey, nonceB = NONCE_B, signer = b }) {
  const h2 = H(first.h1.hash, first.sigA, b.publicKey, ephB, nonceB).hash;
  const sigB = signer.sign(cat(LABEL_B, h2));
  return { h2, sigB, frame: { type: T.HS2, idB: hex(b.publicKey), ephB: hex(ephB), nonceB: hex(nonceB), sigB: hex(sigB) } };
}

function m3(second, { signer = A } = {}) {
  const h3 = H(second.h2, second.sigB).hash;
  const sigC = signer.sign(cat(LABEL_C, h3));
  const th = H(h3, sigC).hash;
  return { h3, sigC, th, frame: { type: T.HS3, sigC: hex(sigC) } };
}

const RELAY_URL = 'wss://relay.example.org/';
const RELAY_PUBLIC_URLS = ['wss://relay.example.org:443/'];

function validHandshake(name, binding, acceptBindings, note, ctx = CTX.C2S) {
  const first = m1({ ctx, binding });
  const second = m2(first, {});
  const third = m3(second);
  const q = EPH_A.dh(EPH_B.publicKey);
  const qOther = EPH_B.dh(EPH_A.publicKey);
  if (!q.equals(qOther)) throw new Error('X25519 disagrees with itself');
  const kdfInput = cat(LABEL_KEYS, third.th);
  const k = blake2b(64, kdfInput, q);
  const ready = { type: T.READY, transcriptHash: hex(third.th), timeMs: TIME_MS };
  return {
    name,
    note,
    ctx,
    ctxLabel: CTX_LABEL[ctx],
    binding,
    acceptBindings,
    initiator: {
      seed: hex(A.seed), publicKey: hex(A.publicKey), id: idText(A.publicKey).text,
      ephemeralSecret: hex(EPH_A.secret), ephemeralPublic: hex(EPH_A.publicKey), nonce: hex(NONCE_A),
    },
    responder: {
      seed: hex(B.seed), publicKey: hex(B.publicKey), id: idText(B.publicKey).text,
      ephemeralSecret: hex(EPH_B.secret), ephemeralPublic: hex(EPH_B.publicKey), nonce: hex(NONCE_B),
    },
    h1Input: hex(first.h1.input),
    h1: hex(first.h1.hash),
    sigA: hex(first.sigA),
    h2: hex(second.h2),
    sigB: hex(second.sigB),
    h3: hex(third.h3),
    sigC: hex(third.sigC),
    th: hex(third.th),
    sharedSecret: hex(q),
    kdfInput: hex(kdfInput),
    kAB: hex(k.subarray(0, 32)),
    kBA: hex(k.subarray(32, 64)),
    frames: {
      hs1: { hex: hex(encode(first.frame)), frame: first.frame },
      hs2: { hex: hex(encode(second.frame)), frame: second.frame },
      hs3: { hex: hex(encode(third.frame)), frame: third.frame },
      ready: { hex: hex(encode(ready)), frame: ready },
    },
  };
}

const flipFirstBit = (hexSig) => {
  const b = unhex(hexSig);
  b[0] ^= 0x01;
  return hex(b);
};

function handshakeVectors() {
  const valid = [
    validHandshake('c2s registration', RELAY_URL, RELAY_PUBLIC_URLS,
      'The client A registers with the relay B that it reached at wss://relay.example.org/. The relay lists its public URL ' +
      'with an explicit port; both normalise to wss://relay.example.org:443/, so the binding is accepted.'),
    validHandshake('c2s registration, non-ASCII binding', 'wss://bücher.example:8443/w2w', ['wss://xn--bcher-kva.example:8443/w2w'],
      'The binding is signed and hashed exactly as sent (UTF-8 "ü"), while the relay compares it after URL normalisation ' +
      '(IDNA: xn--bcher-kva). Everything else is as in the first case, so h1 and all later values differ only through the binding.'),
    validHandshake('s2s link', RELAY_URL, RELAY_PUBLIC_URLS,
      'A relay link (§9.1): the dialling relay is the initiator (here A\'s keys stand in for a relay), the relay it dials ' +
      'is the responder B. Only the context differs from the first case: ctx byte 2 and the label "s2s" in h1.',
      CTX.S2S),
  ];
  const good = valid[0];
  const goodM1 = m1({ binding: RELAY_URL });
  const goodM2 = m2(goodM1, {});
  const goodM3 = m3(goodM2);
  const hs = (f) => hex(encode(f));

  const tamperedSigA = { ...goodM1.frame, sigA: flipFirstBit(goodM1.frame.sigA) };
  const tamperedNonce = { ...goodM1.frame, nonceA: hex(seq(0xa1)) };
  const wrongCtx = m1({ ctx: CTX.S2S, binding: RELAY_URL });
  const e2eCtx = m1({ ctx: CTX.E2E, binding: RELAY_URL });
  const toC = m1({ expectedIdB: C.publicKey, binding: RELAY_URL });
  const wrongBinding = m1({ binding: 'wss://relay.example.net/' });
  const notWs = m1({ binding: 'https://relay.example.org/' });
  const signedByC = m1({ binding: RELAY_URL, signer: C });
  const freshM2 = m2(goodM1, { ephB: EPH_B_FRESH.publicKey, nonceB: NONCE_B_FRESH });
  const weakA1 = m1({ ephA: LOW_ORDER_POINT, binding: RELAY_URL });
  const weakA2 = m2(weakA1, {});
  const weakA3 = m3(weakA2);
  const cSignsC = m3(goodM2, { signer: C });
  const fromC = m2(goodM1, { b: C });
  const bByC = m2(goodM1, { signer: C });
  const weakB = m2(goodM1, { ephB: LOW_ORDER_POINT });
  const otherSession = m2(m1({ nonceA: seq(0xa1), binding: RELAY_URL }), {});

  const responderCases = [
    { name: 'tampered sigA', hs1: hs(tamperedSigA), error: 'BAD_SIGNATURE', failsAt: 'HS1',
      note: 'The first bit of sigA is flipped; sigA must verify under idA over "w2w/1|A" ‖ h1.' },
    { name: 'tampered field under sigA', hs1: hs(tamperedNonce), error: 'BAD_SIGNATURE', failsAt: 'HS1',
      note: 'nonceA changed after signing (a0 a1 .. becomes a1 a2 ..): h1 changes, so the unchanged sigA no longer verifies.' },
    { name: 'sigA by another key', hs1: hs(signedByC.frame), error: 'BAD_SIGNATURE', failsAt: 'HS1',
      note: 'idA is A but C signed: a client cannot register an ID whose secret key it does not hold.' },
    { name: 'wrong context', hs1: hs(wrongCtx.frame), error: 'WRONG_CONTEXT', failsAt: 'HS1',
      note: 'A correctly signed s2s (ctx 2) handshake sent to a relay that does not federate (it serves c2s only): refused ' +
        'before sigA is checked. A federating relay would accept it (see the valid case "s2s link").' },
    { name: 'e2e context at a relay', hs1: hs(e2eCtx.frame), error: 'WRONG_CONTEXT', failsAt: 'HS1',
      note: 'e2e (ctx 3) is for client-to-client sessions; no relay serves it, federating or not.' },
    { name: 'wrong peer (addressed to C)', hs1: hs(toC.frame), error: 'WRONG_PEER', failsAt: 'HS1',
      note: 'expectedIdB is C, but the responder is B: a handshake meant for another relay cannot be forwarded to this one.' },
    { name: 'wrong binding', hs1: hs(wrongBinding.frame), error: 'WRONG_BINDING', failsAt: 'HS1',
      note: 'Signed for wss://relay.example.net/, but the relay\'s public URLs are wss://relay.example.org:443/ only.' },
    { name: 'binding is not a ws URL', hs1: hs(notWs.frame), error: 'WRONG_BINDING', failsAt: 'HS1',
      note: 'Only ws:// and wss:// URLs normalise; anything else is refused even by a relay without a public-URL list.',
      acceptBindings: [] },
    { name: 'tampered sigC', hs1: good.frames.hs1.hex, hs2: good.frames.hs2.hex, hs3: hs({ type: T.HS3, sigC: flipFirstBit(hex(goodM3.sigC)) }),
      error: 'BAD_SIGNATURE', failsAt: 'HS3', note: 'HS1 is valid and answered with the HS2 of the valid case; the first bit of sigC is flipped.' },
    { name: 'sigC by another key', hs1: good.frames.hs1.hex, hs2: good.frames.hs2.hex, hs3: hs(cSignsC.frame), error: 'BAD_SIGNATURE', failsAt: 'HS3',
      note: 'C signs the right h3; sigC must verify under idA, the ID named in HS1.' },
    { name: 'replayed HS1 and HS3 against a fresh responder', hs1: good.frames.hs1.hex, hs2: hs(freshM2.frame), hs3: good.frames.hs3.hex,
      responderEntropy: { ephemeralSecret: hex(EPH_B_FRESH.secret), nonce: hex(NONCE_B_FRESH) },
      error: 'BAD_SIGNATURE', failsAt: 'HS3',
      note: 'An eavesdropper replays A\'s recorded HS1 to the relay: sigA still verifies (it covers only A\'s own values), so the ' +
        'relay answers with a fresh ephemeral and nonce (the hs2 given here). The recorded sigC covers the old h3, built from the ' +
        'old sigB, ephB and nonceB, so it fails; producing a new sigC needs A\'s secret key.' },
    { name: 'low-order ephemeral from the initiator', hs1: hs(weakA1.frame), hs2: hs(weakA2.frame), hs3: hs(weakA3.frame),
      error: 'WEAK_KEY', failsAt: 'HS3',
      note: 'ephA is a point of order 8, so X25519 gives all zeros. Everything is correctly signed; the responder computes ' +
        'X25519 only after sigC verifies, so the failure comes at HS3.' },
  ].map((c) => ({ target: 'responder', ...c }));

  const initiatorCases = [
    { name: 'tampered sigB', hs2: hs({ ...goodM2.frame, sigB: flipFirstBit(hex(goodM2.sigB)) }), error: 'BAD_SIGNATURE', failsAt: 'HS2',
      note: 'The first bit of sigB is flipped.' },
    { name: 'answer from the wrong peer', hs2: hs(fromC.frame), error: 'WRONG_PEER', failsAt: 'HS2',
      note: 'C answers with its own ID and a valid sigB, but the client dialled B (expectedIdB): refused before sigB is checked.' },
    { name: 'sigB by another key', hs2: hs(bByC.frame), error: 'BAD_SIGNATURE', failsAt: 'HS2',
      note: 'idB is B but C signed h2.' },
    { name: 'HS2 from another session', hs2: hs(otherSession.frame), error: 'BAD_SIGNATURE', failsAt: 'HS2',
      note: 'A genuine HS2 from B, but answering a different HS1 (nonceA a1 a2 ..): h2 covers h1 and sigA, so a recorded answer ' +
        'cannot be replayed to a new handshake.' },
    { name: 'low-order ephemeral from the responder', hs2: hs(weakB.frame), error: 'WEAK_KEY', failsAt: 'HS2',
      note: 'ephB is a point of order 8 and correctly signed by B: X25519 gives all zeros, so the initiator aborts instead of sending HS3.' },
  ].map((c) => ({ target: 'initiator', ...c }));

  const transcriptHashes = [
    { parts: [], note: 'no parts: BLAKE2b-256 of the empty string' },
    { parts: [''], note: 'one empty part: its 4-byte zero length is hashed' },
    { parts: [hex(utf8('w2w/1'))], note: 'the protocol label alone' },
    { parts: [hex(utf8('ab')), hex(utf8('c'))], note: '"ab","c" and "a","bc" hash differently thanks to the length prefixes' },
    { parts: [hex(utf8('a')), hex(utf8('bc'))], note: 'see above' },
  ].map((v) => {
    const r = H(...v.parts.map(unhex));
    return { parts: v.parts, input: hex(r.input), hash: hex(r.hash), note: v.note };
  });

  const bindings = [
    ['wss://relay.example.org/', 'wss://relay.example.org:443/', 'the default port is made explicit'],
    ['wss://Relay.Example.ORG', 'wss://relay.example.org:443/', 'host lower-cased, empty path becomes "/"'],
    ['wss://relay.example.org:443/', 'wss://relay.example.org:443/', 'already canonical'],
    ['ws://127.0.0.1:7070', 'ws://127.0.0.1:7070/', 'loopback with a port'],
    ['ws://localhost:80/', 'ws://localhost:80/', 'ws default port 80'],
    ['ws://[::1]:7070/w2w?x=1#frag', 'ws://[::1]:7070/w2w', 'IPv6 keeps its brackets; query and fragment are dropped'],
    ['wss://relay.example.org/w2w/', 'wss://relay.example.org:443/w2w/', 'a trailing slash is significant'],
    ['wss://user:pw@relay.example.org:8443/a/../b', 'wss://relay.example.org:8443/b', 'user info dropped, dot segments resolved'],
    ['ws://127.1:7070/', 'ws://127.0.0.1:7070/', 'IPv4 shorthand expanded (WHATWG URL host parsing)'],
    ['wss://bücher.example/', 'wss://xn--bcher-kva.example:443/', 'IDNA: Unicode host names become punycode'],
    ['https://relay.example.org/', null, 'not a WebSocket URL'],
    ['relay.example.org', null, 'not a URL'],
  ].map(([input, normalized, note]) => ({ input, normalized, note }));

  return {
    description:
      'The handshake of docs/PROTOCOL.md §5 (c2s registrations, and one s2s relay link in which only the context differs) ' +
      'with fixed identities, ephemeral secrets and nonces. All byte values are hex. ' +
      '"valid" lists every intermediate; "invalid" feeds tampered frames to one side, which must fail with the given error ' +
      'at the given frame. The responder is always B serving c2s only, as a relay without federation does (seed 20..3f, ' +
      'entropy from valid[0] unless responderEntropy says otherwise), ' +
      'accepting the bindings in acceptBindings (after normalisation; an empty list accepts any ws/wss URL). The initiator is ' +
      'always A of valid[0] (same entropy, expected peer B, binding wss://relay.example.org/), so its HS1 is valid[0].frames.hs1.',
    labels: { protocol: 'w2w/1', sigA: 'w2w/1|A', sigB: 'w2w/1|B', sigC: 'w2w/1|C', keys: 'w2w/1 keys', contexts: CTX_LABEL },
    transcriptHashes,
    valid,
    invalid: [...responderCases, ...initiatorCases].map((c) => ({ acceptBindings: RELAY_PUBLIC_URLS, ...c })),
    bindings,
  };
}

// ---------------------------------------------------------------------------------------------
// Frames

const idHex = (x) => hex(x.publicKey);

/** A MSG frame object (as in frames.json) from A. */
function msgFrame(route, extra, body, flags = 0, hops = 8) {
  return { type: T.MSG, flags, hops, id: hex(MSG_ID), from: idHex(A), body: hex(body), route, ...extra };
}

/** A FWD frame object: the MSG travels as bytes (msg) and decoded (inner). */
function fwdFrame(originRelay, targets, inner) {
  return { type: T.FWD, originRelay: hex(originRelay), targets: targets.map(hex), msg: hex(encode(inner)), inner };
}

/** Malformed ROUTE, FWD and RECEIPT frames. */
function linkInvalid() {
  const M_ = 'MALFORMED_FRAME';
  const proof = homeProof(A, B.publicKey, TIME_MS);
  const announceHead = (path) => cat(u8(T.ROUTE), u8(ACTION.ANNOUNCE), A.publicKey, B.publicKey, u64(TIME_MS), proof.sig, u8(path.length), path);
  const a2b = encode(msgFrame(ROUTE.A2B, { to: idHex(C) }, utf8('hello c'), 0, 7));
  const fwd = (targets, carried) => cat(u8(T.FWD), B.publicKey, u8(targets.length), targets, carried);
  const badFlags = Buffer.from(a2b);
  badFlags[2] = 0x04;
  const ids = (n) => Array.from({ length: n }, (_, i) => seq(i));
  const manyIds = Array.from({ length: 17 }, (_, i) => P[i] ? P[i].publicKey : N.publicKey);
  const receipt = cat(u8(T.RECEIPT), B.publicKey, u8(16), A.publicKey, MSG_ID, C.publicKey, u16(0));
  return [
    ['ROUTE action 0', cat(u8(T.ROUTE), u8(0), A.publicKey), M_, 'actions are 1 (ANNOUNCE) and 2 (WITHDRAW)'],
    ['ROUTE action 3', cat(u8(T.ROUTE), u8(3), A.publicKey), M_, ''],
    ['ROUTE announce with an empty path', announceHead([]), M_, 'a path holds 1..16 relays'],
    ['ROUTE announce with a path of 17', announceHead(manyIds), M_, 'a path holds at most 16 relays'],
    ['ROUTE announce short of its path', cat(announceHead([B.publicKey]).subarray(0, 138), u8(2), B.publicKey), M_, 'n = 2 but one relay follows'],
    ['ROUTE announce proofTimeMs 2^53', cat(u8(T.ROUTE), u8(ACTION.ANNOUNCE), A.publicKey, B.publicKey, u64(2 ** 53), proof.sig, u8(1), B.publicKey), M_, ''],
    ['ROUTE announce with a short signature', cat(u8(T.ROUTE), u8(ACTION.ANNOUNCE), A.publicKey, B.publicKey, u64(TIME_MS), proof.sig.subarray(0, 40)), M_, ''],
    ['ROUTE announce with a trailing byte', cat(announceHead([B.publicKey]), u8(0)), M_, ''],
    ['ROUTE withdraw with a trailing byte', cat(u8(T.ROUTE), u8(ACTION.WITHDRAW), A.publicKey, u8(0)), M_, 'a withdraw is type, action and dest only (34 bytes)'],
    ['ROUTE withdraw with a short dest', cat(u8(T.ROUTE), u8(ACTION.WITHDRAW), A.publicKey.subarray(0, 31)), M_, ''],
    ['FWD with 65 targets', fwd(ids(65), a2b), M_, 'at most 64 targets per FWD'],
    ['FWD carrying nothing', fwd([C.publicKey], Buffer.alloc(0)), M_, 'a FWD must carry a MSG'],
    ['FWD carrying a FWD', fwd([C.publicKey], fwd([C.publicKey], a2b)), M_,
      'only MSG may be carried; decoders check the carried type byte before decoding, so nested FWDs cannot recurse'],
    ['FWD carrying an ERROR', fwd([], encode({ type: T.ERROR, code: 100, ref: hex(ZERO_REF), message: '' })), M_, ''],
    ['FWD carrying a malformed MSG', fwd([C.publicKey], badFlags), M_, 'the carried MSG is decoded as strictly as a MSG of its own (here: flags 0x04)'],
    ['FWD with a byte after the MSG', fwd([C.publicKey], cat(a2b, u8(0))), M_, 'the MSG runs to the end of the FWD; its bodyLen decides, so a trailing byte is malformed'],
    ['FWD short of its targets', cat(u8(T.FWD), B.publicKey, u8(2), C.publicKey), M_, 'n = 2 but one target follows and no MSG'],
    ['RECEIPT truncated', receipt.subarray(0, receipt.length - 1), M_, 'status is a u16'],
    ['RECEIPT with a trailing byte', cat(receipt, u8(0)), M_, 'a RECEIPT is exactly 116 bytes'],
    ['DECL action 0', cat(u8(T.DECL), u8(0), u32(0)), M_, 'actions are 1 (PUBLISH) and 2 (WITHDRAW)'],
    ['DECL action 3', cat(u8(T.DECL), u8(3), Buffer.alloc(136)), M_, ''],
    ['DECL publish of 8193 bytes', cat(u8(T.DECL), u8(DECL_ACTION.PUBLISH), u32(8193), Buffer.alloc(8193)), M_, `a holding blob is at most ${MAX_HOLDING_BLOB} bytes`],
    ['DECL publish shorter than its length', cat(u8(T.DECL), u8(DECL_ACTION.PUBLISH), u32(10), Buffer.alloc(9)), M_, ''],
    ['DECL publish with a trailing byte', cat(u8(T.DECL), u8(DECL_ACTION.PUBLISH), u32(2), unhex('ff00'), u8(0)), M_, 'the holding ends the frame'],
    ['DECL withdraw with a short signature', cat(u8(T.DECL), u8(DECL_ACTION.WITHDRAW), Buffer.alloc(32), A.publicKey, u64(TIME_MS), Buffer.alloc(63)), M_, ''],
    ['DECL withdraw timeMs 2^53', cat(u8(T.DECL), u8(DECL_ACTION.WITHDRAW), Buffer.alloc(32), A.publicKey, u64(2 ** 53), Buffer.alloc(64)), M_, ''],
  ];
}

/** Valid ROUTE, FWD and RECEIPT frames (relay links only, §7.12-§7.14). */
function linkFrames() {
  const proofAB = homeProof(A, B.publicKey, TIME_MS);
  const proofBB = homeProof(B, B.publicKey, TIME_MS - 3_600_000);
  const announce = (dest, origin, proof, timeMs, path) => ({
    type: T.ROUTE, action: ACTION.ANNOUNCE, dest: hex(dest), origin: hex(origin), proofTimeMs: timeMs, proofSig: hex(proof.sig), path: path.map(hex),
  });
  return [
    {
      name: 'ROUTE announce, one hop',
      frame: announce(A.publicKey, B.publicKey, proofAB, TIME_MS, [B.publicKey]),
      note: 'relay B announces its client A to a neighbour: origin B, path [B], A\'s home proof for B',
    },
    {
      name: 'ROUTE announce, three relays',
      frame: announce(A.publicKey, B.publicKey, proofAB, TIME_MS, [B.publicKey, MID.publicKey, N.publicKey]),
      note: 'the same route as N passes it on: the path runs from the origin B to the announcer N; the proof is unchanged',
    },
    {
      name: 'ROUTE announce, a relay\'s own ID',
      frame: announce(B.publicKey, B.publicKey, proofBB, TIME_MS - 3_600_000, [B.publicKey]),
      note: 'relays announce themselves: dest = origin = B, signed by B with its start time',
    },
    { name: 'ROUTE withdraw', frame: { type: T.ROUTE, action: ACTION.WITHDRAW, dest: idHex(A) } },
    {
      name: 'FWD a2b',
      frame: fwdFrame(B.publicKey, [C.publicKey], msgFrame(ROUTE.A2B, { to: idHex(C) }, utf8('hello c'), FLAG_ACK | FLAG_STORE, 7)),
      note: 'A\'s message entered the federation at B (originRelay); the sender sent hops 8, B decremented it to 7',
    },
    {
      name: 'FWD of an a2g list, one target behind this hop',
      frame: fwdFrame(B.publicKey, [C.publicKey], msgFrame(ROUTE.A2G_LIST, { to: [idHex(N), idHex(C)] }, utf8('hello all'), 0, 6)),
      note: 'targets names only the recipients this hop is responsible for; the MSG still lists every recipient',
    },
    {
      name: 'FWD of a named-group message',
      frame: fwdFrame(B.publicKey, [C.publicKey, N.publicKey], msgFrame(ROUTE.A2G_NAMED, { group: 'friends' }, utf8('hi friends'), 0, 7)),
      note: 'the group lives on B; its members C and N are elsewhere',
    },
    {
      name: 'FWD flood (a2n)',
      frame: fwdFrame(B.publicKey, [], msgFrame(ROUTE.A2N, {}, utf8('to everyone'), 0, 15)),
      note: 'no targets: deliver to every local client and flood to every other link',
    },
    {
      name: 'RECEIPT delivered',
      frame: { type: T.RECEIPT, toRelay: idHex(B), hops: 16, sender: idHex(A), msgId: hex(MSG_ID), recipient: idHex(C), status: RECEIPT_STATUS.DELIVERED },
      note: 'C\'s relay tells B, where A\'s message entered, that C got it; relays start receipts at hops 16',
    },
    {
      name: 'RECEIPT stored',
      frame: { type: T.RECEIPT, toRelay: idHex(B), hops: 15, sender: idHex(A), msgId: hex(MSG_ID), recipient: idHex(C), status: RECEIPT_STATUS.STORED },
    },
    {
      name: 'RECEIPT missed',
      frame: { type: T.RECEIPT, toRelay: idHex(B), hops: 1, sender: idHex(A), msgId: hex(MSG_ID), recipient: idHex(C), status: ERR.HOP_LIMIT },
      note: 'hops 1: only the relay B itself may take it; any other relay drops it',
    },
  ];
}

function framesVectors(hsFrames, decl) {
  const [declPub, declPeers, declGroup] = decl.valid;
  const withdrawal = decl.withdrawals[0];
  const hello = {
    type: T.HELLO, version: 1, relayId: idHex(B), timeMs: TIME_MS, maxFrameBytes: 131072, maxRecipients: 64,
    ratePerSec: 1000, rateBurst: 2000, pingIntervalMs: 30000, handshakeTimeoutMs: 10000,
  };
  const msg = (route, extra, body, note, flags = 0, hops = 8) => ({
    name: `MSG ${note}`,
    frame: { type: T.MSG, flags, hops, id: hex(MSG_ID), from: idHex(A), body: hex(body), route, ...extra },
  });
  const valid = [
    { name: 'HELLO with the default limits', frame: hello },
    { name: 'HELLO with maximal safe time', frame: { ...hello, timeMs: MAX_SAFE, maxFrameBytes: 262144 }, note: 'u64 fields carry at most 2^53-1' },
    { name: 'HS1 (valid handshake)', frame: hsFrames.hs1.frame },
    { name: 'HS2 (valid handshake)', frame: hsFrames.hs2.frame },
    { name: 'HS3 (valid handshake)', frame: hsFrames.hs3.frame },
    { name: 'READY (valid handshake)', frame: hsFrames.ready.frame },
    msg(ROUTE.A2A, {}, utf8('hello me'), 'a2a'),
    msg(ROUTE.A2B, { to: idHex(B) }, utf8('hello b'), 'a2b with FLAG_ACK', FLAG_ACK),
    msg(ROUTE.A2B, { to: idHex(C) }, Buffer.alloc(0), 'a2b with an empty body, hops 1', 0, 1),
    msg(ROUTE.A2G_LIST, { to: [idHex(B), idHex(C)] }, utf8('hello b and c'), 'a2g list of two', FLAG_ACK),
    msg(ROUTE.A2G_NAMED, { group: 'friends' }, utf8('hello friends'), 'a2g named group'),
    msg(ROUTE.A2G_NAMED, { group: 'チーム w2w' }, utf8('こんにちは'), 'a2g named group, non-ASCII name with an inner space'),
    msg(ROUTE.A2N, {}, unhex('00ff00ff'), 'a2n with a binary body', 0, 16),
    msg(ROUTE.A2B, { to: idHex(C) }, utf8('keep it for c'), 'a2b with FLAG_STORE', FLAG_STORE),
    msg(ROUTE.A2G_LIST, { to: [idHex(B), idHex(C)] }, utf8('ack and keep'), 'a2g list with FLAG_ACK and FLAG_STORE', FLAG_ACK | FLAG_STORE),
    { name: 'ACK, all delivered', frame: { type: T.ACK, id: hex(MSG_ID), delivered: 1, forwarded: 0, stored: 0, missed: [] } },
    {
      name: 'ACK with missed recipients',
      frame: {
        type: T.ACK, id: hex(MSG_ID), delivered: 0, forwarded: 0, stored: 0,
        missed: [{ id: idHex(B), code: ERR.RECIPIENT_OFFLINE }, { id: idHex(C), code: ERR.UNKNOWN_RECIPIENT }],
      },
    },
    {
      name: 'ACK with forwarded, stored and missed recipients',
      frame: {
        type: T.ACK, id: hex(MSG_ID), delivered: 1, forwarded: 2, stored: 1,
        missed: [{ id: idHex(B), code: ERR.HOP_LIMIT }, { id: idHex(C), code: ERR.STORE_FULL }],
      },
      note: 'an a2g-list of six: one delivered here, two passed over links (RECEIPT events follow), one kept here, two missed',
    },
    {
      name: 'ACK with a missed code this version does not know',
      frame: { type: T.ACK, id: hex(MSG_ID), delivered: 0, forwarded: 0, stored: 0, missed: [{ id: idHex(B), code: 999 }] },
      note: 'forward compatibility: codes from 100 up that the receiver does not know are kept (shown as "E999")',
    },
    { name: 'REQ LIST_PEERS', frame: { type: T.REQ, reqId: 1, op: OP.LIST_PEERS } },
    { name: 'REQ GROUP_CREATE', frame: { type: T.REQ, reqId: 2, op: OP.GROUP_CREATE, name: 'friends' } },
    { name: 'REQ GROUP_ADD', frame: { type: T.REQ, reqId: 3, op: OP.GROUP_ADD, name: 'friends', members: [idHex(B), idHex(C)] } },
    { name: 'REQ GROUP_REMOVE', frame: { type: T.REQ, reqId: 4, op: OP.GROUP_REMOVE, name: 'friends', members: [idHex(C)] } },
    { name: 'REQ GROUP_LIST', frame: { type: T.REQ, reqId: 5, op: OP.GROUP_LIST } },
    { name: 'REQ GROUP_DELETE', frame: { type: T.REQ, reqId: 6, op: OP.GROUP_DELETE, name: 'friends' } },
    { name: 'REQ WATCH', frame: { type: T.REQ, reqId: 0xfffffffe, op: OP.WATCH, ids: [idHex(B), idHex(C)] } },
    { name: 'REQ WATCH with no IDs', frame: { type: T.REQ, reqId: 0, op: OP.WATCH, ids: [] }, note: 'legal; the answer is an empty list' },
    {
      name: 'REQ PUBLISH_HOME',
      frame: { type: T.REQ, reqId: 1, op: OP.PUBLISH_HOME, timeMs: TIME_MS, sig: hex(homeProof(A, B.publicKey, TIME_MS).sig) },
      note: 'A publishes its home proof for relay B right after READY (the proof is federation.json homeProofs[0])',
    },
    { name: 'REQ LINKS', frame: { type: T.REQ, reqId: 9, op: OP.LINKS } },
    { name: 'REQ ROUTE_OF', frame: { type: T.REQ, reqId: 10, op: OP.ROUTE_OF, id: idHex(C) } },
    {
      name: 'REQ DECL_PUBLISH',
      frame: { type: T.REQ, reqId: 11, op: OP.DECL_PUBLISH, holding: declPub.holding },
      note: 'A publishes its holding of the test file (declarations.json valid[0])',
    },
    {
      name: 'REQ DECL_PUBLISH, bytes that are not a holding',
      frame: { type: T.REQ, reqId: 11, op: OP.DECL_PUBLISH, holding: 'ff00' },
      note: 'the frame codec does not look inside the holding: this decodes, and the relay answers BAD_REQUEST (§10.3)',
    },
    {
      name: 'REQ DECL_WITHDRAW',
      frame: { type: T.REQ, reqId: 12, op: OP.DECL_WITHDRAW, contentHash: withdrawal.contentHash, timeMs: withdrawal.timeMs, sig: withdrawal.sig },
      note: 'declarations.json withdrawals[0]',
    },
    { name: 'REQ DECL_QUERY by content hash', frame: { type: T.REQ, reqId: 13, op: OP.DECL_QUERY, by: QUERY_BY.HASH, key: declPub.core.contentHash } },
    { name: 'REQ DECL_QUERY by holder', frame: { type: T.REQ, reqId: 14, op: OP.DECL_QUERY, by: QUERY_BY.HOLDER, key: idHex(C) } },
    { name: 'REQ DECL_QUERY by owner', frame: { type: T.REQ, reqId: 15, op: OP.DECL_QUERY, by: QUERY_BY.OWNER, key: idHex(A) } },
    {
      name: 'RES LIST_PEERS',
      frame: {
        type: T.RES, reqId: 1, op: OP.LIST_PEERS, status: 0,
        peers: [{ id: idHex(A), online: true, lastSeenMs: TIME_MS }, { id: idHex(C), online: false, lastSeenMs: TIME_MS - 60000 }],
      },
    },
    { name: 'RES LIST_PEERS, empty', frame: { type: T.RES, reqId: 1, op: OP.LIST_PEERS, status: 0, peers: [] } },
    { name: 'RES GROUP_CREATE', frame: { type: T.RES, reqId: 2, op: OP.GROUP_CREATE, status: 0 } },
    { name: 'RES GROUP_ADD', frame: { type: T.RES, reqId: 3, op: OP.GROUP_ADD, status: 0 } },
    { name: 'RES GROUP_REMOVE', frame: { type: T.RES, reqId: 4, op: OP.GROUP_REMOVE, status: 0 } },
    {
      name: 'RES GROUP_LIST',
      frame: { type: T.RES, reqId: 5, op: OP.GROUP_LIST, status: 0, groups: [{ name: 'friends', owner: idHex(A), members: [idHex(A), idHex(B)] }] },
    },
    { name: 'RES GROUP_DELETE', frame: { type: T.RES, reqId: 6, op: OP.GROUP_DELETE, status: 0 } },
    {
      name: 'RES WATCH',
      frame: { type: T.RES, reqId: 0xfffffffe, op: OP.WATCH, status: 0, presence: [{ id: idHex(B), online: true }, { id: idHex(C), online: false }] },
    },
    {
      name: 'RES with an error status',
      frame: { type: T.RES, reqId: 2, op: OP.GROUP_CREATE, status: ERR.GROUP_EXISTS, message: 'group "friends" already exists on this relay' },
      note: 'status != 0: a str16 message follows instead of the result',
    },
    {
      name: 'RES with a status this version does not know',
      frame: { type: T.RES, reqId: 2, op: OP.GROUP_CREATE, status: 999, message: 'from a newer relay' },
      note: 'forward compatibility: any non-zero status is an error; unknown ones are kept (shown as "E999")',
    },
    { name: 'RES PUBLISH_HOME', frame: { type: T.RES, reqId: 1, op: OP.PUBLISH_HOME, status: 0 } },
    {
      name: 'RES PUBLISH_HOME refused',
      frame: { type: T.RES, reqId: 1, op: OP.PUBLISH_HOME, status: ERR.BAD_HOME_PROOF, message: 'home proof time is more than 10 minutes from the relay clock' },
    },
    {
      name: 'RES LINKS',
      frame: {
        type: T.RES, reqId: 9, op: OP.LINKS, status: 0,
        links: [
          { relayId: idHex(N), outbound: true, up: true, rttMs: 12, routes: 3, url: 'wss://n.example.org/' },
          { relayId: idHex(MID), outbound: false, up: true, rttMs: 40, routes: 0, url: '203.0.113.7' },
          { relayId: hex(Buffer.alloc(32)), outbound: true, up: false, rttMs: 0, routes: 0, url: 'wss://never-reached.example.net/' },
        ],
      },
      note: 'a dialled link that is up; a link the peer dialled in (url = its address); a configured link never up and not pinned (ID unknown: zeros)',
    },
    { name: 'RES LINKS, none', frame: { type: T.RES, reqId: 9, op: OP.LINKS, status: 0, links: [] } },
    { name: 'RES DECL_PUBLISH', frame: { type: T.RES, reqId: 11, op: OP.DECL_PUBLISH, status: 0 } },
    {
      name: 'RES DECL_PUBLISH refused',
      frame: { type: T.RES, reqId: 11, op: OP.DECL_PUBLISH, status: ERR.BAD_SIGNATURE, message: 'the owner or holder signature does not verify' },
    },
    { name: 'RES DECL_WITHDRAW', frame: { type: T.RES, reqId: 12, op: OP.DECL_WITHDRAW, status: 0 } },
    {
      name: 'RES DECL_QUERY',
      frame: { type: T.RES, reqId: 13, op: OP.DECL_QUERY, status: 0, holdings: [declPeers.holding, declPub.holding] },
      note: 'the holdings of the test file by content hash, newest heldSinceMs first; each is u32 len ‖ holding',
    },
    { name: 'RES DECL_QUERY, none', frame: { type: T.RES, reqId: 14, op: OP.DECL_QUERY, status: 0, holdings: [] } },
    { name: 'RES ROUTE_OF, no route', frame: { type: T.RES, reqId: 10, op: OP.ROUTE_OF, status: 0, kind: ROUTE_KIND.NONE, path: [] } },
    {
      name: 'RES ROUTE_OF, local', frame: { type: T.RES, reqId: 10, op: OP.ROUTE_OF, status: 0, kind: ROUTE_KIND.LOCAL, path: [idHex(R)] },
      note: 'asked at relay R: the ID has a session here; the path is R alone',
    },
    {
      name: 'RES ROUTE_OF, remote',
      frame: { type: T.RES, reqId: 10, op: OP.ROUTE_OF, status: 0, kind: ROUTE_KIND.REMOTE, path: [idHex(O), idHex(MID), idHex(N)] },
      note: 'asked at relay R: the best route\'s path, origin (home) first, ending at R\'s neighbour N; R itself is not listed',
    },
    {
      name: 'RES ROUTE_OF, home only',
      frame: { type: T.RES, reqId: 10, op: OP.ROUTE_OF, status: 0, kind: ROUTE_KIND.HOME_ONLY, path: [idHex(O)] },
      note: 'no route now; O is the last home relay R saw for the ID (store-and-forward goes there)',
    },
    { name: 'EVENT PRESENCE online', frame: { type: T.EVENT, kind: KIND.PRESENCE, id: idHex(C), online: true, timeMs: TIME_MS } },
    { name: 'EVENT PRESENCE offline', frame: { type: T.EVENT, kind: KIND.PRESENCE, id: idHex(C), online: false, timeMs: TIME_MS + 1 } },
    { name: 'EVENT NOTICE', frame: { type: T.EVENT, kind: KIND.NOTICE, text: 'relay is shutting down' } },
    {
      name: 'EVENT RECEIPT delivered',
      frame: { type: T.EVENT, kind: KIND.RECEIPT, msgId: hex(MSG_ID), recipient: idHex(C), status: RECEIPT_STATUS.DELIVERED },
    },
    { name: 'EVENT RECEIPT stored', frame: { type: T.EVENT, kind: KIND.RECEIPT, msgId: hex(MSG_ID), recipient: idHex(C), status: RECEIPT_STATUS.STORED } },
    {
      name: 'EVENT RECEIPT missed', frame: { type: T.EVENT, kind: KIND.RECEIPT, msgId: hex(MSG_ID), recipient: idHex(C), status: ERR.RECIPIENT_OFFLINE },
      note: 'a status other than 0 (DELIVERED) and 1 (STORED) is the error code the recipient was missed with',
    },
    {
      name: 'EVENT NOTICE, BOM and non-BMP text',
      frame: { type: T.EVENT, kind: KIND.NOTICE, text: '\ufeffmaintenance 🚀 at 03:00' },
      note: 'a leading U+FEFF is text, not a byte-order mark: decoders must keep it (Python: decode("utf-8"), not "utf-8-sig")',
    },
    {
      name: 'ERROR naming a message',
      frame: { type: T.ERROR, code: ERR.RECIPIENT_OFFLINE, ref: hex(MSG_ID), message: `${idText(B.publicKey).text} is offline` },
    },
    { name: 'ERROR with a zero ref', frame: { type: T.ERROR, code: ERR.UNEXPECTED_FRAME, ref: hex(ZERO_REF), message: 'a client may not send HELLO after registration' } },
    { name: 'ERROR with an empty message', frame: { type: T.ERROR, code: ERR.MALFORMED_FRAME, ref: hex(ZERO_REF), message: '' } },
    {
      name: 'ERROR with a code this version does not know',
      frame: { type: T.ERROR, code: 999, ref: hex(ZERO_REF), message: 'from a newer peer' },
      note: 'ERROR keeps unknown codes (shown as "E999"), as RES and ACK do',
    },
    {
      name: 'ERROR UNTRUSTED_RELAY',
      frame: { type: T.ERROR, code: ERR.UNTRUSTED_RELAY, ref: hex(ZERO_REF), message: `relay ${idText(N.publicKey).text} is not trusted here` },
      note: 'sent after a valid s2s HS3 by a relay that does not trust the dialler; close 4001 follows',
    },
    ...linkFrames(),
    {
      name: 'DECL publish',
      frame: { type: T.DECL, action: DECL_ACTION.PUBLISH, holding: declGroup.holding },
      note: 'a relay passes C\'s holding (declarations.json valid[2]) to its links',
    },
    {
      name: 'DECL withdraw',
      frame: { type: T.DECL, action: DECL_ACTION.WITHDRAW, contentHash: withdrawal.contentHash, holder: withdrawal.holder, timeMs: withdrawal.timeMs, sig: withdrawal.sig },
      note: 'the DECL_WITHDRAW of frames "REQ DECL_WITHDRAW", passed on with the holder named',
    },
  ].map((v) => ({ name: v.name, ...(v.note ? { note: v.note } : {}), hex: hex(encode(v.frame)), frame: v.frame }));

  const bytesOf = (name) => unhex(valid.find((v) => v.name === name).hex);
  const helloBytes = bytesOf('HELLO with the default limits');
  const with1 = (bytes, offset, value) => {
    const b = Buffer.from(bytes);
    b[offset] = value;
    return b;
  };
  const msgHead = (route, flags = 0) => cat(u8(T.MSG), u8(route), u8(flags), u8(8), MSG_ID, A.publicKey);
  const named = (nameBytes) => cat(msgHead(ROUTE.A2G_NAMED), rawStr8(nameBytes), u32(2), utf8('hi'));
  const ids = (n) => Array.from({ length: n }, (_, i) => seq(i));
  const hs1Bytes = unhex(hsFrames.hs1.hex);
  const hs1WithBinding = (bindingBytes) => cat(hs1Bytes.subarray(0, 130), rawStr16(bindingBytes), hs1Bytes.subarray(hs1Bytes.length - 64));

  const M = 'MALFORMED_FRAME';
  const invalid = [
    ['empty message', Buffer.alloc(0), M, 'a WebSocket message with no bytes'],
    ['unknown type 0x00', u8(0x00), 'UNKNOWN_FRAME_TYPE', 'the type byte is checked first'],
    ['unknown type 0x06', cat(u8(0x06), Buffer.alloc(40)), 'UNKNOWN_FRAME_TYPE', 'a gap in the type numbers'],
    ['unknown type 0x34', cat(u8(0x34), Buffer.alloc(40)), 'UNKNOWN_FRAME_TYPE', 'the first free link-frame number'],
    ['unknown type 0x3f', cat(u8(0x3f), Buffer.alloc(40)), 'UNKNOWN_FRAME_TYPE', 'a gap in the link-frame numbers (0x30..)'],
    ['unknown type 0xff', u8(0xff), 'UNKNOWN_FRAME_TYPE', ''],
    ['HELLO version 2', with1(helloBytes, 1, 2), 'UNSUPPORTED_VERSION', 'otherwise valid; the version byte is checked right after the type'],
    ['HELLO version 0', with1(helloBytes, 1, 0), 'UNSUPPORTED_VERSION', ''],
    ['HELLO truncated', helloBytes.subarray(0, helloBytes.length - 1), M, 'last byte of handshakeTimeoutMs missing'],
    ['HELLO with a trailing byte', cat(helloBytes, u8(0)), M, 'frames are exact: no bytes after the last field'],
    ['HELLO with timeMs 2^53', cat(helloBytes.subarray(0, 34), u64(2 ** 53), helloBytes.subarray(42)), M, 'u64 values above 2^53-1 are malformed'],
    ['HS1 context 0', with1(hs1Bytes, 1, 0), M, 'contexts are 1 (c2s), 2 (s2s), 3 (e2e); anything else is malformed, not WRONG_CONTEXT'],
    ['HS1 context 4', with1(hs1Bytes, 1, 4), M, ''],
    ['HS1 binding of 1025 bytes', hs1WithBinding(Buffer.alloc(1025, 0x61)), M, 'the binding is at most 1024 UTF-8 bytes'],
    ['HS1 binding not UTF-8', hs1WithBinding(unhex('7773733a2f2fff2f')), M, 'byte ff never occurs in UTF-8'],
    ['HS1 binding longer than the frame', hs1Bytes.subarray(0, 140), M, 'the str16 length points past the end'],
    ['HS2 truncated', unhex(hsFrames.hs2.hex).subarray(0, 160), M, 'sigB is 63 bytes'],
    ['HS3 with a trailing byte', cat(unhex(hsFrames.hs3.hex), u8(0)), M, 'sigC followed by one more byte'],
    ['READY truncated', unhex(hsFrames.ready.hex).subarray(0, 40), M, 'timeMs cut short'],
    ['MSG route 0', cat(msgHead(0), u32(0)), M, 'routes are 1..5'],
    ['MSG route 6', cat(msgHead(6), u32(0)), M, ''],
    ['MSG flags 0x04', cat(msgHead(ROUTE.A2A, 0x04), u32(0)), M, 'bits 0 (FLAG_ACK) and 1 (FLAG_STORE) are defined; any other bit is malformed'],
    ['MSG flags 0x80', cat(msgHead(ROUTE.A2A, 0x80), u32(0)), M, ''],
    ['MSG a2b without a recipient', cat(msgHead(ROUTE.A2B), B.publicKey.subarray(0, 20)), M, 'the 32-byte "to" is cut short'],
    ['MSG a2g list of zero', cat(msgHead(ROUTE.A2G_LIST), u8(0), u32(0)), M, 'a list holds 1..64 IDs'],
    ['MSG a2g list of 65', cat(msgHead(ROUTE.A2G_LIST), u8(65), ids(65), u32(0)), M,
      'more than 64 recipients is malformed at any relay; a relay that advertises a lower maxRecipients answers a ' +
      'well-formed larger list with TOO_MANY_RECIPIENTS instead'],
    ['MSG body longer than the frame', cat(msgHead(ROUTE.A2A), u32(10), utf8('short')), M, 'bodyLen 10, 5 bytes follow'],
    ['MSG body shorter than the frame', cat(msgHead(ROUTE.A2A), u32(2), utf8('hi!')), M, 'bodyLen 2, 3 bytes follow'],
    ['MSG group name empty', named(Buffer.alloc(0)), M, 'group names are 1..64 bytes'],
    ['MSG group name of 65 bytes', named(Buffer.alloc(65, 0x61)), M, ''],
    ['MSG group name with BEL', named(utf8('fri\u0007nds')), M, 'control characters U+0000..U+001F are refused anywhere in a name'],
    ['MSG group name with DEL', named(utf8('friends\u007f')), M, 'U+007F is a control character'],
    ['MSG group name with a C1 control', named(utf8('fri\u0085nds')), M, 'U+0080..U+009F (here NEL, c2 85) are control characters'],
    ['MSG group name with a leading space', named(utf8(' friends')), M, 'no leading or trailing white space'],
    ['MSG group name with a trailing space', named(utf8('friends ')), M, ''],
    ['MSG group name with a trailing no-break space', named(utf8('friends\u00a0')), M, 'U+00A0 counts as white space'],
    ['MSG group name with a leading ideographic space', named(utf8('\u3000friends')), M, 'U+3000 counts as white space'],
    ['MSG group name with a leading U+FEFF', named(utf8('\ufefffriends')), M, 'U+FEFF counts as white space (ECMAScript String.prototype.trim)'],
    ['MSG group name with an overlong encoding', named(unhex('66c0af')), M, 'c0 af is an overlong "/"; strict UTF-8 refuses it'],
    ['MSG group name with a surrogate', named(unhex('66eda080')), M, 'ed a0 80 encodes U+D800, which UTF-8 may not carry'],
    ['MSG group name with a cut character', named(unhex('66e381')), M, 'e3 81 starts a 3-byte sequence that never ends'],
    ['ACK with 65 missed', cat(u8(T.ACK), MSG_ID, u32(0), u32(0), u32(0), u8(65), ids(65).map((id) => [id, u16(ERR.RECIPIENT_OFFLINE)])), M, 'at most 64 missed recipients'],
    ['ACK with missed code 99', cat(u8(T.ACK), MSG_ID, u32(0), u32(0), u32(0), u8(1), B.publicKey, u16(99)), M,
      'error codes start at 100; a smaller missed code is malformed (unknown codes from 100 up are accepted)'],
    ['ACK with missed code 0', cat(u8(T.ACK), MSG_ID, u32(0), u32(0), u32(0), u8(1), B.publicKey, u16(0)), M, ''],
    ['ACK in the layout before federation', cat(u8(T.ACK), MSG_ID, u32(1), u8(0)), M,
      'the first draft had no forwarded and stored counts: 22 bytes are too short for the 34-byte minimum'],
    ['ACK short of its stored count', cat(u8(T.ACK), MSG_ID, u32(1), u32(0), u16(0)), M, ''],
    ['REQ op 0', cat(u8(T.REQ), u32(1), u8(0)), M, 'ops are 1..13'],
    ['REQ op 14', cat(u8(T.REQ), u32(1), u8(14)), M, ''],
    ['REQ op 255', cat(u8(T.REQ), u32(1), u8(255)), M, ''],
    ['REQ PUBLISH_HOME with a short signature', cat(u8(T.REQ), u32(1), u8(OP.PUBLISH_HOME), u64(TIME_MS), Buffer.alloc(63)), M, 'the proof signature is 64 bytes'],
    ['REQ PUBLISH_HOME timeMs 2^53', cat(u8(T.REQ), u32(1), u8(OP.PUBLISH_HOME), u64(2 ** 53), Buffer.alloc(64)), M, ''],
    ['REQ LINKS with a trailing byte', cat(u8(T.REQ), u32(9), u8(OP.LINKS), u8(0)), M, 'LINKS takes no arguments'],
    ['REQ ROUTE_OF with a short ID', cat(u8(T.REQ), u32(10), u8(OP.ROUTE_OF), C.publicKey.subarray(0, 31)), M, ''],
    ['REQ LIST_PEERS with a trailing byte', cat(u8(T.REQ), u32(1), u8(OP.LIST_PEERS), u8(0)), M, 'LIST_PEERS takes no arguments'],
    ['REQ GROUP_ADD of zero', cat(u8(T.REQ), u32(3), u8(OP.GROUP_ADD), str8('friends'), u8(0)), M, 'member lists hold 1..64 IDs'],
    ['REQ GROUP_ADD of 65', cat(u8(T.REQ), u32(3), u8(OP.GROUP_ADD), str8('friends'), u8(65), ids(65)), M, ''],
    ['REQ GROUP_CREATE name with a trailing space', cat(u8(T.REQ), u32(2), u8(OP.GROUP_CREATE), str8('friends ')), M, 'the same name rules as MSG'],
    ['REQ WATCH short of its IDs', cat(u8(T.REQ), u32(7), u8(OP.WATCH), u8(2), B.publicKey), M, 'n = 2 but one ID follows'],
    ['RES op 255 with an error status', cat(u8(T.RES), u32(1), u8(255), u16(999), str16('?')), M, 'the op is checked even when the status is an error'],
    ['RES error status without a message', cat(u8(T.RES), u32(1), u8(OP.GROUP_CREATE), u16(999)), M, 'a non-zero status is followed by a str16 message'],
    ['RES LIST_PEERS online = 2', cat(u8(T.RES), u32(1), u8(OP.LIST_PEERS), u16(0), u16(1), A.publicKey, u8(2), u64(TIME_MS)), M, 'bool fields are 0 or 1'],
    ['RES LIST_PEERS lastSeenMs 2^53', cat(u8(T.RES), u32(1), u8(OP.LIST_PEERS), u16(0), u16(1), A.publicKey, u8(1), u64(2 ** 53)), M, ''],
    ['RES GROUP_LIST of 1025 members', cat(u8(T.RES), u32(5), u8(OP.GROUP_LIST), u16(0), u16(1), str8('big'), A.publicKey, u16(1025), ids(1025)), M,
      'a group has at most 1024 members'],
    ['RES WATCH online = 2', cat(u8(T.RES), u32(7), u8(OP.WATCH), u16(0), u8(1), B.publicKey, u8(2)), M, ''],
    ['RES GROUP_CREATE with a trailing byte', cat(u8(T.RES), u32(2), u8(OP.GROUP_CREATE), u16(0), u8(0)), M, 'the result of GROUP_CREATE is empty'],
    ['RES PUBLISH_HOME with a trailing byte', cat(u8(T.RES), u32(1), u8(OP.PUBLISH_HOME), u16(0), u8(0)), M, 'the result of PUBLISH_HOME is empty'],
    ['RES LINKS outbound = 2', cat(u8(T.RES), u32(9), u8(OP.LINKS), u16(0), u8(1), N.publicKey, u8(2), u8(1), u32(0), u32(0), str16('x')), M, ''],
    ['RES LINKS up = 2', cat(u8(T.RES), u32(9), u8(OP.LINKS), u16(0), u8(1), N.publicKey, u8(1), u8(2), u32(0), u32(0), str16('x')), M, ''],
    ['RES LINKS url of 1025 bytes', cat(u8(T.RES), u32(9), u8(OP.LINKS), u16(0), u8(1), N.publicKey, u8(1), u8(1), u32(0), u32(0),
      rawStr16(Buffer.alloc(1025, 0x61))), M, 'a link URL is at most 1024 bytes'],
    ['RES LINKS url not UTF-8', cat(u8(T.RES), u32(9), u8(OP.LINKS), u16(0), u8(1), N.publicKey, u8(1), u8(1), u32(0), u32(0),
      rawStr16(unhex('7773733aff'))), M, ''],
    ['RES LINKS short of its entries', cat(u8(T.RES), u32(9), u8(OP.LINKS), u16(0), u8(2), N.publicKey, u8(1), u8(1), u32(0), u32(0), str16('x')), M,
      'n = 2 but one entry follows'],
    ['RES ROUTE_OF kind 4', cat(u8(T.RES), u32(10), u8(OP.ROUTE_OF), u16(0), u8(4), u8(0)), M, 'kinds are 0..3'],
    ['RES ROUTE_OF path of 17', cat(u8(T.RES), u32(10), u8(OP.ROUTE_OF), u16(0), u8(ROUTE_KIND.REMOTE), u8(17), ids(17)), M, 'a path holds at most 16 relays'],
    ['RES ROUTE_OF short of its path', cat(u8(T.RES), u32(10), u8(OP.ROUTE_OF), u16(0), u8(ROUTE_KIND.REMOTE), u8(2), O.publicKey), M, ''],
    ['REQ DECL_PUBLISH of 8193 bytes', cat(u8(T.REQ), u32(11), u8(OP.DECL_PUBLISH), u32(8193), Buffer.alloc(8193)), M,
      `a holding blob is at most ${MAX_HOLDING_BLOB} bytes`],
    ['REQ DECL_PUBLISH shorter than its length', cat(u8(T.REQ), u32(11), u8(OP.DECL_PUBLISH), u32(100), Buffer.alloc(99)), M, ''],
    ['REQ DECL_WITHDRAW with a trailing byte', cat(u8(T.REQ), u32(12), u8(OP.DECL_WITHDRAW), Buffer.alloc(32), u64(TIME_MS), Buffer.alloc(64), u8(0)), M, ''],
    ['REQ DECL_WITHDRAW timeMs 2^53', cat(u8(T.REQ), u32(12), u8(OP.DECL_WITHDRAW), Buffer.alloc(32), u64(2 ** 53), Buffer.alloc(64)), M, ''],
    ['REQ DECL_QUERY by 0', cat(u8(T.REQ), u32(13), u8(OP.DECL_QUERY), u8(0), A.publicKey), M, 'by is 1 (content hash), 2 (holder) or 3 (owner)'],
    ['REQ DECL_QUERY by 4', cat(u8(T.REQ), u32(13), u8(OP.DECL_QUERY), u8(4), A.publicKey), M, ''],
    ['REQ DECL_QUERY with a short key', cat(u8(T.REQ), u32(13), u8(OP.DECL_QUERY), u8(QUERY_BY.OWNER), A.publicKey.subarray(0, 31)), M, 'the key is 32 bytes'],
    ['RES DECL_QUERY short of its holdings', cat(u8(T.RES), u32(13), u8(OP.DECL_QUERY), u16(0), u16(2), u32(2), unhex('ff00')), M, 'n = 2 but one holding follows'],
    ['RES DECL_QUERY holding of 8193 bytes', cat(u8(T.RES), u32(13), u8(OP.DECL_QUERY), u16(0), u16(1), u32(8193), Buffer.alloc(8193)), M, ''],
    ['RES DECL_PUBLISH with a trailing byte', cat(u8(T.RES), u32(11), u8(OP.DECL_PUBLISH), u16(0), u8(0)), M, 'the result of DECL_PUBLISH is empty'],
    ['EVENT kind 0', cat(u8(T.EVENT), u8(0)), M, 'kinds are 1 (PRESENCE), 2 (NOTICE) and 3 (RECEIPT)'],
    ['EVENT kind 4', cat(u8(T.EVENT), u8(4), str16('x')), M, ''],
    ['EVENT RECEIPT short of its status', cat(u8(T.EVENT), u8(KIND.RECEIPT), MSG_ID, C.publicKey, u8(0)), M, 'status is a u16'],
    ['EVENT RECEIPT with a trailing byte', cat(u8(T.EVENT), u8(KIND.RECEIPT), MSG_ID, C.publicKey, u16(0), u8(0)), M, ''],
    ['EVENT PRESENCE online = 2', cat(u8(T.EVENT), u8(KIND.PRESENCE), C.publicKey, u8(2), u64(TIME_MS)), M, ''],
    ['EVENT NOTICE of 4097 bytes', cat(u8(T.EVENT), u8(KIND.NOTICE), rawStr16(Buffer.alloc(4097, 0x61))), M, 'text fields hold at most 4096 bytes'],
    ['EVENT NOTICE not UTF-8', cat(u8(T.EVENT), u8(KIND.NOTICE), rawStr16(unhex('68698081'))), M, '80 81 are continuation bytes without a lead byte'],
    ['ERROR truncated ref', cat(u8(T.ERROR), u16(100), Buffer.alloc(10)), M, 'ref is 16 bytes'],
    ...linkInvalid(),
    ['ERROR message not UTF-8', cat(u8(T.ERROR), u16(100), ZERO_REF, rawStr16(unhex('fe'))), M, ''],
    ['ERROR message of 4097 bytes', cat(u8(T.ERROR), u16(100), ZERO_REF, rawStr16(Buffer.alloc(4097, 0x61))), M, ''],
  ].map(([name, bytes, error, note]) => ({ name, hex: hex(bytes), error, ...(note ? { note } : {}) }));

  // Size is checked before anything else: against the receiver's limit (the relay's advertised maxFrameBytes).
  const notice = encode({ type: T.EVENT, kind: KIND.NOTICE, text: 'x'.repeat(61) });
  invalid.push(
    { name: 'frame over maxFrameBytes', hex: hex(notice), maxFrameBytes: 64, error: 'FRAME_TOO_LARGE',
      note: `a well-formed ${notice.length}-byte NOTICE checked against a limit of 64` },
    { name: 'size is checked before the type', hex: hex(cat(u8(0xff), Buffer.alloc(16))), maxFrameBytes: 16, error: 'FRAME_TOO_LARGE',
      note: '17 bytes of an unknown type against a limit of 16: FRAME_TOO_LARGE, not UNKNOWN_FRAME_TYPE' },
  );
  const atLimit = encode({ type: T.EVENT, kind: KIND.NOTICE, text: 'x'.repeat(60) });
  valid.push({
    name: 'EVENT NOTICE exactly at maxFrameBytes', note: `${atLimit.length} bytes checked against a limit of ${atLimit.length}: accepted`,
    maxFrameBytes: atLimit.length, hex: hex(atLimit), frame: { type: T.EVENT, kind: KIND.NOTICE, text: 'x'.repeat(60) },
  });

  return {
    description:
      'Frames of docs/PROTOCOL.md §7. "valid": hex is the exact WebSocket message; frame lists the decoded fields (byte fields ' +
      'as hex, bools as JSON booleans, text as JSON strings); decoding hex must give frame and encoding frame must give hex. ' +
      '"invalid": decoding must fail with the named error code. maxFrameBytes, when present, is the receiver\'s size limit; ' +
      'otherwise the protocol maximum 262144 applies. A holding inside DECL, REQ DECL_PUBLISH and RES DECL_QUERY is opaque ' +
      'to the frame codec (declarations.json decodes it).',
    types: T,
    routes: ROUTE,
    ops: OP,
    eventKinds: KIND,
    msgFlags: FLAG,
    routeActions: ACTION,
    routeKinds: ROUTE_KIND,
    receiptStatus: RECEIPT_STATUS,
    declActions: DECL_ACTION,
    declQueryBy: QUERY_BY,
    valid,
    invalid: invalid.map((v) => ({ ...v, code: errorCodeOf(v.error) })),
  };
}

// ---------------------------------------------------------------------------------------------
// Federation: home proofs, and what a relay does with a route announcement (§9.3, §9.4)

function federationVectors() {
  const party = (x, role, seedNote) => ({ seed: hex(x.seed), publicKey: hex(x.publicKey), role, seedNote });
  const parties = {
    A: party(A, 'client', '00 01 .. 1f'),
    C: party(C, 'client', '40 41 .. 5f'),
    B: party(B, 'relay', '20 21 .. 3f'),
    R: party(R, 'relay: the receiver of every announcement below', '32 x 52'),
    N: party(N, 'relay: R\'s neighbour', '32 x 4e'),
    O: party(O, 'relay: an origin (home) further away', '32 x 4f'),
    MID: party(MID, 'relay: in the middle', '32 x 4d'),
    ...Object.fromEntries(P.map((x, i) => [`P${i}`, party(x, 'relay (long paths)', `32 x ${(0x70 + i).toString(16)}`)])),
  };

  const proofCase = (name, client, relay, timeMs, note) => {
    const p = homeProof(client, relay.publicKey, timeMs);
    return { name, seed: hex(client.seed), id: hex(client.publicKey), relayId: hex(relay.publicKey), timeMs, message: hex(p.message), sig: hex(p.sig), note };
  };
  const homeProofs = [
    proofCase('client A registered at relay B', A, B, TIME_MS,
      'the proof A publishes with PUBLISH_HOME (frames.json "REQ PUBLISH_HOME"): 10 label bytes, 32 relay ID bytes, 8 time bytes'),
    proofCase('relay B\'s own route', B, B, TIME_MS - 3_600_000, 'a relay announces itself: it signs with its own key, naming itself as home'),
    proofCase('client C registered at relay O, time 0', C, O, 0, 'the smallest time; u64 zero'),
  ];
  const good = homeProofs[0];
  const invalidHomeProofs = [
    { name: 'checked under another ID', id: idHex(C), relayId: good.relayId, timeMs: good.timeMs, sig: good.sig, note: 'A\'s proof does not make C at home anywhere' },
    { name: 'another relay', id: good.id, relayId: idHex(O), timeMs: good.timeMs, sig: good.sig, note: 'the relay ID is signed' },
    { name: 'another time', id: good.id, relayId: good.relayId, timeMs: good.timeMs + 1, sig: good.sig, note: 'the time is signed' },
    { name: 'signed by the relay', id: good.id, relayId: good.relayId, timeMs: good.timeMs, sig: hex(homeProof(B, B.publicKey, TIME_MS).sig),
      note: 'a relay cannot make a proof for its client' },
    { name: 'tampered signature', id: good.id, relayId: good.relayId, timeMs: good.timeMs, sig: flipFirstBit(good.sig), note: 'first bit flipped' },
  ];

  // Announcements: R receives each over link 1 from N unless the case says otherwise.
  const ann = (dest, origin, path, { timeMs = TIME_MS, signer = dest, signedOrigin = origin, signedTime = timeMs, link = 1, neighbour = N } = {}) => ({
    link,
    neighbour: hex(neighbour.publicKey),
    dest: hex(dest.publicKey),
    origin: hex(origin.publicKey),
    proofTimeMs: timeMs,
    proofSig: hex(homeProof(signer, signedOrigin.publicKey, signedTime).sig),
    path: path.map((x) => hex(x.publicKey)),
  });
  const frameOf = (a) => (a.path.length >= 1 && a.path.length <= 16
    ? hex(encode({ type: T.ROUTE, action: ACTION.ANNOUNCE, dest: a.dest, origin: a.origin, proofTimeMs: a.proofTimeMs, proofSig: a.proofSig, path: a.path }))
    : null);
  const sixteen = [...P.slice(0, 15), N];
  const seventeen = [...P.slice(0, 16), N];
  const cases = [
    ['one hop from the home relay', ann(A, N, [N]), 'accept', null, 'N announces its own client A: path [N], origin N'],
    ['three relays', ann(A, O, [O, MID, N]), 'accept', null, 'the path runs from the origin O to the announcer N'],
    ['a relay\'s own route', ann(N, N, [N]), 'accept', null, 'dest = origin = N, signed by N'],
    ['a relay two hops away', ann(O, O, [O, N]), 'accept', null, 'O\'s own route as N passes it on'],
    ['sixteen relays', ann(A, P[0], sixteen), 'accept', null, 'the longest path: 16 relays'],
    ['an old proof', ann(A, O, [O, N], { timeMs: 1000 }), 'accept', null,
      'announcements carry no freshness requirement: a proof from 1970 is accepted (see the weaknesses: proofs are replayable)'],
    ['a path through the receiver', ann(A, O, [O, R, N]), 'reject', 'loop', 'R is on the path: accepting it would make a loop'],
    ['the receiver\'s own client coming back', ann(A, R, [R, N]), 'reject', 'loop', 'origin R: a route R itself gave out'],
    ['a relay twice on the path', ann(A, O, [O, MID, O, N]), 'reject', 'repeated-relay', ''],
    ['the neighbour twice at the end', ann(A, O, [O, N, N]), 'reject', 'repeated-relay', ''],
    ['a path that does not end at the neighbour', ann(A, O, [O, MID]), 'reject', 'last-not-neighbour',
      'N sent it, but the last relay is MID: each relay appends itself before passing a route on'],
    ['a path that does not start at the origin', ann(A, O, [MID, N]), 'reject', 'first-not-origin', 'the proof names O as home, the path starts at MID'],
    ['a proof signed by the neighbour', ann(A, N, [N], { signer: N }), 'reject', 'bad-proof',
      'N claims A is its client with a proof N signed itself: only A can sign A\'s home proof'],
    ['a proof for another relay', ann(A, O, [O, N], { signedOrigin: MID }), 'reject', 'bad-proof', 'A signed for MID; the announcement says O'],
    ['a proof for another time', ann(A, O, [O, N], { signedTime: TIME_MS - 1 }), 'reject', 'bad-proof', 'the time is signed'],
    ['a proof of another ID', ann(A, O, [O, N], { signer: C }), 'reject', 'bad-proof', 'C\'s signature does not verify under A'],
    ['an empty path', ann(A, O, []), 'reject', 'path-length', 'not encodable as a frame (the codec refuses it as MALFORMED_FRAME); a route table refuses it too'],
    ['seventeen relays', ann(A, P[0], seventeen), 'reject', 'path-length', 'over 16: MALFORMED_FRAME at the codec; a route table refuses it too'],
  ].map(([name, announce, expect, reason, note]) => ({ name, announce, frame: frameOf(announce), expect, ...(reason ? { reason } : {}), ...(note ? { note } : {}) }));
  // A verified proof must not vouch for anything else: caches of verified proofs key the whole statement.
  const seen = ann(A, O, [O, N]);
  cases.push({
    name: 'a verified signature reused for another ID',
    prior: [seen],
    announce: { ...ann(C, O, [O, MID], { link: 2, neighbour: MID }), proofSig: seen.proofSig },
    expect: 'reject',
    reason: 'bad-proof',
    note: 'R accepted A\'s route (prior) and so verified its signature; MID reuses those signature bytes for C. A relay that ' +
      'caches verified proofs must key the cache by dest, origin, time and signature together, never by the signature alone.',
  });
  cases.at(-1).frame = frameOf(cases.at(-1).announce);
  cases.push({
    name: 'a verified signature reused with another origin',
    prior: [seen],
    announce: { ...ann(A, MID, [MID], { link: 2, neighbour: MID }), proofSig: seen.proofSig, proofTimeMs: seen.proofTimeMs },
    expect: 'reject',
    reason: 'bad-proof',
    note: 'MID copies A\'s proof for O and names itself as origin',
  });
  cases.at(-1).frame = frameOf(cases.at(-1).announce);

  const local = (timeMs) => ({ proofTimeMs: timeMs, proofSig: hex(homeProof(A, R.publicKey, timeMs).sig) });
  const bestRoute = [
    {
      name: 'a shorter path beats a newer proof and an older link',
      announcements: [ann(A, O, [O, MID, N], { timeMs: TIME_MS + 5000, link: 1 }), ann(A, O, [O, MID], { link: 2, neighbour: MID })],
      expectBest: 2,
      note: 'path length decides first',
    },
    {
      name: 'equal length: the newer proof wins',
      announcements: [ann(A, O, [O, N], { link: 1 }), ann(A, O, [O, MID], { timeMs: TIME_MS + 1, link: 2, neighbour: MID })],
      expectBest: 2,
      note: 'A published again (a newer proof) and it has reached MID but not yet N',
    },
    {
      name: 'equal length and proof: the older link wins',
      announcements: [ann(A, O, [O, MID], { link: 2, neighbour: MID }), ann(A, O, [O, N], { link: 1 })],
      expectBest: 1,
      note: 'link numbers are local to R and count up as links come up: the lower number is the older link',
    },
    {
      name: 'a local route beats every learned one',
      local: local(TIME_MS),
      announcements: [ann(A, N, [N], { timeMs: TIME_MS + 10_000, link: 1 })],
      expectBest: 'local',
      note: 'A has a session at R and published its home there; N also claims A with a newer proof',
    },
    {
      name: 'withdrawing the best falls back to the next',
      announcements: [ann(A, O, [O, N], { link: 1 }), ann(A, O, [O, P[0], MID], { link: 2, neighbour: MID })],
      withdraw: [1],
      expectBest: 2,
      note: 'link 1 withdraws A (or goes down); the longer route over link 2 takes over',
    },
    {
      name: 'withdrawing every route leaves none',
      announcements: [ann(A, O, [O, N], { link: 1 }), ann(A, O, [O, P[0], MID], { link: 2, neighbour: MID })],
      withdraw: [1, 2],
      expectBest: null,
      note: 'R now withdraws A on all its links; it remembers O as A\'s last home',
    },
  ];

  return {
    description:
      'Federation vectors (docs/PROTOCOL.md §9). homeProofs: message = "w2w/1 home" ‖ relayId ‖ u64be(timeMs), signed with ' +
      'Ed25519 by the key of "seed"; invalidHomeProofs must not verify under "id". routeAnnouncements: what relay R does with ' +
      'one ROUTE announce received over link "link" from "neighbour", starting from an empty route table (after learning ' +
      'every "prior" announcement, which are all valid): "expect" is accept or reject, "reason" the check that fails. ' +
      '"frame" is the ROUTE frame (null where the path length cannot be encoded). bestRoute: after the announcements (and ' +
      'a local route of A at R when "local" is given: A\'s proof for R), then the withdrawals, the best route for dest is ' +
      'over the link "expectBest" ("local", or null for none). Link numbers are local to R.',
    parties,
    homeProofLabel: LABEL_HOME,
    homeProofs,
    invalidHomeProofs,
    routeAnnouncements: cases,
    bestRoute,
  };
}

// ---------------------------------------------------------------------------------------------
// Data directory: declarations and holdings (§10)

const ACCESS = { PUBLIC: 0, PEERS: 1, GROUP: 2 };
const DECL_FLAG = { RESHARE: 0x01 };
const LABEL_DECL = 'w2w/1 decl';
const LABEL_HOLD = 'w2w/1 hold';
const LABEL_WITHDRAW = 'w2w/1 withdraw';
const D = identity(Buffer.alloc(32, 0x44)); // another client ("D")

/** core = u8 1 ‖ 32 contentHash ‖ 32 treeRoot ‖ u64 size ‖ u32 chunkSize ‖ str8 name ‖ str8 mime ‖ u64 createdMs ‖ 32 owner ‖ access ‖ u8 flags */
function encodeDeclCore(c, version = 1) {
  const a = c.access;
  const access = a.kind === ACCESS.PEERS ? [u8(a.peers.length), a.peers.map(unhex)] : a.kind === ACCESS.GROUP ? [str8(a.group), unhex(a.groupRelay)] : [];
  return cat(u8(version), unhex(c.contentHash), unhex(c.treeRoot), u64(c.size), u32(c.chunkSize), str8(c.name), str8(c.mime),
    u64(c.createdMs), unhex(c.owner), u8(a.kind), access, u8(c.flags));
}

/** holding = core ‖ 64 ownerSig ‖ 32 holder ‖ u64 heldSinceMs ‖ 64 holderSig, both signatures made here. */
function makeHolding(core, owner, holder, heldSinceMs, { coreBytes = encodeDeclCore(core), holderSigner = holder, holderField = holder.publicKey } = {}) {
  const ownerSigInput = cat(utf8(LABEL_DECL), coreBytes);
  const ownerSig = owner.sign(ownerSigInput);
  const holderSigInput = cat(utf8(LABEL_HOLD), coreBytes, ownerSig, holderField, u64(heldSinceMs));
  const holderSig = holderSigner.sign(holderSigInput);
  return { coreBytes, ownerSigInput, ownerSig, holderSigInput, holderSig, holding: cat(coreBytes, ownerSig, holderField, u64(heldSinceMs), holderSig) };
}

/** The test file: 2600 bytes, byte i = (31 i + 7) mod 256, declared with 1024-byte chunks (1024 + 1024 + 552). */
function declFile(size, chunkSize) {
  const data = Buffer.from(Array.from({ length: size }, (_, i) => (31 * i + 7) & 0xff));
  const chunks = [];
  for (let off = 0; off < size; off += chunkSize) chunks.push(data.subarray(off, Math.min(size, off + chunkSize)));
  const chunkHashes = chunks.map((c) => blake2b(32, c));
  return { data, size, chunkSize, chunkHashes, treeRoot: blake2b(32, cat(chunkHashes)), contentHash: blake2b(32, data) };
}

function declarationVectors() {
  const file = declFile(2600, 1024);
  const empty = declFile(0, 65536);
  const core = (f, owner, extra) => ({
    contentHash: hex(f.contentHash), treeRoot: hex(f.treeRoot), size: f.size, chunkSize: f.chunkSize, owner: idHex(owner), ...extra,
  });
  const cases = [
    {
      name: 'public, held by its owner',
      note: 'A declares the test file for anyone; its own holding (holder = owner, heldSinceMs = createdMs) is what it publishes',
      owner: A, holder: A, heldSinceMs: TIME_MS, file,
      core: core(file, A, { name: 'notes.txt', mime: 'text/plain', createdMs: TIME_MS, access: { kind: ACCESS.PUBLIC }, flags: 0 }),
    },
    {
      name: 'for listed peers, re-served by one of them',
      note: 'A shares the file with C only and lets fetchers re-serve it (RESHARE); this holding is C\'s, a minute later',
      owner: A, holder: C, heldSinceMs: TIME_MS + 60_000, file,
      core: core(file, A, { name: 'photo ü.jpg', mime: 'image/jpeg', createdMs: TIME_MS, access: { kind: ACCESS.PEERS, peers: [idHex(C)] }, flags: DECL_FLAG.RESHARE }),
    },
    {
      name: 'for a named group, an empty file',
      note: 'C shares an empty file with the members of "friends" on relay B: no chunks, contentHash = treeRoot = BLAKE2b-256 of nothing',
      owner: C, holder: C, heldSinceMs: TIME_MS + 1, file: empty,
      core: core(empty, C, { name: 'empty', mime: 'application/octet-stream', createdMs: TIME_MS + 1, access: { kind: ACCESS.GROUP, group: 'friends', groupRelay: idHex(B) }, flags: 0 }),
    },
  ];
  const valid = cases.map((c) => {
    const h = makeHolding(c.core, c.owner, c.holder, c.heldSinceMs);
    return {
      name: c.name,
      note: c.note,
      ownerSeed: hex(c.owner.seed),
      holderSeed: hex(c.holder.seed),
      core: c.core,
      coreBytes: hex(h.coreBytes),
      ownerSigInput: hex(h.ownerSigInput),
      ownerSig: hex(h.ownerSig),
      holder: idHex(c.holder),
      heldSinceMs: c.heldSinceMs,
      holderSigInput: hex(h.holderSigInput),
      holderSig: hex(h.holderSig),
      holding: hex(h.holding),
    };
  });
  const [pub, peers, group] = valid;
  const good = unhex(pub.holding);
  const coreLen = unhex(pub.coreBytes).length;
  const patch = (bytes, offset, value) => {
    const b = Buffer.from(bytes);
    b[offset] = value;
    return b;
  };
  // Offsets in the core of valid[0]: version 0, contentHash 1, treeRoot 33, size 65, chunkSize 73, name 77 (str8).
  const nameOffset = 77;
  const accessOffset = coreLen - 2; // access kind of a PUBLIC core: the byte before flags
  const withCore = (c, version) => {
    const h = makeHolding(c, A, A, TIME_MS, { coreBytes: encodeDeclCore(c, version) });
    return h.holding;
  };
  const pubCore = cases[0].core;
  const M = 'MALFORMED_FRAME';
  const invalidEncodings = [
    ['version 2', withCore(pubCore, 2), 'UNSUPPORTED_VERSION', 'the first byte of the core is the declaration version; 1 is the only one'],
    ['chunkSize 1023', withCore({ ...pubCore, chunkSize: 1023 }), M, 'chunk sizes are 1024..131072'],
    ['chunkSize 131073', withCore({ ...pubCore, chunkSize: 131073 }), M, ''],
    ['size 2^40 + 1', withCore({ ...pubCore, size: 2 ** 40 + 1 }), M, 'at most 2^40 bytes (1 TiB)'],
    ['unknown access kind 3', patch(good, accessOffset, 3), M, 'access kinds are 0 (public), 1 (peers), 2 (group)'],
    ['peers list of zero', withCore({ ...pubCore, access: { kind: ACCESS.PEERS, peers: [] } }), M, 'a peers list holds 1..64 IDs'],
    ['peers list of 65', withCore({ ...pubCore, access: { kind: ACCESS.PEERS, peers: Array.from({ length: 65 }, (_, i) => hex(seq(i))) } }), M, ''],
    ['unknown flag 0x02', withCore({ ...pubCore, flags: 0x02 }), M, 'RESHARE (0x01) is the only flag'],
    ['name not UTF-8', patch(withCore({ ...pubCore, name: 'x' }), nameOffset + 1, 0xff), M,
      'the name "x" with its byte replaced by ff'],
    ['mime of 128 bytes', withCore({ ...pubCore, mime: 'a'.repeat(128) }), M, 'mime is at most 127 bytes (name: 255)'],
    ['a trailing byte', cat(good, u8(0)), M, 'a holding ends with holderSig'],
    ['holderSig cut short', good.subarray(0, good.length - 1), M, ''],
    ['size 2^53', cat(good.subarray(0, 65), u64(2 ** 53), good.subarray(73)), M, 'u64 values above 2^53-1 are malformed, as in frames'],
  ].map(([name, bytes, error, note]) => ({ name, holding: hex(bytes), error, code: errorCodeOf(error), ...(note ? { note } : {}) }));

  const tamperedName = Buffer.from(good);
  tamperedName[nameOffset + 1] ^= 0x01; // "notes.txt" -> "ootes.txt"
  const byD = makeHolding(cases[0].core, A, A, TIME_MS, { holderSigner: D }).holding;
  const otherHolder = makeHolding(cases[1].core, A, C, TIME_MS + 60_000, { holderField: D.publicKey }).holding;
  const laterTime = Buffer.from(unhex(peers.holding));
  laterTime.writeBigUInt64BE(BigInt(TIME_MS + 60_001), laterTime.length - 72);
  const ownerByC = (() => {
    const c = cases[0].core;
    const coreBytes = encodeDeclCore(c);
    const ownerSig = C.sign(cat(utf8(LABEL_DECL), coreBytes));
    const holderSig = A.sign(cat(utf8(LABEL_HOLD), coreBytes, ownerSig, A.publicKey, u64(TIME_MS)));
    return cat(coreBytes, ownerSig, A.publicKey, u64(TIME_MS), holderSig);
  })();
  const invalidSignatures = [
    { name: 'tampered core', holding: hex(tamperedName), fails: 'owner', note: 'one bit of the name flipped after signing ("notes.txt" becomes "ootes.txt")' },
    { name: 'ownerSig by another key', holding: hex(ownerByC), fails: 'owner', note: 'owner says A, but C signed the core' },
    { name: 'holderSig by another key', holding: hex(byD), fails: 'holder', note: 'holder says A, but D made holderSig' },
    { name: 'holder field replaced', holding: hex(otherHolder), fails: 'holder', note: 'C signed as holder, then the holder field was changed to D' },
    { name: 'heldSinceMs changed', holding: hex(laterTime), fails: 'holder', note: 'heldSinceMs of valid[1] plus 1 ms' },
  ];

  // Signatures good, but not a holder the owner allowed: relays list them, fetchers refuse them (§10.3, §12.3).
  const notReservable = [
    { name: 'a public declaration without RESHARE, held by another', holding: hex(makeHolding(cases[0].core, A, C, TIME_MS + 5).holding),
      note: 'C countersigns A\'s public declaration, which does not allow re-serving' },
    { name: 'RESHARE for peers, held by someone not listed', holding: hex(makeHolding(cases[1].core, A, D, TIME_MS + 5).holding),
      note: 'D is not in the peers list [C]' },
  ];

  const visibility = [
    [pub, ['A', 'C', 'D', 'N'], []],
    [peers, ['A', 'C'], ['D', 'N']],
    [group, ['A', 'C', 'D', 'N'], []],
  ].flatMap(([v, yes, no]) => [...yes.map((who) => ({ holding: v.name, asker: who, visible: true })), ...no.map((who) => ({ holding: v.name, asker: who, visible: false }))]);

  const withdrawal = (name, signer, contentHash, timeMs, note) => {
    const message = cat(utf8(LABEL_WITHDRAW), contentHash, u64(timeMs));
    return { name, seed: hex(signer.seed), holder: idHex(signer), contentHash: hex(contentHash), timeMs, message: hex(message), sig: hex(signer.sign(message)), note };
  };
  const withdrawals = [
    withdrawal('A withdraws its holding of the test file', A, file.contentHash, TIME_MS + 120_000,
      'frames.json "REQ DECL_WITHDRAW" and "DECL withdraw" carry this signature'),
    withdrawal('C withdraws the empty file', C, empty.contentHash, TIME_MS + 2, ''),
  ];
  const w0 = withdrawals[0];
  const invalidWithdrawals = [
    { name: 'another time', holder: w0.holder, contentHash: w0.contentHash, timeMs: w0.timeMs + 1, sig: w0.sig, note: 'the time is signed' },
    { name: 'another content', holder: w0.holder, contentHash: hex(empty.contentHash), timeMs: w0.timeMs, sig: w0.sig, note: '' },
    { name: 'another holder', holder: idHex(C), contentHash: w0.contentHash, timeMs: w0.timeMs, sig: w0.sig, note: 'A\'s signature withdraws nothing of C\'s' },
  ];

  return {
    description:
      'Shared-data declarations of docs/PROTOCOL.md §10. core = u8 version (1) ‖ 32 contentHash ‖ 32 treeRoot ‖ u64 size ‖ ' +
      'u32 chunkSize ‖ str8 name ‖ str8 mime ‖ u64 createdMs ‖ 32 owner ‖ u8 access ‖ access data ‖ u8 flags; ownerSig = ' +
      'Sign(owner, "w2w/1 decl" ‖ core); holding = core ‖ ownerSig ‖ 32 holder ‖ u64 heldSinceMs ‖ holderSig with holderSig = ' +
      'Sign(holder, "w2w/1 hold" ‖ core ‖ ownerSig ‖ holder ‖ u64 heldSinceMs). "file" is the test file (hex) with its chunk ' +
      'hashes, treeRoot = BLAKE2b-256(h0 ‖ h1 ‖ …) and contentHash = BLAKE2b-256(file). "valid": decoding "holding" gives "core" ' +
      '(the version byte is not listed) and the other fields, and both signatures verify. "invalidEncodings": decoding fails with ' +
      'the code. "invalidSignatures": decodes, but the named signature ("owner" or "holder") does not verify. "notReservable": ' +
      'both signatures verify, but the holder is not one the owner allowed (relays keep them; fetchers refuse them). ' +
      '"visibility": whether DECL_QUERY shows the holding (valid[] by name) to the asker. "withdrawals": the signed ' +
      'DECL_WITHDRAW message "w2w/1 withdraw" ‖ contentHash ‖ u64be(timeMs).',
    labels: { decl: LABEL_DECL, hold: LABEL_HOLD, withdraw: LABEL_WITHDRAW },
    accessKinds: ACCESS,
    flags: DECL_FLAG,
    queryBy: QUERY_BY,
    limits: { minChunk: 1024, maxChunk: 131072, maxSize: 2 ** 40, maxNameBytes: 255, maxMimeBytes: 127, maxPeers: 64, maxGroupBytes: 64 },
    parties: Object.fromEntries([['A', A], ['B', B], ['C', C], ['D', D], ['N', N]].map(([k, x]) => [k, { seed: hex(x.seed), publicKey: hex(x.publicKey) }])),
    file: {
      size: file.size,
      chunkSize: file.chunkSize,
      hex: hex(file.data),
      chunkHashes: file.chunkHashes.map(hex),
      treeRoot: hex(file.treeRoot),
      contentHash: hex(file.contentHash),
      note: 'byte i = (31 i + 7) mod 256; chunks of 1024, 1024 and 552 bytes. The pattern repeats every 256 bytes, so chunks 0 and 1 are identical and have the same hash',
    },
    emptyFile: { size: 0, chunkHashes: [], treeRoot: hex(empty.treeRoot), contentHash: hex(empty.contentHash), note: 'BLAKE2b-256 of the empty string, twice' },
    valid,
    invalidEncodings,
    invalidSignatures,
    notReservable,
    visibility,
    withdrawals,
    invalidWithdrawals,
  };
}

// ---------------------------------------------------------------------------------------------
// End-to-end protection (§11): bodies of MSG frames that only the two ends read

const E2E = { HANDSHAKE: 0x01, SEALED: 0x02, SEALED_MULTI: 0x03, SIGNED: 0x04, BOX: 0x05, REJECT: 0x06 };
const PAYLOAD = { TEXT: 0x01 };
const LABEL_AD = 'w2w/1 ad';
const LABEL_SIGNED = 'w2w/1 signed';
const LABEL_BOX = 'w2w/1 box';
const REPLAY_WINDOW = 2016;

/** §11.3: AD = "w2w/1 ad" ‖ u8 route ‖ 16 msgId ‖ 32 from ‖ the route's MSG target bytes (hops and flags are not in it). */
function envelopeAd(m) {
  return cat(utf8(LABEL_AD), u8(m.route), unhex(m.id), unhex(m.from), encodeMsgTarget(m));
}

/** Which counters a fresh replay window accepts, in order (§11.5): new highest, or within 2016 below it and unseen. */
function replayModel(counters) {
  let highest = -1;
  const seen = new Set();
  return counters.map((c) => {
    const ok = c > highest || (highest - c < REPLAY_WINDOW && !seen.has(c));
    if (ok) {
      seen.add(c);
      highest = Math.max(highest, c);
    }
    return ok;
  });
}

function e2eVectors() {
  const ephA = ephemeral(seq(0x90, 32, 3));
  const ephC = ephemeral(seq(0x91, 32, 5));
  const nonceA = seq(0x05, 32, 7);
  const nonceC = seq(0x06, 32, 11);
  const hsId = unhex('48530001020304050607080900aabbcc');
  // The e2e handshake: the §5 handshake between two clients, ctx 3 ("e2e"), binding "" (empty).
  const first = m1({ ctx: CTX.E2E, a: A, ephA: ephA.publicKey, nonceA, expectedIdB: C.publicKey, binding: '' });
  const second = m2(first, { b: C, ephB: ephC.publicKey, nonceB: nonceC });
  const third = m3(second, { signer: A });
  const q = ephA.dh(ephC.publicKey);
  if (!q.equals(ephC.dh(ephA.publicKey))) throw new Error('X25519 disagrees with itself');
  const kdfInput = cat(LABEL_KEYS, third.th);
  const k = blake2b(64, kdfInput, q);
  const kAB = k.subarray(0, 32);
  const kBA = k.subarray(32, 64);
  const sessionId = third.th.subarray(0, 16);
  const hsBody = (f) => ({ hex: hex(cat(u8(E2E.HANDSHAKE), hsId, encode(f))), frame: f });
  const handshake = {
    note: 'A opens a session with C. Each body travels in an a2b MSG (A to C, C to A, A to C). Both sides run the §5 ' +
      'handshake with ctx 3 and binding "" exactly as a relay and client would; there is no READY.',
    ctx: CTX.E2E,
    ctxLabel: CTX_LABEL[CTX.E2E],
    binding: '',
    hsId: hex(hsId),
    initiator: { seed: hex(A.seed), publicKey: idHex(A), ephemeralSecret: hex(ephA.secret), ephemeralPublic: hex(ephA.publicKey), nonce: hex(nonceA) },
    responder: { seed: hex(C.seed), publicKey: idHex(C), ephemeralSecret: hex(ephC.secret), ephemeralPublic: hex(ephC.publicKey), nonce: hex(nonceC) },
    h1Input: hex(first.h1.input),
    h1: hex(first.h1.hash),
    sigA: hex(first.sigA),
    h2: hex(second.h2),
    sigB: hex(second.sigB),
    h3: hex(third.h3),
    sigC: hex(third.sigC),
    th: hex(third.th),
    sessionId: hex(sessionId),
    sharedSecret: hex(q),
    kdfInput: hex(kdfInput),
    kAB: hex(kAB),
    kBA: hex(kBA),
    bodies: { hs1: hsBody(first.frame), hs2: hsBody(second.frame), hs3: hsBody(third.frame) },
  };

  const msgOf = (route, id, from, extra = {}) => ({ route, id: hex(id), from: idHex(from), ...extra });
  const adCase = (name, msg, note) => ({ name, msg, ad: hex(envelopeAd(msg)), ...(note ? { note } : {}) });
  const envelopeAds = [
    adCase('a2a', msgOf(ROUTE.A2A, MSG_ID, A), 'no target bytes'),
    adCase('a2b', msgOf(ROUTE.A2B, MSG_ID, A, { to: idHex(C) }), 'the 32-byte "to"'),
    adCase('a2g-list', msgOf(ROUTE.A2G_LIST, MSG_ID, A, { to: [idHex(C), idHex(D)] }), 'u8 n, then the n IDs in the order of the MSG'),
    adCase('a2g-named', msgOf(ROUTE.A2G_NAMED, MSG_ID, A, { group: 'friends' }), 'str8 group name'),
    adCase('a2g-named, non-ASCII', msgOf(ROUTE.A2G_NAMED, MSG_ID, A, { group: 'チーム w2w' }), 'the name\'s UTF-8 bytes as sent'),
    adCase('a2n', msgOf(ROUTE.A2N, MSG_ID, A), 'no target bytes'),
  ];

  const text = (s) => cat(u8(PAYLOAD.TEXT), utf8(s));
  const sealedCase = (name, note, { keyName, key, counter, msg, plaintext, withFrame = false }) => {
    const ad = envelopeAd(msg);
    const nonce = counterNonce(counter);
    const ciphertext = xchachaSeal(key, nonce, ad, plaintext);
    const body = cat(u8(E2E.SEALED), sessionId, u64(counter), ciphertext);
    const out = {
      name, note, key: keyName, msg, ad: hex(ad), sessionId: hex(sessionId), counter, nonce: hex(nonce),
      plaintext: hex(plaintext), ciphertext: hex(ciphertext), body: hex(body),
    };
    if (withFrame) {
      out.frame = hex(encode({ type: T.MSG, flags: FLAG_ACK | FLAG_STORE, hops: 8, body: hex(body), ...msg }));
    }
    return out;
  };
  const toC = msgOf(ROUTE.A2B, MSG_ID, A, { to: idHex(C) });
  const sealed = [
    sealedCase('A to C, the first message', 'counter 0 under kAB; "frame" is the whole MSG (flags ACK|STORE, hops 8)',
      { keyName: 'kAB', key: kAB, counter: 0, msg: toC, plaintext: text('hello c'), withFrame: true }),
    sealedCase('A to C, counter 2^32 + 5', 'the counter fills both halves of the u64 in the nonce',
      { keyName: 'kAB', key: kAB, counter: 2 ** 32 + 5, msg: { ...toC, id: hex(seq(0x10, 16)) }, plaintext: text('later') }),
    sealedCase('C answers A', 'the responder seals under kBA; its counter starts at 0 too, and the session ID is the same',
      { keyName: 'kBA', key: kBA, counter: 0, msg: msgOf(ROUTE.A2B, seq(0xd0, 16), C, { to: idHex(A) }), plaintext: text('hi a') }),
  ];

  // SEALED_MULTI: one part per recipient, each under that recipient's own session; D's key stands for another handshake.
  const multiMsg = msgOf(ROUTE.A2G_LIST, seq(0xe0, 16), A, { to: [idHex(C), idHex(D)] });
  const multiAd = envelopeAd(multiMsg);
  const keyAD = seq(0x3c, 32, 9);
  const sessionAD = seq(0x5d, 16);
  const plainMulti = text('hello both');
  const parts = [
    { recipient: idHex(C), sessionId: hex(sessionId), counter: 1, key: 'kAB', ciphertext: hex(xchachaSeal(kAB, counterNonce(1), multiAd, plainMulti)) },
    { recipient: idHex(D), sessionId: hex(sessionAD), counter: 0, key: hex(keyAD), ciphertext: hex(xchachaSeal(keyAD, counterNonce(0), multiAd, plainMulti)) },
  ];
  const multiBody = cat(u8(E2E.SEALED_MULTI), u8(parts.length),
    parts.map((p) => [unhex(p.recipient), unhex(p.sessionId), u64(p.counter), u32(unhex(p.ciphertext).length), unhex(p.ciphertext)]));
  const sealedMulti = {
    note: 'A to the list [C, D]: C\'s part under the A-C session of "handshake" (counter 1), D\'s under another session ' +
      '(its sending key is given as "key": it comes from a handshake not shown). Both parts seal the same plaintext with the same AD.',
    msg: multiMsg, ad: hex(multiAd), plaintext: hex(plainMulti), parts, body: hex(multiBody),
  };

  const signedMsg = msgOf(ROUTE.A2N, seq(0xf0, 16), A);
  const signedAd = envelopeAd(signedMsg);
  const signedPayload = text('hello everyone');
  const signedInput = cat(utf8(LABEL_SIGNED), signedAd, signedPayload);
  const signedSig = A.sign(signedInput);
  const signed = {
    note: 'a2n: public, but the sender is proven; sig = Sign(A, "w2w/1 signed" ‖ ad ‖ payload)',
    msg: signedMsg, ad: hex(signedAd), payload: hex(signedPayload), sigInput: hex(signedInput), sig: hex(signedSig),
    body: hex(cat(u8(E2E.SIGNED), signedSig, signedPayload)),
  };

  const boxCase = (name, note, { sender, recipient, msg, plaintext, ephemeralSecret }) => {
    const e = ephemeral(ephemeralSecret);
    const recipientX = edPublicToX25519(recipient.publicKey);
    const recipientXSecret = edSeedToX25519Secret(recipient.seed);
    // The conversion must agree with itself: the converted secret's public key is the converted public key.
    if (!ephemeral(recipientXSecret).publicKey.equals(recipientX)) throw new Error('Ed25519 to X25519 conversion disagrees');
    const shared = e.dh(recipientX);
    if (!shared.equals(ephemeral(recipientXSecret).dh(e.publicKey))) throw new Error('box X25519 disagrees');
    const ad = envelopeAd(msg);
    const keyInput = cat(utf8(LABEL_BOX), e.publicKey, sender.publicKey, recipient.publicKey, unhex(msg.id));
    const key = blake2b(32, keyInput, shared);
    const nonce = Buffer.alloc(24);
    const ciphertext = xchachaSeal(key, nonce, ad, plaintext);
    const sigInput = cat(utf8(LABEL_BOX), e.publicKey, recipient.publicKey, unhex(msg.id), ad);
    const sig = sender.sign(sigInput);
    return {
      name, note, senderSeed: hex(sender.seed), recipientSeed: hex(recipient.seed), msg, ad: hex(ad),
      recipientX25519: hex(recipientX), recipientX25519Secret: hex(recipientXSecret),
      ephemeralSecret: hex(e.secret), ephemeral: hex(e.publicKey), sharedSecret: hex(shared),
      keyInput: hex(keyInput), key: hex(key), nonce: hex(nonce), plaintext: hex(plaintext), ciphertext: hex(ciphertext),
      sigInput: hex(sigInput), sig: hex(sig), body: hex(cat(u8(E2E.BOX), e.publicKey, sig, ciphertext)),
    };
  };
  const boxes = [
    boxCase('A to C while C is offline', 'a2b with FLAG_STORE when no session can be opened; C\'s relay keeps it',
      { sender: A, recipient: C, msg: msgOf(ROUTE.A2B, seq(0xb0, 16), A, { to: idHex(C) }), plaintext: text('see you tomorrow'), ephemeralSecret: seq(0x0b, 32, 13) }),
    boxCase('A to itself (a2a)', 'every session of A opens it with A\'s own key',
      { sender: A, recipient: A, msg: msgOf(ROUTE.A2A, seq(0xab, 16), A), plaintext: text('note to self'), ephemeralSecret: seq(0x0c, 32, 17) }),
  ];

  const replayWindow = {
    size: REPLAY_WINDOW,
    note: 'Each case starts from a fresh window; "accept" says, counter by counter, whether a message that authenticates is ' +
      'accepted (and then remembered).',
    cases: [
      ['in order', [0, 1, 2, 3], ''],
      ['a repeat', [0, 1, 1, 2, 0], 'each counter once'],
      ['reordering within the window', [5, 3, 4, 0, 5, 3], 'late counters are fine, repeats are not'],
      ['the window edge', [2016, 1, 0, 1], '2016 - 0 = 2016 is outside the window, 2016 - 1 = 2015 inside'],
      ['a long jump', [0, 100000, 97985, 97984, 99999, 100000], '97985 is 2015 below the highest, 97984 is 2016 below'],
      ['a first counter that is not zero', [7, 0, 6], 'counters need not start at 0; gaps are reported, not refused'],
      ['a jump wider than the window', [0, 1, 5000, 2985, 2984, 1], ''],
      ['word boundaries', [31, 32, 63, 64, 32, 2079, 63, 64, 65], 'for implementations that keep a ring of 32-bit words: counters ' +
        'in a word the window slid over are forgotten, others are kept'],
    ].map(([name, counters, note]) => ({ name, counters, accept: replayModel(counters), ...(note ? { note } : {}) })),
  };

  const s0 = sealed[0];
  const s0ct = unhex(s0.ciphertext);
  const flipped = (b) => {
    const c = Buffer.from(b);
    c[0] ^= 0x01;
    return hex(c);
  };
  const toD = { ...toC, to: idHex(D) };
  const sealedFailures = [
    { name: 'a flipped ciphertext bit', opener: 'C', counter: 0, ad: s0.ad, ciphertext: flipped(s0ct), note: 'sealed[0] with its first bit flipped' },
    { name: 'another counter', opener: 'C', counter: 1, ad: s0.ad, ciphertext: s0.ciphertext, note: 'the counter is the nonce' },
    { name: 're-addressed to D', opener: 'C', counter: 0, ad: hex(envelopeAd(toD)), ciphertext: s0.ciphertext, note: 'a relay changed "to": the AD differs' },
    { name: 'another message ID', opener: 'C', counter: 0, ad: hex(envelopeAd({ ...toC, id: hex(seq(0x01, 16)) })), ciphertext: s0.ciphertext, note: '' },
    { name: 'another sender', opener: 'C', counter: 0, ad: hex(envelopeAd({ ...toC, from: idHex(D) })), ciphertext: s0.ciphertext, note: 'a relay changed "from"' },
    { name: 'reflected to its sender', opener: 'A', counter: 0, ad: s0.ad, ciphertext: s0.ciphertext,
      note: 'A\'s own message fed back to A: A opens with kBA, the message was sealed with kAB' },
  ];
  const b0 = boxes[0];
  const lowOrderSig = A.sign(cat(utf8(LABEL_BOX), LOW_ORDER_POINT, C.publicKey, unhex(b0.msg.id), unhex(b0.ad)));
  const boxFailures = [
    { name: 'opened by another recipient', openerSeed: hex(D.seed), from: idHex(A), msg: b0.msg, ephemeral: b0.ephemeral, sig: b0.sig, ciphertext: b0.ciphertext,
      note: 'D is not the recipient: the signature names C, and D\'s key gives another shared secret' },
    { name: 'signed by another key', openerSeed: hex(C.seed), from: idHex(A), msg: b0.msg, ephemeral: b0.ephemeral, sig: hex(D.sign(unhex(b0.sigInput))), ciphertext: b0.ciphertext,
      note: 'D signed the right bytes, but "from" is A' },
    { name: 'a flipped ciphertext bit', openerSeed: hex(C.seed), from: idHex(A), msg: b0.msg, ephemeral: b0.ephemeral, sig: b0.sig, ciphertext: flipped(unhex(b0.ciphertext)), note: '' },
    { name: 're-addressed envelope', openerSeed: hex(C.seed), from: idHex(A), msg: { ...b0.msg, id: hex(seq(0x02, 16)) }, ephemeral: b0.ephemeral, sig: b0.sig, ciphertext: b0.ciphertext,
      note: 'the message ID is signed and in the AD' },
    { name: 'a low-order ephemeral', openerSeed: hex(C.seed), from: idHex(A), msg: b0.msg, ephemeral: hex(LOW_ORDER_POINT), sig: hex(lowOrderSig), ciphertext: b0.ciphertext,
      note: 'correctly signed by A, but X25519 with a point of order 8 gives all zeros: refused' },
  ];
  const signedFailures = [
    { name: 'payload changed', from: idHex(A), msg: signedMsg, payload: hex(text('hello everybody')), sig: signed.sig, note: '' },
    { name: 'signed by another key', from: idHex(A), msg: signedMsg, payload: signed.payload, sig: hex(D.sign(signedInput)), note: '' },
    { name: 're-routed as a2a', from: idHex(A), msg: { ...signedMsg, route: ROUTE.A2A }, payload: signed.payload, sig: signed.sig, note: 'the route is in the AD' },
  ];

  const M = 'MALFORMED_FRAME';
  const hs1Bytes = encode(first.frame);
  const sealedHead = cat(u8(E2E.SEALED), sessionId, u64(0));
  const part = (ctLen) => cat(C.publicKey, sessionId, u64(0), u32(ctLen), Buffer.alloc(ctLen));
  const invalidBodies = [
    ['empty', Buffer.alloc(0), M, 'a body has at least its kind byte'],
    ['kind 0x00', cat(u8(0), Buffer.alloc(40)), M, 'kinds are 1..6'],
    ['kind 0x07', cat(u8(7), Buffer.alloc(40)), M, ''],
    ['HANDSHAKE without a frame', cat(u8(E2E.HANDSHAKE), hsId), M, 'the carried frame is empty'],
    ['HANDSHAKE with a short hsId', cat(u8(E2E.HANDSHAKE), hsId.subarray(0, 10)), M, ''],
    ['HANDSHAKE carrying READY', cat(u8(E2E.HANDSHAKE), hsId, encode({ type: T.READY, transcriptHash: hex(third.th), timeMs: TIME_MS })), M,
      'only HS1, HS2 and HS3 may be carried'],
    ['HANDSHAKE carrying an unknown frame type', cat(u8(E2E.HANDSHAKE), hsId, u8(0x06), Buffer.alloc(40)), 'UNKNOWN_FRAME_TYPE',
      'the carried frame is decoded by the frame codec (§7), whose code is reported'],
    ['HANDSHAKE carrying HS1 with a trailing byte', cat(u8(E2E.HANDSHAKE), hsId, hs1Bytes, u8(0)), M, 'the frame runs to the end of the body and is exact'],
    ['HANDSHAKE carrying HS1 with context 4', cat(u8(E2E.HANDSHAKE), hsId, u8(T.HS1), u8(4), hs1Bytes.subarray(2)), M, ''],
    ['SEALED with a 15-byte ciphertext', cat(sealedHead, Buffer.alloc(15)), M, 'a ciphertext holds at least its 16-byte tag'],
    ['SEALED short of its counter', cat(u8(E2E.SEALED), sessionId, Buffer.alloc(4)), M, ''],
    ['SEALED with counter 2^53', cat(u8(E2E.SEALED), sessionId, u64(2 ** 53), Buffer.alloc(16)), M, 'u64 values above 2^53-1 are malformed'],
    ['SEALED_MULTI of zero parts', cat(u8(E2E.SEALED_MULTI), u8(0)), M, '1..64 parts'],
    ['SEALED_MULTI of 65 parts', cat(u8(E2E.SEALED_MULTI), u8(65), Array.from({ length: 65 }, () => part(16))), M, ''],
    ['SEALED_MULTI part of 15 bytes', cat(u8(E2E.SEALED_MULTI), u8(1), part(15)), M, 'each part\'s ciphertext holds at least its tag'],
    ['SEALED_MULTI with a trailing byte', cat(u8(E2E.SEALED_MULTI), u8(1), part(16), u8(0)), M, ''],
    ['SEALED_MULTI short of its second part', cat(u8(E2E.SEALED_MULTI), u8(2), part(16)), M, ''],
    ['SIGNED with a 63-byte signature', cat(u8(E2E.SIGNED), Buffer.alloc(63)), M, 'the payload may be empty, the signature may not be short'],
    ['BOX with a 15-byte ciphertext', cat(u8(E2E.BOX), Buffer.alloc(32), Buffer.alloc(64), Buffer.alloc(15)), M, ''],
    ['BOX short of its signature', cat(u8(E2E.BOX), Buffer.alloc(32), Buffer.alloc(50)), M, ''],
    ['REJECT with a trailing byte', cat(u8(E2E.REJECT), sessionId, u16(310), u8(0)), M, 'a REJECT is exactly 19 bytes'],
    ['REJECT short of its code', cat(u8(E2E.REJECT), sessionId, u8(1)), M, ''],
  ].map(([name, bytes, error, note]) => ({ name, hex: hex(bytes), error, code: errorCodeOf(error), ...(note ? { note } : {}) }));

  const validBodies = [
    { name: 'HANDSHAKE (HS1)', hex: handshake.bodies.hs1.hex, kind: E2E.HANDSHAKE },
    { name: 'SEALED', hex: s0.body, kind: E2E.SEALED },
    { name: 'SEALED_MULTI', hex: sealedMulti.body, kind: E2E.SEALED_MULTI },
    { name: 'SIGNED', hex: signed.body, kind: E2E.SIGNED },
    { name: 'SIGNED with an empty payload', hex: hex(cat(u8(E2E.SIGNED), signedSig)), kind: E2E.SIGNED, note: 'decodes; the signature is checked later' },
    { name: 'BOX', hex: b0.body, kind: E2E.BOX },
    { name: 'REJECT', hex: hex(cat(u8(E2E.REJECT), sessionId, u16(ERR.BAD_REQUEST))), kind: E2E.REJECT, note: 'ref = the session ID the sender used; code 310 (BAD_REQUEST)' },
    { name: 'SEALED with an empty plaintext', hex: hex(cat(sealedHead, Buffer.alloc(16))), kind: E2E.SEALED, note: 'a 16-byte ciphertext is a tag alone: it decodes (and then fails to open)' },
  ];

  return {
    description:
      'End-to-end protection of docs/PROTOCOL.md §11: MSG bodies only the two ends read. "envelopeAds": the AD every ' +
      'ciphertext and signature is bound to. "handshake": the e2e session A opens with C, every intermediate value, and the ' +
      'three HANDSHAKE bodies. "sealed": SEALED bodies under that session (key kAB: A to C; kBA: C to A), nonce = 16 zero ' +
      'bytes ‖ u64be(counter), XChaCha20-Poly1305. "sealedMulti", "signed", "boxes": the other body kinds. "replayWindow": ' +
      'which counters a session accepts. "invalidBodies": decoding fails with the code. "sealedFailures", "boxFailures", ' +
      '"signedFailures": well-formed bodies that must not open (opener "C" is the responder of "handshake", "A" the initiator).',
    labels: { ad: LABEL_AD, signed: LABEL_SIGNED, box: LABEL_BOX, handshakeContext: CTX_LABEL[CTX.E2E] },
    bodyKinds: E2E,
    payloadKinds: PAYLOAD,
    parties: Object.fromEntries([['A', A], ['B', B], ['C', C], ['D', D]].map(([k, x]) => [k, { seed: hex(x.seed), publicKey: hex(x.publicKey) }])),
    envelopeAds,
    handshake,
    sealed,
    sealedMulti,
    signed,
    boxes,
    replayWindow,
    validBodies,
    invalidBodies,
    sealedFailures,
    boxFailures,
    signedFailures,
  };
}

// ---------------------------------------------------------------------------------------------
// Shared data and file transfer (§12): application payloads inside sealed bodies

const XFER = { FETCH: 0x10, HASHES_REQ: 0x11, HASHES: 0x12, CHUNK: 0x13, DENY: 0x14, DELETE_REQ: 0x15, DELETE_RECEIPT: 0x16, HOLDING_NOTICE: 0x17 };
const DELETE_STATUS = { DELETED: 1, REFUSED: 2, NOT_HELD: 3 };
const TRANSFER_CODE = {
  NOT_HELD: 1, NOT_ALLOWED: 2, NOT_GROUP_MEMBER: 3, FILE_GONE: 4, FILE_CHANGED: 5, BAD_RANGE: 6, BUSY: 7, CHUNK_TOO_LARGE: 8, INTERNAL: 9,
  NO_HOLDER: 100, BAD_HASH_LIST: 101, CORRUPT_CHUNK: 102, TIMEOUT: 103, CONTENT_MISMATCH: 104, BAD_DECLARATION: 105, ABORTED: 106, UNREACHABLE: 107,
};
const LABEL_DELETE = 'w2w/1 delete';
const LABEL_DELETED = 'w2w/1 deleted';

function encodeTransfer(p) {
  const k = u8(p.kind);
  switch (p.kind) {
    case XFER.FETCH:
      return cat(k, unhex(p.contentHash), u32(p.first), u32(p.count));
    case XFER.HASHES_REQ:
      return cat(k, unhex(p.contentHash), u32(p.first), u16(p.count));
    case XFER.HASHES:
      return cat(k, unhex(p.contentHash), u32(p.first), u16(unhex(p.hashes).length / 32), unhex(p.hashes));
    case XFER.CHUNK:
      return cat(k, unhex(p.contentHash), u32(p.index), unhex(p.data));
    case XFER.DENY:
      return cat(k, unhex(p.contentHash), u16(p.code), str16(p.reason));
    case XFER.DELETE_REQ:
      return cat(k, unhex(p.contentHash), u64(p.timeMs), unhex(p.ownerSig));
    case XFER.DELETE_RECEIPT:
      return cat(k, unhex(p.contentHash), u8(p.status), u64(p.timeMs), unhex(p.holderSig));
    case XFER.HOLDING_NOTICE:
      return cat(k, unhex(p.holding));
  }
  throw new Error(`transfer kind ${p.kind}`);
}

function transferVectors(decl) {
  const file = decl.file;
  const ch = file.contentHash;
  const lastChunk = unhex(file.hex).subarray(2048);
  const deleteRequest = (name, signer, contentHash, timeMs, note) => {
    const message = cat(utf8(LABEL_DELETE), unhex(contentHash), u64(timeMs));
    return { name, seed: hex(signer.seed), signer: idHex(signer), contentHash, timeMs, message: hex(message), sig: hex(signer.sign(message)), ...(note ? { note } : {}) };
  };
  const deleteReceipt = (name, signer, contentHash, status, timeMs, note) => {
    const message = cat(utf8(LABEL_DELETED), unhex(contentHash), u8(status), u64(timeMs));
    return { name, seed: hex(signer.seed), signer: idHex(signer), contentHash, status, timeMs, message: hex(message), sig: hex(signer.sign(message)), ...(note ? { note } : {}) };
  };
  const deleteTime = TIME_MS + 3_600_000;
  const deleteRequests = [
    deleteRequest('A asks the holders of its file to delete it', A, ch, deleteTime, 'the owner signs; every holder gets the same request'),
  ];
  const deleteReceipts = [
    deleteReceipt('C deleted its copy', C, ch, DELETE_STATUS.DELETED, deleteTime, 'the receipt echoes the request\'s timeMs'),
    deleteReceipt('C refused', C, ch, DELETE_STATUS.REFUSED, deleteTime, 'what a holder answers a request that is not the owner\'s'),
    deleteReceipt('C did not hold it', C, ch, DELETE_STATUS.NOT_HELD, deleteTime, ''),
  ];
  const r0 = deleteRequests[0];
  const c0 = deleteReceipts[0];
  const invalidDeleteRequests = [
    { name: 'signed by a holder, not the owner', owner: idHex(A), contentHash: ch, timeMs: deleteTime, sig: hex(C.sign(unhex(r0.message))), note: 'only the owner of the declaration may ask' },
    { name: 'another time', owner: idHex(A), contentHash: ch, timeMs: deleteTime + 1, sig: r0.sig, note: '' },
  ];
  const invalidDeleteReceipts = [
    { name: 'another status', holder: idHex(C), contentHash: ch, status: DELETE_STATUS.REFUSED, timeMs: deleteTime, sig: c0.sig, note: 'the status is signed: "deleted" cannot be turned into "refused" or back' },
    { name: 'another request', holder: idHex(C), contentHash: ch, status: DELETE_STATUS.DELETED, timeMs: deleteTime - 1, sig: c0.sig, note: 'the timeMs binds the receipt to one request' },
  ];

  const valid = [
    { name: 'FETCH', payload: { kind: XFER.FETCH, contentHash: ch, first: 0, count: 8 }, note: 'chunks 0..7' },
    { name: 'FETCH of 64', payload: { kind: XFER.FETCH, contentHash: ch, first: 0xfffffff0, count: 64 }, note: 'the largest window; first is any u32 (the holder checks the range)' },
    { name: 'HASHES_REQ', payload: { kind: XFER.HASHES_REQ, contentHash: ch, first: 0, count: 3 } },
    { name: 'HASHES_REQ of 2048', payload: { kind: XFER.HASHES_REQ, contentHash: ch, first: 2048, count: 2048 } },
    { name: 'HASHES', payload: { kind: XFER.HASHES, contentHash: ch, first: 0, hashes: hex(cat(file.chunkHashes.map(unhex))) }, note: 'the three chunk hashes of the test file' },
    { name: 'CHUNK', payload: { kind: XFER.CHUNK, contentHash: ch, index: 2, data: hex(lastChunk) }, note: 'the last, short chunk (552 bytes)' },
    { name: 'DENY', payload: { kind: XFER.DENY, contentHash: ch, code: TRANSFER_CODE.NOT_ALLOWED, reason: 'the owner did not share this data with you' } },
    { name: 'DENY with an empty reason', payload: { kind: XFER.DENY, contentHash: ch, code: TRANSFER_CODE.BUSY, reason: '' } },
    { name: 'DELETE_REQ', payload: { kind: XFER.DELETE_REQ, contentHash: ch, timeMs: deleteTime, ownerSig: r0.sig } },
    ...deleteReceipts.map((r) => ({ name: `DELETE_RECEIPT status ${r.status}`, payload: { kind: XFER.DELETE_RECEIPT, contentHash: ch, status: r.status, timeMs: deleteTime, holderSig: r.sig } })),
    { name: 'HOLDING_NOTICE', payload: { kind: XFER.HOLDING_NOTICE, holding: decl.valid[1].holding }, note: 'C tells A it re-serves A\'s file (declarations.json valid[1])' },
  ].map((v) => ({ name: v.name, ...(v.note ? { note: v.note } : {}), hex: hex(encodeTransfer(v.payload)), payload: v.payload }));

  const head = (kind) => cat(u8(kind), unhex(ch));
  const M = 'MALFORMED_FRAME';
  const invalid = [
    ['empty', Buffer.alloc(0), M, ''],
    ['kind 0x01 (TEXT)', cat(u8(PAYLOAD.TEXT), utf8('hi')), M, 'a TEXT payload is not a transfer payload'],
    ['kind 0x0f', cat(u8(0x0f), unhex(ch)), M, 'transfer kinds are 0x10..0x17'],
    ['kind 0x18', cat(u8(0x18), unhex(ch)), M, ''],
    ['FETCH short of its content hash', cat(u8(XFER.FETCH), unhex(ch).subarray(0, 31)), M, ''],
    ['FETCH of 0', cat(head(XFER.FETCH), u32(0), u32(0)), M, '1..64 chunks'],
    ['FETCH of 65', cat(head(XFER.FETCH), u32(0), u32(65)), M, ''],
    ['FETCH with a trailing byte', cat(head(XFER.FETCH), u32(0), u32(1), u8(0)), M, ''],
    ['HASHES_REQ of 0', cat(head(XFER.HASHES_REQ), u32(0), u16(0)), M, '1..2048 hashes'],
    ['HASHES_REQ of 2049', cat(head(XFER.HASHES_REQ), u32(0), u16(2049)), M, ''],
    ['HASHES of 0', cat(head(XFER.HASHES), u32(0), u16(0)), M, ''],
    ['HASHES short of its hashes', cat(head(XFER.HASHES), u32(0), u16(2), Buffer.alloc(32)), M, 'n = 2 but one hash follows'],
    ['CHUNK without data', cat(head(XFER.CHUNK), u32(0)), M, 'a chunk holds 1..131072 bytes'],
    ['CHUNK of 131073 bytes', cat(head(XFER.CHUNK), u32(0), Buffer.alloc(131073)), M, ''],
    ['DENY code 0', cat(head(XFER.DENY), u16(0), str16('')), M, 'DENY codes are 1..99'],
    ['DENY code 100', cat(head(XFER.DENY), u16(100), str16('')), M, 'codes from 100 up are the fetcher\'s own and never travel'],
    ['DENY reason of 1025 bytes', cat(head(XFER.DENY), u16(1), rawStr16(Buffer.alloc(1025, 0x61))), M, ''],
    ['DENY reason not UTF-8', cat(head(XFER.DENY), u16(1), rawStr16(unhex('c3'))), M, ''],
    ['DELETE_REQ with a short signature', cat(head(XFER.DELETE_REQ), u64(deleteTime), Buffer.alloc(63)), M, ''],
    ['DELETE_REQ timeMs 2^53', cat(head(XFER.DELETE_REQ), u64(2 ** 53), Buffer.alloc(64)), M, ''],
    ['DELETE_RECEIPT status 0', cat(head(XFER.DELETE_RECEIPT), u8(0), u64(deleteTime), Buffer.alloc(64)), M, 'statuses are 1..3'],
    ['DELETE_RECEIPT status 4', cat(head(XFER.DELETE_RECEIPT), u8(4), u64(deleteTime), Buffer.alloc(64)), M, ''],
    ['HOLDING_NOTICE with a declaration of version 2', cat(u8(XFER.HOLDING_NOTICE), unhex(decl.invalidEncodings[0].holding)), 'UNSUPPORTED_VERSION',
      'the holding is decoded as in §10.1, with its codes'],
    ['HOLDING_NOTICE with a trailing byte', cat(u8(XFER.HOLDING_NOTICE), unhex(decl.valid[1].holding), u8(0)), M, ''],
  ].map(([name, bytes, error, note]) => ({ name, hex: hex(bytes), error, code: errorCodeOf(error), ...(note ? { note } : {}) }));

  return {
    description:
      'Shared-data transfer payloads of docs/PROTOCOL.md §12: what goes inside a sealed end-to-end payload (u8 kind ‖ data). ' +
      '"valid": hex is the whole payload, kind byte included; payload lists its fields (contentHash, hashes, data, ownerSig, ' +
      'holderSig and holding as hex; reason as text). "invalid": decoding fails with the code. "deleteRequests" and ' +
      '"deleteReceipts": the signed messages "w2w/1 delete" ‖ contentHash ‖ u64be(timeMs) (by the owner) and "w2w/1 deleted" ' +
      '‖ contentHash ‖ u8 status ‖ u64be(timeMs) (by the holder); the invalid ones must not verify. The file is ' +
      'declarations.json "file".',
    kinds: XFER,
    deleteStatus: DELETE_STATUS,
    transferCodes: TRANSFER_CODE,
    labels: { delete: LABEL_DELETE, deleted: LABEL_DELETED },
    limits: { maxWindow: 64, maxHashes: 2048, maxChunk: 131072, maxReasonBytes: 1024, chunkFrameOverhead: 88 + 25 + 16 + 37 },
    valid,
    invalid,
    deleteRequests,
    invalidDeleteRequests,
    deleteReceipts,
    invalidDeleteReceipts,
  };
}

function errorCodeOf(name) {
  const all = { ...ERR, TEXT_FRAME: 105 };
  if (!(name in all)) throw new Error(`unknown error name ${name}`);
  return all[name];
}

// ---------------------------------------------------------------------------------------------

function main() {
  const handshake = handshakeVectors();
  const declarations = declarationVectors();
  const files = {
    'ids.json': idsVectors(),
    'handshake.json': handshake,
    'frames.json': framesVectors(handshake.valid[0].frames, declarations),
    'federation.json': federationVectors(),
    'declarations.json': declarations,
    'e2e.json': e2eVectors(),
    'transfer.json': transferVectors(declarations),
  };
  const check = process.argv.includes('--check');
  let stale = 0;
  if (!check) mkdirSync(OUT_DIR, { recursive: true });
  for (const [name, data] of Object.entries(files)) {
    const text = `${JSON.stringify(data, null, 2)}\n`;
    const path = `${OUT_DIR}${name}`;
    if (check) {
      let old = null;
      try {
        old = readFileSync(path, 'utf8');
      } catch {
        // missing counts as stale
      }
      if (old !== text) {
        stale++;
        process.stderr.write(`docs/vectors/${name} is not what scripts/gen-vectors.mjs writes; run it and commit the result\n`);
      }
    } else {
      writeFileSync(path, text);
      process.stdout.write(`wrote docs/vectors/${name}\n`);
    }
  }
  process.exitCode = stale ? 1 : 0;
}

main();
