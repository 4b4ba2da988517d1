// The w2w CLI end to end through real processes: a `w2w node`, three terminals' worth of clients
// (`listen`, `send`, `group`, `peers`), every route, user mistakes, and restart persistence.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runW2w, W2W_BIN as BIN, type CliRun } from '../helpers/cli.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'w2w-cli-'));

const w2w = (...args: string[]): Promise<CliRun> => runW2w(args);

/** A long-running w2w process whose stdout lines can be awaited. */
class LiveProcess {
  readonly lines: string[] = [];
  readonly errLines: string[] = [];
  private waiters: { test: (l: string) => boolean; resolve: (l: string) => void }[] = [];
  readonly exited: Promise<number>;

  constructor(readonly proc: ChildProcessWithoutNullStreams) {
    readline.createInterface({ input: proc.stdout }).on('line', (line) => {
      this.lines.push(line);
      this.waiters = this.waiters.filter((w) => {
        if (!w.test(line)) return true;
        w.resolve(line);
        return false;
      });
    });
    readline.createInterface({ input: proc.stderr }).on('line', (line) => this.errLines.push(line));
    this.exited = new Promise((resolve) => proc.on('exit', (code) => resolve(code ?? -1)));
  }

  static start(...args: string[]): LiveProcess {
    return new LiveProcess(spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] }));
  }

  waitFor(test: (line: string) => boolean, timeoutMs = 10_000): Promise<string> {
    const found = this.lines.find(test);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting; lines so far:\n${this.lines.join('\n')}\nstderr:\n${this.errLines.join('\n')}`)), timeoutMs);
      this.waiters.push({
        test,
        resolve: (l) => {
          clearTimeout(timer);
          resolve(l);
        },
      });
    });
  }

  async stop(): Promise<number> {
    this.proc.kill('SIGINT');
    return this.exited;
  }
}

interface JsonLine {
  type: string;
  text?: string;
  peer?: string;
  route?: string;
  group?: string | null;
  id?: string;
  online?: boolean;
}

const messagesOf = (p: LiveProcess): JsonLine[] =>
  p.lines.map((l) => JSON.parse(l) as JsonLine).filter((j) => j.type === 'message');

async function startNode(dataDir: string): Promise<{ node: LiveProcess; url: string; id: string }> {
  const node = LiveProcess.start('node', '--port', '0', '--data', dataDir);
  const urlLine = await node.waitFor((l) => l.startsWith('w2w node listening on '));
  const idLine = await node.waitFor((l) => l.startsWith('ID: '));
  return { node, url: urlLine.slice('w2w node listening on '.length), id: idLine.slice(4) };
}

describe('w2w CLI through real processes', () => {
  const dirs = { node: path.join(tmp, 'node'), a: path.join(tmp, 'a'), b: path.join(tmp, 'b'), c: path.join(tmp, 'c') };
  let node: LiveProcess;
  let url = '';
  let nodeId = '';
  const ids: Record<'a' | 'b' | 'c', string> = { a: '', b: '', c: '' };
  const listeners: Partial<Record<'a' | 'b' | 'c', LiveProcess>> = {};

  beforeAll(async () => {
    ({ node, url, id: nodeId } = await startNode(dirs.node));
    for (const k of ['a', 'b', 'c'] as const) {
      const r = await w2w('id', '--data', dirs[k]);
      expect(r.code).toBe(0);
      ids[k] = r.stdout.trim();
      const l = LiveProcess.start('listen', '--relay', url, '--data', dirs[k], '--json');
      await l.waitFor((line) => line.includes('"type":"ready"'));
      listeners[k] = l;
    }
  });

  afterAll(async () => {
    for (const l of Object.values(listeners)) l?.proc.kill('SIGINT');
    if (node.proc.exitCode === null) await node.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('prints a stable ID and keeps the key file private', async () => {
    const again = await w2w('id', '--data', dirs.a);
    expect(again.stdout.trim()).toBe(ids.a);
    expect(ids.a).toMatch(/^w2w1[a-z2-7]{58}$/);
    expect(fs.statSync(path.join(dirs.a, 'w2w.sqlite')).mode & 0o777).toBe(0o600);
  });

  it('a2b: only the addressee receives it', async () => {
    const r = await w2w('send', '--relay', url, '--data', dirs.a, '--to', ids.b, 'hello b');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/delivered to 1 recipient/);
    const got = JSON.parse(await listeners.b!.waitFor((l) => l.includes('hello b'))) as JsonLine;
    expect(got).toMatchObject({ type: 'message', route: 'a2b', peer: ids.a, text: 'hello b' });
    await w2w('send', '--relay', url, '--data', dirs.a, '--self', 'marker-after-a2b');
    await listeners.a!.waitFor((l) => l.includes('marker-after-a2b'));
    expect(messagesOf(listeners.c!).some((m) => m.text === 'hello b')).toBe(false);
  });

  it('after "--" every word is text, even -h and --help', async () => {
    const r = await w2w('send', '--relay', url, '--data', dirs.a, '--to', ids.b, '--', '-h', '--help');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/delivered to 1 recipient/);
    const got = JSON.parse(await listeners.b!.waitFor((l) => l.includes('--help'))) as JsonLine;
    expect(got).toMatchObject({ peer: ids.a, text: '-h --help' });
  });

  it('a2a: the sender\'s own listening session receives it', async () => {
    const r = await w2w('send', '--relay', url, '--data', dirs.c, '--self', 'note to self');
    expect(r.code).toBe(0);
    const got = JSON.parse(await listeners.c!.waitFor((l) => l.includes('note to self'))) as JsonLine;
    expect(got).toMatchObject({ route: 'a2a', peer: ids.c });
  });

  it('a2g list: exactly the listed IDs receive it', async () => {
    const r = await w2w('send', '--relay', url, '--data', dirs.a, '--to', ids.b, '--to', ids.c, 'list message');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/delivered to 2 recipients/);
    await listeners.b!.waitFor((l) => l.includes('list message'));
    await listeners.c!.waitFor((l) => l.includes('list message'));
    expect(messagesOf(listeners.a!).some((m) => m.text === 'list message')).toBe(false);
  });

  it('a2g named: create, add, send, list, non-member refused', async () => {
    expect((await w2w('group', 'create', 'team', '--relay', url, '--data', dirs.a)).code).toBe(0);
    expect((await w2w('group', 'add', 'team', ids.b, '--relay', url, '--data', dirs.a)).code).toBe(0);
    const sent = await w2w('send', '--relay', url, '--data', dirs.b, '--group', 'team', 'hi team');
    expect(sent.code).toBe(0);
    expect(JSON.parse(await listeners.a!.waitFor((l) => l.includes('hi team')))).toMatchObject({ route: 'group', group: 'team' });
    // Group messages are sealed per member: the sender's other sessions keep no copy of their own.
    const outsider = await w2w('send', '--relay', url, '--data', dirs.c, '--group', 'team', 'let me in');
    expect(outsider.code).toBe(1);
    expect(outsider.stderr).toMatch(/NOT_GROUP_MEMBER \(304\)/);
    const list = await w2w('group', 'list', '--relay', url, '--data', dirs.b);
    expect(list.stdout).toContain('team');
    expect(list.stdout).toContain(ids.a);
    const notOwner = await w2w('group', 'add', 'team', ids.c, '--relay', url, '--data', dirs.b);
    expect(notOwner.code).toBe(1);
    expect(notOwner.stderr).toMatch(/NOT_GROUP_OWNER/);
  });

  it('a2n: every registered client receives it, the node\'s own client included', async () => {
    const r = await w2w('send', '--relay', url, '--data', dirs.c, '--all', 'to everyone');
    expect(r.code).toBe(0);
    // a, b, c listening + the node's own client (the sender's short-lived session counts too).
    const delivered = Number(/delivered to (\d+)/.exec(r.stdout)?.[1]);
    expect(delivered).toBeGreaterThanOrEqual(4);
    for (const k of ['a', 'b', 'c'] as const) await listeners[k]!.waitFor((l) => l.includes('to everyone'));
  });

  it('c2s/s2c: peers lists the node list with online state', async () => {
    const r = await w2w('peers', '--relay', url, '--data', dirs.a);
    expect(r.code).toBe(0);
    for (const id of [ids.a, ids.b, ids.c, nodeId]) expect(r.stdout).toContain(id);
    expect(r.stdout).toMatch(new RegExp(`${ids.b}\\tonline`));
  });

  it('an offline recipient gets a coded error and exit code 1', async () => {
    const d = path.join(tmp, 'ghost');
    const ghost = (await w2w('id', '--data', d)).stdout.trim();
    const unknown = await w2w('send', '--relay', url, '--data', dirs.a, '--to', ghost, 'anyone?');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/UNKNOWN_RECIPIENT \(300\)/);
    await w2w('peers', '--relay', url, '--data', d); // registers the ghost once, then it leaves
    const offline = await w2w('send', '--relay', url, '--data', dirs.a, '--no-store', '--to', ghost, 'anyone?');
    expect(offline.code).toBe(1);
    expect(offline.stderr).toMatch(/RECIPIENT_OFFLINE \(301\)/);
    // By default the relay keeps it, and the ghost gets it when it comes back.
    const kept = await w2w('send', '--relay', url, '--data', dirs.a, '--to', ghost, 'welcome back');
    expect(kept.code).toBe(0);
    expect(kept.stdout).toMatch(/kept for 1 recipient offline/);
    const back = LiveProcess.start('listen', '--relay', url, '--data', d, '--json');
    await back.waitFor((l) => l.includes('welcome back'));
    back.proc.kill('SIGINT');
    await back.exited;
  });

  it('user mistakes: one line on stderr, exit code 2, no stack trace', async () => {
    const cases: string[][] = [
      ['frobnicate'],
      ['send', '--data', dirs.a, '--all', 'x'],
      ['send', '--relay', url, '--data', dirs.a, '--to', 'w2w1notanid', 'x'],
      ['send', '--relay', url, '--data', dirs.a, '--to', ids.b.slice(0, -1) + (ids.b.endsWith('a') ? 'b' : 'a'), 'typo'],
      ['send', '--relay', url, '--data', dirs.a, '--all', '--self', 'x'],
      ['send', '--relay', url, '--data', dirs.a, '--all'],
      ['send', '--relay', 'ws://192.0.2.1:7070', '--data', dirs.a, '--all', 'x'],
      ['send', '--relay', `${url}#${ids.b}`.replace('/#', '#'), '--data', dirs.a, '--all', 'pinned-wrong'],
      ['node', '--port', 'eighty'],
      ['node', '--bogus'],
      ['group', 'explode', '--relay', url],
    ];
    for (const args of cases) {
      const r = await w2w(...args);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.stderr, args.join(' ')).toMatch(/^w2w: /);
      expect(r.stderr, args.join(' ')).not.toMatch(/\n\s+at /);
    }
    // The pinned relay ID mismatch is a runtime failure with its code, not a usage error.
    const pinned = await w2w('send', '--relay', `${url}#${ids.b}`, '--data', dirs.a, '--all', 'x');
    expect(pinned.code).toBe(1);
    expect(pinned.stderr).toMatch(/WRONG_PEER \(202\)/);
  });

  it('--help documents every command', async () => {
    const r = await w2w('--help');
    expect(r.code).toBe(0);
    for (const cmd of ['w2w node', 'w2w id', 'w2w send', 'w2w listen', 'w2w group', 'w2w peers', 'w2w links', 'w2w route']) expect(r.stdout).toContain(cmd);
  });

  it('presence: a listener that leaves is reported offline to its contacts', async () => {
    await w2w('send', '--relay', url, '--data', dirs.b, '--to', ids.c, 'make us contacts');
    await listeners.c!.waitFor((l) => l.includes('make us contacts'));
    // b is a contact of c now (a2b): when b's listener stops, c hears b go offline.
    listeners.b!.proc.kill('SIGINT');
    expect(await listeners.b!.exited).toBe(0);
    const line = await listeners.c!.waitFor((l) => l.includes('"type":"presence"') && l.includes(ids.b) && l.includes('"online":false'));
    expect(JSON.parse(line)).toMatchObject({ id: ids.b, online: false });
    delete listeners.b;
  });

  it('the node survives a restart with its ID, node list and groups', async () => {
    expect(await node.stop()).toBe(0);
    const restarted = await startNode(dirs.node);
    node = restarted.node;
    expect(restarted.id).toBe(nodeId);
    const peers = await w2w('peers', '--relay', restarted.url, '--data', dirs.a);
    for (const id of [ids.a, ids.b, ids.c]) expect(peers.stdout).toContain(id);
    const groups = await w2w('group', 'list', '--relay', restarted.url, '--data', dirs.a);
    expect(groups.stdout).toContain('team');
  });
});
