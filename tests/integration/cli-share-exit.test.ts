// `w2w share` serves until Ctrl-C (exit 0); when the relay goes away instead, sharing has stopped against
// the user's will, and the exit code and stderr must say so (a script must not take it for success).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = path.resolve('bin/w2w.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'w2w-cli-share-'));
const procs: ChildProcessWithoutNullStreams[] = [];

function start(...args: string[]) {
  const proc = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  procs.push(proc);
  const out: string[] = [];
  const err: string[] = [];
  readline.createInterface({ input: proc.stdout }).on('line', (l) => out.push(l));
  readline.createInterface({ input: proc.stderr }).on('line', (l) => err.push(l));
  const exited = new Promise<number>((resolve) => proc.on('exit', (code) => resolve(code ?? -1)));
  const waitFor = async (test: (l: string) => boolean): Promise<string> => {
    const t0 = Date.now();
    for (;;) {
      const hit = out.find(test);
      if (hit !== undefined) return hit;
      if (Date.now() - t0 > 15_000) throw new Error(`timed out; stdout:\n${out.join('\n')}\nstderr:\n${err.join('\n')}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  return { proc, out, err, exited, waitFor };
}

afterAll(() => {
  for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('w2w share exit codes', () => {
  it('exits 1 with the reason when the relay goes away, 0 on Ctrl-C', async () => {
    const file = path.join(tmp, 'hello.txt');
    fs.writeFileSync(file, 'hello\n');
    const node = start('node', '--port', '0', '--data', path.join(tmp, 'node'));
    const url = (await node.waitFor((l) => l.startsWith('w2w node listening on '))).slice('w2w node listening on '.length);

    const byCtrlC = start('share', file, '--relay', url, '--data', path.join(tmp, 'a'), '--public');
    await byCtrlC.waitFor((l) => /^[0-9a-f]{64}$/.test(l));
    byCtrlC.proc.kill('SIGINT');
    expect(await byCtrlC.exited).toBe(0);

    const share = start('share', file, '--relay', url, '--data', path.join(tmp, 'b'), '--public');
    await share.waitFor((l) => /^[0-9a-f]{64}$/.test(l));
    node.proc.kill('SIGINT');
    expect(await node.exited).toBe(0);
    expect(await share.exited).toBe(1);
    expect(share.err.join('\n')).toMatch(/the relay closed the connection \(1001/);
  });
});
