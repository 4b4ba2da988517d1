// Test helper: runs the real `bin/w2w.js` in a child process (the CLI under test, built by `npm run build`).
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

/** The CLI entry point, as `npx w2w` runs it. */
export const W2W_BIN = path.resolve('bin/w2w.js');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `w2w ...args` to its end (killed after `timeoutMs`) and returns its exit code and output. */
export async function runW2w(args: readonly string[], timeoutMs = 20_000): Promise<CliRun> {
  try {
    const { stdout, stderr } = await execFileP(process.execPath, [W2W_BIN, ...args], { timeout: timeoutMs });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}
