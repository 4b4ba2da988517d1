// A w2w client connection to one relay: registration (the initiator side of the handshake), sending
// on every route with optional acknowledgements, c2s requests, and the s2c events the relay pushes.
import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import { EventKind, FrameType, HandshakeContext, Limits, MsgFlag, Op } from '../../src-shared/protocol/constants.js';
import { ErrorCode, W2wError, errorName } from '../../src-shared/protocol/errors.js';
import {
  decodeFrame,
  encodeFrame,
  frameTypeName,
  type AckFrame,
  type HelloFrame,
  type MissedRecipient,
  type MsgFrame,
  type MsgTarget,
  type ReqArgs,
  type ResResult,
} from '../../src-shared/protocol/frames.js';
import { toHex } from '../../src-shared/ids.js';
import type { Identity } from '../crypto/identity.js';
import { randomBytes } from '../crypto/random.js';
import { dialRelay, type DialOptions } from './dial.js';
import { signHomeProof } from '../federation/home-proof.js';

export type RelayClientOptions = Omit<DialOptions, 'ctx'> & {
  /**
   * Sign and publish a home proof right after registering, so relays linked to this one can route to
   * this ID (default true). Without it the ID is reachable on this relay only.
   */
  publishHome?: boolean;
};

export interface SendOptions {
  /** ask the relay for an ACK and wait for it */
  ack?: boolean;
  /** keep the message for offline recipients (store-and-forward) */
  store?: boolean;
  hops?: number;
  /** message ID (16 bytes); random by default */
  id?: Uint8Array;
  ackTimeoutMs?: number;
}

export interface SendResult {
  id: Uint8Array;
  /** present when an ACK was requested */
  delivered?: number;
  /** recipients passed on to other relays (receipts follow) */
  forwarded?: number;
  /** offline recipients whose copy the relay keeps (STORE) */
  stored?: number;
  missed?: MissedRecipient[];
}

export interface PresenceEvent {
  id: Uint8Array;
  online: boolean;
  timeMs: number;
}

export interface ReceiptEvent {
  msgId: Uint8Array;
  recipient: Uint8Array;
  status: number;
}

export interface CloseInfo {
  code: number;
  reason: string;
}

export interface RelayClientEvents {
  message: [MsgFrame];
  presence: [PresenceEvent];
  notice: [string];
  /** how a message fared beyond this relay: ReceiptStatus.DELIVERED / STORED, or an ErrorCode */
  receipt: [ReceiptEvent];
  /** an ERROR frame from the relay that no pending send or request claimed; or INTERNAL: one of our listeners threw */
  error: [W2wError, Uint8Array];
  close: [CloseInfo];
}

interface Pending<T> {
  resolve: (v: T) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

const DEFAULT_TIMEOUT_MS = 10_000;
/** Messages kept for the first 'message' listener; more than this before anyone listens are dropped. */
const MAX_UNHEARD = 10_000;
/**
 * ... and at most this many bytes of them: the count alone let a relay park 10000 frames of up to
 * 256 KiB (2.5 GiB) in the client before connect() returned. Stored messages (1000 per recipient,
 * PROTOCOL §9.6) are chat-sized in practice.
 */
export const MAX_UNHEARD_BYTES = 64 * 1024 * 1024;

export class RelayClient extends EventEmitter<RelayClientEvents> {
  hello!: HelloFrame;
  transcriptHash!: Buffer;
  private nextReqId = 1;
  private readonly pendingAcks = new Map<string, Pending<SendResult>>();
  private readonly pendingReqs = new Map<number, Pending<ResResult> & { op: number }>();
  private closed = false;
  private readonly unheard: MsgFrame[] = [];
  private unheardBytes = 0;

  private constructor(
    private readonly ws: WebSocket,
    readonly identity: Identity,
    readonly url: string,
  ) {
    super();
    // Relay ERROR frames are reports, not failures of this object: with nobody listening, EventEmitter
    // would throw on 'error' and take the process down, so there is always a listener.
    this.on('error', () => {});
    (this as EventEmitter).on('newListener', (event: string | symbol) => {
      if (event !== 'message' || this.unheard.length === 0) return;
      setImmediate(() => {
        this.unheardBytes = 0;
        for (const m of this.unheard.splice(0)) this.emitSafely(m);
      });
    });
  }

  get relayId(): Uint8Array {
    return this.hello.relayId;
  }

  get id(): Buffer {
    return this.identity.publicKey;
  }

  get isOpen(): boolean {
    return !this.closed && this.ws.readyState === WebSocket.OPEN;
  }

  /** Connects and registers; resolves once the relay has listed this ID, rejects with a W2wError otherwise. */
  static async connect(opts: RelayClientOptions): Promise<RelayClient> {
    const { ws, hello, transcriptHash, takeOver } = await dialRelay({ ...opts, ctx: HandshakeContext.C2S });
    const client = new RelayClient(ws, opts.identity, opts.url);
    client.hello = hello;
    client.transcriptHash = transcriptHash;
    // Frames that came in the same read as READY were held by dialRelay (ws drops what nobody listens
    // to); they go through onMessage now, where early messages wait for a listener (see `unheard`).
    takeOver((data) => client.onFrame(data));
    ws.on('error', () => {
      // Socket errors end in 'close', which settles everything pending.
    });
    ws.on('close', (code, reason) => client.onClose(code, reason.toString()));
    if (opts.publishHome ?? true) {
      // Signed with the relay's clock from HELLO, so a client whose clock is off is not refused.
      const proof = signHomeProof(opts.identity, hello.relayId, hello.timeMs);
      try {
        await client.request({ op: Op.PUBLISH_HOME, timeMs: proof.timeMs, sig: proof.sig });
      } catch (err) {
        await client.close();
        throw err;
      }
    }
    return client;
  }

  private onClose(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    const err = new W2wError(ErrorCode.INTERNAL, `connection closed (${code} ${reason})`);
    for (const p of this.pendingAcks.values()) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    for (const p of this.pendingReqs.values()) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.pendingAcks.clear();
    this.pendingReqs.clear();
    this.emit('close', { code, reason });
  }

  /**
   * The socket's 'message' listener: an exception thrown by one of our listeners (an application
   * writing a message, a receipt or a presence to SQLite with a full disk, say) would otherwise be
   * uncaught there and end the process. It is reported as an INTERNAL error event instead.
   */
  private onFrame(data: Buffer): void {
    try {
      this.onMessage(data);
    } catch (err) {
      this.listenerFailed(err);
    }
  }

  /** Hands a held message to the listeners (from setImmediate: a throw there would be uncaught too). */
  private emitSafely(m: MsgFrame): void {
    try {
      this.emit('message', m);
    } catch (err) {
      this.listenerFailed(err);
    }
  }

  private listenerFailed(err: unknown): void {
    this.emit('error', new W2wError(ErrorCode.INTERNAL, `a listener failed on a frame from the relay: ${err instanceof Error ? err.message : String(err)}`), new Uint8Array(16));
  }

  private onMessage(data: Buffer): void {
    const d = decodeFrame(data);
    if (!d.ok) {
      this.emit('error', d.error, new Uint8Array(16));
      return;
    }
    const f = d.frame;
    switch (f.type) {
      case FrameType.MSG:
        // Messages that arrive before anyone listens (stored ones come right behind READY) wait here.
        if (this.listenerCount('message') === 0) {
          // A queued frame keeps the whole received buffer alive (its body is a view into it).
          if (this.unheard.length < MAX_UNHEARD && this.unheardBytes + data.byteLength <= MAX_UNHEARD_BYTES) {
            this.unheard.push(f);
            this.unheardBytes += data.byteLength;
          }
          return;
        }
        this.emit('message', f);
        return;
      case FrameType.ACK:
        this.onAck(f);
        return;
      case FrameType.RES: {
        const p = this.pendingReqs.get(f.reqId);
        if (!p) return;
        this.pendingReqs.delete(f.reqId);
        clearTimeout(p.timer);
        if (f.status !== 0) p.reject(new W2wError(f.status, f.message));
        // Callers read the fields of the op they asked for: another op's answer would hand them undefined.
        else if (f.op !== p.op) p.reject(new W2wError(ErrorCode.UNEXPECTED_FRAME, `relay answered request ${f.reqId} (op ${p.op}) with a result for op ${f.op}`));
        else p.resolve(f);
        return;
      }
      case FrameType.EVENT:
        if (f.kind === EventKind.PRESENCE) this.emit('presence', { id: Buffer.from(f.id), online: f.online, timeMs: f.timeMs });
        else if (f.kind === EventKind.NOTICE) this.emit('notice', f.text);
        else this.emit('receipt', { msgId: Buffer.from(f.msgId), recipient: Buffer.from(f.recipient), status: f.status });
        return;
      case FrameType.ERROR: {
        const err = new W2wError(f.code, f.message);
        const p = this.pendingAcks.get(toHex(f.ref));
        // An error naming a pending message that asked for an ACK rejects it: the whole message was refused.
        if (p) {
          this.pendingAcks.delete(toHex(f.ref));
          clearTimeout(p.timer);
          p.reject(err);
          return;
        }
        this.emit('error', err, Buffer.from(f.ref));
        return;
      }
      default:
        this.emit('error', new W2wError(ErrorCode.UNEXPECTED_FRAME, `relay sent ${frameTypeName(f.type)} after registration`), new Uint8Array(16));
    }
  }

  private onAck(f: AckFrame): void {
    const key = toHex(f.id);
    const p = this.pendingAcks.get(key);
    if (!p) return;
    this.pendingAcks.delete(key);
    clearTimeout(p.timer);
    p.resolve({ id: Buffer.from(f.id), delivered: f.delivered, forwarded: f.forwarded, stored: f.stored, missed: f.missed.map((m) => ({ id: Buffer.from(m.id), code: m.code })) });
  }

  /** Sends one message. Without `ack` it resolves once queued; with it, when the relay's ACK arrives. */
  send(target: MsgTarget, body: Uint8Array, opts: SendOptions = {}): Promise<SendResult> {
    if (!this.isOpen) return Promise.reject(new W2wError(ErrorCode.INTERNAL, 'not connected'));
    const id = opts.id ?? randomBytes(16);
    const frame = encodeFrame({
      type: FrameType.MSG,
      flags: (opts.ack ? MsgFlag.ACK : 0) | (opts.store ? MsgFlag.STORE : 0),
      hops: opts.hops ?? Limits.DEFAULT_HOPS,
      id,
      from: this.identity.publicKey,
      body,
      ...target,
    } as MsgFrame);
    return this.sendMsgFrame(frame, id, opts);
  }

  /**
   * Sends a MSG frame the caller built (from this ID, with the flags of `opts`; message ID `id`), e.g.
   * one sealed in place by the e2e layer. Same results as send().
   */
  sendMsgFrame(frame: Uint8Array, id: Uint8Array, opts: Pick<SendOptions, 'ack' | 'ackTimeoutMs'> = {}): Promise<SendResult> {
    if (!opts.ack) {
      const err = this.queueMsgFrame(frame);
      return err ? Promise.reject(err) : Promise.resolve({ id });
    }
    const err = this.sendable(frame);
    if (err) return Promise.reject(err);
    const key = toHex(id);
    if (this.pendingAcks.has(key)) {
      // One entry per ID: a second one would take the first one's ACK, and the first one's timer would
      // then report "no ACK" for a message the relay acknowledged.
      return Promise.reject(new Error(`RelayClient: message ${key} is still waiting for its ACK; send it again only once that send has settled.`));
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pendingAcks.delete(key);
        reject(new W2wError(ErrorCode.INTERNAL, `no ACK for message ${key} within ${opts.ackTimeoutMs ?? DEFAULT_TIMEOUT_MS} ms`));
      }, opts.ackTimeoutMs ?? DEFAULT_TIMEOUT_MS);
      this.pendingAcks.set(key, { resolve, reject, timer });
      this.ws.send(frame);
    });
  }

  /** Queues a MSG frame without an ACK and without a promise (bulk senders); the error when it cannot go. */
  queueMsgFrame(frame: Uint8Array): W2wError | null {
    const err = this.sendable(frame);
    if (!err) this.ws.send(frame);
    return err;
  }

  private sendable(frame: Uint8Array): W2wError | null {
    if (!this.isOpen) return new W2wError(ErrorCode.INTERNAL, 'not connected');
    if (frame.byteLength > this.hello.maxFrameBytes) {
      return new W2wError(ErrorCode.FRAME_TOO_LARGE, `message is ${frame.byteLength} bytes; this relay takes at most ${this.hello.maxFrameBytes}`);
    }
    return null;
  }

  /** Bytes the relay's socket has queued for sending: callers moving bulk data wait while it is high. */
  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  /** A c2s request; resolves with the s2c result, rejects with the relay's W2wError. */
  request<A extends ReqArgs>(args: A, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<Extract<ResResult, { op: A['op'] }>> {
    if (!this.isOpen) return Promise.reject(new W2wError(ErrorCode.INTERNAL, 'not connected'));
    const reqId = this.nextReqId;
    this.nextReqId = this.nextReqId >= 0xffff_fffe ? 1 : this.nextReqId + 1;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pendingReqs.delete(reqId);
        reject(new W2wError(ErrorCode.INTERNAL, `no answer to request ${reqId} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pendingReqs.set(reqId, { resolve: resolve as (v: ResResult) => void, reject, timer, op: args.op });
      this.ws.send(encodeFrame({ type: FrameType.REQ, reqId, ...args }));
    });
  }

  /** Sends raw bytes (tests and fuzzing: the relay must cope with anything). */
  sendRaw(bytes: Uint8Array | string): void {
    this.ws.send(bytes);
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close(1000, 'bye');
      setTimeout(() => {
        this.ws.terminate();
        resolve();
      }, 2000).unref();
    });
  }
}

export function describeError(err: unknown): string {
  if (err instanceof W2wError) return `${errorName(err.code)} (${err.code}): ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

