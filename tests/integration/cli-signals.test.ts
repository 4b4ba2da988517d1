// Ctrl-C right after a long-running command says it is ready must still shut it down cleanly: the
// SIGINT handler is installed before the ready line. (It once came after, and a SIGINT sent the moment
// the line arrived killed the process through Node's default action in most runs on two cores.)
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = path.resolve('bin/w2w.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'w2w-signals-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Starts `w2w ARGS`, sends SIGINT as soon as `ready` matches a line, and reports how it ended. */
async function interruptWhenReady(args: string[], ready: RegExp): Promise<{ code: number | null; signal: string | null; output: string }> {
  const proc = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const onData = (d: Buffer): void => {
    output += d.toString();
    if (ready.test(output)) {
      proc.stdout.off('data', onData);
      proc.stderr.off('data', onData);
      proc.kill('SIGINT');
    }
  };
  proc.stdout.on('data', onData);
  proc.stderr.on('data', onData);
  const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => proc.on('exit', (c, s) => resolve([c, s])));
  return { code, signal, output };
}

describe('SIGINT the moment a command is ready', () => {
  it('w2w node shuts down cleanly every time (10 runs)', async () => {
    const data = path.join(tmp, 'node');
    for (let i = 0; i < 10; i++) {
      const r = await interruptWhenReady(['node', '--port', '0', '--data', data], /Press Ctrl-C/);
      expect({ run: i, code: r.code, signal: r.signal }).toEqual({ run: i, code: 0, signal: null });
    }
  }, 60_000);

  it('w2w listen closes its connection and exits 0 every time (5 runs)', async () => {
    const node = spawn(process.execPath, [BIN, 'node', '--port', '0', '--data', path.join(tmp, 'relay')], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((resolve) => {
        let out = '';
        node.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /listening on (ws:\/\/\S+)/.exec(out);
          if (m && out.includes('Press Ctrl-C')) resolve(m[1] as string);
        });
      });
      for (let i = 0; i < 5; i++) {
        const r = await interruptWhenReady(['listen', '--relay', url, '--data', path.join(tmp, 'listener')], /Ctrl-C to stop/);
        expect({ run: i, code: r.code, signal: r.signal }).toEqual({ run: i, code: 0, signal: null });
      }
    } finally {
      node.kill('SIGINT');
    }
  }, 60_000);
});
