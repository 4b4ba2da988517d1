// Dials a relay and runs the initiator side of the handshake (HELLO -> HS1 -> HS2 -> HS3 -> READY).
// Clients register with it (c2s) and relays open federation links with it (s2s).
import WebSocket from 'ws';
import { FrameType, HandshakeContext, Limits, PROTOCOL_VERSION, SUBPROTOCOL } from '../../src-shared/protocol/constants.js';
import { ErrorCode, W2wError } from '../../src-shared/protocol/errors.js';
import { decodeFrame, encodeFrame, frameTypeName, type Frame, type HelloFrame } from '../../src-shared/protocol/frames.js';
import { bytesEqual, shortId } from '../../src-shared/ids.js';
import { HandshakeInitiator } from '../crypto/handshake.js';
import type { Identity } from '../crypto/identity.js';

export interface DialOptions {
  url: string;
  identity: Identity;
  ctx?: HandshakeContext;
  /** pin: refuse a relay whose ID differs (e.g. from "URL#ID") */
  expectedRelayId?: Uint8Array;
  /** extra CA certificate(s) to trust for wss:// */
  ca?: string | Buffer;
  /**
   * false skips TLS certificate checks. Allowed only together with expectedRelayId: the relay is then
   * authenticated by its Ed25519 key in the handshake (a node's own client on loopback uses this).
   */
  rejectUnauthorized?: boolean;
  handshakeTimeoutMs?: number;
  /** the binding signed into the handshake; defaults to the URL */
  binding?: string;
}

export interface Dialled {
  ws: WebSocket;
  hello: HelloFrame;
  transcriptHash: Buffer;
  /**
   * Frames after READY are held until this is called (ws drops messages nobody listens to, and the
   * relay's next frames can arrive in the same read as READY, before the caller's await resumes).
   * Call it once: it replays the held frames to onMessage in order, then passes later ones straight on.
   */
  takeOver(onMessage: (data: Buffer) => void): void;
}

export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;

export function dialRelay(opts: DialOptions): Promise<Dialled> {
  if (opts.rejectUnauthorized === false && !opts.expectedRelayId) {
    throw new Error('dialRelay: rejectUnauthorized: false needs expectedRelayId, or nothing authenticates the relay.');
  }
  const timeoutMs = opts.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
  const ws = new WebSocket(opts.url, SUBPROTOCOL, {
    perMessageDeflate: false,
    maxPayload: Limits.MAX_FRAME_BYTES,
    ca: opts.ca,
    rejectUnauthorized: opts.rejectUnauthorized ?? true,
    handshakeTimeout: timeoutMs,
  });
  ws.binaryType = 'nodebuffer';
  return new Promise((resolve, reject) => {
    let hello: HelloFrame | null = null;
    let initiator: HandshakeInitiator | null = null;
    let expectedTh: Buffer | null = null;
    let settled = false;
    const timer = setTimeout(() => done(new W2wError(ErrorCode.HANDSHAKE_TIMEOUT, `no handshake with ${opts.url} within ${timeoutMs} ms`)), timeoutMs);
    const onError = (err: Error): void => done(new W2wError(ErrorCode.INTERNAL, `cannot reach ${opts.url}: ${err.message}`));
    const onClose = (code: number, reason: Buffer): void => done(new W2wError(ErrorCode.INTERNAL, `relay closed the connection (${code} ${reason.toString()})`));
    function done(err: Error | null): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ws.off('message', onMessage);
      ws.off('error', onError);
      ws.off('close', onClose);
      if (err || !hello || !expectedTh) {
        initiator?.abort();
        ws.on('error', () => {});
        ws.terminate();
        reject(err ?? new Error('handshake ended without a result'));
        return;
      }
      const held: Buffer[] = [];
      const hold = (data: Buffer): void => {
        held.push(data);
      };
      ws.on('message', hold);
      resolve({
        ws,
        hello,
        transcriptHash: expectedTh,
        takeOver(onMessage) {
          ws.off('message', hold);
          for (const data of held.splice(0)) onMessage(data);
          ws.on('message', onMessage);
        },
      });
    }
    const send = (f: Frame): void => ws.send(encodeFrame(f));
    function onMessage(data: Buffer, isBinary: boolean): void {
      if (!isBinary) return done(new W2wError(ErrorCode.TEXT_FRAME, 'relay sent a text message'));
      const d = decodeFrame(data);
      if (!d.ok) return done(d.error);
      const f = d.frame;
      if (f.type === FrameType.ERROR) return done(new W2wError(f.code, `relay refused the handshake: ${f.message}`));
      if (!initiator) {
        if (f.type !== FrameType.HELLO) return done(new W2wError(ErrorCode.UNEXPECTED_FRAME, `expected HELLO, got ${frameTypeName(f.type)}`));
        if (f.version !== PROTOCOL_VERSION) return done(new W2wError(ErrorCode.UNSUPPORTED_VERSION, `relay speaks v${f.version}`));
        if (opts.expectedRelayId && !bytesEqual(opts.expectedRelayId, f.relayId)) {
          return done(new W2wError(ErrorCode.WRONG_PEER, `expected relay ${shortId(opts.expectedRelayId)}, reached ${shortId(f.relayId)}`));
        }
        hello = { ...f, relayId: Buffer.from(f.relayId) };
        initiator = new HandshakeInitiator(opts.ctx ?? HandshakeContext.C2S, opts.identity, hello.relayId, opts.binding ?? opts.url);
        send({ type: FrameType.HS1, ...initiator.start() });
        return;
      }
      if (!expectedTh) {
        if (f.type !== FrameType.HS2) return done(new W2wError(ErrorCode.UNEXPECTED_FRAME, `expected HS2, got ${frameTypeName(f.type)}`));
        const step = initiator.finish(f);
        if (!step.ok) return done(step.error);
        // The c2s and s2s keys are not used on the wire in v1: TLS protects those hops.
        step.value.result.sendKey.fill(0);
        step.value.result.recvKey.fill(0);
        send({ type: FrameType.HS3, ...step.value.m3 });
        expectedTh = step.value.result.transcriptHash;
        return;
      }
      if (f.type !== FrameType.READY) return done(new W2wError(ErrorCode.UNEXPECTED_FRAME, `expected READY, got ${frameTypeName(f.type)}`));
      if (!bytesEqual(f.transcriptHash, expectedTh)) return done(new W2wError(ErrorCode.BAD_SIGNATURE, 'relay confirmed a different transcript'));
      done(null);
    }
    ws.on('message', onMessage);
    ws.on('error', onError);
    ws.on('close', onClose);
  });
}
