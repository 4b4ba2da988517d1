// One authenticated relay-to-relay link (after the s2s handshake), whichever side dialled: it carries
// ROUTE, FWD and RECEIPT frames both ways, measures its round trip with pings, and gives up on a peer
// that stops answering or stops reading.
import type WebSocket from 'ws';
import { CloseCode } from '../../src-shared/protocol/errors.js';
import { encodeFrame, type Frame } from '../../src-shared/protocol/frames.js';
import { idKey, type IdKey } from '../relay/id-key.js';
import type { SocketBatcher } from '../relay/socket-batcher.js';
import type { LinkId } from './route-table.js';

export interface LinkOptions {
  pingIntervalMs: number;
  pingTimeoutMs: number;
  /** bytes queued to the peer before the link counts as stuck and is dropped (it will be redialled) */
  maxBufferedBytes: number;
}

let nextLinkId = 1;

export class Link {
  readonly id: LinkId = nextLinkId++;
  readonly peerKey: IdKey;
  readonly connectedMs = Date.now();
  rttMs = 0;
  /** frames sent so far (diagnostics and tests: what crossed the link) */
  framesOut = 0;
  private pingSent = 0;
  private pingTimer: NodeJS.Timeout;
  private pongDeadline: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    readonly ws: WebSocket,
    readonly peerId: Buffer,
    readonly outbound: boolean,
    /** the URL dialled (outbound) or the peer's address (inbound) */
    readonly url: string,
    private readonly batcher: SocketBatcher,
    private readonly opts: LinkOptions,
  ) {
    this.peerKey = idKey(peerId);
    ws.on('pong', () => {
      if (this.pongDeadline) clearTimeout(this.pongDeadline);
      this.pongDeadline = null;
      this.rttMs = Math.max(0, Math.round(performance.now() - this.pingSent));
    });
    this.pingTimer = setInterval(() => this.ping(), opts.pingIntervalMs);
    this.pingTimer.unref();
    this.ping();
  }

  get isUp(): boolean {
    return !this.closed && this.ws.readyState === 1;
  }

  private ping(): void {
    if (!this.isUp || this.pongDeadline) return;
    this.pingSent = performance.now();
    this.pongDeadline = setTimeout(() => this.close(CloseCode.PING_TIMEOUT, 'link: no pong within the ping timeout'), this.opts.pingTimeoutMs);
    this.pongDeadline.unref();
    try {
      this.ws.ping();
    } catch {
      // closing already
    }
  }

  /** Whether the send queue is below half its limit: bulk senders (the snapshot) wait for this. */
  get hasRoom(): boolean {
    return this.ws.bufferedAmount <= this.opts.maxBufferedBytes / 2;
  }

  send(bytes: Uint8Array): boolean {
    if (!this.isUp) return false;
    if (this.ws.bufferedAmount > this.opts.maxBufferedBytes) {
      this.close(CloseCode.SLOW_CONSUMER, 'link: send queue over limit');
      return false;
    }
    this.batcher.hold(this.ws);
    this.ws.send(bytes, { binary: true });
    this.framesOut++;
    return true;
  }

  sendFrame(frame: Frame): boolean {
    return this.send(encodeFrame(frame));
  }

  close(code: number = CloseCode.NORMAL, reason = ''): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.pingTimer);
    if (this.pongDeadline) clearTimeout(this.pongDeadline);
    try {
      this.ws.close(code, reason);
    } catch {
      // already gone
    }
    setTimeout(() => this.ws.terminate(), 1000).unref();
  }

  /** Called when the socket is gone, whoever closed it. */
  dispose(): void {
    this.closed = true;
    clearInterval(this.pingTimer);
    if (this.pongDeadline) clearTimeout(this.pongDeadline);
  }
}
