// Section 3: a2b round trips, one message in flight, through the w2w relay and the raw forwarders.
import { SERVER_KINDS, type ServerKind } from '../commands.js';
import type { Context, RelayHandle } from '../context.js';
import type { Noise } from '../noise.js';
import { ratio, sizeName, table, us } from '../report.js';
import { mean, percentile } from '../stats.js';
import { noiseNote, startAll, stopAll } from './a2b.js';

interface RttFigures {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
  count: number;
}

export async function rtt(ctx: Context): Promise<void> {
  const o = ctx.opts.rtt;
  ctx.log(`== 3. a2b round trip (${o.count} ping-pongs of ${sizeName(o.bodyBytes)} per server, one in flight, in ${o.rounds} round(s) taking turns) ==`);
  const samples = new Map<ServerKind, number[]>();
  const noises: Noise[] = [];
  const relays = await startAll(ctx);
  try {
    const perRound = Math.ceil(o.count / o.rounds);
    for (let round = 0; round < o.rounds; round++) {
      for (const kind of SERVER_KINDS) {
        const relay = relays.get(kind) as RelayHandle;
        const { value, noise } = await ctx.withNoise([relay], () =>
          ctx.load.call('rtt', { target: relay.target, bodyBytes: o.bodyBytes, warmup: o.warmup, count: perRound }),
        );
        noises.push(noise);
        samples.set(kind, [...(samples.get(kind) ?? []), ...value.samplesUs]);
      }
    }
  } finally {
    await stopAll(relays);
  }
  const figures: Partial<Record<ServerKind, RttFigures>> = {};
  for (const kind of SERVER_KINDS) {
    const samplesUs = samples.get(kind) ?? [];
    figures[kind] = {
      p50: percentile(samplesUs, 50),
      p90: percentile(samplesUs, 90),
      p99: percentile(samplesUs, 99),
      max: percentile(samplesUs, 100),
      mean: mean(samplesUs),
      count: samplesUs.length,
    };
  }
  ctx.log(
    table(
      ['server', 'p50', 'p90', 'p99', 'max', 'mean'],
      SERVER_KINDS.map((k) => {
        const f = figures[k] as RttFigures;
        return [k, us(f.p50), us(f.p90), us(f.p99), us(f.max), us(f.mean)];
      }),
    ),
  );
  ctx.log(`  ${noiseNote(noises.map((n) => n.steal), noises.map((n) => n.others))}`);
  if (ctx.pinned) ctx.log('  (server and clients on different cores: every hop includes a cross-core wake-up, which dominates these times on a VM)');
  const w = figures.w2w as RttFigures;
  const n = figures['raw-naive'] as RttFigures;
  const b = figures['raw-batched'] as RttFigures;
  // The stricter baseline: the faster of the two raw forwarders.
  const raw50 = Math.min(n.p50, b.p50);
  const raw99 = Math.min(n.p99, b.p99);
  ctx.summary.push(
    { metric: 'a2b RTT p50 (1 KiB)', w2w: us(w.p50), baseline: `naive ${us(n.p50)}, batched ${us(b.p50)}`, ratio: `${ratio(w.p50 / raw50)} raw`, target: '-', met: null },
    { metric: 'a2b RTT p99 (1 KiB)', w2w: us(w.p99), baseline: `naive ${us(n.p99)}, batched ${us(b.p99)}`, ratio: `${ratio(w.p99 / raw99)} raw`, target: '<= 1.30x', met: w.p99 / raw99 <= 1.3 },
  );
  ctx.figures.rtt = { bodyBytes: o.bodyBytes, ...figures };
  ctx.log();
}
