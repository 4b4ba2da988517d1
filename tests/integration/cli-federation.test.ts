// Federated nodes as real processes: `w2w node --peer/--trust`, messages across relays, `w2w links`,
// `w2w route`, links that survive a restart (kept in SQLite), and an untrusted link refused.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { runW2w, W2W_BIN as BIN, type CliRun } from '../helpers/cli.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'w2w-clifed-'));
const procs: ChildProcessWithoutNullStreams[] = [];

const w2w = (...args: string[]): Promise<CliRun> => runW2w(args);

interface Live {
  proc: ChildProcessWithoutNullStreams;
  lines: string[];
  waitFor(test: (l: string) => boolean, timeoutMs?: number): Promise<string>;
}

function start(...args: string[]): Live {
  const proc = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  procs.push(proc);
  const lines: string[] = [];
  readline.createInterface({ input: proc.stdout }).on('line', (l) => lines.push(l));
  return {
    proc,
    lines,
    async waitFor(test, timeoutMs = 10_000) {
      const t0 = Date.now();
      for (;;) {
        const hit = lines.find(test);
        if (hit) return hit;
        if (Date.now() - t0 > timeoutMs) throw new Error(`timed out; lines:\n${lines.join('\n')}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
  };
}

async function node(name: string, ...extra: string[]): Promise<{ live: Live; url: string; id: string }> {
  const live = start('node', '--port', '0', '--data', path.join(tmp, name), '--ping-interval', '500', '--ping-timeout', '1000', ...extra);
  const url = (await live.waitFor((l) => l.startsWith('w2w node listening on '))).slice('w2w node listening on '.length);
  const id = (await live.waitFor((l) => l.startsWith('ID: '))).slice(4);
  return { live, url, id };
}

async function until(test: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const t0 = Date.now();
  while (!(await test())) {
    if (Date.now() - t0 > timeoutMs) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 200));
  }
}

afterAll(() => {
  for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('w2w nodes federated through the CLI', () => {
  it('links, routes and messages across three nodes; links persist; untrusted refused', async () => {
    const hub = await node('hub', '--open-federation');
    const east = await node('east', '--peer', `${hub.url}#${hub.id}`);
    const west = await node('west', '--peer', hub.url);
    await until(async () => (await w2w('links', '--relay', east.url, '--data', path.join(tmp, 'x'))).stdout.includes('\tup\t'));
    const links = await w2w('links', '--relay', east.url, '--data', path.join(tmp, 'x'));
    expect(links.stdout).toContain(hub.id);

    const bobDir = path.join(tmp, 'bob');
    const bobId = (await w2w('id', '--data', bobDir)).stdout.trim();
    const bob = start('listen', '--relay', west.url, '--data', bobDir, '--json');
    await bob.waitFor((l) => l.includes('"type":"ready"'));
    await until(async () => (await w2w('route', bobId, '--relay', east.url, '--data', path.join(tmp, 'x'))).code === 0);
    const route = await w2w('route', bobId, '--relay', east.url, '--data', path.join(tmp, 'x'));
    expect(route.stdout).toMatch(/2 relay hops away/);
    expect(route.stdout).toContain(hub.id);
    expect(route.stdout).toContain(west.id);

    const sent = await w2w('send', '--relay', east.url, '--data', path.join(tmp, 'alice'), '--to', bobId, 'east to west');
    expect(sent.code).toBe(0);
    expect(sent.stdout).toMatch(/passed on to other relays for 1 recipient/);
    await bob.waitFor((l) => l.includes('east to west'));

    // east restarts without --peer: the link comes back from its data dir.
    east.live.proc.kill('SIGINT');
    await new Promise((r) => east.live.proc.once('exit', r));
    const east2 = await node('east');
    await until(async () => (await w2w('links', '--relay', east2.url, '--data', path.join(tmp, 'x'))).stdout.includes('\tup\t'));
    await w2w('send', '--relay', east2.url, '--data', path.join(tmp, 'alice'), '--to', bobId, 'after restart');
    await bob.waitFor((l) => l.includes('after restart'));

    // A closed relay (no --open-federation, no --trust) refuses a link; the dialler shows why.
    const closed = await node('closed');
    const lonely = await node('lonely', '--peer', closed.url);
    await until(async () => (await w2w('links', '--relay', lonely.url, '--data', path.join(tmp, 'x'))).stdout.includes('\tdown\t'));
    const refused = await w2w('links', '--relay', lonely.url, '--data', path.join(tmp, 'x'));
    expect(refused.stdout).toContain('down');
    expect(lonely.live.proc.exitCode).toBe(null);
  });
});
