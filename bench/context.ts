// What every bench section shares: the options, the load process, starting a server under test in its
// own process, timing a message flow against it, and where figures and summary rows go.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchLimits, ClientCommands, FlowArgs, LoadCommands, RelayCommands, RelayUsage, ServerKind, Target, Usage } from './commands.js';
import { CpuQuota } from './cpu-quota.js';
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
  /** share of one core the server process used during the window (1 = 100%); several servers: the sum */
  relayCpu: number;
  /** each server's share of one core, in the order given */
  relayCpus: number[];
  /** each server's CPU time per message delivered (per distinct message for fan-out), microseconds */
  relayCpuUsPerMessage: number[];
  loadCpu: number;
  lost: number;
  unexpected: number;
  /** federated flows: RECEIPT events during the window; a2b across relays: sent minus receipts, after draining */
  receipts: number;
  missingReceipts: number;
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

  /** The CPU for a child other than the usual server: `cpu` when the bench pins at all, else none. */
  cpuFor(cpu: number): number | undefined {
    return this.pinned ? cpu : undefined;
  }

  /**
   * Starts a server under test in its own process, pinned to the servers' CPU unless `opts.cpu` names
   * another (it is ignored when the bench does not pin). `opts.federation`: a w2w relay with federation.
   * `opts.cpuShare`: hold it to that share of one core (a cgroup quota; see cpuQuotaUnavailable()).
   */
  async startRelay(kind: ServerKind, opts: { federation?: boolean; cpu?: number; name?: string; cpuShare?: number } = {}): Promise<RelayHandle> {
    const execArgv = ['--expose-gc'];
    if (this.opts.profileDir) execArgv.push('--cpu-prof', `--cpu-prof-dir=${this.opts.profileDir}`, `--cpu-prof-name=relay-${kind}-${++this.relayCount}.cpuprofile`);
    const proc = ChildProc.start<RelayCommands>(path.join(HERE, 'relay-process.js'), {
      name: `relay-process (${opts.name ?? kind})`,
      execArgv,
      fdLimit: this.spawn.fdLimit,
      cpu: opts.cpu === undefined ? this.spawn.relayCpu : this.cpuFor(opts.cpu),
    });
    let quota: CpuQuota | null = null;
    try {
      if (opts.cpuShare !== undefined) quota = new CpuQuota(proc.pid, opts.cpuShare);
      const started = await proc.call('start', { kind, store: this.opts.store, limits: BENCH_LIMITS, federation: opts.federation ?? false });
      return {
        proc,
        target: { kind, url: started.url, relayIdHex: started.relayIdHex },
        async stop() {
          await proc.call('stop', null).catch(() => null);
          await proc.stop();
          quota?.release();
        },
      };
    } catch (err) {
      await proc.stop();
      quota?.release();
      throw err;
    }
  }

  /** Starts a client process (real RelayClient / SecureChannel / DataPlane ends), pinned to `cpu` when the bench pins. */
  startClient(name: string, cpu: number): ChildProc<ClientCommands> {
    const execArgv: string[] = [];
    if (this.opts.profileDir) execArgv.push('--cpu-prof', `--cpu-prof-dir=${this.opts.profileDir}`, `--cpu-prof-name=client-${name}-${++this.relayCount}.cpuprofile`);
    return ChildProc.start<ClientCommands>(path.join(HERE, 'client-process.js'), { name: `client-process (${name})`, execArgv, fdLimit: this.spawn.fdLimit, cpu: this.cpuFor(cpu) });
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

  /**
   * Runs a set-up flow: warm-up, one measured window, then a drain that checks nothing was lost.
   * `relay` may be several servers (federation): their CPU is reported each and summed.
   */
  async runFlow(relay: RelayHandle | RelayHandle[], flow: number, args: FlowArgs, warmupMs: number, measureMs: number): Promise<FlowResult> {
    const { load } = this;
    const relays = Array.isArray(relay) ? relay : [relay];
    const usages = (): Promise<RelayUsage[]> => Promise.all(relays.map((r) => r.proc.call('usage', null)));
    await load.call('flow-start', { flow });
    await sleep(warmupMs);
    const [l0, r0, u0] = await Promise.all([load.call('flow-snapshot', { flow }), usages(), load.call('usage', null)]);
    const probe = new NoiseProbe();
    await sleep(measureMs);
    const [l1, r1, u1] = await Promise.all([load.call('flow-snapshot', { flow }), usages(), load.call('usage', null)]);
    const relayCpuUs = r1.map((u, i) => u.cpuUs - (r0[i] as RelayUsage).cpuUs);
    const noise = probe.stop(relayCpuUs.reduce((a, b) => a + b, 0) + (u1.cpuUs - u0.cpuUs));
    this.noise.push(noise);
    const final = await load.call('flow-stop', { flow, drainMs: 5000 });
    const seconds = (l1.atMs - l0.atMs) / 1000;
    const deliveries = l1.delivered - l0.delivered;
    const perMessage = args.shape === 'pairs' ? 1 : args.clients;
    const relayCpus = r1.map((u, i) => cpuShare(r0[i] as RelayUsage, u));
    const sum = (f: (u: RelayUsage) => number): number => r1.reduce((n, u, i) => n + f(u) - f(r0[i] as RelayUsage), 0);
    const relayErrors: Record<string, number> = {};
    r1.forEach((u, i) => {
      for (const [code, n] of Object.entries(diffErrors(r0[i] as RelayUsage, u))) relayErrors[code] = (relayErrors[code] ?? 0) + n;
    });
    return {
      seconds,
      sent: final.sent,
      deliveries,
      deliveriesPerSec: deliveries / seconds,
      messagesPerSec: deliveries / perMessage / seconds,
      bodyBytesPerSec: (deliveries * args.bodyBytes) / seconds,
      relayCpu: relayCpus.reduce((a, b) => a + b, 0),
      relayCpus,
      relayCpuUsPerMessage: relayCpuUs.map((us) => (deliveries > 0 ? (us * perMessage) / deliveries : NaN)),
      loadCpu: cpuShare(u0, u1),
      ...noise,
      lost: final.lost,
      unexpected: final.unexpected,
      receipts: l1.receipts - l0.receipts,
      missingReceipts: final.missingReceipts,
      problem: final.firstProblem,
      storeCalls: sum((u) => u.storeCalls),
      verifies: sum((u) => u.verifies),
      relayErrors,
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
