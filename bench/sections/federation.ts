// Sections 7 and 8: federation. a2b throughput and round trips from a client on relay A to a client on
// A, B, C or D of a chain of linked relays A–B–C–D (0 to 3 links crossed), as ratios to one hop and to
// the single relay measured in the same run, twice: with relays free to use whole (shared) cores, and
// with every relay held to the same share of a core; then a2n fan-out from one client to 1,000 clients
// spread over three relays linked in a triangle, counting every delivery.
import type { FlowArgs, Target } from '../commands.js';
import { cpuQuotaUnavailable } from '../cpu-quota.js';
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

/** Starts federated relays (in parallel), named and pinned by position, each held to `cpuShare` of a core if given. */
async function startRelays(ctx: Context, n: number, cpuShare?: number): Promise<RelayHandle[]> {
  const started = await Promise.allSettled(NAMES.slice(0, n).map((name, i) => ctx.startRelay('w2w', { federation: true, cpu: cpuOf(i), name: `w2w ${name}`, cpuShare })));
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

/**
 * Each relay's share of one core in the "equal shares" run: every relay is held to the same CPU, as if
 * each ran on its own (slower) machine, so the ratios measure what a hop costs rather than what sharing
 * a core with another relay costs. Four relays at 0.4 and the load process fit in two cores.
 */
const EQUAL_SHARE = 0.4;

interface ChainRuns {
  /** flow results per chain length (number of relays), one per round */
  runs: Map<number, FlowResult[]>;
  /** round-trip samples per chain length (shared-cores run only) */
  rtts: Map<number, number[]>;
  rttNoise: Noise[];
}

/** Runs the a2b flows over chains of 1..4 relays, in rounds, and (if asked) the round trips. */
async function measureChain(ctx: Context, cpuShare: number | undefined, withRtt: boolean): Promise<ChainRuns> {
  const o = ctx.opts.federation;
  const window = windowFor(o.bodyBytes);
  const relays = await startRelays(ctx, NAMES.length, cpuShare);
  const out: ChainRuns = { runs: new Map(), rtts: new Map(), rttNoise: [] };
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
        out.runs.set(n, [...(out.runs.get(n) ?? []), r]);
      }
    }
    await ctx.load.call('teardown', null);
    if (!withRtt) return out;
    const perRound = Math.ceil(o.rtt.count / o.rounds);
    for (let round = 0; round < o.rounds; round++) {
      for (let n = 1; n <= relays.length; n++) {
        const peer = (relays[n - 1] as RelayHandle).target;
        const { value, noise } = await ctx.withNoise(relays.slice(0, n), () =>
          ctx.load.call('rtt', { target: a, peerTarget: peer, relays: n, bodyBytes: o.bodyBytes, warmup: o.rtt.warmup, count: perRound }),
        );
        out.rttNoise.push(noise);
        out.rtts.set(n, [...(out.rtts.get(n) ?? []), ...value.samplesUs]);
      }
    }
    return out;
  } finally {
    await ctx.load.call('teardown', null);
    await stopRelays(relays);
  }
}

const hops = (n: number): string => (n === 1 ? '0 (one relay)' : String(n - 1));
const chainName = (n: number): string => `${n - 1} hop${n === 2 ? '' : 's'} (${pathName(n)})`;
const msgs = (r: FlowResult): number => r.messagesPerSec;
/** What the chain would carry with a core per relay: its busiest relay's CPU per message sets the pace. */
const ownCore = (r: FlowResult): number => 1e6 / Math.max(...r.relayCpuUsPerMessage);

/** Ratios and tables of one chain run. */
class ChainFigures {
  constructor(readonly runs: Map<number, FlowResult[]>) {}

  all(n: number): FlowResult[] {
    return this.runs.get(n) ?? [];
  }

  get lengths(): number[] {
    return [...this.runs.keys()].sort();
  }

  /** Same-round ratios, as in the a2b section: n relays against `base` relays. */
  vs(n: number, base: number, f: (r: FlowResult) => number): number {
    return median(this.all(n).map((x, i) => f(x) / f(this.all(base)[i] as FlowResult)));
  }

  /** One hop against the single relay; more hops against one hop (the target: 2 hops >= 0.6x 1 hop). */
  baseOf(n: number): number {
    return n === 2 ? 1 : 2;
  }

  get every(): FlowResult[] {
    return this.lengths.flatMap((n) => this.all(n));
  }

  table(withOwnCore: boolean): string {
    const head = ['relays', 'hops', 'msgs/s', 'body MB/s', 'vs 1 hop', 'vs A', 'relay CPU each', 'relay CPU/msg each'];
    if (withOwnCore) head.push('1 core each', 'vs 1 hop');
    head.push('load CPU', 'lost', 'no receipt', 'notes');
    return table(
      head,
      this.lengths.map((n) => {
        const r = medianRun(this.all(n));
        const row = [
          pathName(n),
          hops(n),
          `${rate(r.messagesPerSec)}/s`,
          mbps(r.bodyBytesPerSec),
          ratio(this.vs(n, 2, msgs)),
          ratio(this.vs(n, 1, msgs)),
          r.relayCpus.map(pct).join(' '),
          r.relayCpuUsPerMessage.map((x) => x.toFixed(1)).join(' ') + ' µs',
        ];
        if (withOwnCore) row.push(`${rate(ownCore(r))}/s`, ratio(this.vs(n, 2, ownCore)));
        row.push(
          pct(r.loadCpu),
          String(this.all(n).reduce((m, x) => Math.max(m, x.lost), 0)),
          n === 1 ? '-' : String(this.all(n).reduce((m, x) => Math.max(m, x.missingReceipts), 0)),
          problemNote(r),
        );
        return row;
      }),
    );
  }

  json(rtt?: (n: number) => Record<string, number>): Record<string, unknown> {
    return Object.fromEntries(
      this.lengths.map((n) => [
        n,
        {
          path: pathName(n),
          hops: n - 1,
          ratioToOneHop: this.vs(n, 2, msgs),
          ratioToOneRelay: this.vs(n, 1, msgs),
          ownCoreRatioToOneHop: this.vs(n, 2, ownCore),
          median: medianRun(this.all(n)),
          rounds: this.all(n),
          ...(rtt ? { rtt: rtt(n) } : {}),
        },
      ]),
    );
  }
}

async function chain(ctx: Context): Promise<void> {
  const o = ctx.opts.federation;
  const window = windowFor(o.bodyBytes);
  ctx.log(
    `== 7. Federation: a2b over chains of linked relays A–B–C–D, 0 to 3 hops (${sizeName(o.bodyBytes)} bodies, ${o.lanes} sender/receiver pairs, window ${window}; senders on A, receivers on A, B, C or D; ${o.rounds} round(s) of ${o.measureMs / 1000} s windows) ==`,
  );
  ctx.log('  run 1, shared cores: every relay may use a whole core, but with more relays than cores relays on a path share a core,');
  ctx.log('  so the measured msgs/s also fall with the CPU they share; "1 core each" estimates what the chain would carry if every');
  ctx.log('  relay had its own core: 1 / (CPU per message of its busiest relay)');
  ctx.log(`  ${layoutNote(ctx, NAMES.length)}`);
  const shared = await measureChain(ctx, undefined, true);
  const sf = new ChainFigures(shared.runs);
  ctx.log(sf.table(true));
  ctx.log('  (hops: relay-to-relay links crossed; medians over rounds; ratios are medians of same-round ratios; lost and "no receipt"');
  ctx.log('   (sent - DELIVERED receipts back at the sender) after draining. A runs with federation on, as `w2w node` always does: every');
  ctx.log("   message it routes enters the seen-cache; section 2's relay runs without federation)");
  ctx.log(`  ${noiseNote(sf.every.map((x) => x.steal), sf.every.map((x) => x.others))}`);

  const rtt = (n: number): RttFigures => {
    const s = shared.rtts.get(n) ?? [];
    return { p50: percentile(s, 50), p99: percentile(s, 99), count: s.length };
  };
  ctx.log(`  round trips (${sizeName(o.bodyBytes)}, one in flight, ${rtt(1).count} per chain, shared cores):`);
  ctx.log(
    table(
      ['relays', 'hops', 'p50', 'p99', 'p50 vs 1 hop', 'p99 vs 1 hop', 'p50 vs A', 'p99 vs A'],
      sf.lengths.map((n) => [
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
  ctx.log(`  ${noiseNote(shared.rttNoise.map((x) => x.steal), shared.rttNoise.map((x) => x.others))}`);

  // Run 2: the same chains with every relay held to the same share of a core.
  const unavailable = cpuQuotaUnavailable();
  let ef: ChainFigures | null = null;
  if (unavailable) {
    ctx.log(`  run 2, equal shares (every relay held to ${EQUAL_SHARE} of a core): not run here: ${unavailable}`);
  } else {
    ctx.log(`  run 2, equal shares: every relay held to ${EQUAL_SHARE} of a core by a cgroup CPU quota (10 ms period), the same layout otherwise,`);
    ctx.log('  as if each relay ran on its own machine: the ratios measure what a hop costs, not what sharing a core costs');
    ef = new ChainFigures((await measureChain(ctx, EQUAL_SHARE, false)).runs);
    ctx.log(ef.table(false));
    ctx.log(`  (a relay at ${pct(EQUAL_SHARE)} CPU is the bottleneck; the others wait for it)`);
    ctx.log(`  ${noiseNote(ef.every.map((x) => x.steal), ef.every.map((x) => x.others))}`);
  }

  const every = [...sf.every, ...(ef?.every ?? [])];
  const storeAndVerify = every.reduce((s, x) => s + x.storeCalls + x.verifies, 0);
  const forwarded = every.reduce((s, x) => s + x.deliveries, 0);
  ctx.log(`  relays during the measured windows: ${storeAndVerify} store calls and signature verifications for ${rate(forwarded)} messages`);

  // The 2-hop target is read from the equal-shares run when it ran: there each relay has the same CPU,
  // as on separate machines; the shared-cores run also measures two relays competing for one core.
  const targetRun = ef ?? sf;
  const rows = (f: ChainFigures, label: string): void => {
    for (const n of f.lengths.filter((x) => x > 1)) {
      const r = medianRun(f.all(n));
      const base = f.baseOf(n);
      const rel = f.vs(n, base, msgs);
      const isTarget = n === 3 && f === targetRun;
      ctx.summary.push({
        metric: `fed a2b ${sizeName(o.bodyBytes)} msgs/s, ${chainName(n)}, ${label}`,
        w2w: `${rate(r.messagesPerSec)} (${mbps(r.bodyBytesPerSec)})`,
        baseline: `${base === 1 ? 'A' : '1 hop'} ${rate(medianRun(f.all(base)).messagesPerSec)}${f === sf ? `; 1 core each ${ratio(f.vs(n, base, ownCore))}` : ''}`,
        ratio: `${ratio(rel)} ${base === 1 ? 'A' : '1 hop'}`,
        target: isTarget ? '>= 0.60x' : '-',
        met: isTarget ? rel >= 0.6 : null,
      });
    }
  };
  rows(sf, 'shared cores');
  if (ef) rows(ef, `${EQUAL_SHARE} core each`);
  for (const n of sf.lengths.filter((x) => x > 1)) {
    const base = sf.baseOf(n);
    ctx.summary.push({
      metric: `fed a2b RTT p50 / p99, ${chainName(n)}`,
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
    byRelays: sf.json((n) => ({ ...rtt(n), p50ToOneHop: rtt(n).p50 / rtt(2).p50, p99ToOneHop: rtt(n).p99 / rtt(2).p99, p50ToOneRelay: rtt(n).p50 / rtt(1).p50, p99ToOneRelay: rtt(n).p99 / rtt(1).p99 })),
    equalShares: ef ? { share: EQUAL_SHARE, byRelays: ef.json() } : { share: EQUAL_SHARE, notRun: unavailable },
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
