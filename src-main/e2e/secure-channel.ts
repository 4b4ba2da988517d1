// End-to-end protection over a relay connection: seals every outgoing payload (sessions for online
// peers, a one-shot box for offline ones, a signature for public a2n) bound to the envelope, and opens
// incoming ones, refusing anything that was altered, replayed, re-addressed or sent in plaintext.
import { EventEmitter } from 'node:events';
import { Limits, MsgFlag, Op, Route, SIGNATURE_BYTES } from '../../src-shared/protocol/constants.js';
import { E2eKind, MAX_SEALED_PARTS, SESSION_ID_BYTES, TAG_BYTES, decodeE2e, encodeE2e, envelopeAd, type SealedPart } from '../../src-shared/protocol/e2e.js';
import { ErrorCode, W2wError } from '../../src-shared/protocol/errors.js';
import type { MsgFrame, MsgTarget } from '../../src-shared/protocol/frames.js';
import { bytesEqual } from '../../src-shared/ids.js';
import { sign, verify } from '../crypto/identity.js';
import { randomBytes } from '../crypto/random.js';
import type { RelayClient, SendResult } from '../client/relay-client.js';
import { openBox, sealBox } from './box.js';
import { TokenBucket } from '../relay/token-bucket.js';
import { buildSealedA2b } from './sealed-frame.js';
import { E2eSessions, type SessionKeyStore } from './sessions.js';

const SIGNED_LABEL = Buffer.from('w2w/1 signed');
/** SEALED body: u8 kind | 16 sessionId | u64 counter | ciphertext */
const SEALED_CT_AT = 1 + SESSION_ID_BYTES + 8;
/** counters at or above 2^53 are malformed (§11.2): their high word is at least 2^21 */
const MAX_COUNTER_HIGH = 0x20_0000;
/**
 * REJECTs sent (§11.9), per second and at once. Anyone who can reach us sends SEALED under made-up
 * sessions at its relay's rate (from several connections at once): answering every one would spend
 * our own relay's rate budget (§13.2), drop our messages and get us cut with 4004.
 */
export const REJECTS_PER_SEC = 10;
export const REJECT_BURST = 20;

export type ProtectionMode = 'session' | 'box' | 'signed';

export interface OpenedMessage {
  msg: MsgFrame;
  payload: Buffer;
  mode: ProtectionMode;
}

export interface RejectedMessage {
  msg: MsgFrame;
  code: ErrorCode;
  reason: string;
}

export interface SecureChannelEvents {
  payload: [OpenedMessage];
  rejected: [RejectedMessage];
  /** counters were skipped in a session: messages dropped on the way, or reordered */
  gap: [{ from: Buffer; skipped: number }];
}

export interface SecureSendOptions {
  ack?: boolean;
  /** offline recipients: keep a boxed copy at their home relay */
  store?: boolean;
  id?: Uint8Array;
}

export interface SecureSendResult extends SendResult {
  mode: ProtectionMode;
  /** list/group members no session could be opened with (offline): they were left out */
  unreachable: Buffer[];
}

function sessionResult(res: SendResult): SecureSendResult {
  return { id: res.id, delivered: res.delivered, forwarded: res.forwarded, stored: res.stored, missed: res.missed, mode: 'session', unreachable: [] };
}

export class SecureChannel extends EventEmitter<SecureChannelEvents> {
  readonly sessions: E2eSessions;
  private readonly rejects = new TokenBucket(REJECTS_PER_SEC, REJECT_BURST, Date.now);

  constructor(readonly client: RelayClient, opts: { handshakeTimeoutMs?: number; keyStore?: SessionKeyStore } = {}) {
    super();
    this.sessions = new E2eSessions(
      client.identity,
      async (to, body) => {
        const r = await client.send({ route: Route.A2B, to }, body, { ack: true });
        return (r.delivered ?? 0) + (r.forwarded ?? 0) > 0;
      },
      opts.handshakeTimeoutMs,
      opts.keyStore ?? null,
    );
    client.on('message', (m) => this.onMessage(m));
    client.on('close', () => this.sessions.close());
  }

  get me(): Buffer {
    return this.client.identity.publicKey;
  }

  /** Protects and sends one payload on any route. */
  send(target: MsgTarget, payload: Uint8Array, opts: SecureSendOptions = {}): Promise<SecureSendResult> {
    if (target.route === Route.A2B) {
      // The common case, kept synchronous and to one allocation: a live session with the peer.
      const session = this.sessions.currentWith(target.to);
      if (session?.adToPeer) {
        const flags = (opts.ack ? MsgFlag.ACK : 0) | (opts.store ? MsgFlag.STORE : 0);
        let sealed;
        try {
          sealed = buildSealedA2b(session, this.me, payload, flags, Limits.DEFAULT_HOPS, opts.id);
        } catch (err) {
          return Promise.reject(err instanceof Error ? err : new Error(String(err)));
        }
        if (opts.ack) return this.client.sendMsgFrame(sealed.frame, sealed.id, opts).then(sessionResult);
        // Queued at once: resolve with the result itself rather than chain a promise per message.
        const err = this.client.queueMsgFrame(sealed.frame);
        return err ? Promise.reject(err) : Promise.resolve({ id: sealed.id, mode: 'session', unreachable: [] });
      }
    }
    return this.sendSlow(target, payload, opts);
  }

  private async sendSlow(target: MsgTarget, payload: Uint8Array, opts: SecureSendOptions): Promise<SecureSendResult> {
    const id = opts.id ?? randomBytes(16);
    const ad = envelopeAd(target, id, this.me);
    const sendOpts = { ack: opts.ack, store: opts.store, id };
    switch (target.route) {
      case Route.A2N: {
        const sig = sign(this.client.identity, Buffer.concat([SIGNED_LABEL, ad, payload]));
        const res = await this.client.send(target, encodeE2e({ kind: E2eKind.SIGNED, sig, payload }), sendOpts);
        return { ...res, mode: 'signed', unreachable: [] };
      }
      case Route.A2A: {
        // Every session of our own identity can open a box to ourselves.
        const box = sealBox(this.client.identity, this.me, id, ad, payload);
        const res = await this.client.send(target, encodeE2e({ kind: E2eKind.BOX, ...box }), sendOpts);
        return { ...res, mode: 'box', unreachable: [] };
      }
      case Route.A2B: {
        const to = Buffer.from(target.to);
        let body: Uint8Array;
        let mode: ProtectionMode = 'session';
        try {
          const session = await this.sessions.sessionWith(to);
          const { counter, ciphertext } = session.seal(ad, payload);
          body = encodeE2e({ kind: E2eKind.SEALED, sessionId: session.sessionId, counter, ciphertext });
        } catch (err) {
          // No live handshake: the peer is offline. Box it for its home relay to keep, if asked to.
          if (!opts.store) throw err;
          body = encodeE2e({ kind: E2eKind.BOX, ...sealBox(this.client.identity, to, id, ad, payload) });
          mode = 'box';
        }
        const res = await this.client.send(target, body, sendOpts);
        return { ...res, mode, unreachable: [] };
      }
      case Route.A2G_LIST:
      case Route.A2G_NAMED: {
        const members = target.route === Route.A2G_LIST ? target.to.map((m) => Buffer.from(m)) : await this.groupMembers(target.group);
        const others = members.filter((m) => !bytesEqual(m, this.me));
        // One body, one part per member (§11.6): checked before any handshake or counter is spent.
        if (others.length > MAX_SEALED_PARTS) {
          throw new W2wError(
            ErrorCode.TOO_MANY_RECIPIENTS,
            `a group message is sealed for at most ${MAX_SEALED_PARTS} members besides the sender (one SEALED_MULTI body); this one has ${others.length}`,
          );
        }
        const parts: SealedPart[] = [];
        const unreachable: Buffer[] = [];
        await Promise.all(
          others.map(async (m) => {
            try {
              const s = await this.sessions.sessionWith(m);
              const { counter, ciphertext } = s.seal(ad, payload);
              parts.push({ recipient: m, sessionId: s.sessionId, counter, ciphertext });
            } catch {
              unreachable.push(m);
            }
          }),
        );
        if (parts.length === 0) throw new W2wError(ErrorCode.RECIPIENT_OFFLINE, 'no member of the group could be reached end to end');
        const res = await this.client.send(target, encodeE2e({ kind: E2eKind.SEALED_MULTI, parts }), sendOpts);
        return { ...res, mode: 'session', unreachable };
      }
    }
  }

  private async groupMembers(name: string): Promise<Buffer[]> {
    const { groups } = await this.client.request({ op: Op.GROUP_LIST });
    const g = groups.find((x) => x.name === name);
    // The relay lists only groups we belong to: a group we cannot see is one we may not send to.
    if (!g) throw new W2wError(ErrorCode.NOT_GROUP_MEMBER, `you are not a member of a group "${name}" on this relay`);
    return g.members.map((m) => Buffer.from(m));
  }

  private reject(msg: MsgFrame, code: ErrorCode, reason: string): void {
    this.emit('rejected', { msg, code, reason });
  }

  /**
   * SEALED a2b to us under a session we have: opened without decoding the body into an object, with the
   * session's prebuilt AD. Returns false for anything else, which takes the general path (same checks).
   */
  private openSealedFast(msg: MsgFrame): boolean {
    const body = msg.body;
    if (msg.route !== Route.A2B || body[0] !== E2eKind.SEALED || body.byteLength < SEALED_CT_AT + TAG_BYTES || !bytesEqual(msg.to, this.me)) return false;
    const high = ((body[17] as number) * 0x100_0000 + ((body[18] as number) << 16) + ((body[19] as number) << 8) + (body[20] as number)) as number;
    if (high >= MAX_COUNTER_HIGH) return false;
    const session = this.sessions.find(body.subarray(1, 1 + SESSION_ID_BYTES), msg.from);
    const ad = session?.adFromPeer;
    if (!session || !ad) return false;
    const low = (((body[21] as number) << 24) | ((body[22] as number) << 16) | ((body[23] as number) << 8) | (body[24] as number)) >>> 0;
    const opened = session.open(high * 0x1_0000_0000 + low, ad.withId(msg.id), body.subarray(SEALED_CT_AT));
    if (!opened) {
      this.reject(msg, ErrorCode.BAD_SIGNATURE, 'does not authenticate (altered, re-addressed or replayed)');
      return true;
    }
    if (opened.skipped > 0) this.emit('gap', { from: Buffer.from(msg.from), skipped: opened.skipped });
    this.emit('payload', { msg, payload: opened.plaintext, mode: 'session' });
    return true;
  }

  /**
   * Runs from the relay socket's 'message' event: anything thrown here (the key store or an application
   * listener failing, e.g. SQLite with a full disk or a closed database) would be an uncaught
   * exception that ends the process. It becomes a coded rejection of that message instead.
   */
  private onMessage(msg: MsgFrame): void {
    try {
      this.handle(msg);
    } catch (err) {
      this.reject(msg, ErrorCode.INTERNAL, `could not handle this message: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private handle(msg: MsgFrame): void {
    if (this.openSealedFast(msg)) return;
    // a2a goes only to the sessions of its sender (§9.5): one from another ID reached us through a
    // relay that broke that rule, and would land among our notes to ourselves (any ID can box to us).
    if (msg.route === Route.A2A && !bytesEqual(msg.from, this.me)) {
      this.reject(msg, ErrorCode.BAD_REQUEST, 'an a2a message from another ID');
      return;
    }
    const decoded = decodeE2e(msg.body);
    if (!decoded.ok) {
      this.reject(msg, ErrorCode.MALFORMED_FRAME, `not an end-to-end body: ${decoded.error.message}`);
      return;
    }
    const body = decoded.body;
    const from = Buffer.from(msg.from);
    const target = msg as MsgTarget;
    const ad = envelopeAd(target, msg.id, msg.from);
    switch (body.kind) {
      case E2eKind.HANDSHAKE:
        if (msg.route !== Route.A2B) return this.reject(msg, ErrorCode.BAD_REQUEST, 'handshakes travel a2b');
        this.sessions.onHandshake(from, body.hsId, body.frame);
        return;
      case E2eKind.REJECT:
        this.sessions.forget(body.ref, from);
        return;
      case E2eKind.SEALED: {
        if (msg.route !== Route.A2B) return this.reject(msg, ErrorCode.BAD_REQUEST, 'SEALED is for a2b');
        const session = this.sessions.find(body.sessionId, from);
        if (!session) {
          // Tell the sender to start over (e.g. we restarted and lost our keys); it costs one small frame.
          // A sender that keeps sealing under the lost session gets one as soon as a token is back.
          if (this.rejects.take()) {
            const reject = encodeE2e({ kind: E2eKind.REJECT, ref: body.sessionId, code: ErrorCode.BAD_REQUEST });
            void this.client.send({ route: Route.A2B, to: from }, reject).catch(() => {});
          }
          return this.reject(msg, ErrorCode.BAD_REQUEST, 'sealed under a session this side does not know');
        }
        const opened = session.open(body.counter, ad, body.ciphertext);
        if (!opened) return this.reject(msg, ErrorCode.BAD_SIGNATURE, 'does not authenticate (altered, re-addressed or replayed)');
        if (opened.skipped > 0) this.emit('gap', { from, skipped: opened.skipped });
        this.emit('payload', { msg, payload: opened.plaintext, mode: 'session' });
        return;
      }
      case E2eKind.SEALED_MULTI: {
        const mine = body.parts.find((p) => bytesEqual(p.recipient, this.me));
        // Our own group message echoed to another session of ours: the sender keeps its own copy.
        if (!mine && bytesEqual(from, this.me)) return;
        if (!mine) return this.reject(msg, ErrorCode.BAD_REQUEST, 'no part for this recipient');
        const session = this.sessions.find(mine.sessionId, from);
        const opened = session?.open(mine.counter, ad, mine.ciphertext) ?? null;
        if (!opened) return this.reject(msg, ErrorCode.BAD_SIGNATURE, 'group part does not authenticate');
        if (opened.skipped > 0) this.emit('gap', { from, skipped: opened.skipped });
        this.emit('payload', { msg, payload: opened.plaintext, mode: 'session' });
        return;
      }
      case E2eKind.SIGNED: {
        if (body.sig.byteLength !== SIGNATURE_BYTES || !verify(from, Buffer.concat([SIGNED_LABEL, ad, body.payload]), body.sig)) {
          return this.reject(msg, ErrorCode.BAD_SIGNATURE, 'signature does not verify under the sender ID');
        }
        this.emit('payload', { msg, payload: Buffer.from(body.payload), mode: 'signed' });
        return;
      }
      case E2eKind.BOX: {
        const payload = openBox(this.client.identity, from, msg.id, ad, body);
        if (!payload) return this.reject(msg, ErrorCode.BAD_SIGNATURE, 'box does not open (altered, re-addressed or not for us)');
        this.emit('payload', { msg, payload, mode: 'box' });
        return;
      }
    }
  }
}
