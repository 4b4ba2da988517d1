// End-to-end sessions: E2eSession (keys per direction, counter nonces, replay window, re-key limits,
// receive-only restore) and E2eSessions (the e2e handshake carried in bodies between two ends, who may
// open a session, pending limits, failing fast, saved receiving keys, REJECT only from the peer).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FrameType, HandshakeContext, Route } from '../../src-shared/protocol/constants.js';
import { E2eKind, decodeE2e, encodeE2e, envelopeAd } from '../../src-shared/protocol/e2e.js';
import { ErrorCode, W2wError } from '../../src-shared/protocol/errors.js';
import { encodeFrame, type Hs1Frame } from '../../src-shared/protocol/frames.js';
import { toHex } from '../../src-shared/ids.js';
import { HandshakeInitiator, HandshakeResponder, type HandshakeResult } from '../../src-main/crypto/handshake.js';
import { generateIdentity, type Identity } from '../../src-main/crypto/identity.js';
import { E2eSession, OLD_SESSION_GRACE_MS, REKEY_AFTER_MESSAGES, REKEY_AFTER_MS, SAVED_KEY_TTL_MS } from '../../src-main/e2e/session.js';
import { E2eSessions, HS1_BURST, HS1_REFILL_MS, SAVED_KEY_EXPIRE_EVERY_MS, type SessionKeyStore } from '../../src-main/e2e/sessions.js';

afterEach(() => {
  vi.restoreAllMocks();
});

const msgId = new Uint8Array(16).fill(0x4d);

/** Runs the e2e handshake directly; returns both sides' results. */
function handshake(a: Identity, b: Identity): { ra: HandshakeResult; rb: HandshakeResult } {
  const init = new HandshakeInitiator(HandshakeContext.E2E, a, b.publicKey, '');
  const resp = new HandshakeResponder({ ctx: HandshakeContext.E2E, identity: b, acceptBinding: (x) => x === '' });
  const m2 = resp.respond(init.start());
  if (!m2.ok) throw m2.error;
  const m3 = init.finish(m2.value);
  if (!m3.ok) throw m3.error;
  const rb = resp.finish(m3.value.m3);
  if (!rb.ok) throw rb.error;
  return { ra: m3.value.result, rb: rb.value };
}

function pair(): { a: Identity; b: Identity; sa: E2eSession; sb: E2eSession; ad: Uint8Array } {
  const a = generateIdentity();
  const b = generateIdentity();
  const { ra, rb } = handshake(a, b);
  return { a, b, sa: new E2eSession(ra), sb: new E2eSession(rb), ad: envelopeAd({ route: Route.A2B, to: b.publicKey }, msgId, a.publicKey) };
}

describe('E2eSession', () => {
  it('names the session by the first 16 bytes of th on both sides, and seals with counters from 0', () => {
    const { sa, sb, ad } = pair();
    expect(toHex(sa.sessionId)).toBe(toHex(sb.sessionId));
    expect(sa.sessionId.byteLength).toBe(16);
    const m0 = sa.seal(ad, Buffer.from('zero'));
    const m1 = sa.seal(ad, Buffer.from('one'));
    expect([m0.counter, m1.counter]).toEqual([0, 1]);
    expect(sb.open(0, ad, m0.ciphertext)?.plaintext.toString()).toBe('zero');
    expect(sb.open(1, ad, m1.ciphertext)?.plaintext.toString()).toBe('one');
  });

  it('uses one key per direction: a message never opens on the side that sealed it', () => {
    const { sa, sb, ad } = pair();
    const m = sa.seal(ad, Buffer.from('x'));
    expect(sa.open(m.counter, ad, m.ciphertext)).toBeNull();
    const r = sb.seal(ad, Buffer.from('y'));
    expect(sa.open(r.counter, ad, r.ciphertext)?.plaintext.toString()).toBe('y');
  });

  it('refuses replays, other counters, other AD; a failed open does not burn the counter', () => {
    const { sa, sb, ad } = pair();
    const m = sa.seal(ad, Buffer.from('once'));
    const otherAd = envelopeAd({ route: Route.A2A }, msgId, sa.peerId);
    expect(sb.open(m.counter, otherAd, m.ciphertext)).toBeNull();
    expect(sb.open(m.counter + 1, ad, m.ciphertext)).toBeNull();
    expect(sb.open(m.counter, ad, m.ciphertext)).not.toBeNull();
    expect(sb.open(m.counter, ad, m.ciphertext)).toBeNull();
  });

  it('reports the counters it skipped (a gap), and accepts the late ones within the window', () => {
    const { sa, sb, ad } = pair();
    const sent = Array.from({ length: 5 }, (_, i) => sa.seal(ad, Buffer.from(String(i))));
    expect(sb.open(0, ad, sent[0]!.ciphertext)?.skipped).toBe(0);
    expect(sb.open(3, ad, sent[3]!.ciphertext)?.skipped).toBe(2);
    expect(sb.open(1, ad, sent[1]!.ciphertext)?.skipped).toBe(0);
    expect(sb.open(4, ad, sent[4]!.ciphertext)?.skipped).toBe(0);
  });

  it('is worn after an hour (the sender re-keys); the receiver still opens', () => {
    const { sa, sb, ad } = pair();
    expect(sa.worn).toBe(false);
    const now = Date.now();
    vi.spyOn(Date, 'now').mockReturnValue(now + REKEY_AFTER_MS + 1);
    expect(sa.worn).toBe(true);
    expect(() => sa.seal(ad, Buffer.from('late'))).toThrow(/worn/);
    vi.restoreAllMocks();
    const m = sb.seal(ad, Buffer.from('still'));
    expect(sa.open(m.counter, ad, m.ciphertext)?.plaintext.toString()).toBe('still');
    expect(REKEY_AFTER_MESSAGES).toBe(2 ** 20);
  });

  it('restores receive-only from a saved key: opens, never seals, starts a fresh replay window', () => {
    const { sa, sb, ad } = pair();
    const m = sa.seal(ad, Buffer.from('kept for you'));
    const restored = E2eSession.receiveOnly(sb.peerId, sb.sessionId, sb.exportRecvKey());
    expect(restored.worn).toBe(true);
    expect(() => restored.seal(ad, Buffer.from('no'))).toThrow();
    expect(restored.open(m.counter, ad, m.ciphertext)?.plaintext.toString()).toBe('kept for you');
    // A second restore knows nothing of the first: the same message opens again (§11 weaknesses).
    const again = E2eSession.receiveOnly(sb.peerId, sb.sessionId, sb.exportRecvKey());
    expect(again.open(m.counter, ad, m.ciphertext)).not.toBeNull();
  });

  it('wipes its keys on destroy()', () => {
    const { sa, sb, ad } = pair();
    const m = sa.seal(ad, Buffer.from('x'));
    sb.destroy();
    expect(sb.open(m.counter, ad, m.ciphertext)).toBeNull();
    expect(toHex(sb.exportRecvKey())).toBe('00'.repeat(32));
  });
});

// --- E2eSessions: two ends that pass HANDSHAKE bodies to each other --------------------------------

class MemoryKeyStore implements SessionKeyStore {
  readonly rows = new Map<string, { sessionId: Buffer; peer: Buffer; recvKey: Buffer; createdMs: number }>();
  put(k: { sessionId: Buffer; peer: Buffer; recvKey: Buffer; createdMs: number }): void {
    this.rows.set(toHex(k.sessionId), { ...k, recvKey: Buffer.from(k.recvKey) });
  }
  /** A fresh copy each time, as SQLite returns one (the caller wipes it); `handedOut` keeps them. */
  get(sessionId: Buffer): { sessionId: Buffer; peer: Buffer; recvKey: Buffer; createdMs: number } | null {
    const row = this.rows.get(toHex(sessionId));
    if (!row) return null;
    const copy = { ...row, recvKey: Buffer.from(row.recvKey) };
    this.handedOut.push(copy.recvKey);
    return copy;
  }
  readonly handedOut: Buffer[] = [];
  delete(sessionId: Buffer): void {
    this.rows.delete(toHex(sessionId));
  }
  expire(beforeMs: number): number {
    let n = 0;
    for (const [k, v] of this.rows) if (v.createdMs < beforeMs && this.rows.delete(k)) n++;
    return n;
  }
}

interface End {
  id: Identity;
  sessions: E2eSessions;
  /** bodies this end sent, in order */
  sent: { to: Buffer; body: Uint8Array }[];
  store: MemoryKeyStore;
}

/** Two ends wired to each other: each HANDSHAKE body arrives at the other end, stamped with the sender's ID. */
function wire(opts: { reachable?: boolean; timeoutMs?: number } = {}): { a: End; b: End } {
  const make = (id: Identity, store: MemoryKeyStore): End => {
    const end: End = { id, sent: [], store, sessions: null as unknown as E2eSessions };
    end.sessions = new E2eSessions(
      id,
      async (to, body) => {
        end.sent.push({ to, body });
        const peer = to.equals(a.id.publicKey) ? a : to.equals(b.id.publicKey) ? b : null;
        if (!peer || opts.reachable === false) return false;
        const d = decodeE2e(body);
        if (d.ok && d.body.kind === E2eKind.HANDSHAKE) {
          const { hsId, frame } = d.body;
          setImmediate(() => peer.sessions.onHandshake(id.publicKey, hsId, frame));
        }
        return true;
      },
      opts.timeoutMs ?? 2000,
      store,
    );
    return end;
  };
  const a = make(generateIdentity(), new MemoryKeyStore());
  const b = make(generateIdentity(), new MemoryKeyStore());
  return { a, b };
}

async function until(test: () => boolean, what: string): Promise<void> {
  const t0 = Date.now();
  while (!test()) {
    if (Date.now() - t0 > 3000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** An HS1 body from `from` (claiming `idA`) to `to`, as a raw HANDSHAKE. */
function hs1From(claimed: Identity, to: Uint8Array, binding = ''): { hsId: Uint8Array; frame: Hs1Frame } {
  const frame: Hs1Frame = { type: FrameType.HS1, ...new HandshakeInitiator(HandshakeContext.E2E, claimed, to, binding).start() };
  const hsId = new Uint8Array(16).map(() => Math.floor(Math.random() * 256));
  const d = decodeE2e(encodeE2e({ kind: E2eKind.HANDSHAKE, hsId, frame, frameBytes: encodeFrame(frame) }));
  if (!d.ok || d.body.kind !== E2eKind.HANDSHAKE || d.body.frame.type !== FrameType.HS1) throw new Error('HS1 body');
  return { hsId: d.body.hsId, frame: d.body.frame };
}

const hs2Count = (e: End): number =>
  e.sent.filter((s) => {
    const d = decodeE2e(s.body);
    return d.ok && d.body.kind === E2eKind.HANDSHAKE && d.body.frame.type === FrameType.HS2;
  }).length;

describe('E2eSessions', () => {
  it('opens one session per peer through three HANDSHAKE bodies; both ends agree on it', async () => {
    const { a, b } = wire();
    const [s1, s2] = await Promise.all([a.sessions.sessionWith(b.id.publicKey), a.sessions.sessionWith(b.id.publicKey)]);
    expect(s1).toBe(s2); // one handshake for concurrent callers
    expect(a.sent).toHaveLength(2); // HS1, HS3
    await until(() => b.sessions.find(s1.sessionId, a.id.publicKey) !== null, 'the responder installs the session');
    const sb = b.sessions.find(s1.sessionId, a.id.publicKey)!;
    const ad = envelopeAd({ route: Route.A2B, to: b.id.publicKey }, msgId, a.id.publicKey);
    const m = s1.seal(ad, Buffer.from('hi'));
    expect(sb.open(m.counter, ad, m.ciphertext)?.plaintext.toString()).toBe('hi');
    expect(await a.sessions.sessionWith(b.id.publicKey)).toBe(s1); // cached
    // Both ends saved their receiving key for messages that may be stored for them.
    expect(a.store.rows.size).toBe(1);
    expect(b.store.rows.size).toBe(1);
    a.sessions.close();
    b.sessions.close();
  });

  it('finds a session only for its own peer', async () => {
    const { a, b } = wire();
    const s = await a.sessions.sessionWith(b.id.publicKey);
    expect(a.sessions.find(s.sessionId, b.id.publicKey)).toBe(s);
    expect(a.sessions.find(s.sessionId, generateIdentity().publicKey)).toBeNull();
    a.sessions.close();
    b.sessions.close();
  });

  it('answers an HS1 only when its idA is the relay-stamped sender, it is addressed to us, and its binding is empty', async () => {
    const { a, b } = wire();
    const mallory = generateIdentity();
    const forged = hs1From(mallory, b.id.publicKey);
    b.sessions.onHandshake(a.id.publicKey, forged.hsId, forged.frame); // claims mallory, stamped a
    const elsewhere = hs1From(a.id, mallory.publicKey);
    b.sessions.onHandshake(a.id.publicKey, elsewhere.hsId, elsewhere.frame); // addressed to mallory
    const bound = hs1From(a.id, b.id.publicKey, 'wss://relay.example/');
    b.sessions.onHandshake(a.id.publicKey, bound.hsId, bound.frame); // a c2s-style binding
    const ok = hs1From(a.id, b.id.publicKey);
    b.sessions.onHandshake(a.id.publicKey, ok.hsId, ok.frame);
    await until(() => b.sent.length > 0, 'an HS2');
    expect(hs2Count(b)).toBe(1);
    a.sessions.close();
    b.sessions.close();
  });

  it('keeps at most 4 handshakes pending per peer', async () => {
    const { a, b } = wire({ reachable: false });
    for (let i = 0; i < 6; i++) {
      const h = hs1From(a.id, b.id.publicKey);
      b.sessions.onHandshake(a.id.publicKey, h.hsId, h.frame);
    }
    await until(() => b.sent.length >= 4, 'HS2s');
    await new Promise((r) => setTimeout(r, 20));
    expect(hs2Count(b)).toBe(4);
    a.sessions.close();
    b.sessions.close();
  });

  it('fails fast when the relay reports the peer unreachable', async () => {
    const { a, b } = wire({ reachable: false });
    const t0 = Date.now();
    const err = await a.sessions.sessionWith(b.id.publicKey).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(W2wError);
    expect((err as W2wError).code).toBe(ErrorCode.RECIPIENT_OFFLINE);
    expect(Date.now() - t0).toBeLessThan(1000);
    a.sessions.close();
    b.sessions.close();
  });

  it('times out with HANDSHAKE_TIMEOUT when no HS2 comes', async () => {
    const { a, b } = wire({ timeoutMs: 50 });
    b.sessions.close(); // b drops everything from now on: no HS2
    const silent = new E2eSessions(a.id, async () => true, 50);
    const err = await silent.sessionWith(b.id.publicKey).catch((e: unknown) => e);
    expect((err as W2wError).code).toBe(ErrorCode.HANDSHAKE_TIMEOUT);
    silent.close();
    a.sessions.close();
  });

  it('forgets a session on REJECT from its peer only (fix: anyone who saw the session ID could drop it)', async () => {
    const { a, b } = wire();
    const s = await a.sessions.sessionWith(b.id.publicKey);
    const id = Buffer.from(s.sessionId);
    a.sessions.forget(id, generateIdentity().publicKey);
    expect(a.sessions.find(id, b.id.publicKey)).toBe(s);
    expect(a.store.rows.size).toBe(1);
    a.sessions.forget(id, b.id.publicKey);
    expect(a.sessions.find(id, b.id.publicKey)).toBeNull();
    expect(a.store.rows.size).toBe(0);
    // The next send needs a fresh handshake, with a new session ID.
    const next = await a.sessions.sessionWith(b.id.publicKey);
    expect(toHex(next.sessionId)).not.toBe(toHex(id));
    a.sessions.close();
    b.sessions.close();
  });

  it('after a restart, opens messages sealed under a saved session (receive only), for 7 days', async () => {
    const { a, b } = wire();
    const s = await a.sessions.sessionWith(b.id.publicKey);
    await until(() => b.store.rows.size === 1, 'b saves its key');
    const ad = envelopeAd({ route: Route.A2B, to: b.id.publicKey }, msgId, a.id.publicKey);
    const m = s.seal(ad, Buffer.from('stored while you were away'));
    b.sessions.close();
    const restarted = new E2eSessions(b.id, async () => true, 2000, b.store);
    const restored = restarted.find(s.sessionId, a.id.publicKey);
    expect(restored?.open(m.counter, ad, m.ciphertext)?.plaintext.toString()).toBe('stored while you were away');
    expect(restarted.find(s.sessionId, generateIdentity().publicKey)).toBeNull();
    // Older than the key TTL: refused (and the store drops expired keys when a node starts).
    const now = Date.now();
    vi.spyOn(Date, 'now').mockReturnValue(now + SAVED_KEY_TTL_MS + OLD_SESSION_GRACE_MS + 1);
    const later = new E2eSessions(b.id, async () => true, 2000, b.store);
    expect(later.find(s.sessionId, a.id.publicKey)).toBeNull();
    expect(b.store.rows.size).toBe(0);
    restarted.close();
    later.close();
    a.sessions.close();
  });

  it('re-keys a worn session with a new handshake; the old one still opens for the grace period', async () => {
    const { a, b } = wire();
    const old = await a.sessions.sessionWith(b.id.publicKey);
    await until(() => b.sessions.find(old.sessionId, a.id.publicKey) !== null, 'b installs');
    const t0 = Date.now();
    const clock = vi.spyOn(Date, 'now').mockReturnValue(t0 + REKEY_AFTER_MS + 1);
    expect(old.worn).toBe(true);
    const fresh = await a.sessions.sessionWith(b.id.publicKey);
    expect(toHex(fresh.sessionId)).not.toBe(toHex(old.sessionId));
    // a's old session: replaced now, still found until the grace period ends, then dropped from memory.
    // (Its saved receiving key stays in the key store for stored messages: see PROTOCOL.md §11.5.)
    expect(a.sessions.find(old.sessionId, b.id.publicKey)).toBe(old);
    clock.mockReturnValue(t0 + REKEY_AFTER_MS + OLD_SESSION_GRACE_MS + 2);
    expect(a.sessions.find(old.sessionId, b.id.publicKey)).not.toBe(old);
    a.sessions.close();
    b.sessions.close();
  });
});

describe('E2eSessions: replaced sessions leave memory', () => {
  it('wipes and drops a replaced session once its grace is over, even if no message ever names it again (fix: kept with its keys until the process ended)', async () => {
    const { a, b } = wire();
    const s1 = await a.sessions.sessionWith(b.id.publicKey);
    await until(() => b.sessions.find(s1.sessionId, a.id.publicKey) !== null, 'b installs s1');
    const s1AtB = b.sessions.find(s1.sessionId, a.id.publicKey)!;
    const t0 = Date.now();
    const clock = vi.spyOn(Date, 'now').mockReturnValue(t0 + REKEY_AFTER_MS + 1);
    const s2 = await a.sessions.sessionWith(b.id.publicKey);
    await until(() => b.sessions.find(s2.sessionId, a.id.publicKey) !== null, 'b installs s2');
    const s2AtB = b.sessions.find(s2.sessionId, a.id.publicKey)!;
    // Past s1's grace, s2 is worn too: a third handshake replaces s2. Nobody looks s1 up again.
    clock.mockReturnValue(t0 + 2 * REKEY_AFTER_MS + 2);
    const s3 = await a.sessions.sessionWith(b.id.publicKey);
    await until(() => b.sessions.find(s3.sessionId, a.id.publicKey) !== null, 'b installs s3');
    const zero = '00'.repeat(32);
    expect(toHex(s1.exportRecvKey())).toBe(zero);
    expect(toHex(s1AtB.exportRecvKey())).toBe(zero);
    // s2 was replaced only now: it is still in its grace, and opens late messages.
    expect(toHex(s2.exportRecvKey())).not.toBe(zero);
    expect(toHex(s2AtB.exportRecvKey())).not.toBe(zero);
    expect(b.sessions.find(s2.sessionId, a.id.publicKey)).toBe(s2AtB);
    a.sessions.close();
    b.sessions.close();
  });
});

describe('E2eSessions: a replaced session past its grace opens from its saved key', () => {
  it('the lookup that finds the grace over restores the saved key at once (fix: it returned null, so a group part under it was refused)', async () => {
    const { a, b } = wire();
    const old = await a.sessions.sessionWith(b.id.publicKey);
    await until(() => b.sessions.find(old.sessionId, a.id.publicKey) !== null, 'b installs');
    const ad = envelopeAd({ route: Route.A2G_LIST, to: [b.id.publicKey] }, msgId, a.id.publicKey);
    const late = old.seal(ad, Buffer.from('sealed before the re-key, arriving late'));
    const t0 = Date.now();
    const clock = vi.spyOn(Date, 'now').mockReturnValue(t0 + REKEY_AFTER_MS + 1);
    const fresh = await a.sessions.sessionWith(b.id.publicKey);
    await until(() => b.sessions.find(fresh.sessionId, a.id.publicKey) !== null, 'b installs the new session');
    clock.mockReturnValue(t0 + REKEY_AFTER_MS + OLD_SESSION_GRACE_MS + 2);
    // One lookup, as for a SEALED_MULTI part (which gets no second chance through a REJECT).
    const restored = b.sessions.find(old.sessionId, a.id.publicKey);
    expect(restored).not.toBeNull();
    expect(restored?.open(late.counter, ad, late.ciphertext)?.plaintext.toString()).toBe('sealed before the re-key, arriving late');
    // The key the store handed out was copied into the session and wiped.
    expect(b.store.handedOut.length).toBeGreaterThan(0);
    for (const k of b.store.handedOut) expect(toHex(k)).toBe('00'.repeat(32));
    a.sessions.close();
    b.sessions.close();
  });
});

describe('E2eSessions: abandoned handshakes forget their ephemeral secret', () => {
  /** Every HandshakeInitiator started from now on, to look at its ephemeral secret afterwards. */
  function watchInitiators(): { secrets: () => Buffer[] } {
    const started: HandshakeInitiator[] = [];
    const start = HandshakeInitiator.prototype.start;
    vi.spyOn(HandshakeInitiator.prototype, 'start').mockImplementation(function (this: HandshakeInitiator) {
      started.push(this);
      return start.call(this);
    });
    return { secrets: () => started.map((i) => (i as unknown as { eph: { secretKey: Buffer } }).eph.secretKey) };
  }
  const zero = '00'.repeat(32);

  it('on HANDSHAKE_TIMEOUT, on RECIPIENT_OFFLINE and on close (fix: the secret stayed in memory until garbage collection)', async () => {
    const watch = watchInitiators();
    const { a, b } = wire({ timeoutMs: 50 });
    const silent = new E2eSessions(a.id, async () => true, 50);
    expect(((await silent.sessionWith(b.id.publicKey).catch((e: unknown) => e)) as W2wError).code).toBe(ErrorCode.HANDSHAKE_TIMEOUT);
    const offline = new E2eSessions(a.id, async () => false, 2000);
    expect(((await offline.sessionWith(b.id.publicKey).catch((e: unknown) => e)) as W2wError).code).toBe(ErrorCode.RECIPIENT_OFFLINE);
    const closing = new E2eSessions(a.id, async () => true, 2000);
    const pending = closing.sessionWith(b.id.publicKey).catch((e: unknown) => e);
    closing.close();
    expect(((await pending) as W2wError).code).toBe(ErrorCode.INTERNAL);
    expect(watch.secrets()).toHaveLength(3);
    for (const s of watch.secrets()) expect(toHex(s)).toBe(zero);
    silent.close();
    offline.close();
    a.sessions.close();
    b.sessions.close();
  });
});

describe('E2eSessions: saved keys expire while the node runs', () => {
  it('deletes saved keys older than 7 days every hour, not only at start (fix: a node that ran for weeks kept them all)', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    try {
      const { a, b } = wire();
      const s = await a.sessions.sessionWith(b.id.publicKey);
      await until(() => b.store.rows.size === 1, 'b saves its key');
      expect(a.store.get(s.sessionId)).not.toBeNull();
      vi.advanceTimersByTime(SAVED_KEY_TTL_MS - SAVED_KEY_EXPIRE_EVERY_MS);
      expect(a.store.rows.size).toBe(1); // not yet 7 days old
      vi.advanceTimersByTime(2 * SAVED_KEY_EXPIRE_EVERY_MS);
      expect(a.store.rows.size).toBe(0);
      expect(b.store.rows.size).toBe(0);
      a.sessions.close();
      b.sessions.close();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('E2eSessions: completed handshakes per peer are limited', () => {
  it('answers HS1_BURST HS1s from one peer at once, then one every HS1_REFILL_MS (fix: a peer could run handshakes without limit, each a saved key on disk)', async () => {
    const { a, b } = wire({ timeoutMs: 300 });
    const installedAtB = (): number => b.store.rows.size;
    for (let i = 0; i < HS1_BURST; i++) {
      const s = await a.sessions.sessionWith(b.id.publicKey);
      await until(() => installedAtB() === i + 1, `b installs session ${i + 1}`);
      a.sessions.forget(s.sessionId, b.id.publicKey); // as after a REJECT: the next send handshakes again
    }
    const err = await a.sessions.sessionWith(b.id.publicKey).catch((e: unknown) => e);
    expect((err as W2wError).code).toBe(ErrorCode.HANDSHAKE_TIMEOUT);
    expect(installedAtB()).toBe(HS1_BURST);
    // Another peer is not affected.
    const c = generateIdentity();
    const hs1 = hs1From(c, b.id.publicKey);
    const before = hs2Count(b);
    b.sessions.onHandshake(c.publicKey, hs1.hsId, hs1.frame);
    await until(() => hs2Count(b) === before + 1, 'an HS2 to another peer');
    // After the refill time, one more from a.
    const now = Date.now();
    vi.spyOn(Date, 'now').mockReturnValue(now + HS1_REFILL_MS + 1);
    await a.sessions.sessionWith(b.id.publicKey);
    await until(() => installedAtB() === HS1_BURST + 1, 'b installs one more');
    a.sessions.close();
    b.sessions.close();
  });
});

describe('E2eSessions: crossing handshakes', () => {
  /** Two ends that both open a session with the other at once; each body arrives after `delayMs`, each ACK after `ackMs`. */
  async function cross(ackMs: number): Promise<{ a: E2eSessions; b: E2eSessions; ida: Identity; idb: Identity }> {
    const ids = [generateIdentity(), generateIdentity()] as const;
    const ends: E2eSessions[] = [];
    for (const [i, id] of ids.entries()) {
      ends.push(
        new E2eSessions(
          id,
          async (_to, body) => {
            const d = decodeE2e(body);
            if (d.ok && d.body.kind === E2eKind.HANDSHAKE) {
              const { hsId, frame } = d.body;
              setTimeout(() => ends[1 - i]!.onHandshake(id.publicKey, hsId, frame), 5);
            }
            await new Promise((r) => setTimeout(r, ackMs));
            return true;
          },
          2000,
          new MemoryKeyStore(),
        ),
      );
    }
    const [a, b] = ends as [E2eSessions, E2eSessions];
    await Promise.all([a.sessionWith(ids[1].publicKey), b.sessionWith(ids[0].publicKey)]);
    await new Promise((r) => setTimeout(r, 50));
    return { a, b, ida: ids[0], idb: ids[1] };
  }

  it.each([0, 1, 8, 20])('both ends settle on the same session, the lower ID (ACK after %i ms) (fix: each kept the last installed, and sealed under the one the other replaced)', async (ackMs) => {
    const { a, b, ida, idb } = await cross(ackMs);
    const atA = a.currentWith(idb.publicKey)!;
    const atB = b.currentWith(ida.publicKey)!;
    expect(toHex(atA.sessionId)).toBe(toHex(atB.sessionId));
    // Both sessions exist at both ends: the one that lost is the higher ID, still open for its grace.
    const ad = envelopeAd({ route: Route.A2B, to: idb.publicKey }, msgId, ida.publicKey);
    const m = atA.seal(ad, Buffer.from('one session'));
    expect(b.find(atA.sessionId, ida.publicKey)?.open(m.counter, ad, m.ciphertext)?.plaintext.toString()).toBe('one session');
    a.close();
    b.close();
  });
});

describe('E2eSessions: sessions with peers we stopped talking to', () => {
  it('leave memory, keys wiped, an hour and a grace after they were made (fix: kept for the life of the process)', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    try {
      const { a, b } = wire();
      const s = await a.sessions.sessionWith(b.id.publicKey);
      await until(() => b.sessions.find(s.sessionId, a.id.publicKey) !== null, 'b installs');
      const atB = b.sessions.find(s.sessionId, a.id.publicKey)!;
      const ad = envelopeAd({ route: Route.A2B, to: b.id.publicKey }, msgId, a.id.publicKey);
      const late = s.seal(ad, Buffer.from('sealed before it wore out'));
      vi.advanceTimersByTime(REKEY_AFTER_MS);
      expect(toHex(atB.exportRecvKey())).not.toBe('00'.repeat(32)); // worn for the sender, still held here
      vi.advanceTimersByTime(2 * OLD_SESSION_GRACE_MS);
      expect(toHex(atB.exportRecvKey())).toBe('00'.repeat(32));
      expect(toHex(s.exportRecvKey())).toBe('00'.repeat(32));
      expect(a.sessions.currentWith(b.id.publicKey)).toBeNull();
      // A message sealed under it and kept by a relay still opens, from the saved key.
      expect(b.sessions.find(s.sessionId, a.id.publicKey)?.open(late.counter, ad, late.ciphertext)?.plaintext.toString()).toBe('sealed before it wore out');
      a.sessions.close();
      b.sessions.close();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('E2eSessions: the copy of a receiving key handed to the key store', () => {
  it('is wiped once the store has it (fix: it stayed in the heap after the session was gone)', async () => {
    class RecordingKeyStore extends MemoryKeyStore {
      readonly handed: Buffer[] = [];
      override put(k: { sessionId: Buffer; peer: Buffer; recvKey: Buffer; createdMs: number }): void {
        super.put(k);
        this.handed.push(k.recvKey);
      }
    }
    const a = generateIdentity();
    const b = generateIdentity();
    const store = new RecordingKeyStore();
    const ends: E2eSessions[] = [];
    const send = (from: Identity, other: () => E2eSessions) => async (_to: Buffer, body: Uint8Array): Promise<boolean> => {
      const d = decodeE2e(body);
      if (d.ok && d.body.kind === E2eKind.HANDSHAKE) {
        const { hsId, frame } = d.body;
        setImmediate(() => other().onHandshake(from.publicKey, hsId, frame));
      }
      return true;
    };
    ends.push(new E2eSessions(a, send(a, () => ends[1]!), 2000, store));
    ends.push(new E2eSessions(b, send(b, () => ends[0]!), 2000, new MemoryKeyStore()));
    const s = await ends[0]!.sessionWith(b.publicKey);
    expect(store.handed).toHaveLength(1);
    expect(toHex(store.handed[0]!)).toBe('00'.repeat(32));
    expect(toHex(store.get(s.sessionId)!.recvKey)).toBe(toHex(s.exportRecvKey())); // the store kept its own copy
    ends[0]!.close();
    ends[1]!.close();
  });
});
