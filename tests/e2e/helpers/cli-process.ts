// Other `w2w` CLI commands for the end-to-end tests: a one-shot run (its output and exit code), or a
// long-running one (e.g. `listen`) whose exit and stderr the test can await.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';

const BIN = path.resolve('bin/w2w.js');

export interface CliRun {
  code: number | null;
  out: string;
  err: string;
}

/** Runs `w2w ARGS…` to its end (at most `timeoutMs`, then it is killed). */
export function runCli(args: string[], timeoutMs = 20_000): Promise<CliRun> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

export class CliProcess {
  out = '';
  err = '';
  readonly exited: Promise<number | null>;

  constructor(readonly proc: ChildProcessWithoutNullStreams) {
    proc.stdout.on('data', (d: Buffer) => (this.out += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (this.err += d.toString()));
    this.exited = new Promise((resolve) => proc.on('exit', (code) => resolve(code)));
  }

  static start(args: string[]): CliProcess {
    return new CliProcess(spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] }));
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    this.proc.kill('SIGINT');
    await this.exited;
  }
}
