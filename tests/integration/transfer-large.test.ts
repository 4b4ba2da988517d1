// Large transfers with the fetcher in its own process: 200 MiB with bounded memory (the fetcher's RSS
// growth is measured, not its time), and a fetch killed outright (SIGKILL) at random points that
// resumes from the verified chunks persisted in SQLite to an identical file.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeHolding, type Holding } from '../../src-shared/protocol/declaration.js';
import { toHex } from '../../src-shared/ids.js';
import { startFedRelay, type FedRelay } from '../helpers/federation.js';
import { randomFile, sameBytes, startNode, tempDir, type TestNode } from './transfer-harness.js';

const CHILD = path.resolve('tests/integration/transfer-fetch-child.ts');
const MiB = 1024 * 1024;

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

type Line = { type: 'ready' | 'progress' | 'done' | 'error'; [k: string]: unknown };

interface Child {
  proc: ChildProcess;
  lines: Line[];
  /** resolves with the first line that passes `test` (or rejects when the process exits first) */
  waitFor(test: (l: Line) => boolean): Promise<Line>;
  exited: Promise<number | null>;
}

function startChild(args: { url: string; dir: string; holding: Holding; out: string; progressEveryMs?: number }): Child {
  const proc = spawn(process.execPath, ['--expose-gc', '--import', 'jiti/register', CHILD, JSON.stringify({ ...args, holding: toHex(encodeHolding(args.holding)) })], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Line[] = [];
  const waiters: { test: (l: Line) => boolean; resolve: (l: Line) => void; reject: (e: Error) => void }[] = [];
  let stderr = '';
  proc.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
  readline.createInterface({ input: proc.stdout as NodeJS.ReadableStream }).on('line', (text) => {
    const line = JSON.parse(text) as Line;
    lines.push(line);
    for (const w of waiters.splice(0)) {
      if (w.test(line)) w.resolve(line);
      else waiters.push(w);
    }
  });
  const exited = new Promise<number | null>((resolve) =>
    proc.on('exit', (code) => {
      // let readline hand out the last lines first
      setImmediate(() => {
        for (const w of waiters.splice(0)) w.reject(new Error(`fetcher exited (${code}) first; stderr:\n${stderr}\nlines:\n${lines.map((l) => JSON.stringify(l)).join('\n')}`));
        resolve(code);
      });
    }),
  );
  cleanup.push(() => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  });
  return {
    proc,
    lines,
    exited,
    waitFor: (test) => {
      const found = lines.find(test);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => waiters.push({ test, resolve, reject }));
    },
  };
}

async function holderWithFile(bytes: number): Promise<{ r: FedRelay; alice: TestNode; src: string; holding: Holding }> {
  const r = await startFedRelay();
  cleanup.push(() => r.close());
  const alice = await startNode(r.url);
  cleanup.push(() => alice.close());
  const src = path.join(alice.dir, 'large.bin');
  await randomFile(src, bytes);
  const holding = await alice.plane.share(src);
  return { r, alice, src, holding };
}

describe('large transfers (fetcher in a child process)', () => {
  it('fetches 200 MiB with bounded memory: the fetcher grows by well under 150 MiB', async () => {
    const { r, src, holding } = await holderWithFile(200 * MiB);
    const dir = tempDir();
    cleanup.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const out = path.join(dir, 'large.bin');
    const child = startChild({ url: r.url, dir, holding, out });
    const done = await child.waitFor((l) => l.type === 'done' || l.type === 'error');
    expect(done).toMatchObject({ type: 'done', size: 200 * MiB, chunksFetched: 3200 });
    const growthMiB = ((done.peakRss as number) - (done.baselineRss as number)) / MiB;
    const mbPerSec = (200 * MiB) / 1e6 / ((done.elapsedMs as number) / 1000);
    console.log(`200 MiB fetch: RSS growth ${growthMiB.toFixed(1)} MiB (baseline ${((done.baselineRss as number) / MiB).toFixed(0)} MiB), ${((done.elapsedMs as number) / 1000).toFixed(1)} s, ${mbPerSec.toFixed(1)} MB/s`);
    expect(growthMiB).toBeLessThan(150);
    expect(await child.exited).toBe(0);
    expect(await sameBytes(src, out)).toBe(true);
  }, 90_000);

  it('a fetcher killed with SIGKILL at random points resumes from its SQLite bitmap to an identical file', async () => {
    const size = 32 * MiB;
    const { r, src, holding } = await holderWithFile(size);
    const dir = tempDir();
    cleanup.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const out = path.join(dir, 'large.bin');
    let lastKill = 0;
    for (let round = 0; round < 2; round++) {
      // a progress line per chunk, and a kill point well before the end
      const child = startChild({ url: r.url, dir, holding, out, progressEveryMs: 0 });
      // Durable progress trails the verified bytes by up to a sync batch plus what is in flight (4 + 4 MiB):
      // kill points stay far enough from the end that the fetch cannot finish first.
      const at = lastKill + Math.floor(Math.random() * (size - 16 * MiB - lastKill) * 0.5);
      // Verified chunks become durable in batches (synced, then recorded): wait for one past the kill point.
      const seen = await child.waitFor((l) => (l.type === 'progress' && (l.durableBytes as number) > at) || l.type === 'done' || l.type === 'error');
      expect(seen.type).toBe('progress');
      child.proc.kill('SIGKILL');
      await child.exited;
      lastKill = seen.durableBytes as number;
      expect(fs.existsSync(out)).toBe(false);
    }
    const child = startChild({ url: r.url, dir, holding, out });
    const done = await child.waitFor((l) => l.type === 'done' || l.type === 'error');
    expect(done.type).toBe('done');
    // everything reported durable before the last kill was kept
    expect((done.chunksResumed as number) * 65536).toBeGreaterThanOrEqual(lastKill);
    expect((done.chunksResumed as number) + (done.chunksFetched as number)).toBe(512);
    expect(await sameBytes(src, out)).toBe(true);
  }, 90_000);
});
