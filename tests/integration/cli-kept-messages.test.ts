// Messages a relay kept for an offline ID (PROTOCOL §9.6) are handed to that ID's first session, whatever
// command opened it, and deleted at the relay. A `w2w peers` (or send, group, ...) run before `w2w listen`
// must therefore record them in the history and show them, not drop them.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { runW2w, W2W_BIN as BIN, type CliRun } from '../helpers/cli.js';
import { openStore } from '../../src-main/store/db.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'w2w-cli-kept-'));

const w2w = (...args: string[]): Promise<CliRun> => runW2w(args);

const node = spawn(process.execPath, [BIN, 'node', '--port', '0', '--data', path.join(tmp, 'node')], { stdio: ['pipe', 'pipe', 'pipe'] });
const nodeExited = new Promise<number>((resolve) => node.on('exit', (code) => resolve(code ?? -1)));
const nodeUrl = new Promise<string>((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error('the node did not start')), 15_000);
  readline.createInterface({ input: node.stdout }).on('line', (l) => {
    if (!l.startsWith('w2w node listening on ')) return;
    clearTimeout(timer);
    resolve(l.slice('w2w node listening on '.length));
  });
});

afterAll(async () => {
  if (node.exitCode === null) {
    node.kill('SIGINT');
    await nodeExited;
  }
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('messages kept while offline reach a CLI command that is not listen', () => {
  it('w2w peers records a kept message in the history and shows it on stderr', async () => {
    const url = await nodeUrl;
    const bobDir = path.join(tmp, 'bob');
    const bobId = (await w2w('id', '--data', bobDir)).stdout.trim();
    // Bob registers once (the relay keeps messages only for IDs in its node list), then is offline.
    expect((await w2w('peers', '--relay', url, '--data', bobDir)).code).toBe(0);
    const sent = await w2w('send', '--relay', url, '--data', path.join(tmp, 'alice'), '--to', bobId, 'kept for bob');
    expect(sent.code).toBe(0);
    expect(sent.stdout).toMatch(/kept for 1 recipient offline/);

    const peers = await w2w('peers', '--relay', url, '--data', bobDir);
    expect(peers.code).toBe(0);
    // stdout stays the command's own result; the message is reported on stderr.
    expect(peers.stdout).not.toContain('kept for bob');
    expect(peers.stderr).toContain('kept for bob');
    const store = openStore(bobDir);
    try {
      expect(store.messages.recent(10).map((m) => m.body.toString())).toContain('kept for bob');
    } finally {
      store.close();
    }
    // The relay handed it over and deleted its copy: a later listen would not get it again.
    const again = await w2w('peers', '--relay', url, '--data', bobDir);
    expect(again.stderr).not.toContain('kept for bob');
  });

  it('w2w send, run first after being offline, records and shows what was kept before sending', async () => {
    const url = await nodeUrl;
    const carolDir = path.join(tmp, 'carol');
    const aliceDir = path.join(tmp, 'alice2');
    const carolId = (await w2w('id', '--data', carolDir)).stdout.trim();
    const aliceId = (await w2w('id', '--data', aliceDir)).stdout.trim();
    expect((await w2w('peers', '--relay', url, '--data', carolDir)).code).toBe(0);
    expect((await w2w('send', '--relay', url, '--data', aliceDir, '--to', carolId, 'are you there?')).stdout).toMatch(/kept for 1/);
    const reply = await w2w('send', '--relay', url, '--data', carolDir, '--to', aliceId, 'yes');
    expect(reply.stderr).toContain('are you there?');
    expect(reply.stdout).toMatch(/^sent [0-9a-f]{32}: /);
    const store = openStore(carolDir);
    try {
      expect(store.messages.recent(10).map((m) => `${m.direction}:${m.body.toString()}`)).toEqual(expect.arrayContaining(['in:are you there?', 'out:yes']));
    } finally {
      store.close();
    }
  });
});
