// What every bench section shares: the options, the load process, starting a server under test in its
// own process, timing a message flow against it, and where figures and summary rows go.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchLimits, FlowArgs, LoadCommands, RelayCommands, RelayUsage, ServerKind, Target, Usage } from './commands.js';
import { ChildProc } from './ipc.js';
import { NoiseProbe, type Noise } from './noise.js';
import type { BenchOptions } from './options.js';
import type { SummaryRow } from './report.js';

export const HERE = path.dirname(fileURLToPath(import.meta.url));

/** The relay's limits for the bench: no rate limit, room for the credit windows, no pings mid-run. */
export const BENCH_LIMITS: BenchLimits = {
  ratePerSec: 1_000_000_000,
  rateBurst: 1_000_000_000,
  maxBufferedBytes: 64 * 1024 * 1024,
  pingIntervalMs: 600_000,
};

export interface RelayHandle {
  proc: ChildProc<RelayCommands>;
  target: Target;
  stop(): Promise<void>;
}

export interface FlowResult extends Noise {
  seconds: number;
  sent: number;
  deliveries: number;
  deliveriesPerSec: number;
  /** distinct messages per second: deliveries/s divided by receivers per message */
  messagesPerSec: number;
  bodyBytesPerSec: number;
  /** share of one core the server process used during the window (1 = 100%) */
  relayCpu: number;
  loadCpu: number;
  lost: number;
  unexpected: number;
  problem: string | null;
  /** w2w: store calls and signature verifications during the measured window */
  storeCalls: number;
  verifies: number;
  relayErrors: Record<string, number>;
}

export class Context {
  readonly figures: Record<string, unknown> = {};
  readonly summary: SummaryRow[] = [];
  /** how busy the machine was during each measurement, for the warning under the summary */
  readonly noise: Noise[] = [];
  private relayCount = 0;

  constructor(
    readonly opts: BenchOptions,
    readonly load: ChildProc<LoadCommands>,
    private readonly spawn: { fdLimit: number | undefined; relayCpu: number | undefined },
  ) {}

  /** whether servers and the load process run pinned to separate CPUs */
  get pinned(): boolean {
    return this.spawn.relayCpu !== undefined;
  }

  log(line = ''): void {
    process.stdout.write(`${line}\n`);
  }

  async startRelay(kind: ServerKind): Promise<RelayHandle> {
    const execArgv = ['--expose-gc'];
    if (this.opts.profileDir) execArgv.push('--cpu-prof', `--cpu-prof-dir=${this.opts.profileDir}`, `--cpu-prof-name=relay-${kind}-${++this.relayCount}.cpuprofile`);
    const proc = ChildProc.start<RelayCommands>(path.join(HERE, 'relay-process.js'), {
      name: `relay-process (${kind})`,
      execArgv,
      fdLimit: this.spawn.fdLimit,
      cpu: this.spawn.relayCpu,
    });
    try {
      const started = await proc.call('start', { kind, store: this.opts.store, limits: BENCH_LIMITS });
      return {
        proc,
        target: { kind, url: started.url, relayIdHex: started.relayIdHex },
        async stop() {
          await proc.call('stop', null).catch(() => null);
          await proc.stop();
        },
      };
    } catch (err) {
      await proc.stop();
      throw err;
    }
  }

  /** Runs `fn` and reports how much CPU processes other than the bench's used meanwhile. */
  async withNoise<T>(relays: RelayHandle[], fn: () => Promise<T>): Promise<{ value: T; noise: Noise }> {
    const usage = (): Promise<Usage[]> => Promise.all([...relays.map((r) => r.proc.call('usage', null)), this.load.call('usage', null)]);
    const before = await usage();
    const probe = new NoiseProbe();
    const value = await fn();
    const after = await usage();
    const noise = probe.stop(after.reduce((n, u, i) => n + u.cpuUs - (before[i] as Usage).cpuUs, 0));
    this.noise.push(noise);
    return { value, noise };
  }

  /** Connects a flow's clients; the flow can then run for several windows (see runFlow). */
  async setupFlow(args: FlowArgs): Promise<number> {
    return (await this.load.call('flow-setup', args)).flow;
  }

  /** Runs a set-up flow: warm-up, one measured window, then a drain that checks nothing was lost. */
  async runFlow(relay: RelayHandle, flow: number, args: FlowArgs, warmupMs: number, measureMs: number): Promise<FlowResult> {
    const { load } = this;
    await load.call('flow-start', { flow });
    await sleep(warmupMs);
    const [l0, r0, u0] = await Promise.all([load.call('flow-snapshot', { flow }), relay.proc.call('usage', null), load.call('usage', null)]);
    const probe = new NoiseProbe();
    await sleep(measureMs);
    const [l1, r1, u1] = await Promise.all([load.call('flow-snapshot', { flow }), relay.proc.call('usage', null), load.call('usage', null)]);
    const noise = probe.stop(r1.cpuUs - r0.cpuUs + (u1.cpuUs - u0.cpuUs));
    this.noise.push(noise);
    const final = await load.call('flow-stop', { flow, drainMs: 5000 });
    const seconds = (l1.atMs - l0.atMs) / 1000;
    const deliveries = l1.delivered - l0.delivered;
    const perMessage = args.shape === 'pairs' ? 1 : args.clients;
    return {
      seconds,
      sent: final.sent,
      deliveries,
      deliveriesPerSec: deliveries / seconds,
      messagesPerSec: deliveries / perMessage / seconds,
      bodyBytesPerSec: (deliveries * args.bodyBytes) / seconds,
      relayCpu: cpuShare(r0, r1),
      loadCpu: cpuShare(u0, u1),
      ...noise,
      lost: final.lost,
      unexpected: final.unexpected,
      problem: final.firstProblem,
      storeCalls: r1.storeCalls - r0.storeCalls,
      verifies: r1.verifies - r0.verifies,
      relayErrors: diffErrors(r0, r1),
    };
  }
}

function diffErrors(a: RelayUsage, b: RelayUsage): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [code, n] of Object.entries(b.errors)) {
    const d = n - (a.errors[code] ?? 0);
    if (d > 0) out[code] = d;
  }
  return out;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Share of one core a process used between two usage readings (1 = 100%). */
export function cpuShare(a: Usage, b: Usage): number {
  return (b.cpuUs - a.cpuUs) / 1000 / (b.atMs - a.atMs);
}
