// Section 4: a2n fan-out, one sender to every registered client, beside raw broadcast forwarders.
// Each delivery is counted; after each window the flow drains and lost = expected - received.
import { SERVER_KINDS, type FlowArgs, type ServerKind } from '../commands.js';
import type { Context, FlowResult, RelayHandle } from '../context.js';
import { pct, rate, ratio, sizeName, table } from '../report.js';
import { median } from '../stats.js';
import { medianRun, noiseNote, problemNote, startAll, stopAll } from './a2b.js';

export async function fanout(ctx: Context): Promise<void> {
  const o = ctx.opts.fanout;
  ctx.log(`== 4. a2n fan-out (1 sender -> ${o.clients} clients incl. itself, ${sizeName(o.bodyBytes)} bodies, window ${o.window} messages, ${o.rounds} round(s) of ${o.measureMs / 1000} s) ==`);
  const runs = new Map<ServerKind, FlowResult[]>();
  const relays = await startAll(ctx);
  try {
    const flows = new Map<ServerKind, { id: number; args: FlowArgs }>();
    for (const kind of SERVER_KINDS) {
      const relay = relays.get(kind) as RelayHandle;
      const args: FlowArgs = { target: relay.target, shape: 'fanout', lanes: 1, clients: o.clients, bodyBytes: o.bodyBytes, window: o.window };
      flows.set(kind, { id: await ctx.setupFlow(args), args });
    }
    for (let round = 0; round < o.rounds; round++) {
      for (const kind of SERVER_KINDS) {
        const f = flows.get(kind) as { id: number; args: FlowArgs };
        const r = await ctx.runFlow(relays.get(kind) as RelayHandle, f.id, f.args, round === 0 ? 4 * o.warmupMs : o.warmupMs, o.measureMs);
        runs.set(kind, [...(runs.get(kind) ?? []), r]);
      }
    }
  } finally {
    await ctx.load.call('teardown', null);
    await stopAll(relays);
  }
  const all = (kind: ServerKind): FlowResult[] => runs.get(kind) ?? [];
  const vsBatched = (kind: ServerKind): number => median(all(kind).map((x, i) => x.deliveriesPerSec / (all('raw-batched')[i]?.deliveriesPerSec ?? NaN)));
  // Lost is cumulative per flow: the last drain counts everything ever sent.
  const lost = (kind: ServerKind): number => all(kind).at(-1)?.lost ?? NaN;
  const sent = (kind: ServerKind): number => all(kind).at(-1)?.sent ?? 0;
  ctx.log(
    table(
      ['server', 'msgs/s', 'deliveries/s', 'server CPU', 'load CPU', 'sent', 'lost', 'vs batched', 'notes'],
      SERVER_KINDS.map((k) => {
        const f = medianRun(all(k));
        return [k, `${rate(f.messagesPerSec)}/s`, `${rate(f.deliveriesPerSec)}/s`, pct(f.relayCpu), pct(f.loadCpu), String(sent(k)), String(lost(k)), ratio(vsBatched(k)), problemNote(f)];
      }),
    ),
  );
  ctx.log(`  (lost = sent x ${o.clients} - deliveries counted, after draining; "vs batched" is the median of same-round ratios)`);
  const every = SERVER_KINDS.flatMap((k) => all(k));
  ctx.log(`  ${noiseNote(every.map((x) => x.steal), every.map((x) => x.others))}`);
  const w = medianRun(all('w2w'));
  const n = medianRun(all('raw-naive'));
  const b = medianRun(all('raw-batched'));
  const rel = vsBatched('w2w');
  ctx.summary.push(
    {
      metric: `a2n fan-out x${o.clients} deliveries/s`,
      w2w: `${rate(w.deliveriesPerSec)} (${rate(w.messagesPerSec)} msgs/s)`,
      baseline: `naive ${rate(n.deliveriesPerSec)}, batched ${rate(b.deliveriesPerSec)}`,
      ratio: `${ratio(rel)} batched`,
      target: '>= 0.70x',
      met: rel >= 0.7,
    },
    {
      metric: 'a2n fan-out lost deliveries',
      w2w: `${lost('w2w')} of ${rate(sent('w2w') * o.clients)}`,
      baseline: `naive ${lost('raw-naive')}, batched ${lost('raw-batched')}`,
      ratio: '-',
      target: '0',
      met: lost('w2w') === 0 && sent('w2w') > 0,
    },
  );
  ctx.figures.fanout = {
    clients: o.clients,
    bodyBytes: o.bodyBytes,
    window: o.window,
    ratioW2wToBatched: rel,
    ...Object.fromEntries(SERVER_KINDS.map((k) => [k, { median: medianRun(all(k)), lost: lost(k), sent: sent(k), rounds: all(k) }])),
  };
  ctx.log();
}
