// Checks the code against docs/vectors/*.json: the ID text form, the handshake with every intermediate
// value and key, the frame codec (valid and invalid frames), home proofs and the route table's
// handling of announcements (federation), declarations and holdings (the data directory), the
// end-to-end layer (bodies, envelope AD, e2e handshake, sessions, box, replay window) and the transfer
// payloads. The vectors come from
// scripts/gen-vectors.mjs, an implementation of docs/PROTOCOL.md that shares no code with src-*, so a
// change to the wire format fails here until the spec, the generator and the vectors change with it.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DeclQueryBy, EventKind, FrameType, HandshakeContext, MsgFlag, Op, ReceiptStatus, Route, RouteAction } from '../../src-shared/protocol/constants.js';
import { Access, DeclFlag, DeclLimits, decodeHolding, encodeCore, encodeHolding, type AccessRule, type DeclarationCore } from '../../src-shared/protocol/declaration.js';
import { E2eKind, PayloadKind, decodeE2e, encodeE2e, envelopeAd, type E2eBody } from '../../src-shared/protocol/e2e.js';
import {
  CHUNK_FRAME_OVERHEAD,
  DeleteStatus,
  TransferCode,
  TransferKind,
  TransferLimits,
  decodeTransfer,
  deleteReceiptMessage,
  deleteRequestMessage,
  encodeTransfer,
  type TransferPayload,
} from '../../src-shared/protocol/transfer.js';
import { CloseCode, ErrorCode, errorName } from '../../src-shared/protocol/errors.js';
import { RouteKind, decodeFrame, encodeFrame, type Frame, type MsgTarget } from '../../src-shared/protocol/frames.js';
import { fromHex, idToText, parseId, toHex } from '../../src-shared/ids.js';
import { HandshakeInitiator, HandshakeResponder, computeH1, computeH2, type HandshakeEntropy } from '../../src-main/crypto/handshake.js';
import { open as aeadOpen, seal as aeadSeal } from '../../src-main/crypto/aead.js';
import { blake2b256, keyedHash, transcriptHash } from '../../src-main/crypto/hash.js';
import { identityFromSeed, sign, verify, type Identity } from '../../src-main/crypto/identity.js';
import { REPLAY_WINDOW, ReplayWindow } from '../../src-main/crypto/replay-window.js';
import { declareDigest, signHolding, treeRootOf, verifyHolding } from '../../src-main/data/declare.js';
import { openBox, sealBox } from '../../src-main/e2e/box.js';
import { E2eSession } from '../../src-main/e2e/session.js';
import { visibleTo, withdrawMessage } from '../../src-main/relay/directory.js';
import { signHomeProof, verifyHomeProof } from '../../src-main/federation/home-proof.js';
import { PathVectorRouteTable, type RouteAdvert } from '../../src-main/federation/route-table.js';
import { idKey } from '../../src-main/relay/id-key.js';
import { ephemeralKeyPair, x25519 } from '../../src-main/crypto/x25519.js';
import type { GroupStore, NodeListStore } from '../../src-main/relay/ports.js';
import { RelayServer, normalizeRelayUrl } from '../../src-main/relay/server.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const readJson = <T>(name: string): T => JSON.parse(readFileSync(`${ROOT}docs/vectors/${name}`, 'utf8')) as T;

// --- vector file shapes ------------------------------------------------------------------------

interface IdVectors {
  prefix: string;
  alphabet: string;
  length: number;
  valid: { seed: string | null; publicKey: string; crc32Input: string; crc32: string; text: string; note: string }[];
  alsoAccepted: { text: string; publicKey: string; note: string }[];
  invalid: { text: string; reason: 'prefix' | 'length' | 'character' | 'checksum'; note: string }[];
}

interface Party {
  seed: string;
  publicKey: string;
  id: string;
  ephemeralSecret: string;
  ephemeralPublic: string;
  nonce: string;
}

interface HexFrame {
  hex: string;
  frame: Record<string, unknown>;
}

interface ValidHandshake {
  name: string;
  ctx: number;
  binding: string;
  acceptBindings: string[];
  initiator: Party;
  responder: Party;
  h1Input: string;
  h1: string;
  sigA: string;
  h2: string;
  sigB: string;
  h3: string;
  sigC: string;
  th: string;
  sharedSecret: string;
  kdfInput: string;
  kAB: string;
  kBA: string;
  frames: { hs1: HexFrame; hs2: HexFrame; hs3: HexFrame; ready: HexFrame };
}

interface InvalidHandshake {
  name: string;
  target: 'responder' | 'initiator';
  acceptBindings: string[];
  responderEntropy?: { ephemeralSecret: string; nonce: string };
  hs1?: string;
  hs2?: string;
  hs3?: string;
  error: string;
  failsAt: 'HS1' | 'HS2' | 'HS3';
  note: string;
}

interface HandshakeVectors {
  labels: { protocol: string; sigA: string; sigB: string; sigC: string; keys: string; contexts: Record<string, string> };
  transcriptHashes: { parts: string[]; input: string; hash: string; note: string }[];
  valid: ValidHandshake[];
  invalid: InvalidHandshake[];
  bindings: { input: string; normalized: string | null; note: string }[];
}

interface FrameVectors {
  types: Record<string, number>;
  routes: Record<string, number>;
  ops: Record<string, number>;
  eventKinds: Record<string, number>;
  msgFlags: Record<string, number>;
  routeActions: Record<string, number>;
  routeKinds: Record<string, number>;
  receiptStatus: Record<string, number>;
  declActions: Record<string, number>;
  declQueryBy: Record<string, number>;
  valid: { name: string; hex: string; frame: Record<string, unknown>; maxFrameBytes?: number }[];
  invalid: { name: string; hex: string; error: string; code: number; maxFrameBytes?: number; note?: string }[];
}

interface Announcement {
  link: number;
  neighbour: string;
  dest: string;
  origin: string;
  proofTimeMs: number;
  proofSig: string;
  path: string[];
}

type RejectReason = 'path-length' | 'loop' | 'repeated-relay' | 'last-not-neighbour' | 'first-not-origin' | 'bad-proof';

interface FederationVectors {
  parties: Record<string, { seed: string; publicKey: string; role: string }>;
  homeProofLabel: string;
  homeProofs: { name: string; seed: string; id: string; relayId: string; timeMs: number; message: string; sig: string; note: string }[];
  invalidHomeProofs: { name: string; id: string; relayId: string; timeMs: number; sig: string; note: string }[];
  routeAnnouncements: {
    name: string;
    prior?: Announcement[];
    announce: Announcement;
    frame: string | null;
    expect: 'accept' | 'reject';
    reason?: RejectReason;
    note?: string;
  }[];
  bestRoute: {
    name: string;
    local?: { proofTimeMs: number; proofSig: string };
    announcements: Announcement[];
    withdraw?: number[];
    expectBest: number | 'local' | null;
    note: string;
  }[];
}

interface DeclarationVectors {
  labels: { decl: string; hold: string; withdraw: string };
  accessKinds: Record<string, number>;
  flags: Record<string, number>;
  queryBy: Record<string, number>;
  limits: { minChunk: number; maxChunk: number; maxSize: number; maxNameBytes: number; maxMimeBytes: number; maxPeers: number; maxGroupBytes: number };
  parties: Record<string, { seed: string; publicKey: string }>;
  file: { size: number; chunkSize: number; hex: string; chunkHashes: string[]; treeRoot: string; contentHash: string };
  emptyFile: { size: number; chunkHashes: string[]; treeRoot: string; contentHash: string };
  valid: {
    name: string;
    ownerSeed: string;
    holderSeed: string;
    core: Record<string, unknown> & { name: string; mime: string; createdMs: number; flags: number; size: number; chunkSize: number; access: Record<string, unknown> };
    coreBytes: string;
    ownerSigInput: string;
    ownerSig: string;
    holder: string;
    heldSinceMs: number;
    holderSigInput: string;
    holderSig: string;
    holding: string;
  }[];
  invalidEncodings: { name: string; holding: string; error: string; code: number }[];
  invalidSignatures: { name: string; holding: string; fails: 'owner' | 'holder' }[];
  notReservable: { name: string; holding: string }[];
  visibility: { holding: string; asker: string; visible: boolean }[];
  withdrawals: { name: string; seed: string; holder: string; contentHash: string; timeMs: number; message: string; sig: string }[];
  invalidWithdrawals: { name: string; holder: string; contentHash: string; timeMs: number; sig: string }[];
}

/** An envelope as in e2e.json: the MSG fields the AD covers. */
interface Envelope {
  route: number;
  id: string;
  from: string;
  to?: string | string[];
  group?: string;
}

interface E2eVectors {
  labels: { ad: string; signed: string; box: string; handshakeContext: string };
  bodyKinds: Record<string, number>;
  payloadKinds: Record<string, number>;
  parties: Record<string, { seed: string; publicKey: string }>;
  envelopeAds: { name: string; msg: Envelope; ad: string }[];
  handshake: {
    ctx: number;
    binding: string;
    hsId: string;
    initiator: { seed: string; publicKey: string; ephemeralSecret: string; ephemeralPublic: string; nonce: string };
    responder: { seed: string; publicKey: string; ephemeralSecret: string; ephemeralPublic: string; nonce: string };
    h1: string;
    sigA: string;
    sigB: string;
    sigC: string;
    th: string;
    sessionId: string;
    kAB: string;
    kBA: string;
    bodies: { hs1: HexFrame; hs2: HexFrame; hs3: HexFrame };
  };
  sealed: { name: string; key: 'kAB' | 'kBA'; msg: Envelope; ad: string; sessionId: string; counter: number; nonce: string; plaintext: string; ciphertext: string; body: string; frame?: string }[];
  sealedMulti: { msg: Envelope; ad: string; plaintext: string; parts: { recipient: string; sessionId: string; counter: number; key: string; ciphertext: string }[]; body: string };
  signed: { msg: Envelope; ad: string; payload: string; sigInput: string; sig: string; body: string };
  boxes: {
    name: string;
    senderSeed: string;
    recipientSeed: string;
    msg: Envelope;
    ad: string;
    recipientX25519: string;
    recipientX25519Secret: string;
    ephemeralSecret: string;
    ephemeral: string;
    sharedSecret: string;
    keyInput: string;
    key: string;
    plaintext: string;
    ciphertext: string;
    sigInput: string;
    sig: string;
    body: string;
  }[];
  replayWindow: { size: number; cases: { name: string; counters: number[]; accept: boolean[] }[] };
  validBodies: { name: string; hex: string; kind: number }[];
  invalidBodies: { name: string; hex: string; error: string; code: number }[];
  sealedFailures: { name: string; opener: 'A' | 'C'; counter: number; ad: string; ciphertext: string }[];
  boxFailures: { name: string; openerSeed: string; from: string; msg: Envelope; ephemeral: string; sig: string; ciphertext: string }[];
  signedFailures: { name: string; from: string; msg: Envelope; payload: string; sig: string }[];
}

interface TransferVectors {
  kinds: Record<string, number>;
  deleteStatus: Record<string, number>;
  transferCodes: Record<string, number>;
  labels: { delete: string; deleted: string };
  limits: { maxWindow: number; maxHashes: number; maxChunk: number; maxReasonBytes: number; chunkFrameOverhead: number };
  valid: { name: string; hex: string; payload: Record<string, unknown> }[];
  invalid: { name: string; hex: string; error: string; code: number }[];
  deleteRequests: { name: string; seed: string; signer: string; contentHash: string; timeMs: number; message: string; sig: string }[];
  invalidDeleteRequests: { name: string; owner: string; contentHash: string; timeMs: number; sig: string }[];
  deleteReceipts: { name: string; seed: string; signer: string; contentHash: string; status: number; timeMs: number; message: string; sig: string }[];
  invalidDeleteReceipts: { name: string; holder: string; contentHash: string; status: number; timeMs: number; sig: string }[];
}

const ids = readJson<IdVectors>('ids.json');
const hs = readJson<HandshakeVectors>('handshake.json');
const frames = readJson<FrameVectors>('frames.json');
const fed = readJson<FederationVectors>('federation.json');
const decl = readJson<DeclarationVectors>('declarations.json');
const e2e = readJson<E2eVectors>('e2e.json');
const xfer = readJson<TransferVectors>('transfer.json');

// --- helpers ------------------------------------------------------------------------------------

function bytes(hex: string): Uint8Array {
  const b = fromHex(hex);
  if (!b) throw new Error(`vector holds invalid hex: ${hex.slice(0, 40)}`);
  return b;
}

/** Text fields stay strings; every other string in a vector frame is hex bytes. */
const TEXT_FIELDS = new Set(['binding', 'group', 'name', 'message', 'text', 'url', 'mime', 'reason']);

function fromJson(value: unknown, key = ''): unknown {
  if (typeof value === 'string') return TEXT_FIELDS.has(key) ? value : bytes(value);
  if (Array.isArray(value)) return value.map((v) => fromJson(v, key));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fromJson(v, k)]));
  return value;
}

function toJson(value: unknown): unknown {
  if (value instanceof Uint8Array) return toHex(value);
  if (Array.isArray(value)) return value.map(toJson);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJson(v)]));
  return value;
}

function decodeAs<T extends Frame['type']>(hex: string, type: T): Extract<Frame, { type: T }> {
  const d = decodeFrame(bytes(hex));
  if (!d.ok) throw new Error(`vector frame does not decode: ${d.error.toString()}`);
  expect(d.frame.type).toBe(type);
  return d.frame as Extract<Frame, { type: T }>;
}

const entropyOf = (p: { ephemeralSecret: string; nonce: string }): HandshakeEntropy => ({
  ephemeralSecret: bytes(p.ephemeralSecret),
  nonce: bytes(p.nonce),
});

const noStores: { nodeList: NodeListStore; groups: GroupStore } = {
  nodeList: { list: () => [], recordRegistration: () => {}, recordLeave: () => {} },
  groups: { listAll: () => [], members: () => [], create: () => {}, delete: () => {}, addMembers: () => {}, removeMembers: () => {} },
};

/** The binding check of a real relay configured with these public URLs (never started: no socket is opened). */
function relayBindingCheck(identity: Identity, publicUrls: string[]): (binding: string) => boolean {
  const relay = new RelayServer({ identity, stores: noStores, host: '127.0.0.1', port: 0, publicUrls });
  return (binding) => relay.core.acceptsBinding(binding);
}

// --- IDs ----------------------------------------------------------------------------------------

describe('ID vectors (docs/vectors/ids.json)', () => {
  it.each(ids.valid.map((v) => [v.note, v] as const))('encodes and parses %s', (_note, v) => {
    if (v.seed) expect(toHex(identityFromSeed(bytes(v.seed)).publicKey)).toBe(v.publicKey);
    expect(idToText(bytes(v.publicKey))).toBe(v.text);
    expect(v.text).toHaveLength(ids.length);
    const parsed = parseId(v.text);
    expect(parsed.ok && toHex(parsed.id)).toBe(v.publicKey);
  });

  it.each(ids.alsoAccepted.map((v) => [v.note, v] as const))('accepts: %s', (_note, v) => {
    const parsed = parseId(v.text);
    expect(parsed.ok && toHex(parsed.id)).toBe(v.publicKey);
  });

  // parseId reports a reason sentence rather than a code; each kind of failure has its own sentence.
  const REASON: Record<IdVectors['invalid'][number]['reason'], RegExp> = {
    prefix: /starts with/,
    length: /characters, this one has/,
    character: /only a-z and 2-7/,
    checksum: /checksum/,
  };
  it.each(ids.invalid.map((v) => [v.note, v] as const))('refuses: %s', (_note, v) => {
    const parsed = parseId(v.text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toMatch(REASON[v.reason]);
  });
});

// --- handshake ----------------------------------------------------------------------------------

describe('handshake vectors (docs/vectors/handshake.json)', () => {
  it('uses the labels of the code', () => {
    expect(hs.labels.protocol).toBe('w2w/1');
    expect(hs.labels.contexts).toEqual({ '1': 'c2s', '2': 's2s', '3': 'e2e' });
  });

  it.each(hs.transcriptHashes.map((v) => [v.note, v] as const))('H: %s', (_note, v) => {
    expect(toHex(transcriptHash(...v.parts.map(bytes)))).toBe(v.hash);
    expect(toHex(blake2b256(bytes(v.input)))).toBe(v.hash);
  });

  describe.each(hs.valid.map((v) => [v.name, v] as const))('%s', (_name, v) => {
    it('reproduces every intermediate value, key and frame on both sides', () => {
      const a = identityFromSeed(bytes(v.initiator.seed));
      const b = identityFromSeed(bytes(v.responder.seed));
      expect(toHex(a.publicKey)).toBe(v.initiator.publicKey);
      expect(toHex(b.publicKey)).toBe(v.responder.publicKey);
      expect(idToText(a.publicKey)).toBe(v.initiator.id);
      expect(idToText(b.publicKey)).toBe(v.responder.id);
      expect(toHex(ephemeralKeyPair(bytes(v.initiator.ephemeralSecret)).publicKey)).toBe(v.initiator.ephemeralPublic);
      expect(toHex(ephemeralKeyPair(bytes(v.responder.ephemeralSecret)).publicKey)).toBe(v.responder.ephemeralPublic);
      expect(toHex(x25519(bytes(v.initiator.ephemeralSecret), bytes(v.responder.ephemeralPublic)) ?? new Uint8Array())).toBe(v.sharedSecret);

      const initiator = new HandshakeInitiator(v.ctx as HandshakeContext, a, b.publicKey, v.binding, entropyOf(v.initiator));
      const responder = new HandshakeResponder({
        ctx: v.ctx as HandshakeContext,
        identity: b,
        acceptBinding: relayBindingCheck(b, v.acceptBindings),
        entropy: entropyOf(v.responder),
      });

      // HS1
      const m1 = initiator.start();
      expect(toHex(encodeFrame({ type: FrameType.HS1, ...m1 }))).toBe(v.frames.hs1.hex);
      expect(toHex(blake2b256(bytes(v.h1Input)))).toBe(v.h1);
      expect(toHex(computeH1(m1))).toBe(v.h1);
      expect(toHex(m1.sigA)).toBe(v.sigA);

      // HS2
      const s2 = responder.respond(decodeAs(v.frames.hs1.hex, FrameType.HS1));
      if (!s2.ok) throw s2.error;
      expect(toHex(encodeFrame({ type: FrameType.HS2, ...s2.value }))).toBe(v.frames.hs2.hex);
      expect(toHex(computeH2(bytes(v.h1), bytes(v.sigA), s2.value))).toBe(v.h2);
      expect(toHex(s2.value.sigB)).toBe(v.sigB);

      // HS3 and the initiator's keys
      const s3 = initiator.finish(decodeAs(v.frames.hs2.hex, FrameType.HS2));
      if (!s3.ok) throw s3.error;
      expect(toHex(encodeFrame({ type: FrameType.HS3, ...s3.value.m3 }))).toBe(v.frames.hs3.hex);
      expect(toHex(transcriptHash(bytes(v.h2), bytes(v.sigB)))).toBe(v.h3);
      expect(toHex(s3.value.m3.sigC)).toBe(v.sigC);
      expect(toHex(transcriptHash(bytes(v.h3), bytes(v.sigC)))).toBe(v.th);
      expect(toHex(s3.value.result.transcriptHash)).toBe(v.th);
      expect(toHex(s3.value.result.peerId)).toBe(v.responder.publicKey);
      expect(toHex(s3.value.result.sendKey)).toBe(v.kAB);
      expect(toHex(s3.value.result.recvKey)).toBe(v.kBA);

      // The responder's keys and READY
      const done = responder.finish(decodeAs(v.frames.hs3.hex, FrameType.HS3));
      if (!done.ok) throw done.error;
      expect(toHex(done.value.transcriptHash)).toBe(v.th);
      expect(toHex(done.value.peerId)).toBe(v.initiator.publicKey);
      expect(toHex(done.value.sendKey)).toBe(v.kBA);
      expect(toHex(done.value.recvKey)).toBe(v.kAB);
      const timeMs = v.frames.ready.frame.timeMs as number;
      expect(toHex(encodeFrame({ type: FrameType.READY, transcriptHash: done.value.transcriptHash, timeMs }))).toBe(v.frames.ready.hex);
    });
  });

  const base = hs.valid[0] as ValidHandshake;

  describe.each(hs.invalid.map((c) => [c.target, c.name, c] as const))('%s refuses: %s', (_target, _name, c) => {
    it(`fails at ${c.failsAt} with ${c.error}`, () => {
      const a = identityFromSeed(bytes(base.initiator.seed));
      const b = identityFromSeed(bytes(base.responder.seed));
      if (c.target === 'initiator') {
        const initiator = new HandshakeInitiator(HandshakeContext.C2S, a, b.publicKey, base.binding, entropyOf(base.initiator));
        expect(toHex(encodeFrame({ type: FrameType.HS1, ...initiator.start() }))).toBe(base.frames.hs1.hex);
        const step = initiator.finish(decodeAs(c.hs2 as string, FrameType.HS2));
        expect(step.ok ? 'accepted' : errorName(step.error.code)).toBe(c.error);
        return;
      }
      const responder = new HandshakeResponder({
        ctx: HandshakeContext.C2S,
        identity: b,
        acceptBinding: relayBindingCheck(b, c.acceptBindings),
        entropy: entropyOf(c.responderEntropy ?? base.responder),
      });
      const s2 = responder.respond(decodeAs(c.hs1 as string, FrameType.HS1));
      if (c.failsAt === 'HS1') {
        expect(s2.ok ? 'accepted' : errorName(s2.error.code)).toBe(c.error);
        return;
      }
      if (!s2.ok) throw s2.error;
      if (c.hs2) expect(toHex(encodeFrame({ type: FrameType.HS2, ...s2.value }))).toBe(c.hs2);
      const done = responder.finish(decodeAs(c.hs3 as string, FrameType.HS3));
      expect(done.ok ? 'accepted' : errorName(done.error.code)).toBe(c.error);
    });
  });

  it.each(hs.bindings.map((v) => [v.input, v] as const))('normalises the binding %s', (_input, v) => {
    expect(normalizeRelayUrl(v.input)).toBe(v.normalized);
  });
});

// --- frames -------------------------------------------------------------------------------------

describe('frame vectors (docs/vectors/frames.json)', () => {
  it('numbers types, routes, ops and event kinds as the code does', () => {
    expect(frames.types).toEqual(FrameType);
    expect(frames.routes).toEqual(Route);
    expect(frames.ops).toEqual(Op);
    expect(frames.eventKinds).toEqual(EventKind);
    expect(frames.msgFlags).toEqual(MsgFlag);
    expect(frames.routeActions).toEqual(RouteAction);
    expect(frames.routeKinds).toEqual(RouteKind);
    expect(frames.receiptStatus).toEqual(ReceiptStatus);
    expect(frames.declQueryBy).toEqual(DeclQueryBy);
    expect(frames.declActions).toEqual({ PUBLISH: 1, WITHDRAW: 2 });
  });

  it('cover every frame type, route, op (REQ and RES) and event kind', () => {
    const decoded = frames.valid.map((v) => v.frame);
    const seen = (type: number, field: string): Set<unknown> =>
      new Set(decoded.filter((f) => f.type === type && (type !== FrameType.RES || f.status === 0)).map((f) => f[field]));
    expect(new Set(decoded.map((f) => f.type))).toEqual(new Set(Object.values(FrameType)));
    expect(seen(FrameType.MSG, 'route')).toEqual(new Set(Object.values(Route)));
    expect(seen(FrameType.REQ, 'op')).toEqual(new Set(Object.values(Op)));
    expect(seen(FrameType.RES, 'op')).toEqual(new Set(Object.values(Op)));
    expect(seen(FrameType.EVENT, 'kind')).toEqual(new Set(Object.values(EventKind)));
    expect(seen(FrameType.ROUTE, 'action')).toEqual(new Set(Object.values(RouteAction)));
    expect(seen(FrameType.DECL, 'action')).toEqual(new Set([1, 2]));
    const queries = decoded.filter((f) => f.type === FrameType.REQ && f.op === Op.DECL_QUERY);
    expect(new Set(queries.map((f) => f.by))).toEqual(new Set(Object.values(DeclQueryBy)));
    const routeOf = decoded.filter((f) => f.type === FrameType.RES && f.status === 0 && f.op === Op.ROUTE_OF);
    expect(new Set(routeOf.map((f) => f.kind))).toEqual(new Set(Object.values(RouteKind)));
    const receipts = decoded.filter((f) => f.type === FrameType.RECEIPT || (f.type === FrameType.EVENT && f.kind === EventKind.RECEIPT));
    for (const status of Object.values(ReceiptStatus)) expect(receipts.map((f) => f.status)).toContain(status);
    const flags = new Set(decoded.filter((f) => f.type === FrameType.MSG).map((f) => f.flags));
    for (const flag of Object.values(MsgFlag)) expect([...flags].some((f) => ((f as number) & flag) !== 0)).toBe(true);
    // FWD carries both a targeted message and an a2n flood (no targets).
    const fwdTargets = decoded.filter((f) => f.type === FrameType.FWD).map((f) => (f.targets as unknown[]).length);
    expect(fwdTargets).toContain(0);
    expect(fwdTargets.some((n) => n > 0)).toBe(true);
  });

  it.each(frames.valid.map((v) => [v.name, v] as const))('decodes and re-encodes: %s', (_name, v) => {
    const d = decodeFrame(bytes(v.hex), v.maxFrameBytes);
    if (!d.ok) throw d.error;
    expect(toJson(d.frame)).toEqual(v.frame);
    expect(toHex(encodeFrame(fromJson(v.frame) as Frame))).toBe(v.hex);
  });

  it.each(frames.invalid.map((v) => [v.name, v] as const))('refuses: %s', (_name, v) => {
    const d = decodeFrame(bytes(v.hex), v.maxFrameBytes);
    expect(d.ok ? 'accepted' : errorName(d.error.code)).toBe(v.error);
    expect(d.ok ? 0 : d.error.code).toBe(v.code);
  });
});

// --- federation ---------------------------------------------------------------------------------

function advertOf(a: Announcement): RouteAdvert {
  return { dest: bytes(a.dest), proof: { origin: bytes(a.origin), timeMs: a.proofTimeMs, sig: bytes(a.proofSig) }, path: a.path.map(bytes) };
}

// PathVectorRouteTable.learn() explains a refusal in a sentence; each vector reason has its own sentence.
const REFUSAL: Record<RejectReason, RegExp> = {
  'path-length': /path length/,
  loop: /loop/,
  'repeated-relay': /repeats a relay/,
  'last-not-neighbour': /announcing neighbour/,
  'first-not-origin': /proof origin/,
  'bad-proof': /does not verify/,
};

describe('federation vectors (docs/vectors/federation.json)', () => {
  const receiver = bytes((fed.parties.R as { publicKey: string }).publicKey);

  it('names the parties by their seeds', () => {
    for (const p of Object.values(fed.parties)) expect(toHex(identityFromSeed(bytes(p.seed)).publicKey)).toBe(p.publicKey);
    expect(fed.homeProofLabel).toBe('w2w/1 home');
  });

  it.each(fed.homeProofs.map((v) => [v.name, v] as const))('home proof: %s', (_name, v) => {
    const signer = identityFromSeed(bytes(v.seed));
    expect(toHex(signer.publicKey)).toBe(v.id);
    const proof = signHomeProof(signer, bytes(v.relayId), v.timeMs);
    expect(toHex(proof.sig)).toBe(v.sig);
    // The exact signed bytes: label, relay ID, big-endian time.
    expect(verify(bytes(v.id), bytes(v.message), bytes(v.sig))).toBe(true);
    expect(toHex(bytes(v.message).subarray(0, 10))).toBe(toHex(Buffer.from(fed.homeProofLabel)));
    expect(verifyHomeProof(bytes(v.id), { origin: bytes(v.relayId), timeMs: v.timeMs, sig: bytes(v.sig) })).toBe(true);
  });

  it.each(fed.invalidHomeProofs.map((v) => [v.name, v] as const))('home proof refused: %s', (_name, v) => {
    expect(verifyHomeProof(bytes(v.id), { origin: bytes(v.relayId), timeMs: v.timeMs, sig: bytes(v.sig) })).toBe(false);
  });

  it.each(fed.routeAnnouncements.map((v) => [v.expect, v.name, v] as const))('%s: %s', (_expect, _name, v) => {
    if (v.frame !== null) {
      const f = decodeAs(v.frame, FrameType.ROUTE);
      expect(toJson(f)).toEqual({
        type: FrameType.ROUTE, action: RouteAction.ANNOUNCE, dest: v.announce.dest, origin: v.announce.origin,
        proofTimeMs: v.announce.proofTimeMs, proofSig: v.announce.proofSig, path: v.announce.path,
      });
    } else {
      // Path lengths outside 1..16 cannot be encoded.
      expect(v.announce.path.length === 0 || v.announce.path.length > 16).toBe(true);
    }
    const table = new PathVectorRouteTable(receiver);
    for (const p of v.prior ?? []) expect(table.learn(p.link, bytes(p.neighbour), advertOf(p)).ok).toBe(true);
    const r = table.learn(v.announce.link, bytes(v.announce.neighbour), advertOf(v.announce));
    if (v.expect === 'accept') {
      expect(r.ok ? 'accepted' : r.reason).toBe('accepted');
      expect(table.best(idKey(bytes(v.announce.dest)))?.via).toBe(v.announce.link);
    } else {
      expect(r.ok ? 'accepted' : r.reason).toMatch(REFUSAL[v.reason as RejectReason]);
      expect(table.best(idKey(bytes(v.announce.dest)))?.via).not.toBe(v.announce.link);
    }
  });

  it.each(fed.bestRoute.map((v) => [v.name, v] as const))('best route: %s', (_name, v) => {
    const table = new PathVectorRouteTable(receiver);
    const dest = bytes(v.announcements[0]!.dest);
    if (v.local) table.setLocal(dest, { origin: receiver, timeMs: v.local.proofTimeMs, sig: bytes(v.local.proofSig) });
    for (const a of v.announcements) expect(table.learn(a.link, bytes(a.neighbour), advertOf(a)).ok).toBe(true);
    for (const link of v.withdraw ?? []) table.forget(link, dest);
    expect(table.best(idKey(dest))?.via ?? null).toBe(v.expectBest);
  });
});

// --- data directory: declarations and holdings ------------------------------------------------------

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const concat = (...parts: Uint8Array[]): Uint8Array => Buffer.concat(parts);
const party = (name: string, table: Record<string, { seed: string }>): Identity => identityFromSeed(bytes(table[name]!.seed));

function accessOf(a: Record<string, unknown>): AccessRule {
  switch (a.kind) {
    case Access.PUBLIC:
      return { kind: Access.PUBLIC };
    case Access.PEERS:
      return { kind: Access.PEERS, peers: (a.peers as string[]).map(bytes) };
    default:
      return { kind: Access.GROUP, group: a.group as string, groupRelay: bytes(a.groupRelay as string) };
  }
}

function decodedHolding(hex: string): NonNullable<ReturnType<typeof decodeHolding> & { ok: true }>['holding'] {
  const d = decodeHolding(bytes(hex));
  if (!d.ok) throw new Error(`vector holding does not decode: ${d.error.toString()}`);
  return d.holding;
}

describe('declaration vectors (docs/vectors/declarations.json)', () => {
  it('uses the labels, kinds and limits of the code', () => {
    expect(decl.accessKinds).toEqual(Access);
    expect(decl.flags).toEqual(DeclFlag);
    expect(decl.queryBy).toEqual(DeclQueryBy);
    expect(decl.limits).toEqual({
      minChunk: DeclLimits.MIN_CHUNK, maxChunk: DeclLimits.MAX_CHUNK, maxSize: DeclLimits.MAX_SIZE,
      maxNameBytes: DeclLimits.MAX_NAME_BYTES, maxMimeBytes: DeclLimits.MAX_MIME_BYTES, maxPeers: DeclLimits.MAX_PEERS, maxGroupBytes: 64,
    });
    for (const p of Object.values(decl.parties)) expect(toHex(identityFromSeed(bytes(p.seed)).publicKey)).toBe(p.publicKey);
    // The signed labels are exactly the prefixes of the signed inputs.
    expect(decl.valid[0]!.ownerSigInput.startsWith(toHex(enc(decl.labels.decl)))).toBe(true);
    expect(decl.valid[0]!.holderSigInput.startsWith(toHex(enc(decl.labels.hold)))).toBe(true);
    expect(decl.withdrawals[0]!.message.startsWith(toHex(enc(decl.labels.withdraw)))).toBe(true);
  });

  it('hashes the test file: chunk hashes, treeRoot, contentHash', () => {
    const data = bytes(decl.file.hex);
    expect(data.byteLength).toBe(decl.file.size);
    const hashes: Uint8Array[] = [];
    for (let off = 0; off < data.byteLength; off += decl.file.chunkSize) hashes.push(blake2b256(data.subarray(off, off + decl.file.chunkSize)));
    expect(hashes.map(toHex)).toEqual(decl.file.chunkHashes);
    expect(toHex(treeRootOf(concat(...hashes)))).toBe(decl.file.treeRoot);
    expect(toHex(blake2b256(data))).toBe(decl.file.contentHash);
    expect(toHex(treeRootOf(new Uint8Array(0)))).toBe(decl.emptyFile.treeRoot);
    expect(toHex(blake2b256(new Uint8Array(0)))).toBe(decl.emptyFile.contentHash);
  });

  it.each(decl.valid.map((v) => [v.name, v] as const))('decodes, re-encodes, verifies and re-signs: %s', (_name, v) => {
    const h = decodedHolding(v.holding);
    expect(toJson(h.core)).toEqual(v.core);
    expect(toHex(h.coreBytes)).toBe(v.coreBytes);
    expect(toHex(encodeCore(h.core))).toBe(v.coreBytes);
    expect(toHex(encodeHolding(h))).toBe(v.holding);
    expect([toHex(h.ownerSig), toHex(h.holder), h.heldSinceMs, toHex(h.holderSig)]).toEqual([v.ownerSig, v.holder, v.heldSinceMs, v.holderSig]);
    expect(toHex(concat(enc(decl.labels.decl), h.coreBytes))).toBe(v.ownerSigInput);
    expect(verify(h.core.owner, bytes(v.ownerSigInput), h.ownerSig)).toBe(true);
    expect(verify(h.holder, bytes(v.holderSigInput), h.holderSig)).toBe(true);
    expect(verifyHolding(h)).toEqual({ ok: true });

    const owner = identityFromSeed(bytes(v.ownerSeed));
    const holder = identityFromSeed(bytes(v.holderSeed));
    if (v.ownerSeed === v.holderSeed) {
      // The owner's own declaration: heldSinceMs = createdMs.
      const core = v.core as unknown as { contentHash: string; treeRoot: string };
      const made = declareDigest(owner, {
        size: v.core.size, mtimeMs: 0, chunkSize: v.core.chunkSize, contentHash: Buffer.from(bytes(core.contentHash)),
        treeRoot: Buffer.from(bytes(core.treeRoot)), chunkHashes: Buffer.alloc(0),
      }, { name: v.core.name, mime: v.core.mime, access: accessOf(v.core.access), reshare: (v.core.flags & DeclFlag.RESHARE) !== 0, createdMs: v.core.createdMs });
      expect(toHex(encodeHolding(made))).toBe(v.holding);
    }
    const core: DeclarationCore = h.core;
    expect(toHex(signHolding(holder, core, h.coreBytes, h.ownerSig, v.heldSinceMs).holderSig)).toBe(v.holderSig);
  });

  it.each(decl.invalidEncodings.map((v) => [v.name, v] as const))('refuses to decode: %s', (_name, v) => {
    const d = decodeHolding(bytes(v.holding));
    expect(d.ok ? 'accepted' : errorName(d.error.code)).toBe(v.error);
    expect(d.ok ? 0 : d.error.code).toBe(v.code);
  });

  it.each(decl.invalidSignatures.map((v) => [v.name, v] as const))('refuses the signatures: %s', (_name, v) => {
    const h = decodedHolding(v.holding);
    expect(verifyHolding(h).ok).toBe(false);
    const ownerOk = verify(h.core.owner, concat(enc(decl.labels.decl), h.coreBytes), h.ownerSig);
    expect(ownerOk ? 'holder' : 'owner').toBe(v.fails);
  });

  it.each(decl.notReservable.map((v) => [v.name, v] as const))('signed, but not a holder the owner allowed: %s', (_name, v) => {
    const h = decodedHolding(v.holding);
    expect(verifyHolding(h).ok).toBe(false);
  });

  it.each(decl.visibility.map((v) => [v.holding, v.asker, v] as const))('query visibility of "%s" to %s', (_h, _asker, v) => {
    const holding = Buffer.from(bytes(decl.valid.find((x) => x.name === v.holding)!.holding));
    const h = decodedHolding(toHex(holding));
    const entry = { contentHash: Buffer.from(h.core.contentHash), holder: Buffer.from(h.holder), owner: Buffer.from(h.core.owner), holding, heldSinceMs: h.heldSinceMs };
    expect(visibleTo(entry, party(v.asker, decl.parties).publicKey)).toBe(v.visible);
  });

  it.each(decl.withdrawals.map((v) => [v.name, v] as const))('withdrawal: %s', (_name, v) => {
    expect(toHex(withdrawMessage(bytes(v.contentHash), v.timeMs))).toBe(v.message);
    expect(toHex(sign(identityFromSeed(bytes(v.seed)), bytes(v.message)))).toBe(v.sig);
    expect(verify(bytes(v.holder), bytes(v.message), bytes(v.sig))).toBe(true);
  });

  it.each(decl.invalidWithdrawals.map((v) => [v.name, v] as const))('withdrawal refused: %s', (_name, v) => {
    expect(verify(bytes(v.holder), withdrawMessage(bytes(v.contentHash), v.timeMs), bytes(v.sig))).toBe(false);
  });
});

// --- end-to-end protection --------------------------------------------------------------------------

function targetOf(m: Envelope): MsgTarget {
  switch (m.route) {
    case Route.A2B:
      return { route: Route.A2B, to: bytes(m.to as string) };
    case Route.A2G_LIST:
      return { route: Route.A2G_LIST, to: (m.to as string[]).map(bytes) };
    case Route.A2G_NAMED:
      return { route: Route.A2G_NAMED, group: m.group as string };
    case Route.A2A:
      return { route: Route.A2A };
    default:
      return { route: Route.A2N };
  }
}

const adOf = (m: Envelope): Uint8Array => envelopeAd(targetOf(m), bytes(m.id), bytes(m.from));

function decodeBody(hex: string): E2eBody {
  const d = decodeE2e(bytes(hex));
  if (!d.ok) throw new Error(`vector body does not decode: ${d.error.toString()}`);
  return d.body;
}

/** A side of the vectors' e2e session, as E2eSessions would build it from the handshake. */
function sessionOf(side: 'A' | 'C'): E2eSession {
  const v = e2e.handshake;
  const th = Buffer.from(bytes(v.th));
  const kAB = Buffer.from(bytes(v.kAB));
  const kBA = Buffer.from(bytes(v.kBA));
  return side === 'A'
    ? new E2eSession({ peerId: Buffer.from(bytes(v.responder.publicKey)), transcriptHash: th, sendKey: kAB, recvKey: kBA })
    : new E2eSession({ peerId: Buffer.from(bytes(v.initiator.publicKey)), transcriptHash: th, sendKey: kBA, recvKey: kAB });
}

describe('end-to-end vectors (docs/vectors/e2e.json)', () => {
  it('uses the kinds and labels of the code', () => {
    expect(e2e.bodyKinds).toEqual(E2eKind);
    expect(e2e.payloadKinds).toEqual(PayloadKind);
    expect(e2e.labels.handshakeContext).toBe('e2e');
    expect(e2e.replayWindow.size).toBe(REPLAY_WINDOW);
    for (const p of Object.values(e2e.parties)) expect(toHex(identityFromSeed(bytes(p.seed)).publicKey)).toBe(p.publicKey);
    // Every body kind has a valid example.
    expect(new Set(e2e.validBodies.map((b) => b.kind))).toEqual(new Set(Object.values(E2eKind)));
  });

  it.each(e2e.envelopeAds.map((v) => [v.name, v] as const))('envelope AD: %s', (_name, v) => {
    expect(toHex(adOf(v.msg))).toBe(v.ad);
    expect(v.ad.startsWith(toHex(enc(e2e.labels.ad)))).toBe(true);
  });

  it('runs the e2e handshake to the same frames, keys and session ID', () => {
    const v = e2e.handshake;
    const a = identityFromSeed(bytes(v.initiator.seed));
    const c = identityFromSeed(bytes(v.responder.seed));
    const hsId = bytes(v.hsId);
    const body = (frame: Frame & { type: 0x02 | 0x03 | 0x04 }): string =>
      toHex(encodeE2e({ kind: E2eKind.HANDSHAKE, hsId, frame, frameBytes: encodeFrame(frame) }));
    const initiator = new HandshakeInitiator(HandshakeContext.E2E, a, c.publicKey, v.binding, entropyOf(v.initiator));
    const responder = new HandshakeResponder({ ctx: HandshakeContext.E2E, identity: c, acceptBinding: (b) => b === '', entropy: entropyOf(v.responder) });
    const hs1 = { type: FrameType.HS1, ...initiator.start() } as const;
    expect(body(hs1)).toBe(v.bodies.hs1.hex);
    expect(toHex(computeH1(hs1))).toBe(v.h1);
    const got1 = decodeBody(v.bodies.hs1.hex);
    if (got1.kind !== E2eKind.HANDSHAKE || got1.frame.type !== FrameType.HS1) throw new Error('HS1 body');
    expect(toHex(got1.hsId)).toBe(v.hsId);
    const m2 = responder.respond(got1.frame);
    if (!m2.ok) throw m2.error;
    expect(body({ type: FrameType.HS2, ...m2.value })).toBe(v.bodies.hs2.hex);
    const got2 = decodeBody(v.bodies.hs2.hex);
    if (got2.kind !== E2eKind.HANDSHAKE || got2.frame.type !== FrameType.HS2) throw new Error('HS2 body');
    const m3 = initiator.finish(got2.frame);
    if (!m3.ok) throw m3.error;
    expect(body({ type: FrameType.HS3, ...m3.value.m3 })).toBe(v.bodies.hs3.hex);
    const got3 = decodeBody(v.bodies.hs3.hex);
    if (got3.kind !== E2eKind.HANDSHAKE || got3.frame.type !== FrameType.HS3) throw new Error('HS3 body');
    const done = responder.finish(got3.frame);
    if (!done.ok) throw done.error;
    expect(toHex(m3.value.result.transcriptHash)).toBe(v.th);
    expect(toHex(done.value.transcriptHash)).toBe(v.th);
    expect([toHex(m3.value.result.sendKey), toHex(m3.value.result.recvKey)]).toEqual([v.kAB, v.kBA]);
    expect([toHex(done.value.sendKey), toHex(done.value.recvKey)]).toEqual([v.kBA, v.kAB]);
    expect(toHex(new E2eSession(m3.value.result).sessionId)).toBe(v.sessionId);
    expect(toHex(new E2eSession(done.value).sessionId)).toBe(v.sessionId);
    expect(v.sessionId).toBe(v.th.slice(0, 32));
  });

  it.each(e2e.sealed.map((v) => [v.name, v] as const))('SEALED: %s', (_name, v) => {
    const ad = adOf(v.msg);
    expect(toHex(ad)).toBe(v.ad);
    const key = bytes(v.key === 'kAB' ? e2e.handshake.kAB : e2e.handshake.kBA);
    const sender = sessionOf(v.key === 'kAB' ? 'A' : 'C');
    const receiver = sessionOf(v.key === 'kAB' ? 'C' : 'A');
    if (v.counter === 0) {
      const s = sender.seal(ad, bytes(v.plaintext));
      expect([s.counter, toHex(s.ciphertext)]).toEqual([0, v.ciphertext]);
    }
    expect(toHex(aeadSeal(key, v.counter, ad, bytes(v.plaintext)))).toBe(v.ciphertext);
    const body = encodeE2e({ kind: E2eKind.SEALED, sessionId: sender.sessionId, counter: v.counter, ciphertext: bytes(v.ciphertext) });
    expect(toHex(body)).toBe(v.body);
    const got = decodeBody(v.body);
    if (got.kind !== E2eKind.SEALED) throw new Error('not SEALED');
    expect([toHex(got.sessionId), got.counter, toHex(got.ciphertext)]).toEqual([v.sessionId, v.counter, v.ciphertext]);
    const opened = receiver.open(got.counter, ad, got.ciphertext);
    expect(opened && toHex(opened.plaintext)).toBe(v.plaintext);
    expect(receiver.open(got.counter, ad, got.ciphertext)).toBeNull(); // a replay
    if (v.frame) {
      const f = decodeAs(v.frame, FrameType.MSG);
      expect(toHex(f.body)).toBe(v.body);
      expect(toHex(envelopeAd(f as MsgTarget, f.id, f.from))).toBe(v.ad);
    }
  });

  it('SEALED_MULTI: one part per recipient, each opens under its own session', () => {
    const v = e2e.sealedMulti;
    const ad = adOf(v.msg);
    expect(toHex(ad)).toBe(v.ad);
    const got = decodeBody(v.body);
    if (got.kind !== E2eKind.SEALED_MULTI) throw new Error('not SEALED_MULTI');
    expect(toJson(got.parts)).toEqual(v.parts.map(({ recipient, sessionId, counter, ciphertext }) => ({ recipient, sessionId, counter, ciphertext })));
    expect(toHex(encodeE2e(got))).toBe(v.body);
    const [c, d] = v.parts;
    expect(toHex(sessionOf('C').open(c!.counter, ad, bytes(c!.ciphertext))?.plaintext ?? new Uint8Array())).toBe(v.plaintext);
    expect(toHex(aeadOpen(bytes(d!.key), d!.counter, ad, bytes(d!.ciphertext)) ?? new Uint8Array())).toBe(v.plaintext);
  });

  it('SIGNED: the sender signs "w2w/1 signed" ‖ ad ‖ payload', () => {
    const v = e2e.signed;
    const ad = adOf(v.msg);
    expect(toHex(concat(enc(e2e.labels.signed), ad, bytes(v.payload)))).toBe(v.sigInput);
    expect(toHex(sign(party('A', e2e.parties), bytes(v.sigInput)))).toBe(v.sig);
    expect(verify(bytes(v.msg.from), bytes(v.sigInput), bytes(v.sig))).toBe(true);
    expect(toHex(encodeE2e({ kind: E2eKind.SIGNED, sig: bytes(v.sig), payload: bytes(v.payload) }))).toBe(v.body);
  });

  it.each(e2e.boxes.map((v) => [v.name, v] as const))('BOX: %s', (_name, v) => {
    const sender = identityFromSeed(bytes(v.senderSeed));
    const recipient = identityFromSeed(bytes(v.recipientSeed));
    const ad = adOf(v.msg);
    expect(toHex(ad)).toBe(v.ad);
    // The construction step by step: converted recipient key, X25519, keyed BLAKE2b, nonce 0.
    expect(toHex(ephemeralKeyPair(bytes(v.recipientX25519Secret)).publicKey)).toBe(v.recipientX25519);
    expect(toHex(ephemeralKeyPair(bytes(v.ephemeralSecret)).publicKey)).toBe(v.ephemeral);
    expect(toHex(x25519(bytes(v.ephemeralSecret), bytes(v.recipientX25519)) ?? new Uint8Array())).toBe(v.sharedSecret);
    expect(toHex(x25519(bytes(v.recipientX25519Secret), bytes(v.ephemeral)) ?? new Uint8Array())).toBe(v.sharedSecret);
    expect(toHex(concat(enc(e2e.labels.box), bytes(v.ephemeral), sender.publicKey, recipient.publicKey, bytes(v.msg.id)))).toBe(v.keyInput);
    expect(toHex(keyedHash(bytes(v.sharedSecret), bytes(v.keyInput), 32))).toBe(v.key);
    expect(toHex(aeadSeal(bytes(v.key), 0, ad, bytes(v.plaintext)))).toBe(v.ciphertext);
    expect(toHex(concat(enc(e2e.labels.box), bytes(v.ephemeral), recipient.publicKey, bytes(v.msg.id), ad))).toBe(v.sigInput);
    // The code, with the vector's ephemeral injected, makes the same box; the recipient opens it.
    const box = sealBox(sender, recipient.publicKey, bytes(v.msg.id), ad, bytes(v.plaintext), bytes(v.ephemeralSecret));
    expect([toHex(box.ephemeral), toHex(box.sig), toHex(box.ciphertext)]).toEqual([v.ephemeral, v.sig, v.ciphertext]);
    expect(toHex(encodeE2e({ kind: E2eKind.BOX, ...box }))).toBe(v.body);
    const got = decodeBody(v.body);
    if (got.kind !== E2eKind.BOX) throw new Error('not BOX');
    expect(toHex(openBox(recipient, sender.publicKey, bytes(v.msg.id), ad, got) ?? new Uint8Array())).toBe(v.plaintext);
  });

  it.each(e2e.replayWindow.cases.map((v) => [v.name, v] as const))('replay window: %s', (_name, v) => {
    const w = new ReplayWindow();
    const got = v.counters.map((c) => {
      const ok = w.check(c);
      if (ok) w.accept(c);
      return ok;
    });
    expect(got).toEqual(v.accept);
  });

  it.each(e2e.validBodies.map((v) => [v.name, v] as const))('decodes and re-encodes the body: %s', (_name, v) => {
    const body = decodeBody(v.hex);
    expect(body.kind).toBe(v.kind);
    expect(toHex(encodeE2e(body))).toBe(v.hex);
  });

  it.each(e2e.invalidBodies.map((v) => [v.name, v] as const))('refuses the body: %s', (_name, v) => {
    const d = decodeE2e(bytes(v.hex));
    expect(d.ok ? 'accepted' : errorName(d.error.code)).toBe(v.error);
    expect(d.ok ? 0 : d.error.code).toBe(v.code);
  });

  it.each(e2e.sealedFailures.map((v) => [v.name, v] as const))('SEALED does not open: %s', (_name, v) => {
    expect(sessionOf(v.opener).open(v.counter, bytes(v.ad), bytes(v.ciphertext))).toBeNull();
  });

  it.each(e2e.boxFailures.map((v) => [v.name, v] as const))('BOX does not open: %s', (_name, v) => {
    const box = { ephemeral: bytes(v.ephemeral), sig: bytes(v.sig), ciphertext: bytes(v.ciphertext) };
    expect(openBox(identityFromSeed(bytes(v.openerSeed)), bytes(v.from), bytes(v.msg.id), adOf(v.msg), box)).toBeNull();
  });

  it.each(e2e.signedFailures.map((v) => [v.name, v] as const))('SIGNED does not verify: %s', (_name, v) => {
    expect(verify(bytes(v.from), concat(enc(e2e.labels.signed), adOf(v.msg), bytes(v.payload)), bytes(v.sig))).toBe(false);
  });
});

// --- shared data transfer ------------------------------------------------------------------------

function transferJson(p: TransferPayload): unknown {
  if (p.kind === TransferKind.HOLDING_NOTICE) return { kind: p.kind, holding: toHex(encodeHolding(p.holding)) };
  return toJson(p);
}

function transferOf(json: Record<string, unknown>): TransferPayload {
  if (json.kind === TransferKind.HOLDING_NOTICE) return { kind: TransferKind.HOLDING_NOTICE, holding: decodedHolding(json.holding as string) };
  return fromJson(json) as TransferPayload;
}

describe('transfer vectors (docs/vectors/transfer.json)', () => {
  it('uses the kinds, codes and limits of the code', () => {
    expect(xfer.kinds).toEqual(TransferKind);
    expect(xfer.deleteStatus).toEqual(DeleteStatus);
    expect(xfer.transferCodes).toEqual(TransferCode);
    expect(xfer.limits).toEqual({
      maxWindow: TransferLimits.MAX_WINDOW, maxHashes: TransferLimits.MAX_HASHES, maxChunk: TransferLimits.MAX_CHUNK,
      maxReasonBytes: TransferLimits.MAX_REASON_BYTES, chunkFrameOverhead: CHUNK_FRAME_OVERHEAD,
    });
    expect(new Set(xfer.valid.map((v) => v.payload.kind))).toEqual(new Set(Object.values(TransferKind)));
    const statuses = xfer.valid.filter((v) => v.payload.kind === TransferKind.DELETE_RECEIPT).map((v) => v.payload.status);
    expect(new Set(statuses)).toEqual(new Set(Object.values(DeleteStatus)));
  });

  it.each(xfer.valid.map((v) => [v.name, v] as const))('decodes and re-encodes: %s', (_name, v) => {
    const d = decodeTransfer(bytes(v.hex));
    if (!d.ok) throw d.error;
    expect(transferJson(d.payload)).toEqual(v.payload);
    expect(toHex(encodeTransfer(transferOf(v.payload)))).toBe(v.hex);
  });

  it.each(xfer.invalid.map((v) => [v.name, v] as const))('refuses: %s', (_name, v) => {
    const d = decodeTransfer(bytes(v.hex));
    expect(d.ok ? 'accepted' : errorName(d.error.code)).toBe(v.error);
    expect(d.ok ? 0 : d.error.code).toBe(v.code);
  });

  it.each(xfer.deleteRequests.map((v) => [v.name, v] as const))('delete request: %s', (_name, v) => {
    expect(toHex(deleteRequestMessage(bytes(v.contentHash), v.timeMs))).toBe(v.message);
    expect(v.message.startsWith(toHex(enc(xfer.labels.delete)))).toBe(true);
    expect(toHex(sign(identityFromSeed(bytes(v.seed)), bytes(v.message)))).toBe(v.sig);
  });

  it.each(xfer.invalidDeleteRequests.map((v) => [v.name, v] as const))('delete request refused: %s', (_name, v) => {
    expect(verify(bytes(v.owner), deleteRequestMessage(bytes(v.contentHash), v.timeMs), bytes(v.sig))).toBe(false);
  });

  it.each(xfer.deleteReceipts.map((v) => [v.name, v] as const))('delete receipt: %s', (_name, v) => {
    expect(toHex(deleteReceiptMessage(bytes(v.contentHash), v.status as DeleteStatus, v.timeMs))).toBe(v.message);
    expect(toHex(sign(identityFromSeed(bytes(v.seed)), bytes(v.message)))).toBe(v.sig);
  });

  it.each(xfer.invalidDeleteReceipts.map((v) => [v.name, v] as const))('delete receipt refused: %s', (_name, v) => {
    expect(verify(bytes(v.holder), deleteReceiptMessage(bytes(v.contentHash), v.status as DeleteStatus, v.timeMs), bytes(v.sig))).toBe(false);
  });
});

// --- the spec and the generator -----------------------------------------------------------------

describe('docs/PROTOCOL.md and scripts/gen-vectors.mjs', () => {
  const spec = readFileSync(`${ROOT}docs/PROTOCOL.md`, 'utf8');

  it.each(Object.entries(ErrorCode))('lists error code %s', (name, code) => {
    expect(spec).toContain(`| ${code} | \`${name}\` |`);
  });

  it.each(Object.entries(CloseCode))('lists close code %s', (name, code) => {
    expect(spec).toContain(`| ${code} | \`${name}\` |`);
  });

  it.each(Object.entries(FrameType))('lists frame type %s', (name, type) => {
    expect(spec).toContain(`| \`0x${type.toString(16).padStart(2, '0')}\` | ${name} |`);
  });

  it.each(Object.entries(Op))('lists op %s', (name, op) => {
    expect(spec).toContain(`| ${op} | ${name} |`);
  });

  it.each(Object.entries(EventKind))('lists event kind %s', (name, kind) => {
    expect(spec).toContain(`| ${kind} ${name} |`);
  });

  it.each(Object.entries(RouteKind))('lists route kind %s', (name, kind) => {
    expect(spec).toContain(`| ${kind} | \`${name}\` |`);
  });

  it.each(Object.entries(E2eKind))('lists e2e body kind %s', (name, kind) => {
    expect(spec).toContain(`| \`0x0${kind}\` | ${name} |`);
  });

  it.each(Object.entries(TransferKind))('lists transfer payload kind %s', (name, kind) => {
    expect(spec).toContain(`| \`0x${kind.toString(16)}\` | ${name} |`);
  });

  it.each(Object.entries(TransferCode))('lists transfer code %s', (name, code) => {
    expect(spec).toContain(`| ${code} | \`${name}\` |`);
  });

  it.each(Object.entries(Access))('lists access kind %s', (name, kind) => {
    expect(spec).toContain(`| ${kind} | ${name} |`);
  });

  it.each(Object.entries(DeclQueryBy))('lists DECL_QUERY key kind %s', (name, by) => {
    expect(spec).toContain(`| ${by} | ${name} |`);
  });

  it('vectors are exactly what the generator writes', () => {
    // Exits non-zero (and this throws) when a vector file was edited by hand or the generator changed.
    execFileSync(process.execPath, ['scripts/gen-vectors.mjs', '--check'], { cwd: ROOT, stdio: 'pipe' });
  });
});
