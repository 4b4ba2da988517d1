// `w2w node --relay-for / --paused / --max-upload` through real processes (a node, real clients, real
// HTTP to its UI server): each flag holds for its run only and leaves the saved settings alone; bad
// values are usage errors. Then the same overrides through the API: Settings reports them, and a
// change made during the run applies, is saved and ends the override.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { runW2w, W2W_BIN as BIN, type CliRun } from '../helpers/cli.js';
import { createNodeApi } from '../../src-main/node/api.js';
import { W2wNode } from '../../src-main/node/node.js';
import { cookieName } from '../../src-main/web/ui-auth.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'w2w-cli-flags-'));

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const w2w = (...args: string[]): Promise<CliRun> => runW2w(args);

/** A `w2w node` process: waits for its startup lines, stops with SIGINT. */
class NodeProcess {
  readonly lines: string[] = [];
  readonly exited: Promise<number>;
  readonly #proc: ChildProcessWithoutNullStreams;
  readonly #ready: Promise<void>;
  readonly #errLines: string[] = [];

  constructor(args: string[]) {
    this.#proc = spawn(process.execPath, [BIN, 'node', '--port', '0', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.exited = new Promise((resolve) => this.#proc.on('exit', (code) => resolve(code ?? -1)));
    this.#ready = new Promise((resolve, reject) => {
      const fail = (): void => reject(new Error(`node did not start:\n${this.lines.join('\n')}\nstderr:\n${this.#errLines.join('\n')}`));
      const timer = setTimeout(fail, 15_000);
      readline.createInterface({ input: this.#proc.stderr }).on('line', (line) => this.#errLines.push(line));
      void this.exited.then(() => {
        clearTimeout(timer);
        fail();
      });
      readline.createInterface({ input: this.#proc.stdout }).on('line', (line) => {
        this.lines.push(line);
        if (line.startsWith('Press Ctrl-C')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  }

  static async start(...args: string[]): Promise<NodeProcess> {
    const p = new NodeProcess(args);
    await p.#ready;
    return p;
  }

  line(prefix: string): string {
    const l = this.lines.find((x) => x.startsWith(prefix));
    if (l === undefined) throw new Error(`no "${prefix}" line in:\n${this.lines.join('\n')}`);
    return l.slice(prefix.length);
  }

  async stop(): Promise<number> {
    this.#proc.kill('SIGINT');
    return this.exited;
  }
}

function post(url: URL, body: Buffer, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, path: '/files/upload?name=a.bin', method: 'POST', headers: { ...headers, 'Content-Length': String(body.length) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    // The server may refuse (413) before the whole body is written.
    req.on('error', (err: NodeJS.ErrnoException) => (err.code === 'EPIPE' || err.code === 'ECONNRESET' ? undefined : reject(err)));
    req.end(body);
  });
}

describe('w2w node --relay-for / --paused / --max-upload', () => {
  const data = path.join(tmp, 'node');
  const client = path.join(tmp, 'client');

  it('--relay-for self refuses other clients for this run only; the saved policy (anyone) is back at the next start', async () => {
    const node = await NodeProcess.start('--data', data, '--relay-for', 'self');
    expect(node.line('relaying for: ')).toBe('self (--relay-for, this run only)');
    const url = node.line('w2w node listening on ');
    const refused = await w2w('send', '--relay', url, '--data', client, '--self', 'hello');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/RELAY_REFUSED \(209\)/);
    expect(await node.stop()).toBe(0);

    const again = await NodeProcess.start('--data', data);
    expect(again.line('relaying for: ')).toBe('anyone');
    const sent = await w2w('send', '--relay', again.line('w2w node listening on '), '--data', client, '--self', 'hello');
    expect(sent.code, sent.stderr).toBe(0);
    expect(await again.stop()).toBe(0);
  }, 60_000);

  it('--paused starts with relaying for others paused, for this run only', async () => {
    const node = await NodeProcess.start('--data', data, '--paused');
    expect(node.line('relaying for: ')).toBe('anyone, paused (--paused, this run only)');
    const refused = await w2w('send', '--relay', node.line('w2w node listening on '), '--data', client, '--self', 'hello');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/RELAYING_PAUSED \(210\)/);
    expect(await node.stop()).toBe(0);
    const again = await NodeProcess.start('--data', data);
    expect(again.line('relaying for: ')).toBe('anyone');
    expect(await again.stop()).toBe(0);
  }, 60_000);

  // Needs the built renderer (npm test builds it first, as it does for the e2e suite).
  it('--max-upload caps a browser upload (in MiB) and implies --ui', async () => {
    const node = await NodeProcess.start('--data', data, '--max-upload', '1');
    const ui = new URL(node.line('UI: '));
    const token = ui.searchParams.get('token') ?? '';
    const headers = { Cookie: `${cookieName(Number(ui.port))}=${token}`, Origin: ui.origin, Host: ui.host };
    expect(await post(ui, Buffer.alloc(1024 * 1024), headers)).toBe(201);
    expect(await post(ui, Buffer.alloc(1024 * 1024 + 1), headers)).toBe(413);
    expect(await node.stop()).toBe(0);
  }, 60_000);

  it('bad values are usage errors (exit 2, one line), and --help documents the flags', async () => {
    for (const args of [
      ['--relay-for', 'everyone'],
      ['--relay-for', ''],
      ['--max-upload', '0'],
      ['--max-upload', '1.5'],
      ['--max-upload', '65537'],
      ['--paused=yes'],
    ]) {
      const r = await w2w('node', '--data', data, '--port', '0', ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(/^w2w: /);
      expect(r.stderr, args.join(' ')).not.toMatch(/\n\s+at /);
    }
    const help = await w2w('--help');
    for (const flag of ['--relay-for anyone|friends|self', '--paused', '--max-upload MIB']) expect(help.stdout).toContain(flag);
  }, 60_000);
});

describe('run overrides through the API', () => {
  it('Settings reports the flags and the saved values; a change during the run applies, is saved and ends the override', async () => {
    const dataDir = path.join(tmp, 'api');
    const node = await W2wNode.start({ dataDir, host: '127.0.0.1', port: 0, relayPolicy: 'friends', paused: true });
    try {
      const api = createNodeApi(node);
      const get = async () => {
        const r = await api.call('settings.get', {});
        if (!r.ok) throw new Error(r.error.message);
        return r.value;
      };
      expect(await get()).toMatchObject({
        relaying: { policy: 'friends', paused: true },
        relayingFlags: { policy: 'friends', paused: true },
        savedRelaying: { policy: 'anyone', paused: false },
      });
      const set = await api.call('settings.set', { relayPolicy: 'self' });
      expect(set.ok && set.value).toMatchObject({ relaying: { policy: 'self', paused: true }, relayingFlags: { policy: null, paused: true }, savedRelaying: { policy: 'self', paused: false } });
      const resumed = await api.call('relaying.set', { paused: false });
      expect(resumed.ok && resumed.value).toEqual({ policy: 'self', paused: false });
      expect(await get()).toMatchObject({ relayingFlags: { policy: null, paused: false }, savedRelaying: { policy: 'self', paused: false } });
    } finally {
      await node.stop();
    }
    // The next start without flags uses what was saved during the run.
    const next = await W2wNode.start({ dataDir, host: '127.0.0.1', port: 0 });
    try {
      expect(next.relaying.view).toEqual({ policy: 'self', paused: false });
    } finally {
      await next.stop();
    }
  });
});
