// Section 2: a2b throughput through the w2w relay beside the raw forwarders, at several body sizes.
// Several sender/receiver pairs with a credit window each keep the server busy. All three servers stay
// up (one busy at a time) and take turns window by window, so drift and noisy neighbours hit them
// alike; figures are medians over the rounds, and ratios are medians of same-round ratios.
import { SERVER_KINDS, type FlowArgs, type ServerKind } from '../commands.js';
import type { Context, FlowResult, RelayHandle } from '../context.js';
import { mbps, pct, rate, ratio, sizeName, table } from '../report.js';
import { median } from '../stats.js';

/**
 * About 1 MiB in flight per pair, at least 16 and at most 2048 messages: enough that the server never
 * waits for a refill (a wake-up across cores costs ~0.1-0.3 ms on these VMs), bounded so that queues
 * in the kernel stay small.
 */
export function windowFor(bodyBytes: number): number {
  return Math.max(16, Math.min(2048, Math.round((1024 * 1024) / (bodyBytes + 100))));
}

/** The run whose messages/s is the median (the lower middle one for an even count). */
export function medianRun(runs: FlowResult[]): FlowResult {
  const sorted = [...runs].sort((a, b) => a.messagesPerSec - b.messagesPerSec);
  return sorted[Math.floor((sorted.length - 1) / 2)] as FlowResult;
}

export function problemNote(r: FlowResult): string {
  if (r.problem) return r.problem;
  if (r.unexpected > 0) return `${r.unexpected} unexpected frames`;
  if (Object.keys(r.relayErrors).length > 0) return `relay errors ${JSON.stringify(r.relayErrors)}`;
  return '';
}

/** How quiet the machine was: CPU the hypervisor and other processes took during the windows. */
export function noiseNote(steals: number[], others: number[]): string {
  const f = (xs: number[]): string => `median ${pct(median(xs))}, max ${pct(Math.max(...xs))}`;
  return `noise: other processes used ${f(others)} of a core; hypervisor steal ${f(steals)} of all CPU`;
}

export async function startAll(ctx: Context): Promise<Map<ServerKind, RelayHandle>> {
  const relays = new Map<ServerKind, RelayHandle>();
  try {
    for (const kind of SERVER_KINDS) relays.set(kind, await ctx.startRelay(kind));
  } catch (err) {
    await stopAll(relays);
    throw err;
  }
  return relays;
}

export async function stopAll(relays: Map<ServerKind, RelayHandle>): Promise<void> {
  for (const r of relays.values()) await r.stop();
}

export async function a2b(ctx: Context): Promise<void> {
  const o = ctx.opts.a2b;
  ctx.log(`== 2. a2b throughput (${o.lanes} sender/receiver pairs, credit window, ${o.rounds} round(s) of ${o.measureMs / 1000} s windows per server and size) ==`);
  const runs = new Map<string, FlowResult[]>();
  const key = (kind: ServerKind, size: number): string => `${kind}/${size}`;
  const relays = await startAll(ctx);
  try {
    const flows = new Map<string, { id: number; args: FlowArgs }>();
    for (const size of o.sizes) {
      for (const kind of SERVER_KINDS) {
        const relay = relays.get(kind) as RelayHandle;
        const args: FlowArgs = { target: relay.target, shape: 'pairs', lanes: o.lanes, clients: 2 * o.lanes, bodyBytes: size, window: windowFor(size) };
        flows.set(key(kind, size), { id: await ctx.setupFlow(args), args });
      }
    }
    for (let round = 0; round < o.rounds; round++) {
      for (const size of o.sizes) {
        for (const kind of SERVER_KINDS) {
          const f = flows.get(key(kind, size)) as { id: number; args: FlowArgs };
          // The first window of a flow also warms the server's JIT for it: give it longer.
          const r = await ctx.runFlow(relays.get(kind) as RelayHandle, f.id, f.args, round === 0 ? 4 * o.warmupMs : o.warmupMs, o.measureMs);
          runs.set(key(kind, size), [...(runs.get(key(kind, size)) ?? []), r]);
        }
      }
    }
  } finally {
    await ctx.load.call('teardown', null);
    await stopAll(relays);
  }

  const rows: string[][] = [];
  const figures: Record<string, unknown> = {};
  let w2wMessages = 0;
  let w2wStoreCalls = 0;
  let w2wVerifies = 0;
  const steals: number[] = [];
  const others: number[] = [];
  for (const size of o.sizes) {
    const all = (kind: ServerKind): FlowResult[] => runs.get(key(kind, size)) ?? [];
    // Same-round ratios: w2w against the batched forwarder measured moments before it.
    const roundRatios = all('w2w').map((w, i) => w.messagesPerSec / (all('raw-batched')[i]?.messagesPerSec ?? NaN));
    const rel = median(roundRatios);
    const mid = (kind: ServerKind): FlowResult => medianRun(all(kind));
    for (const kind of SERVER_KINDS) {
      const r = mid(kind);
      for (const x of all(kind)) {
        steals.push(x.steal);
        others.push(x.others);
      }
      const vs = kind === 'raw-batched' ? 1 : median(all(kind).map((x, i) => x.messagesPerSec / (all('raw-batched')[i]?.messagesPerSec ?? NaN)));
      rows.push([sizeName(size), kind, `${rate(r.messagesPerSec)}/s`, mbps(r.bodyBytesPerSec), pct(r.relayCpu), pct(r.loadCpu), String(all(kind).reduce((n, x) => Math.max(n, x.lost), 0)), ratio(vs), problemNote(r)]);
    }
    for (const x of all('w2w')) {
      w2wMessages += x.deliveries;
      w2wStoreCalls += x.storeCalls;
      w2wVerifies += x.verifies;
    }
    figures[sizeName(size)] = {
      window: windowFor(size),
      ratioW2wToBatched: rel,
      roundRatios,
      ...Object.fromEntries(SERVER_KINDS.map((k) => [k, { median: mid(k), rounds: all(k) }])),
    };
    const w = mid('w2w');
    const n = mid('raw-naive');
    const b = mid('raw-batched');
    const targeted = size === 1024;
    ctx.summary.push({
      metric: `a2b ${sizeName(size)} msgs/s`,
      w2w: `${rate(w.messagesPerSec)} (${mbps(w.bodyBytesPerSec)})`,
      baseline: `naive ${rate(n.messagesPerSec)}, batched ${rate(b.messagesPerSec)}`,
      ratio: `${ratio(rel)} batched`,
      target: targeted ? '>= 0.80x' : '-',
      met: targeted ? rel >= 0.8 : null,
    });
  }
  ctx.log(table(['body', 'server', 'msgs/s', 'body MB/s', 'server CPU', 'load CPU', 'lost', 'vs batched', 'notes'], rows));
  ctx.log(`  (medians over rounds; "vs batched" is the median of same-round ratios)`);
  ctx.log(`  ${noiseNote(steals, others)}`);
  const perMsg = w2wMessages > 0 ? `${w2wStoreCalls} store calls and ${w2wVerifies} signature verifications for ${rate(w2wMessages)} forwarded messages` : 'no w2w messages measured';
  ctx.log(`  w2w relay during the measured windows: ${perMsg}`);
  ctx.summary.push({
    metric: 'a2b store calls + verifies per msg',
    w2w: w2wMessages > 0 ? String((w2wStoreCalls + w2wVerifies) / w2wMessages) : 'n/a',
    baseline: '-',
    ratio: '-',
    target: '0',
    met: w2wMessages > 0 && w2wStoreCalls + w2wVerifies === 0,
  });
  ctx.figures.a2b = { lanes: o.lanes, measureMs: o.measureMs, rounds: o.rounds, bySize: figures, w2wStoreCalls, w2wVerifies, w2wMessages };
  ctx.log();
}
