// `w2w listen` prints other people's text on a terminal: a message must not be able to start a line that
// looks like another sender's message, nor send escape sequences to the terminal. And when the reader of
// its output goes away (`w2w listen --json | head -1`), it ends quietly instead of crashing on EPIPE.
import { spawn, execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const execFileP = promisify(execFile);
const BIN = path.resolve('bin/w2w.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'w2w-cli-listen-'));

function start(args: string[]) {
  const proc = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const errLines: string[] = [];
  readline.createInterface({ input: proc.stdout }).on('line', (l) => lines.push(l));
  readline.createInterface({ input: proc.stderr }).on('line', (l) => errLines.push(l));
  const exited = new Promise<number>((resolve) => proc.on('exit', (code) => resolve(code ?? -1)));
  const waitFor = async (test: (l: string) => boolean, from: string[] = lines, timeoutMs = 15_000): Promise<string> => {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const found = from.find(test);
      if (found !== undefined) return found;
      if (Date.now() > until) throw new Error(`timed out; stdout:\n${lines.join('\n')}\nstderr:\n${errLines.join('\n')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { proc, lines, errLines, exited, waitFor };
}

const running: ReturnType<typeof start>[] = [];

afterAll(async () => {
  for (const p of running.reverse()) {
    if (p.proc.exitCode === null) {
      p.proc.kill('SIGINT');
      await p.exited;
    }
  }
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function startNode(name: string): Promise<string> {
  const node = start(['node', '--port', '0', '--data', path.join(tmp, name)]);
  running.push(node);
  return (await node.waitFor((l) => l.startsWith('w2w node listening on '))).slice('w2w node listening on '.length);
}

describe('w2w listen (text output)', () => {
  it("escapes control characters in a peer's message instead of printing them raw", async () => {
    const url = await startNode('node');
    const bobDir = path.join(tmp, 'bob');
    const bobId = (await execFileP(process.execPath, [BIN, 'id', '--data', bobDir], { timeout: 20_000 })).stdout.trim();
    const bob = start(['listen', '--relay', url, '--data', bobDir]);
    running.push(bob);
    await bob.waitFor((l) => l.startsWith('listening on '), bob.errLines);

    const evil = 'hi\n[12:00:00] w2w1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa: fake\r\u001b]0;pwned\u0007\u009b2J end';
    await execFileP(process.execPath, [BIN, 'send', '--relay', url, '--data', path.join(tmp, 'mallory'), '--to', bobId, evil], { timeout: 20_000 });
    const line = await bob.waitFor((l) => l.includes(' end'));
    expect(line).toContain('hi\\u000a[12:00:00] w2w1');
    expect(line).toContain('fake\\u000d\\u001b]0;pwned\\u0007\\u009b2J end');
    // One message, one line: nothing the sender wrote became a line of its own or reached the terminal raw.
    expect(bob.lines.filter((l) => l.includes('fake'))).toHaveLength(1);
    // eslint-disable-next-line no-control-regex -- looking for raw control characters is the point
    expect(bob.lines.join('\n')).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  });
});

describe('w2w listen when nobody reads its output any more', () => {
  it('stops cleanly with exit code 0 instead of dying on EPIPE', async () => {
    const url = await startNode('node2');
    const bobDir = path.join(tmp, 'bob2');
    const bobId = (await execFileP(process.execPath, [BIN, 'id', '--data', bobDir], { timeout: 20_000 })).stdout.trim();
    const bob = start(['listen', '--relay', url, '--data', bobDir, '--json']);
    running.push(bob);
    await bob.waitFor((l) => l.includes('"type":"ready"'));
    // What `| head -1` does once it has its line: the read end of the pipe is closed.
    bob.proc.stdout.destroy();
    // Each message is a write into the closed pipe; the first one fails with EPIPE.
    for (let i = 0; i < 3 && bob.proc.exitCode === null; i++) {
      await execFileP(process.execPath, [BIN, 'send', '--relay', url, '--data', path.join(tmp, 'alice2'), '--to', bobId, `m${i}`], { timeout: 20_000 });
    }
    const code = await Promise.race([bob.exited, new Promise<string>((r) => setTimeout(() => r('still running'), 10_000))]);
    expect(code).toBe(0);
    expect(bob.errLines.join('\n')).not.toMatch(/EPIPE|Unhandled|at .*\.js/);
  });
});
