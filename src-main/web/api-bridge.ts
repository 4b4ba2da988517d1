// One browser's WebSocket at /api: turns its calls into NodeApi calls and pushes every API event to it.
// It holds no logic of its own beyond the bounds below; the NodeApi validates every parameter.
import type { WebSocket } from 'ws';
import { API_METHODS, type ApiMethod, type NodeApi } from '../../src-shared/api/contract.js';
import { ErrorCode, errorName } from '../../src-shared/protocol/errors.js';
import { TokenBucket } from '../relay/token-bucket.js';
import { API_EVENT_NAMES } from './api-events.js';
import { BridgeCloseCode, parseBridgeRequest, type BridgeEvent, type BridgeResponse } from './bridge-protocol.js';

export interface BridgeLimits {
  /** largest message accepted, in bytes (enforced by the ws server's maxPayload) */
  maxMessageBytes: number;
  /** calls per second, refilled continuously */
  ratePerSec: number;
  rateBurst: number;
  /** calls awaiting an answer at once */
  maxInFlight: number;
  /** unsent bytes queued for this browser before it counts as a slow consumer */
  maxBufferedBytes: number;
}

export const DEFAULT_BRIDGE_LIMITS: BridgeLimits = {
  maxMessageBytes: 256 * 1024,
  ratePerSec: 50,
  rateBurst: 200,
  maxInFlight: 32,
  maxBufferedBytes: 8 * 1024 * 1024,
};

/**
 * Subscribes to every API event once and hands each to all open bridge sockets, so the node's emitter
 * carries one listener per event however many browser tabs are open.
 */
export class EventHub {
  readonly #sinks = new Set<(msg: BridgeEvent) => void>();
  readonly #off: (() => void)[];

  constructor(api: NodeApi) {
    this.#off = API_EVENT_NAMES.map((event) =>
      api.on(event, (payload) => {
        const msg = { event, payload } as BridgeEvent;
        for (const sink of this.#sinks) sink(msg);
      }),
    );
  }

  add(sink: (msg: BridgeEvent) => void): () => void {
    this.#sinks.add(sink);
    return () => this.#sinks.delete(sink);
  }

  close(): void {
    for (const off of this.#off.splice(0)) off();
    this.#sinks.clear();
  }
}

/** Serves one connection until it closes. */
export function bridgeConnection(ws: WebSocket, api: NodeApi, events: EventHub, limits: BridgeLimits): void {
  const bucket = new TokenBucket(limits.ratePerSec, limits.rateBurst);
  let inFlight = 0;

  const send = (msg: BridgeResponse | BridgeEvent): void => {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > limits.maxBufferedBytes) {
      ws.close(BridgeCloseCode.SLOW_CONSUMER, 'too many unread messages');
      return;
    }
    ws.send(JSON.stringify(msg));
  };

  const unsubscribe = events.add(send);

  ws.on('message', (data, isBinary) => {
    if (isBinary) return ws.close(BridgeCloseCode.UNSUPPORTED_DATA, 'text messages only');
    if (!bucket.take()) return ws.close(BridgeCloseCode.RATE_LIMITED, 'too many messages');
    if (inFlight >= limits.maxInFlight) return ws.close(BridgeCloseCode.RATE_LIMITED, 'too many calls awaiting answers');
    const req = parseBridgeRequest(data.toString());
    if (!req) return ws.close(BridgeCloseCode.MALFORMED, 'expected {id, method, params}');
    if (!(API_METHODS as readonly string[]).includes(req.method)) {
      const message = `unknown method "${req.method}"`;
      return send({ id: req.id, result: { ok: false, error: { code: ErrorCode.BAD_REQUEST, name: errorName(ErrorCode.BAD_REQUEST), message } } });
    }
    inFlight++;
    // NodeApi.call never rejects (it answers with the Result envelope); the catch only guards that promise.
    api
      .call(req.method as ApiMethod, req.params as never)
      .catch((err: unknown) => ({ ok: false as const, error: { code: ErrorCode.INTERNAL, name: errorName(ErrorCode.INTERNAL), message: String(err) } }))
      .then((result) => {
        inFlight--;
        send({ id: req.id, result });
      });
  });

  ws.on('close', unsubscribe);
  ws.on('error', () => ws.terminate());
}
