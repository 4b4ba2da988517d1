#!/usr/bin/env node
// Writes the protocol v1 test vectors (docs/vectors/*.json) from fixed seeds.
//
// Usage: node scripts/gen-vectors.mjs           (re)write docs/vectors/{ids,handshake,frames}.json
//        node scripts/gen-vectors.mjs --check   exit 1 if a file differs from what would be written
//
// This is a second, independent implementation of docs/PROTOCOL.md: its own byte writer, CRC-32,
// base32 and handshake transcript, Ed25519 and X25519 from node:crypto (OpenSSL, not libsodium), and
// only BLAKE2b from sodium-native (node:crypto has no keyed or 256-bit BLAKE2b). It never imports
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

const T = { HELLO: 0x01, HS1: 0x02, HS2: 0x03, HS3: 0x04, READY: 0x05, MSG: 0x10, ACK: 0x11, REQ: 0x20, RES: 0x21, EVENT: 0x22, ERROR: 0x7f };
const ROUTE = { A2A: 1, A2B: 2, A2G_LIST: 3, A2G_NAMED: 4, A2N: 5 };
const OP = { LIST_PEERS: 1, GROUP_CREATE: 2, GROUP_ADD: 3, GROUP_REMOVE: 4, GROUP_LIST: 5, GROUP_DELETE: 6, WATCH: 7 };
const KIND = { PRESENCE: 1, NOTICE: 2 };
const CTX = { C2S: 1, S2S: 2, E2E: 3 };
const CTX_LABEL = { 1: 'c2s', 2: 's2s', 3: 'e2e' };
const FLAG_ACK = 0x01;
const ERR = {
  MALFORMED_FRAME: 100, UNKNOWN_FRAME_TYPE: 101, UNEXPECTED_FRAME: 102, FRAME_TOO_LARGE: 103, UNSUPPORTED_VERSION: 104,
  BAD_SIGNATURE: 201, WRONG_PEER: 202, WRONG_CONTEXT: 203, WRONG_BINDING: 204, WEAK_KEY: 205,
  UNKNOWN_RECIPIENT: 300, RECIPIENT_OFFLINE: 301, GROUP_EXISTS: 306,
};
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
      return cat(t, unhex(f.id), u32(f.delivered), u8(f.missed.length), f.missed.map((m) => [unhex(m.id), u16(m.code)]));
    case T.REQ:
      return cat(t, u32(f.reqId), u8(f.op), encodeReqArgs(f));
    case T.RES:
      return cat(t, u32(f.reqId), u8(f.op), u16(f.status), f.status === 0 ? encodeResResult(f) : str16(f.message));
    case T.EVENT:
      return f.kind === KIND.PRESENCE
        ? cat(t, u8(f.kind), unhex(f.id), u8(f.online ? 1 : 0), u64(f.timeMs))
        : cat(t, u8(f.kind), str16(f.text));
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

function validHandshake(name, binding, acceptBindings, note) {
  const first = m1({ binding });
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
    ctx: CTX.C2S,
    ctxLabel: 'c2s',
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
  ];
  const good = valid[0];
  const goodM1 = m1({ binding: RELAY_URL });
  const goodM2 = m2(goodM1, {});
  const goodM3 = m3(goodM2);
  const hs = (f) => hex(encode(f));

  const tamperedSigA = { ...goodM1.frame, sigA: flipFirstBit(goodM1.frame.sigA) };
  const tamperedNonce = { ...goodM1.frame, nonceA: hex(seq(0xa1)) };
  const wrongCtx = m1({ ctx: CTX.S2S, binding: RELAY_URL });
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
      note: 'A correctly signed s2s (ctx 2) handshake sent to a relay port that takes c2s: refused before sigA is checked.' },
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
      'The c2s handshake of docs/PROTOCOL.md §5 with fixed identities, ephemeral secrets and nonces. All byte values are hex. ' +
      '"valid" lists every intermediate; "invalid" feeds tampered frames to one side, which must fail with the given error ' +
      'at the given frame. The responder is always B (seed 20..3f, entropy from valid[0] unless responderEntropy says otherwise), ' +
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

function framesVectors(hsFrames) {
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
    { name: 'ACK, all delivered', frame: { type: T.ACK, id: hex(MSG_ID), delivered: 1, missed: [] } },
    {
      name: 'ACK with missed recipients',
      frame: { type: T.ACK, id: hex(MSG_ID), delivered: 0, missed: [{ id: idHex(B), code: ERR.RECIPIENT_OFFLINE }, { id: idHex(C), code: ERR.UNKNOWN_RECIPIENT }] },
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
    { name: 'EVENT PRESENCE online', frame: { type: T.EVENT, kind: KIND.PRESENCE, id: idHex(C), online: true, timeMs: TIME_MS } },
    { name: 'EVENT PRESENCE offline', frame: { type: T.EVENT, kind: KIND.PRESENCE, id: idHex(C), online: false, timeMs: TIME_MS + 1 } },
    { name: 'EVENT NOTICE', frame: { type: T.EVENT, kind: KIND.NOTICE, text: 'relay is shutting down' } },
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
      note: 'ERROR keeps unknown codes (shown as "E999"); unlike RES and ACK, where an unknown code is malformed',
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
    ['MSG flags 0x02', cat(msgHead(ROUTE.A2A, 0x02), u32(0)), M, 'only bit 0 (FLAG_ACK) is defined; any other bit is malformed'],
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
    ['ACK with 65 missed', cat(u8(T.ACK), MSG_ID, u32(0), u8(65), ids(65).map((id) => [id, u16(ERR.RECIPIENT_OFFLINE)])), M, 'at most 64 missed recipients'],
    ['ACK with an unknown code', cat(u8(T.ACK), MSG_ID, u32(0), u8(1), B.publicKey, u16(999)), M, 'missed codes must be known error codes'],
    ['REQ op 0', cat(u8(T.REQ), u32(1), u8(0)), M, 'ops are 1..7'],
    ['REQ op 8', cat(u8(T.REQ), u32(1), u8(8)), M, ''],
    ['REQ LIST_PEERS with a trailing byte', cat(u8(T.REQ), u32(1), u8(OP.LIST_PEERS), u8(0)), M, 'LIST_PEERS takes no arguments'],
    ['REQ GROUP_ADD of zero', cat(u8(T.REQ), u32(3), u8(OP.GROUP_ADD), str8('friends'), u8(0)), M, 'member lists hold 1..64 IDs'],
    ['REQ GROUP_ADD of 65', cat(u8(T.REQ), u32(3), u8(OP.GROUP_ADD), str8('friends'), u8(65), ids(65)), M, ''],
    ['REQ GROUP_CREATE name with a trailing space', cat(u8(T.REQ), u32(2), u8(OP.GROUP_CREATE), str8('friends ')), M, 'the same name rules as MSG'],
    ['REQ WATCH short of its IDs', cat(u8(T.REQ), u32(7), u8(OP.WATCH), u8(2), B.publicKey), M, 'n = 2 but one ID follows'],
    ['RES op 9', cat(u8(T.RES), u32(1), u8(9), u16(0)), M, ''],
    ['RES with an unknown status', cat(u8(T.RES), u32(1), u8(OP.GROUP_CREATE), u16(999), str16('?')), M, 'a non-zero status must be a known error code'],
    ['RES LIST_PEERS online = 2', cat(u8(T.RES), u32(1), u8(OP.LIST_PEERS), u16(0), u16(1), A.publicKey, u8(2), u64(TIME_MS)), M, 'bool fields are 0 or 1'],
    ['RES LIST_PEERS lastSeenMs 2^53', cat(u8(T.RES), u32(1), u8(OP.LIST_PEERS), u16(0), u16(1), A.publicKey, u8(1), u64(2 ** 53)), M, ''],
    ['RES GROUP_LIST of 1025 members', cat(u8(T.RES), u32(5), u8(OP.GROUP_LIST), u16(0), u16(1), str8('big'), A.publicKey, u16(1025), ids(1025)), M,
      'a group has at most 1024 members'],
    ['RES WATCH online = 2', cat(u8(T.RES), u32(7), u8(OP.WATCH), u16(0), u8(1), B.publicKey, u8(2)), M, ''],
    ['RES GROUP_CREATE with a trailing byte', cat(u8(T.RES), u32(2), u8(OP.GROUP_CREATE), u16(0), u8(0)), M, 'the result of GROUP_CREATE is empty'],
    ['EVENT kind 0', cat(u8(T.EVENT), u8(0)), M, 'kinds are 1 (PRESENCE) and 2 (NOTICE)'],
    ['EVENT kind 3', cat(u8(T.EVENT), u8(3), str16('x')), M, ''],
    ['EVENT PRESENCE online = 2', cat(u8(T.EVENT), u8(KIND.PRESENCE), C.publicKey, u8(2), u64(TIME_MS)), M, ''],
    ['EVENT NOTICE of 4097 bytes', cat(u8(T.EVENT), u8(KIND.NOTICE), rawStr16(Buffer.alloc(4097, 0x61))), M, 'text fields hold at most 4096 bytes'],
    ['EVENT NOTICE not UTF-8', cat(u8(T.EVENT), u8(KIND.NOTICE), rawStr16(unhex('68698081'))), M, '80 81 are continuation bytes without a lead byte'],
    ['ERROR truncated ref', cat(u8(T.ERROR), u16(100), Buffer.alloc(10)), M, 'ref is 16 bytes'],
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
      'otherwise the protocol maximum 262144 applies.',
    types: T,
    routes: ROUTE,
    ops: OP,
    eventKinds: KIND,
    valid,
    invalid: invalid.map((v) => ({ ...v, code: errorCodeOf(v.error) })),
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
  const files = {
    'ids.json': idsVectors(),
    'handshake.json': handshake,
    'frames.json': framesVectors(handshake.valid[0].frames),
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
