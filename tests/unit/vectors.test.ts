// Checks the code against docs/vectors/*.json: the ID text form, the handshake with every intermediate
// value and key, the frame codec (valid and invalid frames), home proofs and the route table's
// handling of announcements (federation). The vectors come from
// scripts/gen-vectors.mjs, an implementation of docs/PROTOCOL.md that shares no code with src-*, so a
// change to the wire format fails here until the spec, the generator and the vectors change with it.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EventKind, FrameType, HandshakeContext, MsgFlag, Op, ReceiptStatus, Route, RouteAction } from '../../src-shared/protocol/constants.js';
import { CloseCode, ErrorCode, errorName } from '../../src-shared/protocol/errors.js';
import { RouteKind, decodeFrame, encodeFrame, type Frame } from '../../src-shared/protocol/frames.js';
import { fromHex, idToText, parseId, toHex } from '../../src-shared/ids.js';
import { HandshakeInitiator, HandshakeResponder, computeH1, computeH2, type HandshakeEntropy } from '../../src-main/crypto/handshake.js';
import { blake2b256, transcriptHash } from '../../src-main/crypto/hash.js';
import { identityFromSeed, verify, type Identity } from '../../src-main/crypto/identity.js';
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

const ids = readJson<IdVectors>('ids.json');
const hs = readJson<HandshakeVectors>('handshake.json');
const frames = readJson<FrameVectors>('frames.json');
const fed = readJson<FederationVectors>('federation.json');

// --- helpers ------------------------------------------------------------------------------------

function bytes(hex: string): Uint8Array {
  const b = fromHex(hex);
  if (!b) throw new Error(`vector holds invalid hex: ${hex.slice(0, 40)}`);
  return b;
}

/** Text fields stay strings; every other string in a vector frame is hex bytes. */
const TEXT_FIELDS = new Set(['binding', 'group', 'name', 'message', 'text', 'url']);

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

  it('vectors are exactly what the generator writes', () => {
    // Exits non-zero (and this throws) when a vector file was edited by hand or the generator changed.
    execFileSync(process.execPath, ['scripts/gen-vectors.mjs', '--check'], { cwd: ROOT, stdio: 'pipe' });
  });
});
