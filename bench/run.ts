// `npm run bench`: measures the w2w relay beside raw ws forwarders measured in the same run, with the
// server under test and the load generator in separate processes (one core each), and prints figures,
// ratios and a summary table. Options: see USAGE in options.ts (`--quick` for a short smoke run).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { LoadCommands } from './commands.js';
import { Context, HERE } from './context.js';
import { ChildProc } from './ipc.js';
import { USAGE, parseOptions, type BenchOptions, type Section } from './options.js';
import { pct, summaryTable } from './report.js';
import { a2b } from './sections/a2b.js';
import { fanout } from './sections/fanout.js';
import { federation } from './sections/federation.js';
import { e2e } from './sections/e2e.js';
import { forwarders } from './sections/forwarders.js';
import { idle } from './sections/idle.js';
import { rtt } from './sections/rtt.js';
import { transfer } from './sections/transfer.js';
import { median } from './stats.js';

const RUNNERS: Record<Section, (ctx: Context) => Promise<void>> = { forwarders, a2b, rtt, fanout, idle, federation, e2e, transfer };
/** File descriptors a process needs beyond one per connection (node itself, SQLite, listeners). */
const FD_HEADROOM = 1024;

function shellFdLimit(raiseTo?: number): number | null {
  const script = raiseTo ? `ulimit -n ${raiseTo} 2>/dev/null && ulimit -n` : 'ulimit -n';
  try {
    const out = execFileSync('/bin/sh', ['-c', script], { encoding: 'utf8' }).trim();
    return out === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(out);
  } catch {
    return null;
  }
}

/** The open-file limit children get: raised if needed and allowed, else the idle section shrinks to fit. */
function planFdLimit(opts: BenchOptions, notes: string[]): number | undefined {
  const current = shellFdLimit() ?? 1024;
  const need = opts.idle.warm + opts.idle.clients + FD_HEADROOM;
  if (current >= need) return undefined;
  if (shellFdLimit(need) === need) {
    notes.push(`open-file limit ${current} is below the ${need} the idle section needs; the bench children raise it to ${need}`);
    return need;
  }
  const fit = Math.max(100, current - opts.idle.warm - FD_HEADROOM);
  notes.push(`open-file limit is ${current} and cannot be raised to ${need}: idle clients cut from ${opts.idle.clients} to ${fit} (raise \`ulimit -n\` for the full figure)`);
  opts.idle.clients = fit;
  return undefined;
}

function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function packageVersion(name: string): string {
  try {
    const require = createRequire(import.meta.url);
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    return 'not installed';
  }
}

async function main(): Promise<number> {
  let opts: BenchOptions | 'help';
  try {
    opts = parseOptions(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`bench: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (opts === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (opts.profileDir) fs.mkdirSync(opts.profileDir, { recursive: true });
  const notes: string[] = [];
  const fdLimit = planFdLimit(opts, notes);
  const started = performance.now();
  const log = (line = ''): void => {
    process.stdout.write(`${line}\n`);
  };
  log(`w2w bench${opts.quick ? ' --quick' : ''}: node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), ws ${packageVersion('ws')}, bufferutil ${packageVersion('bufferutil')}, store ${opts.store}`);
  log('server under test and load generator run in separate processes; the raw forwarders are measured in the same run');
  for (const n of notes) log(`note: ${n}`);

  const pinned = opts.pin && os.cpus().length >= 2 && hasTaskset();
  log(pinned ? 'server pinned to CPU 0, load generator to CPU 1 (taskset; --no-pin to let them float)' : 'processes not pinned to CPUs');
  log();
  const load = ChildProc.start<LoadCommands>(path.join(HERE, 'load-process.js'), { name: 'load-process', fdLimit, cpu: pinned ? 1 : undefined });
  const ctx = new Context(opts, load, { fdLimit, relayCpu: pinned ? 0 : undefined });
  const failures: string[] = [];
  const took: string[] = [];
  /** sections during whose median measurement other processes used more than a quarter of a core */
  const noisy: string[] = [];
  try {
    for (const section of Object.keys(RUNNERS) as Section[]) {
      if (!opts.only.has(section)) continue;
      const t0 = performance.now();
      const noiseFrom = ctx.noise.length;
      try {
        await RUNNERS[section](ctx);
        took.push(`${section} ${((performance.now() - t0) / 1000).toFixed(1)} s`);
        const others = median(ctx.noise.slice(noiseFrom).map((n) => n.others));
        if (others > 0.25) noisy.push(`${section} (${pct(others)})`);
      } catch (err) {
        const msg = err instanceof Error ? err.message : String(err);
        failures.push(`${section}: ${msg}`);
        log(`  SECTION FAILED (${section}): ${msg}`);
        log();
        await load.call('teardown', null).catch(() => null);
      }
    }
  } finally {
    await load.stop();
  }

  const seconds = (performance.now() - started) / 1000;
  log(`== Summary (${seconds.toFixed(1)} s; targets are informational) ==`);
  log(summaryTable(ctx.summary));
  log(`sections took: ${took.join(', ')}`);
  const others = median(ctx.noise.map((n) => n.others));
  if (others > 0.25) {
    log(`WARNING: other processes used ${pct(others)} of a core during the median measurement: this machine was busy, so figures are low and noisy (ratios, measured side by side, suffer less).`);
  } else if (noisy.length > 0) {
    log(`WARNING: the machine was busy during some sections (other processes' CPU in their median measurement): ${noisy.join(', ')}; their figures are low and noisy.`);
  }
  for (const f of failures) log(`failed section ${f}`);
  if (opts.json) {
    const doc = {
      date: new Date().toISOString(),
      node: process.version,
      cpus: os.cpus().length,
      quick: opts.quick,
      store: opts.store,
      seconds,
      notes,
      failures,
      noise: ctx.noise,
      figures: ctx.figures,
      summary: ctx.summary,
    };
    fs.writeFileSync(opts.json, `${JSON.stringify(doc, null, 2)}\n`);
    log(`figures written to ${opts.json}`);
  }
  return failures.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
