// End-to-end sessions with peers: runs the e2e handshake (the same three signed messages, context
// "e2e", carried in a2b bodies through any relays), caches sessions per peer, replaces worn ones, and
// finds the session a sealed message names.
import { FrameType, HandshakeContext } from '../../src-shared/protocol/constants.js';
import { E2eKind, encodeE2e, HS_ID_BYTES } from '../../src-shared/protocol/e2e.js';
import { ErrorCode, W2wError } from '../../src-shared/protocol/errors.js';
import { encodeFrame, type Hs1Frame, type Hs2Frame, type Hs3Frame } from '../../src-shared/protocol/frames.js';
import { bytesEqual, shortId, toHex } from '../../src-shared/ids.js';
import { HandshakeInitiator, HandshakeResponder } from '../crypto/handshake.js';
import { wipe, type Identity } from '../crypto/identity.js';
import { randomBytes } from '../crypto/random.js';
import { TokenBucket } from '../relay/token-bucket.js';
import { E2eSession, OLD_SESSION_GRACE_MS, REKEY_AFTER_MS, SAVED_KEY_TTL_MS } from './session.js';

/**
 * How the session layer reaches a peer: an a2b message with the given body (no store-and-forward).
 * Resolves false when the relay reports the peer unreachable, so a handshake fails fast.
 */
export type SendBody = (to: Buffer, body: Uint8Array) => Promise<boolean>;

export const E2E_HANDSHAKE_TIMEOUT_MS = 10_000;
/** Handshakes a peer may have open with us at once, so nobody can pile up responder state. */
const MAX_PENDING_PER_PEER = 4;
const MAX_PENDING = 1024;
/**
 * HS1s answered per peer: HS1_BURST at once, then one every HS1_REFILL_MS. The pending limits bound
 * handshakes in flight, not completed ones: without this a peer could run hundreds of handshakes a
 * second, each costing us a verify, a sign, an X25519 and a saved key on disk kept for 7 days.
 * Genuine peers need one per re-key (an hour), restart or lost session.
 */
export const HS1_BURST = 8;
export const HS1_REFILL_MS = 30_000;
/** Peers whose HS1 budget is tracked before full (idle) entries are pruned. */
const MAX_HS1_BUDGETS = 4096;
/** How often a running node deletes saved receiving keys older than SAVED_KEY_TTL_MS. */
export const SAVED_KEY_EXPIRE_EVERY_MS = 3600_000;

interface PendingInit {
  peer: Buffer;
  initiator: HandshakeInitiator;
  resolve: (s: E2eSession) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

interface PendingResp {
  peer: Buffer;
  responder: HandshakeResponder;
  timer: NodeJS.Timeout;
}

/** Where receiving keys are saved (the SQLite repository in a node or CLI data dir). */
export interface SessionKeyStore {
  put(key: { sessionId: Buffer; peer: Buffer; recvKey: Buffer; createdMs: number }): void;
  get(sessionId: Buffer): { sessionId: Buffer; peer: Buffer; recvKey: Buffer; createdMs: number } | null;
  delete(sessionId: Buffer): void;
  expire(beforeMs: number): number;
}

export class E2eSessions {
  private readonly current = new Map<string, E2eSession>();
  private readonly byId = new Map<string, { session: E2eSession; expiresMs: number }>();
  private readonly establishing = new Map<string, Promise<E2eSession>>();
  private readonly inits = new Map<string, PendingInit>();
  private readonly resps = new Map<string, PendingResp>();
  private lastCurrent: { peerId: Buffer; key: string; session: E2eSession } | null = null;
  /**
   * Replaced and restored sessions, in the order their grace ends (the grace is the same for all, so
   * insertion order is expiry order). Swept on every install and restore: a session nobody names
   * again after its grace would otherwise stay in memory, keys included, for as long as the process runs.
   */
  private readonly retiring = new Map<E2eSession, { id: string; expiresMs: number }>();
  private expireTimer: NodeJS.Timeout | null = null;
  private readonly sweepTimer: NodeJS.Timeout;
  /** HS1 tokens per peer that spent some lately (Date.now, so tests can move the clock) */
  private readonly hs1Budgets = new Map<string, TokenBucket>();

  constructor(
    private readonly identity: Identity,
    private readonly sendBody: SendBody,
    private readonly timeoutMs = E2E_HANDSHAKE_TIMEOUT_MS,
    private readonly keyStore: SessionKeyStore | null = null,
  ) {
    keyStore?.expire(Date.now() - SAVED_KEY_TTL_MS);
    this.sweepTimer = setInterval(() => this.sweep(), OLD_SESSION_GRACE_MS);
    this.sweepTimer.unref();
    // A node runs for weeks: expiring only at start kept every saved key of the run on disk past its 7 days.
    if (keyStore) {
      this.expireTimer = setInterval(() => {
        try {
          keyStore.expire(Date.now() - SAVED_KEY_TTL_MS);
        } catch {
          // The store is closing or failing: find() still refuses old keys, and the next start deletes them.
        }
      }, SAVED_KEY_EXPIRE_EVERY_MS);
      this.expireTimer.unref();
    }
  }

  /** The session to seal with: the current one, or a fresh handshake when there is none or it is worn. */
  async sessionWith(peer: Buffer): Promise<E2eSession> {
    const key = toHex(peer);
    const s = this.current.get(key);
    if (s && !s.worn) return s;
    const running = this.establishing.get(key);
    if (running) return running;
    const p = this.handshake(peer).finally(() => this.establishing.delete(key));
    this.establishing.set(key, p);
    return p;
  }

  /** The current session with `peer` if it may still seal, without waiting for anything (the send fast path). */
  currentWith(peer: Uint8Array): E2eSession | null {
    // Bulk senders talk to one peer at a time: comparing 32 bytes beats making a hex key per message.
    const last = this.lastCurrent;
    const s = last && bytesEqual(last.peerId, peer) && this.current.get(last.key) === last.session ? last.session : this.current.get(toHex(peer));
    if (!s || s.worn) return null;
    if (last?.session !== s) this.lastCurrent = { peerId: s.peerId, key: toHex(s.peerId), session: s };
    return s;
  }

  /** The session a sealed message names, if it is ours with this peer. */
  find(sessionId: Uint8Array, peer: Uint8Array): E2eSession | null {
    let e = this.byId.get(toHex(sessionId));
    if (e && Date.now() > e.expiresMs && this.current.get(toHex(peer)) !== e.session) {
      // Its grace is over: it leaves memory, and its saved key (below) opens what still comes under it.
      this.byId.delete(toHex(sessionId));
      e.session.destroy();
      e = undefined;
    }
    if (!e && this.keyStore) {
      // A message kept for us while we were away, sealed under a session of an earlier run.
      const saved = this.keyStore.get(Buffer.from(sessionId));
      if (!saved) return null;
      const usable = bytesEqual(saved.peer, peer) && Date.now() - saved.createdMs <= SAVED_KEY_TTL_MS;
      // The session takes its own copy: the store's buffer is wiped either way.
      const session = usable ? E2eSession.receiveOnly(saved.peer, saved.sessionId, saved.recvKey, this.identity.publicKey) : null;
      wipe(saved.recvKey);
      if (!session) return null;
      e = { session, expiresMs: Date.now() + OLD_SESSION_GRACE_MS };
      this.byId.set(toHex(sessionId), e);
      this.retire(e.session, toHex(sessionId), e.expiresMs);
    }
    if (!e) return null;
    return bytesEqual(e.session.peerId, peer) ? e.session : null;
  }

  /** The peer said it cannot open our session (it restarted): forget it so the next send re-handshakes. */
  forget(sessionId: Uint8Array, peer: Uint8Array): void {
    const e = this.byId.get(toHex(sessionId));
    // Only the session's own peer may make us drop it (and its saved key): anyone else saw its ID at most.
    if (!e || !bytesEqual(e.session.peerId, peer)) return;
    this.byId.delete(toHex(sessionId));
    this.keyStore?.delete(Buffer.from(sessionId));
    const key = toHex(e.session.peerId);
    if (this.current.get(key) === e.session) this.current.delete(key);
    e.session.destroy();
  }

  /**
   * Installs `s` and returns the session now current with its peer. That is `s`, except when two
   * handshakes with the peer crossed (both ends started one at about the same time). Both ends then
   * hold both sessions, but "the last one installed" differs between them, so each would seal under
   * the session the other replaced. Whether the current one was made less than two handshake
   * timeouts ago is something both ends see alike; then both keep the lower session ID (§11.4).
   */
  private install(s: E2eSession): E2eSession {
    const key = toHex(s.peerId);
    const old = this.current.get(key);
    this.byId.set(toHex(s.sessionId), { session: s, expiresMs: Number.MAX_SAFE_INTEGER });
    const crossed = old !== undefined && !old.worn && Date.now() - old.createdMs < 2 * this.timeoutMs;
    const keepOld = crossed && Buffer.compare(old.sessionId, s.sessionId) < 0;
    const replaced = keepOld ? s : old;
    const winner = keepOld ? old : s;
    this.current.set(key, winner);
    // The replaced session keeps opening late messages for a grace period.
    if (replaced) {
      const entry = this.byId.get(toHex(replaced.sessionId));
      if (entry) {
        entry.expiresMs = Date.now() + OLD_SESSION_GRACE_MS;
        this.retire(replaced, toHex(replaced.sessionId), entry.expiresMs);
      }
    }
    if (this.keyStore) {
      const recvKey = s.exportRecvKey();
      try {
        this.keyStore.put({ sessionId: s.sessionId, peer: s.peerId, recvKey, createdMs: s.createdMs });
      } finally {
        // The store has written it: this copy would otherwise outlive the session in the heap.
        wipe(recvKey);
      }
    }
    return winner;
  }

  /** Queues a session whose grace ends at `expiresMs`, after dropping those whose grace is over. */
  private retire(session: E2eSession, id: string, expiresMs: number): void {
    this.sweepRetiring(Date.now());
    this.retiring.set(session, { id, expiresMs });
  }

  private sweepRetiring(now: number): void {
    for (const [s, r] of this.retiring) {
      if (r.expiresMs >= now) break;
      this.retiring.delete(s);
      const e = this.byId.get(r.id);
      if (e?.session === s) {
        if (e.expiresMs >= now || this.current.get(toHex(s.peerId)) === s) continue;
        this.byId.delete(r.id);
      }
      s.destroy();
    }
  }

  /**
   * Every grace period: drops what is over. A current session nobody replaced (a peer we stopped
   * talking to) would otherwise stay in memory with its keys for as long as the process runs, which
   * voids forward secrecy and grows with every peer ever met. Its peer stopped sealing under it when
   * it wore out (an hour, §11.5); after a grace on top, it goes like a replaced one (its saved key
   * still opens stored messages).
   */
  private sweep(): void {
    const now = Date.now();
    this.sweepRetiring(now);
    for (const [key, s] of this.current) {
      if (now - s.createdMs <= REKEY_AFTER_MS + OLD_SESSION_GRACE_MS) continue;
      this.current.delete(key);
      const id = toHex(s.sessionId);
      if (this.byId.get(id)?.session === s) this.byId.delete(id);
      s.destroy();
    }
  }

  private handshake(peer: Buffer): Promise<E2eSession> {
    const hsId = randomBytes(HS_ID_BYTES);
    const initiator = new HandshakeInitiator(HandshakeContext.E2E, this.identity, peer, '');
    const hs1: Hs1Frame = { type: FrameType.HS1, ...initiator.start() };
    return new Promise<E2eSession>((resolve, reject) => {
      const id = toHex(hsId);
      const timer = setTimeout(() => {
        this.inits.delete(id);
        initiator.abort();
        reject(new W2wError(ErrorCode.HANDSHAKE_TIMEOUT, `no end-to-end handshake with ${shortId(peer)} within ${this.timeoutMs} ms (is it online?)`));
      }, this.timeoutMs);
      timer.unref();
      this.inits.set(id, { peer, initiator, resolve, reject, timer });
      const fail = (err: Error): void => {
        clearTimeout(timer);
        this.inits.delete(id);
        initiator.abort();
        reject(err);
      };
      this.sendBody(peer, encodeE2e({ kind: E2eKind.HANDSHAKE, hsId, frame: hs1, frameBytes: encodeFrame(hs1) }))
        .then((reached) => {
          if (!reached) fail(new W2wError(ErrorCode.RECIPIENT_OFFLINE, `${shortId(peer)} is not reachable for an end-to-end handshake`));
        })
        .catch((err: unknown) => fail(err instanceof Error ? err : new Error(String(err))));
    });
  }

  /** A HANDSHAKE body arrived from `from` (the relay-stamped sender). Bad ones are dropped. */
  onHandshake(from: Buffer, hsId: Uint8Array, frame: Hs1Frame | Hs2Frame | Hs3Frame): void {
    const id = toHex(hsId);
    switch (frame.type) {
      case FrameType.HS1:
        this.onHs1(from, hsId, frame);
        return;
      case FrameType.HS2: {
        const p = this.inits.get(id);
        if (!p || !bytesEqual(p.peer, from)) return;
        this.inits.delete(id);
        clearTimeout(p.timer);
        const step = p.initiator.finish(frame);
        if (!step.ok) {
          p.reject(step.error);
          return;
        }
        const hs3: Hs3Frame = { type: FrameType.HS3, ...step.value.m3 };
        const session = new E2eSession(step.value.result, this.identity.publicKey);
        this.sendBody(from, encodeE2e({ kind: E2eKind.HANDSHAKE, hsId, frame: hs3, frameBytes: encodeFrame(hs3) }))
          .then(() => p.resolve(this.install(session)))
          .catch((err: unknown) => p.reject(err instanceof Error ? err : new Error(String(err))));
        return;
      }
      case FrameType.HS3: {
        const p = this.resps.get(id);
        if (!p || !bytesEqual(p.peer, from)) return;
        this.resps.delete(id);
        clearTimeout(p.timer);
        const step = p.responder.finish(frame);
        if (step.ok) this.install(new E2eSession(step.value, this.identity.publicKey));
        return;
      }
    }
  }

  private onHs1(from: Buffer, hsId: Uint8Array, frame: Hs1Frame): void {
    // The claimed initiator must be the authenticated sender: nobody opens a session in another's name.
    if (!bytesEqual(frame.idA, from)) return;
    const id = toHex(hsId);
    if (this.resps.has(id) || this.resps.size >= MAX_PENDING) return;
    let perPeer = 0;
    for (const r of this.resps.values()) if (bytesEqual(r.peer, from)) perPeer++;
    if (perPeer >= MAX_PENDING_PER_PEER) return;
    if (!this.takeHs1Token(toHex(from))) return;
    const responder = new HandshakeResponder({ ctx: HandshakeContext.E2E, identity: this.identity, acceptBinding: (b) => b === '' });
    const step = responder.respond(frame);
    if (!step.ok) {
      responder.abort();
      return;
    }
    const timer = setTimeout(() => {
      this.resps.delete(id);
      responder.abort();
    }, this.timeoutMs);
    timer.unref();
    this.resps.set(id, { peer: from, responder, timer });
    const hs2: Hs2Frame = { type: FrameType.HS2, ...step.value };
    this.sendBody(from, encodeE2e({ kind: E2eKind.HANDSHAKE, hsId, frame: hs2, frameBytes: encodeFrame(hs2) })).catch(() => {
      clearTimeout(timer);
      this.resps.delete(id);
      responder.abort();
    });
  }

  private takeHs1Token(peer: string): boolean {
    let b = this.hs1Budgets.get(peer);
    if (!b) {
      if (this.hs1Budgets.size >= MAX_HS1_BUDGETS) {
        // A full bucket is the same as none: forget those, so the map holds only peers that spent some lately.
        for (const [k, old] of this.hs1Budgets) if (old.full) this.hs1Budgets.delete(k);
        if (this.hs1Budgets.size >= MAX_HS1_BUDGETS) return false;
      }
      b = new TokenBucket(1000 / HS1_REFILL_MS, HS1_BURST, () => Date.now());
      this.hs1Budgets.set(peer, b);
    }
    return b.take();
  }

  close(): void {
    clearInterval(this.sweepTimer);
    if (this.expireTimer) clearInterval(this.expireTimer);
    this.expireTimer = null;
    for (const p of this.inits.values()) {
      clearTimeout(p.timer);
      p.initiator.abort();
      p.reject(new W2wError(ErrorCode.INTERNAL, 'closed'));
    }
    for (const p of this.resps.values()) {
      clearTimeout(p.timer);
      p.responder.abort();
    }
    this.inits.clear();
    this.resps.clear();
    for (const e of this.byId.values()) e.session.destroy();
    this.byId.clear();
    this.retiring.clear();
    this.current.clear();
  }
}
