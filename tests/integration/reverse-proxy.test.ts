// A node behind Debian's nginx terminating TLS (the README's reverse-proxy recipe, run for real): clients
// and a federated relay reach it over wss:// through the proxy, and --public-url refuses other bindings.
import { spawn, type ChildProcess, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { runW2w, W2W_BIN as BIN, type CliRun } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/relay.js';
import { makeSelfSignedCert } from '../helpers/tls.js';

const NGINX_CANDIDATES = ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/bin/nginx', '/usr/local/nginx/sbin/nginx'];
// Relays ping every PING_MS; nginx drops an upgraded connection that reads nothing for PROXY_READ_TIMEOUT_S.
// The recipe's rule is proxy_read_timeout > ping interval; the test idles past the timeout to prove it holds.
const PING_MS = 500;
const PROXY_READ_TIMEOUT_S = 3;

const tmp = makeTempDir('w2w-proxy-');
const caFile = path.join(tmp, 'cert.pem');
const children: ChildProcess[] = [];

function findNginx(): string {
  const onPath = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean).map((d) => path.join(d, 'nginx'));
  for (const candidate of [...NGINX_CANDIDATES, ...onPath]) {
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here; try the next place
    }
  }
  throw new Error(
    'The reverse-proxy test needs nginx and found none (looked in ' +
      `${NGINX_CANDIDATES.join(', ')} and $PATH). Install it with: apt-get install -y nginx`,
  );
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function sleep(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

async function until(what: string, test: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const t0 = Date.now();
  while (!(await test())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(200);
  }
}

const w2w = (...args: string[]): Promise<CliRun> => runW2w(args);

interface Live {
  proc: ChildProcessWithoutNullStreams;
  lines: string[];
  errLines: string[];
  waitFor(test: (l: string) => boolean, timeoutMs?: number): Promise<string>;
}

function start(...args: string[]): Live {
  const proc = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(proc);
  const lines: string[] = [];
  const errLines: string[] = [];
  readline.createInterface({ input: proc.stdout }).on('line', (l) => lines.push(l));
  readline.createInterface({ input: proc.stderr }).on('line', (l) => errLines.push(l));
  return {
    proc,
    lines,
    errLines,
    async waitFor(test, timeoutMs = 10_000) {
      const t0 = Date.now();
      for (;;) {
        const hit = lines.find(test);
        if (hit) return hit;
        if (Date.now() - t0 > timeoutMs || proc.exitCode !== null) {
          throw new Error(`w2w ${args[0]}: no expected line (exit ${proc.exitCode}); stdout:\n${lines.join('\n')}\nstderr:\n${errLines.join('\n')}`);
        }
        await sleep(25);
      }
    },
  };
}

async function startNode(name: string, ...extra: string[]): Promise<{ live: Live; url: string; id: string }> {
  const live = start('node', '--port', '0', '--data', path.join(tmp, name), '--ping-interval', String(PING_MS), '--ping-timeout', '2000', ...extra);
  const url = (await live.waitFor((l) => l.startsWith('w2w node listening on '))).slice('w2w node listening on '.length);
  const id = (await live.waitFor((l) => l.startsWith('ID: '))).slice(4);
  return { live, url, id };
}

async function stop(proc: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill(signal);
  const timer = sleep(5_000).then(() => 'late');
  if ((await Promise.race([exited, timer])) === 'late') {
    proc.kill('SIGKILL');
    await Promise.race([exited, sleep(2_000)]);
  }
}

/** The recipe from README.md ("Behind a reverse proxy"), with every path nginx writes moved into `dir`. */
function nginxConfig(dir: string, listenPort: number, upstreamPort: number): string {
  const p = (f: string): string => path.join(dir, f);
  return `daemon off;
worker_processes 1;
pid ${p('nginx.pid')};
error_log ${p('error.log')} info;
events { worker_connections 64; }
http {
  access_log ${p('access.log')};
  client_body_temp_path ${p('tmp/body')};
  proxy_temp_path ${p('tmp/proxy')};
  fastcgi_temp_path ${p('tmp/fastcgi')};
  uwsgi_temp_path ${p('tmp/uwsgi')};
  scgi_temp_path ${p('tmp/scgi')};
  map $http_upgrade $connection_upgrade { default upgrade; '' close; }
  server {
    listen 127.0.0.1:${listenPort} ssl;
    server_name localhost;
    ssl_certificate ${p('cert.pem')};
    ssl_certificate_key ${p('key.pem')};
    location / {
      proxy_pass http://127.0.0.1:${upstreamPort};
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_buffering off;
      proxy_read_timeout ${PROXY_READ_TIMEOUT_S}s;
      proxy_send_timeout ${PROXY_READ_TIMEOUT_S}s;
    }
  }
}
`;
}

/** GET / through the proxy: the node answers plain HTTP with 426, so a 426 proves TLS + proxy + node. */
function probe(url: string): Promise<number | null> {
  return new Promise((resolve) => {
    const req = https.get(url, { ca: fs.readFileSync(caFile), timeout: 2_000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? null);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(null));
  });
}

let nginx: ChildProcess | null = null;
let nginxStderr = '';
let proxyUrl = '';
let hub: { live: Live; url: string; id: string };

async function startNginx(bin: string, dir: string, listenPort: number, upstreamPort: number): Promise<'ok' | 'port-taken'> {
  fs.mkdirSync(path.join(dir, 'tmp'), { recursive: true });
  const conf = path.join(dir, 'nginx.conf');
  fs.writeFileSync(conf, nginxConfig(dir, listenPort, upstreamPort));
  // -e: the error log before the config is read (Debian's default is /var/log/nginx, not ours to touch).
  const proc = spawn(bin, ['-p', `${dir}/`, '-c', conf, '-e', path.join(dir, 'error.log')], { stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(proc);
  nginx = proc;
  nginxStderr = '';
  proc.stderr.on('data', (d: Buffer) => (nginxStderr += d.toString()));
  const url = `https://127.0.0.1:${listenPort}/`;
  const t0 = Date.now();
  for (;;) {
    if (proc.exitCode !== null) {
      const log = fs.existsSync(path.join(dir, 'error.log')) ? fs.readFileSync(path.join(dir, 'error.log'), 'utf8') : '';
      if (/Address already in use/.test(log + nginxStderr)) return 'port-taken';
      throw new Error(`nginx exited with ${proc.exitCode}:\n${nginxStderr}\n${log}`);
    }
    if ((await probe(url)) === 426) return 'ok';
    if (Date.now() - t0 > 10_000) throw new Error(`nginx did not proxy to the node within 10 s:\n${nginxStderr}`);
    await sleep(100);
  }
}

// Set up on first use rather than in beforeAll: vitest reports tests under a failed beforeAll as
// "skipped", and a missing nginx must show as failed tests, each with the install hint.
let setUpOnce: Promise<void> | null = null;
function proxied(): Promise<void> {
  setUpOnce ??= setUp();
  return setUpOnce;
}

async function setUp(): Promise<void> {
  const bin = findNginx();
  const cert = makeSelfSignedCert();
  const nginxDir = path.join(tmp, 'nginx');
  fs.mkdirSync(nginxDir, { mode: 0o700 });
  fs.writeFileSync(path.join(nginxDir, 'cert.pem'), cert.cert);
  fs.writeFileSync(path.join(nginxDir, 'key.pem'), cert.key, { mode: 0o600 });
  fs.writeFileSync(caFile, cert.cert);
  cert.dispose();
  // The node must know its public URL before nginx can know the node's port; if another process takes
  // the port picked for nginx in between, pick again.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    proxyUrl = `wss://127.0.0.1:${port}/`;
    hub = await startNode('hub', '--public-url', proxyUrl, '--open-federation');
    const upstreamPort = Number(new URL(hub.url).port);
    if ((await startNginx(bin, nginxDir, port, upstreamPort)) === 'ok') break;
    await stop(hub.live.proc, 'SIGTERM');
    if (attempt === 3) throw new Error('nginx could not bind a free port three times');
  }
}

afterAll(async () => {
  // nginx first: SIGTERM makes the master stop its worker (a SIGKILLed master would orphan it).
  await Promise.all(children.map((c) => stop(c, c === nginx ? 'SIGTERM' : 'SIGINT')));
  fs.rmSync(tmp, { recursive: true, force: true });
}, 20_000);

describe('a node behind nginx (TLS on the proxy, plain ws:// on 127.0.0.1 behind it)', { timeout: 45_000 }, () => {
  it('carries a2b between two clients that reach the node only through the proxy', async () => {
    await proxied();
    const bobDir = path.join(tmp, 'bob');
    const bobId = (await w2w('id', '--data', bobDir)).stdout.trim();
    const bob = start('listen', '--relay', `${proxyUrl}#${hub.id}`, '--ca', caFile, '--data', bobDir, '--json');
    await bob.waitFor((l) => l.includes('"type":"ready"'));

    const sent = await w2w('send', '--relay', proxyUrl, '--ca', caFile, '--data', path.join(tmp, 'alice'), '--to', bobId, 'through nginx');
    expect(sent.stderr).toBe('');
    expect(sent.code).toBe(0);
    const line = await bob.waitFor((l) => l.includes('through nginx'));
    expect(JSON.parse(line)).toMatchObject({ type: 'message', direction: 'in', route: 'a2b', text: 'through nginx' });

    // Idle longer than proxy_read_timeout: the relay's pings keep the proxied socket open.
    await sleep((PROXY_READ_TIMEOUT_S + 1) * 1000);
    expect(bob.proc.exitCode).toBe(null);
    const again = await w2w('send', '--relay', proxyUrl, '--ca', caFile, '--data', path.join(tmp, 'alice'), '--to', bobId, 'after idling');
    expect(again.code).toBe(0);
    await bob.waitFor((l) => l.includes('after idling'));
  });

  it('refuses a handshake bound to any URL but --public-url (WRONG_BINDING)', async () => {
    await proxied();
    // Straight to the node, past the proxy: the client signs ws://127.0.0.1:PORT/, which is not public.
    const direct = await w2w('peers', '--relay', hub.url, '--data', path.join(tmp, 'mallory'));
    expect(direct.code).toBe(1);
    expect(direct.stderr).toMatch(/WRONG_BINDING \(204\)/);
    // Through the proxy under another name for the same socket: still not the configured URL.
    const otherName = proxyUrl.replace('127.0.0.1', 'localhost');
    const renamed = await w2w('peers', '--relay', otherName, '--ca', caFile, '--data', path.join(tmp, 'mallory'));
    expect(renamed.code).toBe(1);
    expect(renamed.stderr).toMatch(/WRONG_BINDING \(204\)/);
    // The public URL itself works.
    const ok = await w2w('peers', '--relay', proxyUrl, '--ca', caFile, '--data', path.join(tmp, 'mallory'));
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
  });

  it('links a second relay to the node through the proxy; messages cross the link both ways', async () => {
    await proxied();
    const edge = await startNode('edge', '--peer', `${proxyUrl}#${hub.id}`, '--ca', caFile);
    const links = async (): Promise<string> => (await w2w('links', '--relay', edge.url, '--data', path.join(tmp, 'x'))).stdout;
    await until('the edge relay to link up through nginx', async () => (await links()).includes('\tup\t'), 15_000);
    expect(await links()).toContain(hub.id);
    const hubLinks = await w2w('links', '--relay', proxyUrl, '--ca', caFile, '--data', path.join(tmp, 'x'));
    expect(hubLinks.stdout).toContain(edge.id);

    // Carol is on the edge relay; Dave reaches the hub through nginx.
    const carolDir = path.join(tmp, 'carol');
    const carolId = (await w2w('id', '--data', carolDir)).stdout.trim();
    const carol = start('listen', '--relay', edge.url, '--data', carolDir, '--json');
    await carol.waitFor((l) => l.includes('"type":"ready"'));
    const daveDir = path.join(tmp, 'dave');
    const daveId = (await w2w('id', '--data', daveDir)).stdout.trim();
    const dave = start('listen', '--relay', proxyUrl, '--ca', caFile, '--data', daveDir, '--json');
    await dave.waitFor((l) => l.includes('"type":"ready"'));

    await until('the hub to learn a route to Carol', async () => (await w2w('route', carolId, '--relay', proxyUrl, '--ca', caFile, '--data', path.join(tmp, 'x'))).code === 0);
    const toCarol = await w2w('send', '--relay', proxyUrl, '--ca', caFile, '--data', daveDir + '-out', '--to', carolId, 'hub to edge');
    expect(toCarol.code).toBe(0);
    expect(toCarol.stdout).toMatch(/passed on to other relays for 1 recipient/);
    await carol.waitFor((l) => l.includes('hub to edge'));

    await until('the edge to learn a route to Dave', async () => (await w2w('route', daveId, '--relay', edge.url, '--data', path.join(tmp, 'x'))).code === 0);
    const toDave = await w2w('send', '--relay', edge.url, '--data', carolDir + '-out', '--to', daveId, 'edge to hub');
    expect(toDave.code).toBe(0);
    expect(toDave.stdout).toMatch(/passed on to other relays for 1 recipient/);
    const line = await dave.waitFor((l) => l.includes('edge to hub'));
    expect(JSON.parse(line)).toMatchObject({ type: 'message', route: 'a2b', text: 'edge to hub' });
  });
});
