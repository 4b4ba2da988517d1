// The headless UI (`w2w node --ui`): an HTTP server on 127.0.0.1 only that serves the built renderer to
// whoever holds the start-up token, and bridges the API contract over a WebSocket at /api.
//
//   GET /?token=T      valid T: sets an HttpOnly SameSite=Strict cookie, 303 to the same path without it
//   GET /<file>        with the cookie: a file of dist-renderer/ (anything else 404)
//   GET /api (Upgrade) with the cookie (or ?token=) and Origin = the UI's own origin: the API bridge
//   POST /files/upload, GET /files/download   with the cookie (or ?token=); an upload also needs
//                      Origin = the UI's own origin, a download a missing or matching one (file-endpoints.ts)
//   no credentials     401;  a wrong token or cookie  403;  a foreign Host or Origin  403
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { NodeApi } from '../../src-shared/api/contract.js';
import { bridgeConnection, DEFAULT_BRIDGE_LIMITS, EventHub, type BridgeLimits } from './api-bridge.js';
import { BridgeCloseCode } from './bridge-protocol.js';
import { contentDisposition, DEFAULT_MAX_UPLOAD_BYTES, FileEndpoints, type FileAnswer } from './file-endpoints.js';
import { findRendererDir } from './renderer-dir.js';
import { SECURITY_HEADERS } from './security-headers.js';
import { StaticFiles } from './static-files.js';
import { authenticate, newUiToken, sessionCookie } from './ui-auth.js';

/** The only address the UI listens on: it is a local control panel, never a network service. */
export const UI_HOST = '127.0.0.1';
const MAX_BRIDGE_SOCKETS = 16;

export interface UiServerOptions {
  api: NodeApi;
  /** dist-renderer/ by default (found next to the package) */
  rendererDir?: string;
  /** 0 (the default) picks a free port */
  port?: number;
  limits?: Partial<BridgeLimits>;
  /** the node's data dir: enables /files/upload (into <data>/uploads) and /files/download (from <data>/downloads) */
  dataDir?: string;
  /** cap on one upload (DEFAULT_MAX_UPLOAD_BYTES) */
  maxUploadBytes?: number;
}

export interface UiServer {
  readonly port: number;
  /** http://127.0.0.1:PORT */
  readonly origin: string;
  readonly token: string;
  /** the URL to open: origin + "/?token=…" */
  readonly url: string;
  close(): Promise<void>;
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad request.',
  401: 'This w2w UI needs its token: open the URL that `w2w node --ui` printed.',
  403: 'Forbidden: wrong token, host or origin. Open the URL that `w2w node --ui` printed.',
  404: 'Not found.',
  405: 'Method not allowed.',
  411: 'An upload needs a Content-Length.',
  413: 'The upload is larger than this node accepts.',
  426: 'This is the API WebSocket; connect with WebSocket.',
  500: 'Internal error.',
  503: 'Too many UI connections.',
};

function reply(res: http.ServerResponse, status: number, extra: Record<string, string> = {}): void {
  const body = `${STATUS_TEXT[status] ?? ''}\n`;
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(body)),
    'Cache-Control': 'no-store',
    ...extra,
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

/** Refuses an upgrade with a plain HTTP answer before any WebSocket exists. */
function refuseUpgrade(socket: Duplex, status: number): void {
  const reason = http.STATUS_CODES[status] ?? 'Error';
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

export async function startUiServer(opts: UiServerOptions): Promise<UiServer> {
  const rendererDir = opts.rendererDir ?? findRendererDir();
  if (!rendererDir) throw new Error('The UI is not built (no dist-renderer/index.html); run `npm run build:renderer` first.');
  const files = StaticFiles.scan(rendererDir);
  const limits: BridgeLimits = { ...DEFAULT_BRIDGE_LIMITS, ...opts.limits };
  const fileEndpoints = opts.dataDir ? new FileEndpoints({ dataDir: opts.dataDir, maxUploadBytes: opts.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES }) : null;
  const token = newUiToken();
  let port = 0;
  let origin = '';

  // Requests naming another host are refused: a DNS-rebound name resolving to 127.0.0.1 gets nothing.
  const hostOk = (req: http.IncomingMessage): boolean => req.headers.host === `${UI_HOST}:${port}`;
  const parseUrl = (req: http.IncomingMessage): URL | null => {
    const raw = req.url ?? '';
    if (!raw.startsWith('/') || raw.startsWith('//')) return null;
    try {
      return new URL(raw, origin);
    } catch {
      return null;
    }
  };

  const server = http.createServer((req, res) => {
    try {
      if (!hostOk(req)) return reply(res, 403);
      const url = parseUrl(req);
      if (!url) return reply(res, 400);
      const isFiles = url.pathname.startsWith('/files/');
      if (isFiles && fileEndpoints) return void serveFiles(fileEndpoints, req, res, url);
      if (req.method !== 'GET' && req.method !== 'HEAD') return reply(res, 405, { Allow: 'GET, HEAD' });
      const auth = authenticate(req, url, token, port);
      if (auth === 'missing') return reply(res, 401);
      if (auth === 'wrong') return reply(res, 403);
      if (url.searchParams.has('token')) {
        // First visit: trade the token in the URL for a cookie, then reload without it so the token
        // stays out of history, bookmarks and the address bar.
        url.searchParams.delete('token');
        // One leading slash: the parser turns "/.//host" into the path "//host", which as a Location would
        // be protocol-relative and send the browser to another site.
        const location = `/${url.pathname.replace(/^\/+/, '')}${url.search}`;
        return reply(res, 303, { 'Set-Cookie': sessionCookie(port, token), Location: location });
      }
      if (url.pathname === '/api') return reply(res, 426);
      const file = files.lookup(url.pathname);
      if (!file) return reply(res, 404);
      fs.readFile(file.file, (err, body) => {
        if (err) return reply(res, err.code === 'ENOENT' ? 404 : 500);
        res.writeHead(200, {
          ...SECURITY_HEADERS,
          'Content-Type': file.type,
          'Content-Length': String(body.length),
          'Cache-Control': file.immutable ? 'private, max-age=31536000, immutable' : 'no-store',
        });
        res.end(req.method === 'HEAD' ? undefined : body);
      });
    } catch {
      if (!res.headersSent) reply(res, 500);
      else res.destroy();
    }
  });

  const answer = (res: http.ServerResponse, a: FileAnswer): void => {
    if (!a.json) return reply(res, a.status, { Connection: 'close' });
    const body = JSON.stringify(a.json);
    res.writeHead(a.status, { ...SECURITY_HEADERS, 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)), 'Cache-Control': 'no-store' });
    res.end(body);
  };

  async function serveFiles(files: FileEndpoints, req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    try {
      const upload = url.pathname === '/files/upload';
      const download = url.pathname === '/files/download';
      if (!upload && !download) return reply(res, 404, { Connection: 'close' });
      if (upload ? req.method !== 'POST' : req.method !== 'GET' && req.method !== 'HEAD') {
        return reply(res, 405, { Allow: upload ? 'POST' : 'GET, HEAD', Connection: 'close' });
      }
      const auth = authenticate(req, url, token, port);
      if (auth === 'missing') return reply(res, 401, { Connection: 'close' });
      if (auth === 'wrong') return reply(res, 403, { Connection: 'close' });
      // Another page in the same browser could POST here (a form needs no CORS): only our own page may.
      // A download is a plain navigation, which carries no Origin; if one is sent it must be ours.
      const o = req.headers.origin;
      if (upload ? o !== origin : o !== undefined && o !== origin) return reply(res, 403, { Connection: 'close' });
      if (upload) return answer(res, await files.upload(req, url));
      const found = await files.download(url);
      if (found.status !== 200 || !('fh' in found)) return answer(res, found);
      const fh = found.fh;
      res.writeHead(200, {
        ...SECURITY_HEADERS,
        'Content-Type': 'application/octet-stream',
        'Content-Length': String(found.size),
        'Content-Disposition': contentDisposition(found.name),
        'Cache-Control': 'no-store',
      });
      if (req.method === 'HEAD' || found.size === 0) {
        await fh.close().catch(() => {});
        return void res.end();
      }
      // From the handle opened by the check (it closes with the stream): the path is not looked at
      // again, and no more than Content-Length goes out if the file grew meanwhile.
      const stream = fh.createReadStream({ start: 0, end: found.size - 1 });
      stream.on('error', () => res.destroy());
      res.on('close', () => stream.destroy());
      stream.pipe(res);
    } catch {
      if (!res.headersSent) reply(res, 500, { Connection: 'close' });
      else res.destroy();
    }
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxMessageBytes, perMessageDeflate: false });
  const events = new EventHub(opts.api);
  wss.on('connection', (ws) => bridgeConnection(ws, opts.api, events, limits));

  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    // A throw here would be uncaught (an event listener of the server): it must end this socket, not the node.
    try {
      const url = parseUrl(req);
      if (!url || url.pathname !== '/api') return refuseUpgrade(socket, 404);
      // The Origin check stops other pages in the same browser; the cookie alone would not (WebSockets
      // are not bound by CORS), although SameSite=Strict already keeps it off cross-site requests.
      if (!hostOk(req) || req.headers.origin !== origin) return refuseUpgrade(socket, 403);
      const auth = authenticate(req, url, token, port);
      if (auth === 'missing') return refuseUpgrade(socket, 401);
      if (auth === 'wrong') return refuseUpgrade(socket, 403);
      if (wss.clients.size >= MAX_BRIDGE_SOCKETS) return refuseUpgrade(socket, 503);
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    } catch {
      refuseUpgrade(socket, 500);
    }
  });

  await new Promise<void>((resolve, reject) => {
    const failed = (err: Error): void => {
      events.close();
      reject(err);
    };
    server.once('error', failed);
    server.listen(opts.port ?? 0, UI_HOST, () => {
      server.off('error', failed);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  origin = `http://${UI_HOST}:${port}`;

  return {
    port,
    origin,
    token,
    url: `${origin}/?token=${token}`,
    async close() {
      for (const ws of wss.clients) {
        ws.close(BridgeCloseCode.GOING_AWAY, 'UI server closing');
        // A browser that never answers the close frame must not hold the shutdown up.
        setTimeout(() => ws.terminate(), 1000).unref();
      }
      events.close();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
