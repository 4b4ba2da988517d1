// Child process for the large-transfer tests: one fetcher in its own process, so its memory can be
// measured alone and it can be killed outright (SIGKILL) mid-transfer. Started by transfer-large.test.ts
// with `node --expose-gc --import jiti/register`; reports JSON lines on stdout.
//
// argv[2]: JSON { url, dir, holding (hex of the encoded holding), out, progressEveryMs }
import { RelayClient } from '../../src-main/client/relay-client.js';
import { DataPlane } from '../../src-main/data/data-plane.js';
import { SecureChannel } from '../../src-main/e2e/secure-channel.js';
import { loadOrCreateIdentity } from '../../src-main/node/identity.js';
import { openStore } from '../../src-main/store/db.js';
import { decodeHolding } from '../../src-shared/protocol/declaration.js';

interface Args {
  url: string;
  dir: string;
  holding: string;
  out: string;
  progressEveryMs?: number;
}

function report(line: Record<string, unknown>): void {
  process.stdout.write(JSON.stringify(line) + '\n');
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as Args;
  const d = decodeHolding(Buffer.from(args.holding, 'hex'));
  if (!d.ok) throw d.error;
  const store = openStore(args.dir);
  const identity = loadOrCreateIdentity(store);
  const client = await RelayClient.connect({ url: args.url, identity });
  const channel = new SecureChannel(client, { keyStore: store.e2eSessions });
  const plane = new DataPlane(channel, store);
  (globalThis as { gc?: () => void }).gc?.();
  const baselineRss = process.memoryUsage().rss;
  let peakRss = baselineRss;
  const sample = (): void => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  };
  const timer = setInterval(sample, 25);
  report({ type: 'ready', baselineRss });
  try {
    const res = await plane.fetch(d.holding.core.contentHash, {
      from: [d.holding],
      out: args.out,
      progressEveryMs: args.progressEveryMs ?? 100,
      onProgress: (p) => {
        sample();
        report({ type: 'progress', bytes: p.bytes, durableBytes: p.durableBytes, total: p.total, bytesPerSec: p.bytesPerSec, etaMs: p.etaMs, rss: process.memoryUsage().rss });
      },
    });
    sample();
    report({ type: 'done', baselineRss, peakRss, elapsedMs: res.elapsedMs, chunksFetched: res.chunksFetched, chunksResumed: res.chunksResumed, size: res.size });
  } catch (err) {
    report({ type: 'error', code: (err as { code?: number }).code ?? null, message: String(err) });
    process.exitCode = 1;
  } finally {
    clearInterval(timer);
    plane.close();
    await client.close();
    store.close();
  }
}

main().catch((err: unknown) => {
  report({ type: 'error', code: null, message: String(err) });
  process.exit(1);
});
