// The UI server's file endpoints against real nodes over real HTTP on 127.0.0.1: an upload is staged
// under <data>/uploads whatever name the client sends, capped in size and refused without the token or
// from another origin; a download serves only bare names from <data>/downloads (no traversal, no
// symlinks). Then the whole flow through the API: share the upload, a linked node fetches it with
// progress events, and the owner's remote delete shows up in data.deletes.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeApi, TransferProgressView } from '../../src-shared/api/contract.js';
import { ErrorCode } from '../../src-shared/protocol/errors.js';
import { createNodeApi } from '../../src-main/node/api.js';
import { W2wNode } from '../../src-main/node/node.js';
import { cookieName } from '../../src-main/web/ui-auth.js';
import { startUiServer, type UiServer } from '../../src-main/web/ui-server.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'w2w-files-'));
const MAX_UPLOAD = 256 * 1024;

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function request(port: number, rawPath: string, opts: { method?: string; headers?: Record<string, string>; body?: Buffer } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path: rawPath, method: opts.method ?? 'GET', headers: { Host: `127.0.0.1:${port}`, ...opts.headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      },
    );
    // The server may answer (413, 403) and close before the whole body is written.
    req.on('error', (err: NodeJS.ErrnoException) => (err.code === 'EPIPE' || err.code === 'ECONNRESET' ? undefined : reject(err)));
    req.end(opts.body);
  });
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

async function waitFor<T>(probe: () => Promise<T | null>, what: string, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== null) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('UI file endpoints', () => {
  let alice: W2wNode;
  let bob: W2wNode;
  let aliceApi: NodeApi;
  let bobApi: NodeApi;
  let ui: UiServer;
  let rendererDir: string;
  let auth: Record<string, string>;

  beforeAll(async () => {
    rendererDir = path.join(tmp, 'renderer');
    fs.mkdirSync(rendererDir, { recursive: true });
    fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>w2w</title>');
    alice = await W2wNode.start({ dataDir: path.join(tmp, 'alice'), host: '127.0.0.1', port: 0, openFederation: true });
    bob = await W2wNode.start({ dataDir: path.join(tmp, 'bob'), host: '127.0.0.1', port: 0, peers: [{ url: alice.url, pinnedId: null }] });
    aliceApi = createNodeApi(alice);
    bobApi = createNodeApi(bob);
    ui = await startUiServer({ api: aliceApi, rendererDir, dataDir: alice.dataDir, maxUploadBytes: MAX_UPLOAD });
    auth = { Cookie: `${cookieName(ui.port)}=${ui.token}`, Origin: ui.origin };
  });

  afterAll(async () => {
    await ui.close();
    await bob.stop();
    await alice.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const uploadsDir = (): string => path.join(alice.dataDir, 'uploads');
  const staged = (): string[] => (fs.existsSync(uploadsDir()) ? fs.readdirSync(uploadsDir()) : []);

  it('refuses an upload without the token (401), with a wrong one or another origin (403), and other methods (405)', async () => {
    const body = Buffer.from('hello');
    const up = (headers: Record<string, string>, method = 'POST'): Promise<Answer> => request(ui.port, '/files/upload?name=a.txt', { method, headers, body });
    expect((await up({ Origin: ui.origin })).status).toBe(401);
    expect((await up({ Cookie: `${cookieName(ui.port)}=${'0'.repeat(64)}`, Origin: ui.origin })).status).toBe(403);
    expect((await up({ Cookie: auth.Cookie as string })).status).toBe(403);
    expect((await up({ ...auth, Origin: 'http://evil.example' })).status).toBe(403);
    expect((await up({ ...auth, Host: 'localhost:1' })).status).toBe(403);
    expect((await up(auth, 'PUT')).status).toBe(405);
    expect((await request(ui.port, '/files/upload?name=a.txt', { headers: auth })).status).toBe(405);
    expect(staged()).toEqual([]);
  });

  it('refuses uploads over the cap (413), without a length (411), without a name (400); leaves nothing behind', async () => {
    const big = Buffer.alloc(MAX_UPLOAD + 1, 7);
    expect((await request(ui.port, '/files/upload?name=big.bin', { method: 'POST', headers: auth, body: big })).status).toBe(413);
    expect((await request(ui.port, '/files/upload?name=c.bin', { method: 'POST', headers: { ...auth, 'Transfer-Encoding': 'chunked' }, body: Buffer.from('x') })).status).toBe(411);
    expect((await request(ui.port, '/files/upload', { method: 'POST', headers: auth, body: Buffer.from('x') })).status).toBe(400);
    // A body that stops short of its Content-Length: the partial file is removed.
    await new Promise<void>((resolve) => {
      const req = http.request({ host: '127.0.0.1', port: ui.port, path: '/files/upload?name=short.bin', method: 'POST', headers: { Host: `127.0.0.1:${ui.port}`, ...auth, 'Content-Length': '1000' } });
      req.on('error', () => resolve());
      req.on('response', () => resolve());
      req.write(Buffer.alloc(10), () => setTimeout(() => req.destroy(), 50));
    });
    await waitFor(async () => (staged().length === 0 ? true : null), 'the partial upload to be removed');
  });

  it('stages an upload under <data>/uploads whatever its name says', async () => {
    const body = Buffer.from('not a password file');
    const res = await request(ui.port, `/files/upload?name=${encodeURIComponent('../../etc/passwd')}`, { method: 'POST', headers: auth, body });
    expect(res.status).toBe(201);
    const value = JSON.parse(res.body.toString()) as { path: string; name: string; size: number };
    expect(value.size).toBe(body.length);
    expect(value.name).not.toContain('/');
    expect(path.dirname(value.path)).toBe(uploadsDir());
    expect(fs.readFileSync(value.path)).toEqual(body);
    expect((fs.statSync(value.path).mode & 0o777).toString(8)).toBe('600');
  });

  it('downloads only bare names from <data>/downloads, as an attachment', async () => {
    const downloads = path.join(alice.dataDir, 'downloads');
    fs.mkdirSync(downloads, { recursive: true });
    fs.writeFileSync(path.join(downloads, '報告 1.txt'), 'report');
    fs.writeFileSync(path.join(tmp, 'outside.txt'), 'secret');
    fs.symlinkSync(path.join(tmp, 'outside.txt'), path.join(downloads, 'link.txt'));
    const get = (name: string, headers: Record<string, string> = { Cookie: auth.Cookie as string }): Promise<Answer> =>
      request(ui.port, `/files/download?name=${name}`, { headers });

    const ok = await get(encodeURIComponent('報告 1.txt'));
    expect(ok.status).toBe(200);
    expect(ok.body.toString()).toBe('report');
    expect(ok.headers['content-disposition']).toBe(`attachment; filename="__ 1.txt"; filename*=UTF-8''${encodeURIComponent('報告 1.txt')}`);
    expect(ok.headers['content-type']).toBe('application/octet-stream');
    expect(ok.headers['x-content-type-options']).toBe('nosniff');

    expect((await get(encodeURIComponent('../w2w.sqlite'))).status).toBe(400);
    expect((await get('..%2Fw2w.sqlite')).status).toBe(400);
    expect((await get('..')).status).toBe(400);
    expect((await get('')).status).toBe(400);
    expect((await get(encodeURIComponent('/etc/passwd'))).status).toBe(400);
    expect((await get('link.txt')).status).toBe(404);
    expect((await get('missing.txt')).status).toBe(404);
    expect((await get('x.txt', {})).status).toBe(401);
    expect((await get('x.txt', { Cookie: `${cookieName(ui.port)}=${'1'.repeat(64)}` })).status).toBe(403);
    expect((await get(encodeURIComponent('報告 1.txt'), { Cookie: auth.Cookie as string, Origin: 'http://evil.example' })).status).toBe(403);
    expect((await request(ui.port, '/files/elsewhere', { headers: auth })).status).toBe(404);
  });

  it('data.fetch takes a bare file name only', async () => {
    for (const out of ['../x', 'a/b', '.', 'con', 'a\u0001b']) {
      const r = await aliceApi.call('data.fetch', { hash: 'ab'.repeat(32), out });
      expect(r.ok ? null : r.error.code).toBe(ErrorCode.BAD_REQUEST);
    }
    const r = await aliceApi.call('data.deletes', { limit: 0 });
    expect(r.ok ? null : r.error.code).toBe(ErrorCode.BAD_REQUEST);
  });

  it('an upload shared through the API is fetched by a linked node with progress, then remote-deleted', async () => {
    const bytes = Buffer.alloc(200_000);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + 7) & 0xff;
    const res = await request(ui.port, '/files/upload?name=photo.jpg', { method: 'POST', headers: auth, body: bytes });
    const staged = JSON.parse(res.body.toString()) as { path: string; name: string };
    const shared = await aliceApi.call('data.share', { path: staged.path, name: staged.name, access: { kind: 'public' } });
    if (!shared.ok) throw new Error(shared.error.message);
    expect(shared.value.name).toBe('photo.jpg');
    const hash = shared.value.contentHash;
    const mine = await aliceApi.call('data.shared', {});
    expect(mine.ok && mine.value.find((f) => f.contentHash === hash)?.state).toBe('serving');

    // The declaration reaches Bob's relay over the link.
    await waitFor(async () => {
      const d = await bobApi.call('data.declarations', { peer: alice.id });
      return d.ok && d.value.some((x) => x.contentHash === hash) ? true : null;
    }, 'the declaration on Bob’s relay');
    const progress: TransferProgressView[] = [];
    const off = bobApi.on('transfer.progress', (p) => progress.push(p));
    const fetched = await bobApi.call('data.fetch', { hash, out: 'photo.jpg' });
    off();
    if (!fetched.ok) throw new Error(fetched.error.message);
    expect(fetched.value.path).toBe(path.join(bob.dataDir, 'downloads', 'photo.jpg'));
    expect(sha(fs.readFileSync(fetched.value.path))).toBe(sha(bytes));
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toMatchObject({ contentHash: hash, bytes: bytes.length, total: bytes.length });

    const gone: { contentHash: string; owner: string }[] = [];
    const offGone = bobApi.on('data.deleted', (e) => gone.push(e));
    const del = await aliceApi.call('data.delete', { hash, waitMs: 10_000 });
    expect(del.ok && del.value).toEqual([{ holder: bob.id, status: 'deleted', error: null }]);
    const list = await aliceApi.call('data.deletes', {});
    expect(list.ok && list.value[0]).toMatchObject({ contentHash: hash, holders: [{ holder: bob.id, status: 'deleted', error: null }] });
    expect(fs.existsSync(fetched.value.path)).toBe(false);
    // Bob's UI hears of it: the copy it offered to save is gone.
    await waitFor(async () => (gone.length > 0 ? true : null), 'the data.deleted event');
    offGone();
    expect(gone).toEqual([{ contentHash: hash, owner: alice.id }]);
    // The staged upload was only there to be served: it goes with the share.
    expect(fs.existsSync(staged.path)).toBe(false);
  });

  it('removes a staged upload whose share failed, but never a file outside uploads/', async () => {
    const res = await request(ui.port, '/files/upload?name=bad.txt', { method: 'POST', headers: auth, body: Buffer.from('x') });
    const staged = JSON.parse(res.body.toString()) as { path: string };
    const r = await aliceApi.call('data.share', { path: staged.path, access: { kind: 'peers', peers: ['not an id'] } });
    expect(r.ok ? null : r.error.code).toBe(ErrorCode.BAD_REQUEST);
    expect(fs.existsSync(staged.path)).toBe(false);
    const own = path.join(tmp, 'own.txt');
    fs.writeFileSync(own, 'mine');
    const r2 = await aliceApi.call('data.share', { path: own, access: { kind: 'peers', peers: ['not an id'] } });
    expect(r2.ok).toBe(false);
    expect(fs.readFileSync(own, 'utf8')).toBe('mine');
  });

  it('a fetch nobody can serve fails with its transfer reason', async () => {
    const r = await bobApi.call('data.fetch', { hash: 'cd'.repeat(32), out: 'nothing.bin' });
    expect(r.ok).toBe(false);
    expect(r.ok ? null : [r.error.code, r.error.name, r.error.transfer]).toEqual([ErrorCode.TRANSFER_FAILED, 'TRANSFER_FAILED', 'NO_HOLDER']);
  });
});
