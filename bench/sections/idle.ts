// Sections 5 and 6: registrations per second (full signed handshake, many at once) beside the Ed25519
// ceiling measured in this run, then the relay's memory per idle registered client beside a raw ws
// server holding as many idle connections. The same clients serve both: they register, then idle.
import type { ConnectResult, CryptoLimit, Memory, ServerKind } from '../commands.js';
import { cpuShare, sleep, type Context } from '../context.js';
import { NoiseProbe, type Noise } from '../noise.js';
import { kib, mib, pct, rate, ratio, table, us } from '../report.js';
import { noiseNote } from './a2b.js';

interface Population {
  connect: ConnectResult;
  noise: Noise;
  /** w2w only: Ed25519 timed on the relay's core just before the clients connect */
  crypto: CryptoLimit | null;
  relayCpu: number;
  loadCpu: number;
  /** server CPU per connection or registration, microseconds */
  cpuUsPerConnection: number;
  verifiesPerConnection: number;
  storeCallsPerConnection: number;
  before: Memory;
  after: Memory;
  perConnection: Memory;
}

async function populate(ctx: Context, kind: ServerKind): Promise<Population> {
  const o = ctx.opts.idle;
  const relay = await ctx.startRelay(kind);
  try {
    const target = relay.target;
    // Timed on the relay's own core while nothing else of the bench runs.
    const crypto = kind === 'w2w' ? await relay.proc.call('crypto', { iterations: ctx.opts.crypto.iterations }) : null;
    await ctx.load.call('connect-prepare', { target, count: o.warm + o.clients, concurrency: o.concurrency });
    // A few connections first, so that code loaded and compiled on first use is in the baseline.
    const warm = await ctx.load.call('connect', { target, count: o.warm, concurrency: o.concurrency });
    if (warm.failed > 0) throw new Error(`${kind}: ${warm.failed} warm-up clients failed: ${warm.firstProblem}`);
    const before = await relay.proc.call('mem', null);
    const [u0, l0] = await Promise.all([relay.proc.call('usage', null), ctx.load.call('usage', null)]);
    const probe = new NoiseProbe();
    const connect = await ctx.load.call('connect', { target, count: o.clients, concurrency: o.concurrency });
    const [u1, l1] = await Promise.all([relay.proc.call('usage', null), ctx.load.call('usage', null)]);
    const noise = probe.stop(u1.cpuUs - u0.cpuUs + (l1.cpuUs - l0.cpuUs));
    ctx.noise.push(noise);
    await sleep(300);
    const after = await relay.proc.call('mem', null);
    const n = Math.max(1, connect.ok);
    const per = (k: keyof Memory): number => (after[k] - before[k]) / n;
    return {
      connect,
      noise,
      crypto,
      relayCpu: cpuShare(u0, u1),
      loadCpu: cpuShare(l0, l1),
      cpuUsPerConnection: (u1.cpuUs - u0.cpuUs) / n,
      verifiesPerConnection: (u1.verifies - u0.verifies) / n,
      storeCallsPerConnection: (u1.storeCalls - u0.storeCalls) / n,
      before,
      after,
      perConnection: { rss: per('rss'), heapUsed: per('heapUsed'), external: per('external'), arrayBuffers: per('arrayBuffers') },
    };
  } finally {
    await ctx.load.call('teardown', null);
    await relay.stop();
  }
}

export async function idle(ctx: Context): Promise<void> {
  const o = ctx.opts.idle;
  ctx.log(`== 5. Registrations/s (${o.clients} clients, ${o.concurrency} handshakes at a time, over loopback) ==`);
  const w2w = await populate(ctx, 'w2w');
  const crypto = w2w.crypto as CryptoLimit;
  const raw = await populate(ctx, 'raw-naive');
  const regPerSec = (w2w.connect.ok / w2w.connect.elapsedMs) * 1000;
  const rawPerSec = (raw.connect.ok / raw.connect.elapsedMs) * 1000;
  ctx.log(
    table(
      ['', 'per second', 'server CPU', 'load CPU', 'server CPU each', 'failed', 'notes'],
      [
        ['w2w registrations', `${rate(regPerSec)}/s`, pct(w2w.relayCpu), pct(w2w.loadCpu), us(w2w.cpuUsPerConnection), String(w2w.connect.failed), `${w2w.verifiesPerConnection.toFixed(2)} verifies, ${w2w.storeCallsPerConnection.toFixed(2)} store calls each`],
        ['raw ws connects', `${rate(rawPerSec)}/s`, pct(raw.relayCpu), pct(raw.loadCpu), us(raw.cpuUsPerConnection), String(raw.connect.failed), 'WebSocket upgrade only (context)'],
      ],
    ),
  );
  ctx.log(`  Ed25519 on the relay's core (sodium-native): sign ${us(crypto.signUs)}, verify ${us(crypto.verifyUs)}; sign + 2 verify = ${us(crypto.perRegistrationUs)} -> at most ${rate(crypto.registrationsPerSec)} registrations/s`);
  ctx.log(`  whole responder handshake (ephemeral key, hashes, X25519, sign, 2 verify): ${us(crypto.responderUs)}; of the relay's CPU per registration that is ${pct(crypto.responderUs / w2w.cpuUsPerConnection)}, the Ed25519 part ${pct(crypto.perRegistrationUs / w2w.cpuUsPerConnection)}`);
  ctx.log(`  ${noiseNote([w2w.noise.steal, raw.noise.steal], [w2w.noise.others, raw.noise.others])}`);
  for (const [name, p] of [['w2w', w2w], ['raw', raw]] as const) if (p.connect.firstProblem) ctx.log(`  ${name}: first failure: ${p.connect.firstProblem}`);
  const regRatio = regPerSec / crypto.registrationsPerSec;
  ctx.summary.push({
    metric: 'registrations/s',
    w2w: `${rate(regPerSec)}/s`,
    baseline: `Ed25519 limit ${rate(crypto.registrationsPerSec)}/s`,
    ratio: `${ratio(regRatio)} limit`,
    target: '>= 0.50x',
    met: regRatio >= 0.5 && w2w.connect.failed === 0,
  });
  ctx.log();

  ctx.log(`== 6. Memory of ${o.clients} idle registered clients (server process, after GC, growth per connection) ==`);
  ctx.log(
    table(
      ['server', 'RSS/conn', 'heapUsed/conn', 'external/conn', 'RSS before', 'RSS after', 'connections'],
      [
        ['w2w', kib(w2w.perConnection.rss), kib(w2w.perConnection.heapUsed), kib(w2w.perConnection.external), mib(w2w.before.rss), mib(w2w.after.rss), String(w2w.connect.ok)],
        ['raw ws', kib(raw.perConnection.rss), kib(raw.perConnection.heapUsed), kib(raw.perConnection.external), mib(raw.before.rss), mib(raw.after.rss), String(raw.connect.ok)],
      ],
    ),
  );
  const memRatio = w2w.perConnection.rss / raw.perConnection.rss;
  ctx.summary.push(
    {
      metric: `idle RSS per client (${o.clients})`,
      w2w: kib(w2w.perConnection.rss),
      baseline: `raw ws ${kib(raw.perConnection.rss)}`,
      ratio: ratio(memRatio),
      target: '<= 2.00x',
      met: memRatio <= 2 && w2w.connect.failed === 0,
    },
    {
      metric: `idle heapUsed per client`,
      w2w: kib(w2w.perConnection.heapUsed),
      baseline: `raw ws ${kib(raw.perConnection.heapUsed)}`,
      ratio: ratio(w2w.perConnection.heapUsed / raw.perConnection.heapUsed),
      target: '-',
      met: null,
    },
  );
  ctx.figures.registrations = { clients: o.clients, concurrency: o.concurrency, perSec: regPerSec, rawConnectsPerSec: rawPerSec, crypto, w2w: w2w.connect, raw: raw.connect };
  ctx.figures.memory = { clients: o.clients, w2w: { before: w2w.before, after: w2w.after, perConnection: w2w.perConnection }, raw: { before: raw.before, after: raw.after, perConnection: raw.perConnection } };
  ctx.log();
}
