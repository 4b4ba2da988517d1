// The relay's listening side: an HTTP(S) server carrying the WebSocket endpoint, subprotocol
// negotiation, the connection cap and the liveness sweep. Everything per connection is in Connection.
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { FrameType, Limits, RelayDefaults, SUBPROTOCOL } from '../../src-shared/protocol/constants.js';
import { CloseCode, ErrorCode } from '../../src-shared/protocol/errors.js';
import { ZERO_REF, encodeFrame } from '../../src-shared/protocol/frames.js';
import type { Identity } from '../crypto/identity.js';
import { Connection } from './connection.js';
import type { GroupStore, NodeListStore } from './ports.js';
import type { DirectoryRepo } from '../store/directory-repo.js';
import { RelayCore, type RelayLimits } from './relay-core.js';
import { SocketBatcher } from './socket-batcher.js';
import { Federation, type FederationOptions } from '../federation/federation.js';

export interface RelayServerOptions {
  identity: Identity;
  stores: { nodeList: NodeListStore; groups: GroupStore; directory?: DirectoryRepo };
  host: string;
  /** 0 picks a free port */
  port: number;
  tls?: { cert: string | Buffer; key: string | Buffer };
  limits?: Partial<RelayLimits>;
  /**
   * URLs clients may name in their handshake binding. Empty: any ws:// or wss:// URL is accepted
   * (the binding is still signed). Set it when the relay sits behind a reverse proxy or a DNS name.
   */
  publicUrls?: string[];
  /** relay-to-relay federation; without it the relay serves its own clients only */
  federation?: Omit<FederationOptions, 'identity' | 'batcher' | 'link' | 'log'>;
  log?: (line: string) => void;
}

export const DEFAULT_LIMITS: RelayLimits = {
  maxFrameBytes: RelayDefaults.maxFrameBytes,
  maxRecipients: Limits.MAX_RECIPIENTS,
  ratePerSec: RelayDefaults.ratePerSec,
  rateBurst: RelayDefaults.rateBurst,
  pingIntervalMs: RelayDefaults.pingIntervalMs,
  pingTimeoutMs: RelayDefaults.pingTimeoutMs,
  handshakeTimeoutMs: RelayDefaults.handshakeTimeoutMs,
  maxConnections: RelayDefaults.maxConnections,
  maxBufferedBytes: RelayDefaults.maxBufferedBytes,
  maxRateViolations: RelayDefaults.maxRateViolations,
};

/** Canonical form used to compare handshake bindings: scheme://host:port/path, no query or fragment. */
export function normalizeRelayUrl(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== 'ws:' && u.protocol !== 'wss:') return null;
  const port = u.port || (u.protocol === 'wss:' ? '443' : '80');
  return `${u.protocol}//${u.hostname.toLowerCase()}:${port}${u.pathname || '/'}`;
}

export class RelayServer {
  readonly core: RelayCore;
  private readonly http: http.Server | https.Server;
  private readonly wss: WebSocketServer;
  private sweep: NodeJS.Timeout | null = null;
  private readonly connections = new Set<Connection>();
  private readonly log: (line: string) => void;

  constructor(private readonly opts: RelayServerOptions) {
    const limits = { ...DEFAULT_LIMITS, ...opts.limits };
    if (limits.maxFrameBytes > Limits.MAX_FRAME_BYTES) throw new RangeError(`maxFrameBytes may not exceed ${Limits.MAX_FRAME_BYTES}`);
    if (limits.maxRecipients > Limits.MAX_RECIPIENTS) throw new RangeError(`maxRecipients may not exceed ${Limits.MAX_RECIPIENTS}`);
    this.log = opts.log ?? (() => {});
    const allowed = new Set((opts.publicUrls ?? []).map((u) => normalizeRelayUrl(u)).filter((u): u is string => u !== null));
    const bindingCheck = (binding: string): boolean => {
      const n = normalizeRelayUrl(binding);
      if (n === null) return false;
      return allowed.size === 0 || allowed.has(n);
    };
    let federation: Federation | null = null;
    const batcher = new SocketBatcher();
    if (opts.federation) {
      federation = new Federation({
        ...opts.federation,
        identity: opts.identity,
        batcher,
        link: { pingIntervalMs: limits.pingIntervalMs, pingTimeoutMs: limits.pingTimeoutMs, maxBufferedBytes: limits.maxBufferedBytes * 8 },
        log: this.log,
      });
    }
    this.core = new RelayCore(opts.identity, limits, opts.stores, bindingCheck, this.log, federation, batcher);
    // A socket counts against maxConnections only once upgraded: until then it must not outlive the
    // handshake deadline, or a slowloris peer (a partial upgrade request, or nothing at all) holds file
    // handles uncounted for Node's default 60 s and more. The check runs at least once a second.
    const preUpgrade: http.ServerOptions = {
      headersTimeout: limits.handshakeTimeoutMs,
      requestTimeout: limits.handshakeTimeoutMs,
      connectionsCheckingInterval: Math.max(50, Math.min(1000, limits.handshakeTimeoutMs)),
    };
    // The TLS handshake comes first and has its own deadline (Node's default: 120 s).
    this.http = opts.tls
      ? https.createServer({ ...preUpgrade, handshakeTimeout: limits.handshakeTimeoutMs, cert: opts.tls.cert, key: opts.tls.key })
      : http.createServer(preUpgrade);
    this.http.on('request', (_req, res) => {
      // connection: close: a client repeating keep-alive requests would otherwise hold the socket
      // forever without ever upgrading, uncounted against maxConnections.
      res.writeHead(426, { 'content-type': 'text/plain; charset=utf-8', upgrade: 'websocket', connection: 'close' });
      res.end(`w2w relay: connect with a WebSocket client using subprotocol "${SUBPROTOCOL}".\n`);
    });
    this.wss = new WebSocketServer({
      server: this.http,
      // Frames between the advertised limit and twice it get a coded FRAME_TOO_LARGE error and the
      // connection lives on; ws closes anything larger (1009) before buffering it.
      maxPayload: limits.maxFrameBytes * 2,
      perMessageDeflate: false,
      handleProtocols: (protocols) => (protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
    });
    this.wss.on('connection', (ws, req) => this.onConnection(ws, req.socket.remoteAddress ?? '?'));
  }

  get limits(): RelayLimits {
    return this.core.limits;
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(this.opts.port, this.opts.host, () => {
        this.http.off('error', reject);
        resolve();
      });
    });
    this.sweep = setInterval(() => {
      for (const c of this.connections) c.heartbeat();
    }, this.core.limits.pingIntervalMs);
    this.sweep.unref();
    this.core.federation?.startSavedLinks();
  }

  get port(): number {
    return (this.http.address() as AddressInfo).port;
  }

  get url(): string {
    const host = this.opts.host.includes(':') ? `[${this.opts.host}]` : this.opts.host;
    return `${this.opts.tls ? 'wss' : 'ws'}://${host}:${this.port}/`;
  }

  private onConnection(ws: WebSocket, remote: string): void {
    if (ws.protocol !== SUBPROTOCOL) {
      this.refuse(ws, ErrorCode.UNSUPPORTED_VERSION, `offer WebSocket subprotocol "${SUBPROTOCOL}"`, CloseCode.PROTOCOL_ERROR, 'unsupported subprotocol');
      return;
    }
    if (this.core.connectionCount >= this.core.limits.maxConnections) {
      const message = `relay is at its limit of ${this.core.limits.maxConnections} connections; try again later`;
      this.refuse(ws, ErrorCode.TOO_MANY_CONNECTIONS, message, CloseCode.TRY_AGAIN_LATER, 'too many connections');
      return;
    }
    this.core.connectionCount++;
    const conn = new Connection(ws, this.core, remote);
    this.connections.add(conn);
    ws.once('close', () => this.connections.delete(conn));
  }

  /**
   * A socket refused at the door is not counted against maxConnections, so it must not linger: a peer
   * that never answers the close would otherwise hold it for ws's 30 s close timeout.
   */
  private refuse(ws: WebSocket, code: ErrorCode, message: string, closeCode: number, reason: string): void {
    // ws emits 'error' for a bad frame from the peer (unmasked, oversize, bad close code): with no
    // listener that is an uncaught exception, and the whole relay would go down.
    ws.on('error', () => {});
    ws.send(encodeFrame({ type: FrameType.ERROR, code, ref: ZERO_REF, message }));
    ws.close(closeCode, reason);
    setTimeout(() => ws.terminate(), 1000).unref();
    this.core.countError(code);
  }

  /** Clean shutdown: tell clients, close every socket (1001), stop listening. */
  async close(): Promise<void> {
    if (this.sweep) clearInterval(this.sweep);
    this.core.federation?.stop();
    this.core.broadcastNotice('relay is shutting down');
    for (const c of this.connections) c.close(CloseCode.GOING_AWAY, 'relay shutting down');
    // Leaves (and registrations whose READY is pending) are committed now, while the store is open.
    this.core.nodeList.flush();
    // wss.close() calls back only once every client is gone, so peers that never answer the close
    // (not reading, vanished) are cut after a short grace rather than the connection's 5 s one.
    const cut = setTimeout(() => {
      for (const ws of this.wss.clients) ws.terminate();
    }, 1000);
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    clearTimeout(cut);
    await new Promise<void>((resolve) => {
      this.http.close(() => resolve());
      this.http.closeAllConnections?.();
    });
  }
}
