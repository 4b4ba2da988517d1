// The headless UI server and its API bridge against a real node over real HTTP and WebSocket on
// 127.0.0.1: token and cookie, Host and Origin checks, strict headers, static files without path
// traversal, the API round trip, pushed events, and the bounds on message size, shape and rate.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ApiEvent, ApiEvents } from '../../src-shared/api/contract.js';
import { ErrorCode } from '../../src-shared/protocol/errors.js';
import { idToText } from '../../src-shared/ids.js';
import { Messenger } from '../../src-main/client/messenger.js';
import { RelayClient } from '../../src-main/client/relay-client.js';
import { generateIdentity } from '../../src-main/crypto/identity.js';
import { createNodeApi } from '../../src-main/node/api.js';
import { W2wNode } from '../../src-main/node/node.js';
import { openStore, type Store } from '../../src-main/store/db.js';
import { BridgeCloseCode, parseBridgeRequest } from '../../src-main/web/bridge-protocol.js';
import { cookieName } from '../../src-main/web/ui-auth.js';
import { UI_CSP } from '../../src-main/web/security-headers.js';
import { startUiServer, type UiServer } from '../../src-main/web/ui-server.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'w2w-web-'));
const SECRET = 'not for the browser';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A raw HTTP request: the path goes on the wire exactly as written (no URL normalisation). */
function request(port: number, rawPath: string, opts: { method?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: rawPath, method: opts.method ?? 'GET', headers: { Host: `127.0.0.1:${port}`, ...opts.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end();
  });
}

type Outcome = { open: WebSocket } | { status: number };

/** Opens the bridge socket; resolves with the socket or the HTTP status that refused it. */
function openBridge(ui: UiServer, headers: Record<string, string>, query = ''): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${ui.port}/api${query}`, { headers });
    ws.once('open', () => resolve({ open: ws }));
    ws.once('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0 });
      ws.terminate();
    });
    ws.once('error', (err) => {
      if (ws.readyState !== WebSocket.CLOSED) reject(err);
    });
  });
}

/** A connected bridge client that queues what the server sends. */
class BridgeClient {
  readonly received: unknown[] = [];
  private waiters: { test: (m: Record<string, unknown>) => boolean; resolve: (m: Record<string, unknown>) => void }[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private nextId = 1;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const msg = JSON.parse(data.toString()) as Record<string, unknown>;
      this.received.push(msg);
      this.waiters = this.waiters.filter((w) => {
        if (!w.test(msg)) return true;
        w.resolve(msg);
        return false;
      });
    });
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  waitFor(test: (m: Record<string, unknown>) => boolean, timeoutMs = 5000): Promise<Record<string, unknown>> {
    const found = (this.received as Record<string, unknown>[]).find(test);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no such message; got ${JSON.stringify(this.received)}`)), timeoutMs);
      this.waiters.push({ test, resolve: (m) => (clearTimeout(timer), resolve(m)) });
    });
  }

  async call(method: string, params: unknown = {}): Promise<unknown> {
    const id = this.nextId++;
    this.ws.send(JSON.stringify({ id, method, params }));
    return (await this.waitFor((m) => m.id === id)).result;
  }

  event<E extends ApiEvent>(event: E, test: (p: ApiEvents[E]) => boolean): Promise<ApiEvents[E]> {
    return this.waitFor((m) => m.event === event && test(m.payload as ApiEvents[E])).then((m) => m.payload as ApiEvents[E]);
  }
}

describe('web UI server and API bridge', () => {
  let node: W2wNode;
  let ui: UiServer;
  let cookie: string;
  let rendererDir: string;
  let peerStore: Store;
  let peer: Messenger;

  beforeAll(async () => {
    // A stand-in renderer build, with a secret next to it and a symlink pointing out of it.
    rendererDir = path.join(tmp, 'renderer');
    fs.mkdirSync(path.join(rendererDir, 'assets'), { recursive: true });
    fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>w2w</title><script type="module" src="./assets/app.js"></script>');
    fs.writeFileSync(path.join(rendererDir, 'assets', 'app.js'), 'console.log("w2w");');
    fs.writeFileSync(path.join(rendererDir, '.env'), SECRET);
    fs.writeFileSync(path.join(tmp, 'secret.txt'), SECRET);
    fs.symlinkSync(path.join(tmp, 'secret.txt'), path.join(rendererDir, 'assets', 'link.txt'));

    node = await W2wNode.start({ dataDir: path.join(tmp, 'node'), host: '127.0.0.1', port: 0 });
    ui = await startUiServer({ api: createNodeApi(node), rendererDir, limits: { ratePerSec: 5, rateBurst: 20, maxMessageBytes: 4096 } });
    cookie = `${cookieName(ui.port)}=${ui.token}`;
    peerStore = openStore(path.join(tmp, 'peer'));
    peer = new Messenger(await RelayClient.connect({ url: node.url, identity: generateIdentity() }), peerStore);
  });

  afterAll(async () => {
    await peer.client.close();
    peerStore.close();
    await ui.close();
    await node.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const good = (): Record<string, string> => ({ Cookie: cookie, Origin: ui.origin });

  it('listens on 127.0.0.1 only and prints a 32-byte hex token in its URL', () => {
    expect(ui.origin).toBe(`http://127.0.0.1:${ui.port}`);
    expect(ui.token).toMatch(/^[0-9a-f]{64}$/);
    expect(ui.url).toBe(`${ui.origin}/?token=${ui.token}`);
  });

  it('answers 401 without a token and 403 with a wrong token, cookie or host', async () => {
    const missing = await request(ui.port, '/');
    expect(missing.status).toBe(401);
    expect(missing.body).not.toContain('<title>');
    expect((await request(ui.port, '/assets/app.js')).status).toBe(401);
    expect((await request(ui.port, `/?token=${'0'.repeat(64)}`)).status).toBe(403);
    expect((await request(ui.port, '/?token=short')).status).toBe(403);
    expect((await request(ui.port, '/', { headers: { Cookie: `${cookieName(ui.port)}=${'f'.repeat(64)}` } })).status).toBe(403);
    // Another port's cookie is not this UI's cookie.
    expect((await request(ui.port, '/', { headers: { Cookie: `${cookieName(ui.port + 1)}=${ui.token}` } })).status).toBe(401);
    // A DNS-rebound name pointing at 127.0.0.1 gets nothing, even with the token.
    expect((await request(ui.port, `/?token=${ui.token}`, { headers: { Host: `evil.example:${ui.port}` } })).status).toBe(403);
    expect((await request(ui.port, '/', { method: 'POST', headers: { Cookie: cookie } })).status).toBe(405);
  });

  it('trades the token for an HttpOnly SameSite=Strict cookie and redirects to strip it', async () => {
    const first = await request(ui.port, `/?token=${ui.token}`);
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe('/');
    const setCookie = first.headers['set-cookie']?.[0] ?? '';
    expect(setCookie).toBe(`${cookie}; HttpOnly; SameSite=Strict; Path=/`);
    const page = await request(ui.port, '/', { headers: { Cookie: setCookie.split(';')[0] as string } });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('<title>w2w</title>');
    const asset = await request(ui.port, '/assets/app.js', { headers: { Cookie: cookie } });
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toBe('text/javascript; charset=utf-8');
    // Other query parameters survive the redirect.
    expect((await request(ui.port, `/?view=chat&token=${ui.token}`)).headers.location).toBe('/?view=chat');
    // The redirect stays on this origin: a path the URL parser normalises to "//host" is not a
    // protocol-relative Location that would send the browser (cookie set) to another site.
    for (const raw of ['/.//evil.example', '/a/..//evil.example/x', '/%2e%2e//evil.example']) {
      const location = (await request(ui.port, `${raw}?token=${ui.token}`)).headers.location ?? '';
      expect(location.startsWith('/')).toBe(true);
      expect(location.startsWith('//')).toBe(false);
    }
  });

  it('sends the strict headers on every answer', async () => {
    for (const answer of [await request(ui.port, '/', { headers: { Cookie: cookie } }), await request(ui.port, '/')]) {
      expect(answer.headers['content-security-policy']).toBe(UI_CSP);
      expect(answer.headers['x-content-type-options']).toBe('nosniff');
      expect(answer.headers['referrer-policy']).toBe('no-referrer');
      expect(answer.headers['x-frame-options']).toBe('DENY');
    }
    expect(UI_CSP).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
  });

  it('serves nothing outside the renderer build: no traversal, no dotfiles, no symlinks', async () => {
    const attempts = [
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/%2E%2E%2Fsecret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/..%5csecret.txt',
      '/assets/%2e%2e%5c%2e%2e%5csecret.txt',
      `/${encodeURIComponent(path.join(tmp, 'secret.txt'))}`,
      '//etc/passwd',
      '/.env',
      '/assets/link.txt',
      '/assets/app.js%00.html',
      '/%E0%A4%A',
      '/assets',
      '/assets/',
    ];
    for (const p of attempts) {
      const answer = await request(ui.port, p, { headers: { Cookie: cookie } });
      expect(answer.status, p).toBeGreaterThanOrEqual(400);
      expect(answer.body, p).not.toContain(SECRET);
    }
  });

  it('refuses the API socket without credentials, with a wrong token, or from another origin', async () => {
    expect(await openBridge(ui, { Origin: ui.origin })).toEqual({ status: 401 });
    expect(await openBridge(ui, { Origin: ui.origin, Cookie: `${cookieName(ui.port)}=${'a'.repeat(64)}` })).toEqual({ status: 403 });
    expect(await openBridge(ui, { Cookie: cookie, Origin: 'http://evil.example' })).toEqual({ status: 403 });
    expect(await openBridge(ui, { Cookie: cookie, Origin: `http://localhost:${ui.port}` })).toEqual({ status: 403 });
    expect(await openBridge(ui, { Cookie: cookie, Origin: 'null' })).toEqual({ status: 403 });
    expect(await openBridge(ui, { Cookie: cookie })).toEqual({ status: 403 });
    // The token in the query string works too (the cookie is the usual way).
    const viaToken = await openBridge(ui, { Origin: ui.origin }, `?token=${ui.token}`);
    expect('open' in viaToken).toBe(true);
    if ('open' in viaToken) viaToken.open.close();
  });

  it('a token of the right length in characters but not in bytes is just wrong: no crash, on the socket or on a page', async () => {
    // 64 UTF-16 units, 65 UTF-8 bytes: the constant-time comparison must not be handed buffers of two lengths.
    const odd = `é${'a'.repeat(63)}`;
    expect(await openBridge(ui, { Origin: ui.origin }, `?token=${encodeURIComponent(odd)}`)).toEqual({ status: 403 });
    expect((await request(ui.port, `/?token=${encodeURIComponent(odd)}`)).status).toBe(403);
    expect((await request(ui.port, '/', { headers: { Cookie: `${cookieName(ui.port)}=${odd}` } })).status).toBe(403);
    expect(await openBridge(ui, { Origin: ui.origin, Cookie: `${cookieName(ui.port)}=${odd}` })).toEqual({ status: 403 });
    // and the server still answers the real token
    const viaToken = await openBridge(ui, { Origin: ui.origin }, `?token=${ui.token}`);
    expect('open' in viaToken).toBe(true);
    if ('open' in viaToken) viaToken.open.close();
  });

  it('round-trips API calls; unknown methods and bad parameters get BAD_REQUEST results', async () => {
    const opened = await openBridge(ui, good());
    if (!('open' in opened)) throw new Error(`refused with ${opened.status}`);
    const c = new BridgeClient(opened.open);
    expect(await c.call('identity.get')).toEqual({ ok: true, value: { id: node.id } });
    const status = (await c.call('node.status')) as { ok: boolean; value: { relayUrl: string } };
    expect(status.value.relayUrl).toBe(node.url);
    expect(await c.call('node.explode')).toMatchObject({ ok: false, error: { code: ErrorCode.BAD_REQUEST, name: 'BAD_REQUEST' } });
    expect(await c.call('toString')).toMatchObject({ ok: false, error: { code: ErrorCode.BAD_REQUEST } });
    expect(await c.call('peers.add', { id: 'w2w1nope' })).toMatchObject({ ok: false, error: { code: ErrorCode.BAD_REQUEST } });
    // String ids are echoed as they came.
    c.ws.send(JSON.stringify({ id: 'abc', method: 'peers.list' }));
    expect(await c.waitFor((m) => m.id === 'abc')).toEqual({ id: 'abc', result: { ok: true, value: [] } });
    c.ws.close();
    await c.closed;
  });

  it('pushes events: messages and presence', async () => {
    const opened = await openBridge(ui, good());
    if (!('open' in opened)) throw new Error(`refused with ${opened.status}`);
    const c = new BridgeClient(opened.open);
    const peerId = idToText(peer.client.id);
    expect(await c.call('peers.add', { id: peerId, nickname: 'Bob' })).toMatchObject({ ok: true, value: { id: peerId, online: true } });
    const incoming = c.event('message', (m) => m.text === 'hello over the bridge');
    await peer.send({ kind: 'peer', id: node.id }, 'hello over the bridge');
    expect(await incoming).toMatchObject({ direction: 'in', peer: peerId, route: 'a2b' });
    const sent = (await c.call('messages.send', { to: { kind: 'peer', id: peerId }, text: 'and back' })) as { ok: boolean; value: { status: string } };
    expect(sent).toMatchObject({ ok: true, value: { status: 'delivered' } });
    const history = (await c.call('messages.history', { peer: peerId })) as { value: { text: string }[] };
    expect(history.value.map((m) => m.text)).toEqual(['hello over the bridge', 'and back']);

    // Presence of a watched peer going offline reaches the browser.
    const offline = c.event('presence', (p) => p.id === peerId && !p.online);
    await peer.client.close();
    await offline;
    peer = new Messenger(await RelayClient.connect({ url: node.url, identity: peer.client.identity }), peerStore);
    await c.event('presence', (p) => p.id === peerId && p.online);
    c.ws.close();
    await c.closed;
  });

  it('listens to the node once per event, however many tabs are open', async () => {
    const sockets = await Promise.all([openBridge(ui, good()), openBridge(ui, good()), openBridge(ui, good())]);
    expect(node.listenerCount('message')).toBe(1);
    expect(node.listenerCount('presence')).toBe(1);
    for (const s of sockets) if ('open' in s) s.open.close();
  });

  it('closes the socket on malformed, binary, oversize and too-fast messages', async () => {
    const close = async (send: (ws: WebSocket) => void): Promise<number> => {
      const opened = await openBridge(ui, good());
      if (!('open' in opened)) throw new Error(`refused with ${opened.status}`);
      const c = new BridgeClient(opened.open);
      send(c.ws);
      return (await c.closed).code;
    };
    expect(await close((ws) => ws.send('not json'))).toBe(BridgeCloseCode.MALFORMED);
    expect(await close((ws) => ws.send('[1,2]'))).toBe(BridgeCloseCode.MALFORMED);
    expect(await close((ws) => ws.send(JSON.stringify({ id: 1 })))).toBe(BridgeCloseCode.MALFORMED);
    expect(await close((ws) => ws.send(JSON.stringify({ id: 1, method: 'peers.list', params: [] })))).toBe(BridgeCloseCode.MALFORMED);
    expect(await close((ws) => ws.send(JSON.stringify({ id: -1, method: 'peers.list' })))).toBe(BridgeCloseCode.MALFORMED);
    expect(await close((ws) => ws.send(JSON.stringify({ id: 1, method: 'peers.list', extra: true })))).toBe(BridgeCloseCode.MALFORMED);
    expect(await close((ws) => ws.send(Buffer.from([1, 2, 3])))).toBe(BridgeCloseCode.UNSUPPORTED_DATA);
    expect(await close((ws) => ws.send(JSON.stringify({ id: 1, method: 'messages.send', params: { text: 'x'.repeat(5000) } })))).toBe(BridgeCloseCode.TOO_BIG);
    // Burst 20: the 21st call in a tight loop is over the rate.
    expect(
      await close((ws) => {
        for (let i = 0; i < 30; i++) ws.send(JSON.stringify({ id: i, method: 'identity.get' }));
      }),
    ).toBe(BridgeCloseCode.RATE_LIMITED);
  });

  it('parses only well-formed calls', () => {
    expect(parseBridgeRequest('{"id":1,"method":"peers.list"}')).toEqual({ id: 1, method: 'peers.list', params: {} });
    expect(parseBridgeRequest('{"id":"x","method":"peers.add","params":{"id":"w"}}')).toEqual({ id: 'x', method: 'peers.add', params: { id: 'w' } });
    for (const bad of ['null', '1', '"x"', '{}', '{"id":1.5,"method":"a"}', '{"id":"","method":"a"}', `{"id":"${'x'.repeat(65)}","method":"a"}`, '{"id":1,"method":""}', '{"id":1,"method":"a","params":null}']) {
      expect(parseBridgeRequest(bad), bad).toBeNull();
    }
  });
});

describe('w2w node --ui', () => {
  it('prints the UI URL and serves the built renderer there', async () => {
    const dir = path.join(tmp, 'cli-node');
    const proc = spawn(process.execPath, [path.resolve('bin/w2w.js'), 'node', '--port', '0', '--data', dir, '--ui'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const lines = readline.createInterface({ input: proc.stdout });
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no UI line')), 15_000);
        lines.on('line', (line) => {
          const m = /^UI: (http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{64})$/.exec(line);
          if (m) {
            clearTimeout(timer);
            resolve(m[1] as string);
          }
        });
      });
      const u = new URL(url);
      const port = Number(u.port);
      const first = await request(port, `${u.pathname}${u.search}`);
      expect(first.status).toBe(303);
      const page = await request(port, '/', { headers: { Cookie: (first.headers['set-cookie']?.[0] ?? '').split(';')[0] as string } });
      expect(page.status).toBe(200);
      expect(page.body).toContain('<div id="app">');
    } finally {
      proc.kill('SIGINT');
      await new Promise((resolve) => proc.on('exit', resolve));
    }
  });
});
