// Smoke test of `npm run bench`: runs the quick bench once as a child process and checks that it
// finishes, prints every section and the summary, and writes its JSON. It asserts nothing about speed:
// figures on a shared 2-core machine vary too much for that, and the bench reports them, not the test.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const RUN_JS = path.join(ROOT, 'dist/bench/run.js');

/** Newest modification time of any .ts file below `dir`. */
function newestTs(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestTs(p));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

function run(cmd: string, args: string[], timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${cmd} ${args.join(' ')} did not finish within ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('npm run bench -- --quick', () => {
  beforeAll(async () => {
    // `npm test` builds first; a bare `vitest run` may find dist/ missing or older than the sources.
    const built = fs.existsSync(RUN_JS) ? fs.statSync(RUN_JS).mtimeMs : 0;
    const sources = Math.max(...['bench', 'src-main', 'src-shared'].map((d) => newestTs(path.join(ROOT, d))));
    if (built < sources) {
      // tsc emits even when some other file has a type error; the typecheck step reports those.
      await run(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], 180_000);
    }
    expect(fs.existsSync(RUN_JS), 'dist/bench/run.js exists after the build').toBe(true);
  }, 200_000);

  it('completes and prints every section, the summary and the JSON figures', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'w2w-bench-smoke-'));
    const json = path.join(dir, 'bench.json');
    try {
      const { code, stdout, stderr } = await run(process.execPath, [RUN_JS, '--quick', '--json', json], 240_000);
      expect(code, `bench exited with ${code}\n${stdout}\n${stderr}`).toBe(0);
      for (const heading of [
        '== 1. Raw ws forwarders',
        '== 2. a2b throughput',
        '== 3. a2b round trip',
        '== 4. a2n fan-out',
        '== 5. Registrations/s',
        '== 6. Memory of',
        '== 7. Federation: a2b over chains',
        '== 8. Federation: a2n fan-out',
        '== 9. End-to-end crypto',
        '== 10. Encrypted file transfer',
        '== Summary',
      ]) {
        expect(stdout, `the output has a section "${heading}"`).toContain(heading);
      }
      for (const metric of [
        'a2b 1 KiB msgs/s',
        'a2b RTT p99',
        'a2n fan-out x1000 deliveries/s',
        'a2n fan-out lost deliveries',
        'registrations/s',
        'idle RSS per client',
        'fed a2b 1 KiB msgs/s, 1 hop (A–B)',
        'fed a2b 1 KiB msgs/s, 2 hops (A–B–C)',
        'fed a2b RTT p50 / p99, 3 hops (A–B–C–D)',
        'fed a2n x1000 over 3 relays deliveries/s',
        'fed a2n lost deliveries',
        'fed a2b lost, no receipt, store/verify',
        'e2e a2b 1 KiB sealed msgs/s',
        'e2e handshakes/s',
        'AEAD seal / open 64 KiB',
        'encrypted file transfer (32.0 MiB)',
      ]) {
        expect(stdout, `the summary has a row "${metric}"`).toContain(metric);
      }
      expect(stdout).not.toContain('SECTION FAILED');

      const doc = JSON.parse(fs.readFileSync(json, 'utf8')) as { failures: string[]; figures: Record<string, unknown>; summary: { metric: string }[] };
      expect(doc.failures).toEqual([]);
      expect(Object.keys(doc.figures).sort()).toEqual(['a2b', 'e2e', 'fanout', 'federation', 'federationFanout', 'forwarders', 'memory', 'registrations', 'rtt', 'transfer']);
      // Correctness, not speed: every server under test hands messages on byte for byte, federation and
      // end-to-end flows lose nothing, and the transferred file arrives whole and verified.
      expect(doc.figures.forwarders).toMatchObject({ w2w: { ok: true }, 'raw-naive': { ok: true }, 'raw-batched': { ok: true } });
      const fed = doc.figures.federation as { byRelays: Record<string, { rounds: { lost: number; missingReceipts: number }[] }> };
      expect(Object.keys(fed.byRelays)).toEqual(['1', '2', '3', '4']);
      for (const r of Object.values(fed.byRelays)) for (const x of r.rounds) expect(x).toMatchObject({ lost: 0, missingReceipts: 0 });
      // The equal-shares run needs a cgroup CPU controller: where it ran, it loses nothing either; where
      // it could not, the output says why and the summary still has the shared-cores rows.
      const equal = (doc.figures.federation as { equalShares: { byRelays?: typeof fed.byRelays; notRun?: string } }).equalShares;
      if (equal.byRelays) {
        expect(Object.keys(equal.byRelays)).toEqual(['1', '2', '3', '4']);
        for (const r of Object.values(equal.byRelays)) for (const x of r.rounds) expect(x).toMatchObject({ lost: 0, missingReceipts: 0 });
        expect(stdout).toContain('fed a2b 1 KiB msgs/s, 2 hops (A–B–C), 0.4 core each');
      } else {
        expect(stdout).toContain(`not run here: ${equal.notRun}`);
      }
      expect(doc.figures.federationFanout).toMatchObject({ lost: 0, duplicates: 0 });
      const e2e = doc.figures.e2e as Record<'plaintext' | 'sealed', { rounds: { lost: number; rejected: number; gaps: number }[] }>;
      for (const mode of ['plaintext', 'sealed'] as const) for (const x of e2e[mode].rounds) expect(x).toMatchObject({ lost: 0, rejected: 0, gaps: 0 });
      const transfer = doc.figures.transfer as { fileBytes: number; fetches: { fetched: { size: number; corruptChunks: number } }[] };
      expect(transfer.fetches.map((f) => f.fetched)).toMatchObject([{ size: transfer.fileBytes, corruptChunks: 0 }]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
