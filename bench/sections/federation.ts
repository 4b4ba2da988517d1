// Sections 7 and 8: federation. a2b throughput and round trips from a client on relay A to a client on
// A, B, C or D of a chain of linked relays A–B–C–D (0 to 3 links crossed), as ratios to the single relay
// measured in the same run; then a2n fan-out from one client to 1,000 clients spread over three relays
// linked in a triangle, counting every delivery.
import type { FlowArgs, Target } from '../commands.js';
import type { Context, FlowResult, RelayHandle } from '../context.js';
import type { Noise } from '../noise.js';
import { mbps, pct, rate, ratio, sizeName, table, us } from '../report.js';
import { median, percentile } from '../stats.js';
import { medianRun, noiseNote, problemNote, windowFor } from './a2b.js';

const NAMES = ['A', 'B', 'C', 'D'];

/** Relays pinned round-robin over the two CPUs, A on the servers' CPU 0; the load process stays on CPU 1. */
const cpuOf = (i: number): number => i % 2;

function pathName(n: number): string {
  return NAMES.slice(0, n).join('–');
}

/** Starts federated relays (in parallel), named and pinned by position. */
async function startRelays(ctx: Context, n: number): Promise<RelayHandle[]> {
  const started = await Promise.allSettled(NAMES.slice(0, n).map((name, i) => ctx.startRelay('w2w', { federation: true, cpu: cpuOf(i), name: `w2w ${name}` })));
  const ok = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    for (const r of ok) await r.stop();
    throw failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason));
  }
  return ok;
}

/** Links relays[a] -> relays[b] for each pair (a dials b) and waits until every relay sees its links up. */
async function linkAll(relays: RelayHandle[], pairs: [number, number][]): Promise<void> {
  for (const [a, b] of pairs) {
    const to = (relays[b] as RelayHandle).target;
    await (relays[a] as RelayHandle).proc.call('link', { url: to.url, relayIdHex: to.relayIdHex as string });
  }
  const want = relays.map((_, i) => pairs.filter(([a, b]) => a === i || b === i).length);
  const deadline = performance.now() + 10_000;
  for (;;) {
    const up = await Promise.all(relays.map((r) => r.proc.call('links-up', null)));
    if (up.every((n, i) => n >= (want[i] as number))) return;
    if (performance.now() > deadline) throw new Error(`federation links did not come up within 10 s (up: ${up.join(', ')}; wanted ${want.join(', ')})`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function stopRelays(relays: RelayHandle[]): Promise<void> {
  await Promise.all(relays.map((r) => r.stop()));
}

function layoutNote(ctx: Context, n: number): string {
  if (!ctx.pinned) return `processes not pinned: ${n} relay processes and the load generator share the machine's CPUs as the scheduler decides`;
  const where = NAMES.slice(0, n).map((name, i) => `${name} on CPU ${cpuOf(i)}`);
  return `${n} relay processes and the load generator share 2 CPUs: ${where.join(', ')}, load generator on CPU 1 (relays alternate so that neighbours on a path never share a core)`;
}

interface RttFigures {
  p50: number;
  p99: number;
  count: number;
}

async function chain(ctx: Context): Promise<void> {
  const o = ctx.opts.federation;
  const window = windowFor(o.bodyBytes);
  ctx.log(
    `== 7. Federation: a2b over chains of linked relays A–B–C–D, 0 to 3 hops (${sizeName(o.bodyBytes)} bodies, ${o.lanes} sender/receiver pairs, window ${window}; senders on A, receivers on A, B, C or D; ${o.rounds} round(s) of ${o.measureMs / 1000} s windows) ==`,
  );
  ctx.log(`  ${layoutNote(ctx, NAMES.length)}`);
  ctx.log('  with more relays than cores, relays on a path share a core, so the measured msgs/s also fall with the CPU they share; "1 core each" estimates');
  ctx.log('  what the chain would carry if every relay had its own core: 1 / (CPU per message of its busiest relay)');
  const relays = await startRelays(ctx, NAMES.length);
  const runs = new Map<number, FlowResult[]>();
  const rtts = new Map<number, number[]>();
  const rttNoise: Noise[] = [];
  const a = (relays[0] as RelayHandle).target;
  try {
    await linkAll(relays, [
      [0, 1],
      [1, 2],
      [2, 3],
    ]);
    const flows = new Map<number, { id: number; args: FlowArgs }>();
    for (let n = 1; n <= relays.length; n++) {
      const args: FlowArgs = {
        target: a,
        receivers: [(relays[n - 1] as RelayHandle).target],
        federated: true,
        relays: n,
        shape: 'pairs',
        lanes: o.lanes,
        clients: 2 * o.lanes,
        bodyBytes: o.bodyBytes,
        window,
      };
      flows.set(n, { id: await ctx.setupFlow(args), args });
    }
    for (let round = 0; round < o.rounds; round++) {
      for (let n = 1; n <= relays.length; n++) {
        const f = flows.get(n) as { id: number; args: FlowArgs };
        const r = await ctx.runFlow(relays.slice(0, n), f.id, f.args, round === 0 ? 4 * o.warmupMs : o.warmupMs, o.measureMs);
        runs.set(n, [...(runs.get(n) ?? []), r]);
      }
    }
    await ctx.load.call('teardown', null);
    const perRound = Math.ceil(o.rtt.count / o.rounds);
    for (let round = 0; round < o.rounds; round++) {
      for (let n = 1; n <= relays.length; n++) {
        const peer = (relays[n - 1] as RelayHandle).target;
        const { value, noise } = await ctx.withNoise(relays.slice(0, n), () =>
          ctx.load.call('rtt', { target: a, peerTarget: peer, relays: n, bodyBytes: o.bodyBytes, warmup: o.rtt.warmup, count: perRound }),
        );
        rttNoise.push(noise);
        rtts.set(n, [...(rtts.get(n) ?? []), ...value.samplesUs]);
      }
    }
  } finally {
    await ctx.load.call('teardown', null);
    await stopRelays(relays);
  }

  const all = (n: number): FlowResult[] => runs.get(n) ?? [];
  // Same-round ratios, as in the a2b section: against one hop (A–B) and against the single relay (A).
  const vs = (n: number, base: number, f: (r: FlowResult) => number): number => median(all(n).map((x, i) => f(x) / f(all(base)[i] as FlowResult)));
  const msgs = (r: FlowResult): number => r.messagesPerSec;
  // What the chain would carry with a core per relay: its busiest relay's CPU per message sets the pace.
  const ownCore = (r: FlowResult): number => 1e6 / Math.max(...r.relayCpuUsPerMessage);
  const rtt = (n: number): RttFigures => {
    const s = rtts.get(n) ?? [];
    return { p50: percentile(s, 50), p99: percentile(s, 99), count: s.length };
  };
  const ns = [...runs.keys()].sort();
  const hops = (n: number): string => (n === 1 ? '0 (one relay)' : String(n - 1));
  ctx.log(
    table(
      ['relays', 'hops', 'msgs/s', 'body MB/s', 'vs 1 hop', 'vs A', 'relay CPU each', 'relay CPU/msg each', '1 core each', 'vs 1 hop', 'load CPU', 'lost', 'no receipt', 'notes'],
      ns.map((n) => {
        const r = medianRun(all(n));
        const lost = all(n).reduce((m, x) => Math.max(m, x.lost), 0);
        return [
          pathName(n),
          hops(n),
          `${rate(r.messagesPerSec)}/s`,
          mbps(r.bodyBytesPerSec),
          ratio(vs(n, 2, msgs)),
          ratio(vs(n, 1, msgs)),
          r.relayCpus.map(pct).join(' '),
          r.relayCpuUsPerMessage.map((x) => x.toFixed(1)).join(' ') + ' µs',
          `${rate(ownCore(r))}/s`,
          ratio(vs(n, 2, ownCore)),
          pct(r.loadCpu),
          String(lost),
          n === 1 ? '-' : String(all(n).reduce((m, x) => Math.max(m, x.missingReceipts), 0)),
          problemNote(r),
        ];
      }),
    ),
  );
  ctx.log('  (hops: relay-to-relay links crossed; medians over rounds; ratios are medians of same-round ratios; lost and "no receipt"');
  ctx.log('   (sent - DELIVERED receipts back at the sender) after draining. A runs with federation on, as `w2w node` always does: every');
  ctx.log("   message it routes enters the seen-cache; section 2's relay runs without federation)");
  const every = ns.flatMap((n) => all(n));
  ctx.log(`  ${noiseNote(every.map((x) => x.steal), every.map((x) => x.others))}`);
  ctx.log(`  round trips (${sizeName(o.bodyBytes)}, one in flight, ${rtt(1).count} per chain):`);
  ctx.log(
    table(
      ['relays', 'hops', 'p50', 'p99', 'p50 vs 1 hop', 'p99 vs 1 hop', 'p50 vs A', 'p99 vs A'],
      ns.map((n) => [
        pathName(n),
        hops(n),
        us(rtt(n).p50),
        us(rtt(n).p99),
        ratio(rtt(n).p50 / rtt(2).p50),
        ratio(rtt(n).p99 / rtt(2).p99),
        ratio(rtt(n).p50 / rtt(1).p50),
        ratio(rtt(n).p99 / rtt(1).p99),
      ]),
    ),
  );
  ctx.log(`  ${noiseNote(rttNoise.map((x) => x.steal), rttNoise.map((x) => x.others))}`);
  const storeAndVerify = every.reduce((s, x) => s + x.storeCalls + x.verifies, 0);
  const forwarded = every.reduce((s, x) => s + x.deliveries, 0);
  ctx.log(`  relays during the measured windows: ${storeAndVerify} store calls and signature verifications for ${rate(forwarded)} messages`);

  const name = (n: number): string => `${n - 1} hop${n === 2 ? '' : 's'} (${pathName(n)})`;
  for (const n of ns.filter((x) => x > 1)) {
    const r = medianRun(all(n));
    // One hop against the single relay; more hops against one hop (the target: 2 hops >= 0.6x 1 hop).
    const base = n === 2 ? 1 : 2;
    const rel = vs(n, base, msgs);
    ctx.summary.push({
      metric: `fed a2b ${sizeName(o.bodyBytes)} msgs/s, ${name(n)}`,
      w2w: `${rate(r.messagesPerSec)} (${mbps(r.bodyBytesPerSec)})`,
      baseline: `${base === 1 ? 'A' : '1 hop'} ${rate(medianRun(all(base)).messagesPerSec)}; 1 core each ${ratio(vs(n, base, ownCore))}`,
      ratio: `${ratio(rel)} ${base === 1 ? 'A' : '1 hop'}`,
      target: n === 3 ? '>= 0.60x' : '-',
      met: n === 3 ? rel >= 0.6 : null,
    });
  }
  for (const n of ns.filter((x) => x > 1)) {
    const base = n === 2 ? 1 : 2;
    ctx.summary.push({
      metric: `fed a2b RTT p50 / p99, ${name(n)}`,
      w2w: `${us(rtt(n).p50)} / ${us(rtt(n).p99)}`,
      baseline: `${base === 1 ? 'A' : '1 hop'} ${us(rtt(base).p50)} / ${us(rtt(base).p99)}`,
      ratio: `${ratio(rtt(n).p50 / rtt(base).p50)} / ${ratio(rtt(n).p99 / rtt(base).p99)}`,
      target: '-',
      met: null,
    });
  }
  const missingReceipts = every.reduce((m, x) => Math.max(m, x.missingReceipts), 0);
  ctx.summary.push({
    metric: 'fed a2b lost, no receipt, store/verify',
    w2w: `${every.reduce((m, x) => Math.max(m, x.lost), 0)}, ${missingReceipts}, ${storeAndVerify}`,
    baseline: '-',
    ratio: '-',
    target: '0, 0, 0',
    met: forwarded > 0 && storeAndVerify === 0 && missingReceipts === 0 && every.every((x) => x.lost === 0),
  });
  ctx.figures.federation = {
    bodyBytes: o.bodyBytes,
    lanes: o.lanes,
    window,
    pinned: ctx.pinned,
    byRelays: Object.fromEntries(
      ns.map((n) => [
        n,
        {
          path: pathName(n),
          hops: n - 1,
          ratioToOneHop: vs(n, 2, msgs),
          ratioToOneRelay: vs(n, 1, msgs),
          ownCoreRatioToOneHop: vs(n, 2, ownCore),
          median: medianRun(all(n)),
          rounds: all(n),
          rtt: { ...rtt(n), p50ToOneHop: rtt(n).p50 / rtt(2).p50, p99ToOneHop: rtt(n).p99 / rtt(2).p99, p50ToOneRelay: rtt(n).p50 / rtt(1).p50, p99ToOneRelay: rtt(n).p99 / rtt(1).p99 },
        },
      ]),
    ),
  };
  ctx.log();
}

async function fanout(ctx: Context): Promise<void> {
  const o = ctx.opts.federation.fanout;
  const n = 3;
  ctx.log(
    `== 8. Federation: a2n fan-out over ${n} relays linked in a triangle (1 sender on A -> ${o.clients} clients incl. itself, spread evenly over A, B, C; ${sizeName(o.bodyBytes)} bodies, window ${o.window} messages, ${o.rounds} round(s) of ${o.measureMs / 1000} s) ==`,
  );
  ctx.log(`  ${layoutNote(ctx, n)}`);
  ctx.log('  every message reaches B and C twice (from A, and from the other one): the seen-cache must drop the second copy');
  const relays = await startRelays(ctx, n);
  const runs: FlowResult[] = [];
  try {
    await linkAll(relays, [
      [0, 1],
      [0, 2],
      [1, 2],
    ]);
    const others: Target[] = relays.slice(1).map((r) => r.target);
    const args: FlowArgs = { target: (relays[0] as RelayHandle).target, receivers: others, federated: true, shape: 'fanout', lanes: 1, clients: o.clients, bodyBytes: o.bodyBytes, window: o.window };
    const flow = await ctx.setupFlow(args);
    for (let round = 0; round < o.rounds; round++) {
      runs.push(await ctx.runFlow(relays, flow, args, round === 0 ? 4 * o.warmupMs : o.warmupMs, o.measureMs));
    }
  } finally {
    await ctx.load.call('teardown', null);
    await stopRelays(relays);
  }
  const r = medianRun(runs);
  const last = runs.at(-1) as FlowResult;
  const lost = Math.max(0, last.lost);
  const duplicates = Math.max(0, -last.lost);
  ctx.log(
    table(
      ['relays', 'msgs/s', 'deliveries/s', 'relay CPU each', 'relay CPU/msg each', 'load CPU', 'sent', 'lost', 'duplicates', 'notes'],
      [
        [
          pathName(n),
          `${rate(r.messagesPerSec)}/s`,
          `${rate(r.deliveriesPerSec)}/s`,
          r.relayCpus.map(pct).join(' '),
          r.relayCpuUsPerMessage.map((x) => x.toFixed(0)).join(' ') + ' µs',
          pct(r.loadCpu),
          String(last.sent),
          String(lost),
          String(duplicates),
          problemNote(r),
        ],
      ],
    ),
  );
  ctx.log(`  (lost = sent x ${o.clients} - deliveries counted after draining, duplicates the excess; medians over rounds; the single-relay fan-out is section 4)`);
  ctx.log(`  ${noiseNote(runs.map((x) => x.steal), runs.map((x) => x.others))}`);
  ctx.summary.push(
    {
      metric: `fed a2n x${o.clients} over ${n} relays deliveries/s`,
      w2w: `${rate(r.deliveriesPerSec)} (${rate(r.messagesPerSec)} msgs/s)`,
      baseline: '-',
      ratio: '-',
      target: '-',
      met: null,
    },
    {
      metric: `fed a2n lost deliveries`,
      w2w: `${lost} of ${rate(last.sent * o.clients)}${duplicates > 0 ? `, ${duplicates} duplicates` : ''}`,
      baseline: '-',
      ratio: '-',
      target: '0',
      met: last.sent > 0 && last.lost === 0,
    },
  );
  ctx.figures.federationFanout = { relays: n, topology: 'triangle', clients: o.clients, bodyBytes: o.bodyBytes, window: o.window, lost, duplicates, sent: last.sent, median: r, rounds: runs };
  ctx.log();
}

export async function federation(ctx: Context): Promise<void> {
  await chain(ctx);
  await fanout(ctx);
}
