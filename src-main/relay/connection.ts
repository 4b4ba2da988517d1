// One client connection on the relay: the registration state machine (HELLO -> HS1 -> HS2 -> HS3 ->
// READY), per-connection limits (rate, slow consumer, liveness), and the hand-off of registered
// frames to the relay core. Bad input becomes a coded ERROR frame; it never throws out of here.
import type WebSocket from 'ws';
import { FrameType, HandshakeContext, ID_BYTES, PROTOCOL_VERSION } from '../../src-shared/protocol/constants.js';
import { CloseCode, ErrorCode, W2wError, errorName } from '../../src-shared/protocol/errors.js';
import { ZERO_REF, decodeFrame, encodeFrame, frameTypeName, truncateUtf8, type Frame } from '../../src-shared/protocol/frames.js';
import { HandshakeResponder } from '../crypto/handshake.js';
import { idEqualAt, idKey, type IdKey } from './id-key.js';
import type { RelayCore } from './relay-core.js';
import { TokenBucket } from './token-bucket.js';
import type { Link } from '../federation/link.js';

/** committing: HS3 checked out, READY waits for the node-list row to be committed (NodeList). */
type State = 'await-hs1' | 'await-hs3' | 'committing' | 'ready' | 'link' | 'closed';

export class Connection {
  private state: State = 'await-hs1';
  private responder: HandshakeResponder | null = null;
  /** set when the peer is a relay that opened a federation link (s2s) */
  private link: Link | null = null;
  private readonly bucket: TokenBucket;
  private rateViolations = 0;
  private ctx: HandshakeContext = HandshakeContext.C2S;
  private handshakeTimer: NodeJS.Timeout | null;
  private pongTimer: NodeJS.Timeout | null = null;
  id: Buffer | null = null;
  key: IdKey | null = null;
  /** IDs this connection asked to watch (WATCH), for presence events */
  readonly watching = new Set<IdKey>();
  /** the last a2b destination and its map key: a conversation sends to the same ID again and again */
  private lastTo: Buffer | null = null;
  private lastToKey: IdKey | null = null;
  /** relay usage of this session (node view): plain increments on the forwarding path, see usage.ts */
  registeredMs = 0;
  msgsIn = 0;
  bytesIn = 0;
  msgsOut = 0;
  bytesOut = 0;
  /** the last a2b destination RelayCore.remember()ed for this sender, and its contact-eviction count then */
  rememberedTo: IdKey | null = null;
  rememberedAt = -1;

  constructor(
    readonly ws: WebSocket,
    private readonly core: RelayCore,
    readonly remoteAddress: string,
  ) {
    const lim = core.limits;
    this.bucket = new TokenBucket(lim.ratePerSec, lim.rateBurst);
    ws.binaryType = 'nodebuffer';
    ws.on('message', (data, isBinary) => this.onMessage(data as Buffer, isBinary));
    ws.on('close', () => this.onClose());
    ws.on('error', () => {
      // Socket errors (resets, oversize frames) end in 'close'; nothing to add here.
    });
    ws.on('pong', () => {
      if (this.pongTimer) clearTimeout(this.pongTimer);
      this.pongTimer = null;
    });
    this.handshakeTimer = setTimeout(() => this.onHandshakeTimeout(), lim.handshakeTimeoutMs);
    this.sendFrame({
      type: FrameType.HELLO,
      version: PROTOCOL_VERSION,
      relayId: core.identity.publicKey,
      timeMs: Date.now(),
      maxFrameBytes: lim.maxFrameBytes,
      maxRecipients: lim.maxRecipients,
      ratePerSec: lim.ratePerSec,
      rateBurst: lim.rateBurst,
      pingIntervalMs: lim.pingIntervalMs,
      handshakeTimeoutMs: lim.handshakeTimeoutMs,
    });
  }

  /** The map key of an a2b destination, reusing the previous one when the destination repeats. */
  destinationKey(to: Uint8Array): IdKey {
    return this.destinationKeyAt(to, 0);
  }

  /** destinationKey() for the 32 bytes of `frame` at `at`, read in place (no view when it repeats). */
  destinationKeyAt(frame: Uint8Array, at: number): IdKey {
    if (this.lastTo && this.lastToKey && idEqualAt(frame, at, this.lastTo)) return this.lastToKey;
    this.lastTo = Buffer.from(frame.subarray(at, at + ID_BYTES));
    this.lastToKey = idKey(this.lastTo);
    return this.lastToKey;
  }

  get isReady(): boolean {
    return this.state === 'ready';
  }

  /**
   * Queues bytes to this client. A client whose queue passes the limit is a slow consumer: it is
   * cut off rather than letting the relay buffer without bound. Returns false if not sent.
   */
  send(bytes: Uint8Array): boolean {
    if (this.state === 'closed' || this.ws.readyState !== 1) return false;
    if (this.ws.bufferedAmount > this.core.limits.maxBufferedBytes) {
      this.core.count('slowConsumers');
      this.close(CloseCode.SLOW_CONSUMER, 'slow consumer: send queue over limit', true);
      return false;
    }
    this.core.batcher.hold(this.ws);
    this.ws.send(bytes, { binary: true });
    return true;
  }

  sendFrame(frame: Frame): boolean {
    return this.send(encodeFrame(frame));
  }

  sendError(code: ErrorCode, message: string, ref: Uint8Array = ZERO_REF): void {
    this.core.countError(code);
    this.sendFrame({ type: FrameType.ERROR, code, ref, message });
  }

  /** Ping from the relay's liveness sweep; no pong within pingTimeoutMs means the client is gone. */
  heartbeat(): void {
    // Links ping on their own (and measure the round trip).
    if (this.state === 'closed' || this.state === 'link' || this.pongTimer) return;
    this.pongTimer = setTimeout(() => {
      this.pongTimer = null;
      this.core.countError(ErrorCode.PING_TIMEOUT);
      this.close(CloseCode.PING_TIMEOUT, 'no pong within the ping timeout', true);
    }, this.core.limits.pingTimeoutMs);
    try {
      this.ws.ping();
    } catch {
      // the socket is already closing; 'close' follows
    }
  }

  close(code: number, reason: string, hard = false): void {
    if (this.state === 'closed') return;
    this.clearHandshakeTimer();
    try {
      this.ws.close(code, reason);
    } catch {
      // invalid state: the socket is already gone
    }
    // A peer that does not read will never see our close frame: cut it after a grace period.
    const grace = setTimeout(() => this.ws.terminate(), hard ? 1000 : 5000);
    grace.unref();
    this.onClose();
  }

  private fail(error: W2wError, closeCode: number): void {
    this.sendError(error.code, error.message);
    // A close reason is at most 123 UTF-8 bytes; ws throws on more and the close frame would never leave.
    this.close(closeCode, truncateUtf8(`${errorName(error.code)}: ${error.message}`, 123));
  }

  private clearHandshakeTimer(): void {
    if (this.handshakeTimer) clearTimeout(this.handshakeTimer);
    this.handshakeTimer = null;
  }

  private onHandshakeTimeout(): void {
    this.handshakeTimer = null;
    if (this.state === 'ready' || this.state === 'link' || this.state === 'closed') return;
    this.responder?.abort();
    this.fail(new W2wError(ErrorCode.HANDSHAKE_TIMEOUT, `registration not finished within ${this.core.limits.handshakeTimeoutMs} ms`), CloseCode.HANDSHAKE_TIMEOUT);
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    if (this.state === 'closed') return;
    // A trusted relay's link carries many clients' traffic: it is not held to one client's rate.
    if (this.link) {
      this.core.federation?.onRaw(this.link, data);
      return;
    }
    if (!this.bucket.take()) {
      this.onRateLimited(data);
      return;
    }
    this.rateViolations = 0;
    if (!isBinary) {
      this.reject(new W2wError(ErrorCode.TEXT_FRAME, 'w2w frames are binary WebSocket messages; text messages are not accepted'));
      return;
    }
    // Most traffic is a2b to a client of this relay: forwarded from the received bytes, undecoded.
    if (this.state === 'ready' && data.byteLength <= this.core.limits.maxFrameBytes && this.core.forwardA2b(this, data)) return;
    const decoded = decodeFrame(data, this.core.limits.maxFrameBytes);
    if (!decoded.ok) {
      this.reject(decoded.error, msgRef(data));
      return;
    }
    const frame = decoded.frame;
    try {
      switch (this.state) {
        case 'await-hs1':
          this.onHs1(frame);
          break;
        case 'await-hs3':
          this.onHs3(frame);
          break;
        case 'committing':
          // The client was to wait for READY: anything now is a frame before registration finished.
          this.reject(unexpected(frame, 'nothing before READY'));
          break;
        case 'ready':
          this.core.onFrame(this, frame, data);
          break;
      }
    } catch (err) {
      // A bug must not take the relay down or leak a stack to the peer; it is counted and logged.
      this.core.onInternalError(err);
      this.sendError(ErrorCode.INTERNAL, 'internal relay error');
    }
  }

  /** Before registration any bad frame ends the connection; after it, the frame alone is refused. */
  private reject(error: W2wError, ref: Uint8Array = ZERO_REF): void {
    if (this.state !== 'ready') {
      this.fail(error, CloseCode.PROTOCOL_ERROR);
      return;
    }
    this.sendError(error.code, error.message, ref);
  }

  private onRateLimited(data: Buffer): void {
    this.rateViolations++;
    this.core.countError(ErrorCode.RATE_LIMITED);
    if (this.rateViolations > this.core.limits.maxRateViolations) {
      this.close(CloseCode.RATE_LIMITED, 'rate limit exceeded repeatedly', true);
      return;
    }
    // One error per burst of violations is enough; answering every dropped frame would amplify a flood.
    if (this.rateViolations === 1) {
      this.sendFrame({
        type: FrameType.ERROR,
        code: ErrorCode.RATE_LIMITED,
        ref: msgRef(data),
        message: `rate limit: ${this.core.limits.ratePerSec} frames/s, burst ${this.core.limits.rateBurst}; frames are dropped until the bucket refills`,
      });
    }
  }

  private onHs1(frame: Frame): void {
    if (frame.type !== FrameType.HS1) {
      this.reject(unexpected(frame, 'HS1'));
      return;
    }
    // A relay opening a federation link says so with the s2s context; without federation only c2s is spoken.
    const ctx = frame.ctx === HandshakeContext.S2S && this.core.federation ? HandshakeContext.S2S : HandshakeContext.C2S;
    this.responder = new HandshakeResponder({ ctx, identity: this.core.identity, acceptBinding: (b) => this.core.acceptsBinding(b) });
    const step = this.responder.respond(frame);
    if (!step.ok) {
      this.fail(step.error, CloseCode.HANDSHAKE_FAILED);
      return;
    }
    this.ctx = ctx;
    this.state = 'await-hs3';
    this.sendFrame({ type: FrameType.HS2, ...step.value });
  }

  private onHs3(frame: Frame): void {
    if (frame.type !== FrameType.HS3) {
      this.reject(unexpected(frame, 'HS3'));
      return;
    }
    const step = (this.responder as HandshakeResponder).finish(frame);
    if (!step.ok) {
      this.fail(step.error, CloseCode.HANDSHAKE_FAILED);
      return;
    }
    // The responder keeps views into the HS1 bytes and its own keys: ~2 KiB an idle client need not hold.
    this.responder = null;
    this.clearHandshakeTimer();
    step.value.sendKey.fill(0);
    step.value.recvKey.fill(0);
    if (this.ctx === HandshakeContext.S2S && this.core.federation) {
      const refusal = this.core.federation.refusal(step.value.peerId);
      if (refusal) {
        this.core.countError(refusal.code);
        this.fail(refusal, CloseCode.HANDSHAKE_FAILED);
        return;
      }
      this.sendFrame({ type: FrameType.READY, transcriptHash: step.value.transcriptHash, timeMs: Date.now() });
      this.state = 'link';
      this.link = this.core.federation.acceptInbound(this.ws, step.value.peerId, this.remoteAddress);
      return;
    }
    // The owner's relaying policy (who may relay here, paused) is checked once the ID is proven.
    if (this.refused(step.value.peerId)) return;
    this.state = 'committing';
    this.id = step.value.peerId;
    this.key = idKey(this.id);
    const th = step.value.transcriptHash;
    // READY promises the ID is in the node list: it leaves once the row is committed (with the
    // other registrations of this event-loop turn, in one transaction).
    this.core.nodeList.recordRegistration(this.id, Date.now(), (ok, err) => this.onCommitted(th, ok, err));
  }

  /** Whether the owner's relaying policy refuses `id`; if so the handshake has failed with its code. */
  private refused(id: Buffer): boolean {
    const refusal = this.core.registrationRefusal(id);
    if (!refusal) return false;
    this.core.countError(refusal.code);
    this.fail(refusal, CloseCode.HANDSHAKE_FAILED);
    return true;
  }

  private onCommitted(transcriptHash: Uint8Array, ok: boolean, err: unknown): void {
    if (this.state !== 'committing') return;
    if (!ok) {
      this.core.onInternalError(err);
      this.fail(new W2wError(ErrorCode.INTERNAL, 'the relay could not record the registration; try again'), CloseCode.TRY_AGAIN_LATER);
      return;
    }
    // The owner may have paused relaying or narrowed the policy while the row was being committed.
    if (this.id && this.refused(this.id)) return;
    this.state = 'ready';
    this.registeredMs = Date.now();
    // c2s and s2s traffic is protected by TLS; those session keys are not used on the wire in v1.
    this.sendFrame({ type: FrameType.READY, transcriptHash, timeMs: Date.now() });
    // This runs in the node list's commit callback, with the other registrations of the turn after it:
    // a failure of what registration sets off (the hand-over of kept messages reads and deletes rows
    // that another process may have locked) must neither end the relay nor keep READY from the rest.
    try {
      this.core.onRegistered(this);
    } catch (err) {
      this.core.onInternalError(err);
    }
  }

  private onClose(): void {
    if (this.state === 'closed') return;
    const wasReady = this.state === 'ready';
    this.state = 'closed';
    this.clearHandshakeTimer();
    if (this.pongTimer) clearTimeout(this.pongTimer);
    this.pongTimer = null;
    if (!wasReady) this.responder?.abort();
    if (this.link) this.core.federation?.linkDown(this.link);
    this.core.onClosed(this, wasReady);
  }
}

function unexpected(frame: Frame, wanted: string): W2wError {
  if (frame.type === FrameType.MSG || frame.type === FrameType.REQ) {
    return new W2wError(ErrorCode.NOT_REGISTERED, `${frameTypeName(frame.type)} before registration finished; send ${wanted}`);
  }
  return new W2wError(ErrorCode.UNEXPECTED_FRAME, `expected ${wanted}, got ${frameTypeName(frame.type)}`);
}

/** The message id of a (possibly malformed) MSG frame, so errors can name it; zeros otherwise. */
function msgRef(data: Buffer): Uint8Array {
  if (data.byteLength >= 20 && data[0] === FrameType.MSG) return data.subarray(4, 20);
  return ZERO_REF;
}
