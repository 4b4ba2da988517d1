// Test helper: a bare WebSocket to a relay that sends any bytes and records every reply undecoded and
// decoded, for abuse and fuzz tests that must get under RelayClient (bad frames, paused sockets, close codes).
import type { Socket } from 'node:net';
import WebSocket from 'ws';
import { HandshakeInitiator, type HandshakeM1 } from '../../src-main/crypto/handshake.js';
import type { Identity } from '../../src-main/crypto/identity.js';
import { FrameType, HandshakeContext, SUBPROTOCOL } from '../../src-shared/protocol/constants.js';
import { errorName, type ErrorCode } from '../../src-shared/protocol/errors.js';
import {
  decodeFrame,
  encodeFrame,
  frameTypeName,
  type DecodeResult,
  type ErrorFrame,
  type Frame,
  type HelloFrame,
} from '../../src-shared/protocol/frames.js';
import { Inbox } from './inbox.js';

export interface Received {
  data: Buffer;
  isBinary: boolean;
  decoded: DecodeResult;
}

export interface Closed {
  code: number;
  reason: string;
}

export interface RawOpenOptions {
  /** subprotocols to offer; [] offers none. Default: the w2w one. */
  protocols?: string[];
  ca?: string | Buffer;
  /** client-side cap; large by default so the relay's own limits are what gets tested */
  maxPayload?: number;
}

export const RAW_TIMEOUT_MS = 3000;

function describeReceived(r: Received): string {
  if (!r.decoded.ok) return `undecodable (${errorName(r.decoded.error.code)})`;
  const f = r.decoded.frame;
  return f.type === FrameType.ERROR ? `ERROR ${errorName(f.code)}` : frameTypeName(f.type);
}

export class RawPeer {
  readonly inbox: Inbox<Received>;
  /** resolves once the socket is closed, with the code the relay sent (1006 when there was no close frame) */
  readonly closed: Promise<Closed>;
  private closeInfo: Closed | null = null;

  private constructor(
    readonly ws: WebSocket,
    readonly label: string,
  ) {
    this.inbox = new Inbox<Received>(label, describeReceived);
    ws.binaryType = 'nodebuffer';
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      this.inbox.push({ data, isBinary, decoded: decodeFrame(data) });
    });
    ws.on('error', () => {
      // 'close' follows every error and carries what the tests assert on
    });
    this.closed = new Promise((resolve) => {
      ws.once('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString() };
        resolve(this.closeInfo);
      });
    });
  }

  /** Opens the socket; rejects if the WebSocket upgrade fails (e.g. TLS, or a refused subprotocol). */
  static open(url: string, opts: RawOpenOptions = {}, label = 'raw'): Promise<RawPeer> {
    const ws = new WebSocket(url, opts.protocols ?? [SUBPROTOCOL], {
      perMessageDeflate: false,
      maxPayload: opts.maxPayload ?? 64 * 1024 * 1024,
      ca: opts.ca,
      handshakeTimeout: RAW_TIMEOUT_MS,
    });
    const peer = new RawPeer(ws, label);
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      ws.once('error', onError);
      ws.once('open', () => {
        ws.off('error', onError);
        resolve(peer);
      });
    });
  }

  get isClosed(): boolean {
    return this.closeInfo !== null;
  }

  /** The underlying TCP socket (ws keeps it private): pause it to stop reading. */
  get socket(): Socket {
    return (this.ws as unknown as { _socket: Socket })._socket;
  }

  send(data: Frame | Uint8Array | string): void {
    if (typeof data === 'string') this.ws.send(data);
    else this.ws.send(data instanceof Uint8Array ? data : encodeFrame(data), { binary: true });
  }

  /** Sends and resolves once the bytes are handed to the socket (backpressure for floods). */
  sendAsync(data: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => this.ws.send(data, { binary: true }, (err) => (err ? reject(err) : resolve())));
  }

  /** The next reply, which must decode. */
  async next(timeoutMs = RAW_TIMEOUT_MS): Promise<Frame> {
    const r = await this.inbox.take(() => true, timeoutMs, 'frame');
    if (!r.decoded.ok) throw new Error(`${this.label}: relay sent an undecodable frame: ${r.decoded.error.toString()}`);
    return r.decoded.frame;
  }

  /** The oldest reply of this type (others stay queued). */
  async nextOfType<T extends Frame['type']>(type: T, timeoutMs = RAW_TIMEOUT_MS): Promise<Extract<Frame, { type: T }>> {
    const r = await this.inbox.take((x) => x.decoded.ok && x.decoded.frame.type === type, timeoutMs, frameTypeName(type));
    return (r.decoded as { ok: true; frame: Frame }).frame as Extract<Frame, { type: T }>;
  }

  /** The oldest ERROR frame with this code. */
  async nextError(code: ErrorCode, timeoutMs = RAW_TIMEOUT_MS): Promise<ErrorFrame> {
    const r = await this.inbox.take(
      (x) => x.decoded.ok && x.decoded.frame.type === FrameType.ERROR && x.decoded.frame.code === code,
      timeoutMs,
      `ERROR ${errorName(code)}`,
    );
    return (r.decoded as { ok: true; frame: ErrorFrame }).frame;
  }

  /** Waits for the close and returns its code. */
  async nextClose(timeoutMs = RAW_TIMEOUT_MS): Promise<Closed> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_r, reject) => {
      timer = setTimeout(() => reject(new Error(`${this.label}: not closed within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      return await Promise.race([this.closed, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Every decoded reply queued so far, removing them. */
  drainFrames(): Frame[] {
    return this.inbox.drain().flatMap((r) => (r.decoded.ok ? [r.decoded.frame] : []));
  }

  /** Reads HELLO (the relay's first frame). */
  hello(timeoutMs = RAW_TIMEOUT_MS): Promise<HelloFrame> {
    return this.nextOfType(FrameType.HELLO, timeoutMs);
  }

  /**
   * Registers like RelayClient does, with the frames visible. `tamper` may rewrite HS1 before it goes out.
   * Returns the transcript hash from READY.
   */
  async register(identity: Identity, opts: RegisterOptions = {}): Promise<{ hello: HelloFrame; transcriptHash: Uint8Array }> {
    const hello = await this.hello();
    const initiator = new HandshakeInitiator(HandshakeContext.C2S, identity, opts.expectedRelayId ?? hello.relayId, opts.binding ?? this.ws.url);
    const m1 = initiator.start();
    this.send({ type: FrameType.HS1, ...(opts.tamperHs1 ? opts.tamperHs1(m1) : m1) });
    const hs2 = await this.next();
    if (hs2.type !== FrameType.HS2) throw new Error(`${this.label}: expected HS2, got ${describeFrame(hs2)}`);
    const step = initiator.finish(hs2);
    if (!step.ok) throw step.error;
    this.send({ type: FrameType.HS3, sigC: opts.tamperSigC ? opts.tamperSigC(step.value.m3.sigC) : step.value.m3.sigC });
    const ready = await this.next();
    if (ready.type !== FrameType.READY) throw new Error(`${this.label}: expected READY, got ${describeFrame(ready)}`);
    return { hello, transcriptHash: ready.transcriptHash };
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  terminate(): void {
    this.ws.terminate();
  }

  async close(): Promise<void> {
    if (this.isClosed) return;
    this.ws.close(1000);
    const timer = setTimeout(() => this.ws.terminate(), 1000);
    await this.closed;
    clearTimeout(timer);
  }
}

export interface RegisterOptions {
  binding?: string;
  expectedRelayId?: Uint8Array;
  tamperHs1?: (m1: HandshakeM1) => HandshakeM1;
  tamperSigC?: (sigC: Uint8Array) => Uint8Array;
}

export function describeFrame(f: Frame): string {
  return f.type === FrameType.ERROR ? `ERROR ${errorName(f.code)}: ${f.message}` : frameTypeName(f.type);
}

/** Opens and registers a raw peer. */
export async function connectRaw(url: string, identity: Identity, label = 'raw', opts: RawOpenOptions = {}): Promise<RawPeer> {
  const peer = await RawPeer.open(url, opts, label);
  await peer.register(identity);
  return peer;
}
