// Section 10: encrypted file transfer. One data node shares a random file and another fetches it through
// one w2w relay (DataPlane: chunk hash list, credit windows of 64 KiB chunks sealed end to end, each chunk
// checked and written, the whole file checked at the end), beside raw ws forwarding of 64 KiB frames
// through the batched raw forwarder, one sender and one receiver, measured just before and just after
// each fetch.
import type { FetchFigures, FlowArgs, RelayUsage, ShareFigures, Usage } from '../commands.js';
import { cpuShare, type Context, type FlowResult } from '../context.js';
import { NoiseProbe, type Noise } from '../noise.js';
import { mbps, mib, pct, ratio, sizeName, table } from '../report.js';
import { mean, median } from '../stats.js';
import { MAX_IN_FLIGHT_BYTES } from '../../src-main/data/fetch-job.js';
import { noiseNote, problemNote, windowFor } from './a2b.js';

const RAW_FRAME = 64 * 1024;
/** The raw stream keeps as many bytes in flight as the fetcher may (its credit over all holders). */
const RAW_WINDOW = Math.max(windowFor(RAW_FRAME), Math.floor(MAX_IN_FLIGHT_BYTES / RAW_FRAME));

interface Fetch extends Noise {
  fetched: FetchFigures;
  bytesPerSec: number;
  holderCpu: number;
  fetcherCpu: number;
  relayCpu: number;
  /** CPU time per 64 KiB moved, microseconds: what the transfer costs whatever the cores it shares */
  holderUsPer64k: number;
  fetcherUsPer64k: number;
  relayUsPer64k: number;
}

export async function transfer(ctx: Context): Promise<void> {
  const o = ctx.opts.transfer;
  ctx.log(
    `== 10. Encrypted file transfer: a ${mib(o.fileBytes)} file end to end through one relay (DataPlane fetch, sealed 64 KiB chunks), beside raw ws forwarding of ${sizeName(RAW_FRAME)} frames (batched forwarder, 1 sender -> 1 receiver, ${mib(RAW_WINDOW * RAW_FRAME)} in flight like the fetcher's credits); ${o.rounds} fetch(es), each between two raw windows ==`,
  );
  ctx.log(
    ctx.pinned
      ? '  relays on CPU 0; holder (sender) on CPU 1, fetcher on CPU 0 beside the relay; raw load generator on CPU 1 (2 cores for 3 processes)'
      : '  processes not pinned: relay, holder and fetcher share the CPUs as the scheduler decides',
  );
  const raw = await ctx.startRelay('raw-batched');
  const relay = await ctx.startRelay('w2w');
  const holderProc = ctx.startClient('holder', 1);
  const fetcherProc = ctx.startClient('fetcher', 0);
  const rawRuns: FlowResult[] = [];
  const fetches: Fetch[] = [];
  let share: ShareFigures;
  try {
    const args: FlowArgs = { target: raw.target, shape: 'pairs', lanes: 1, clients: 2, bodyBytes: RAW_FRAME, window: RAW_WINDOW };
    const flow = await ctx.setupFlow(args);
    const rawWindow = async (first: boolean): Promise<void> => {
      rawRuns.push(await ctx.runFlow(raw, flow, args, first ? 4 * o.rawWarmupMs : o.rawWarmupMs, o.rawMeasureMs));
    };
    await rawWindow(true);

    const { node: holder } = await holderProc.call('data-open', { target: relay.target });
    const { node: fetcher } = await fetcherProc.call('data-open', { target: relay.target });
    share = await holderProc.call('data-share', { node: holder, bytes: o.fileBytes });
    const usage = (): Promise<[Usage, Usage, RelayUsage]> => Promise.all([holderProc.call('usage', null), fetcherProc.call('usage', null), relay.proc.call('usage', null)]);
    for (let round = 0; round < o.rounds; round++) {
      const [h0, f0, r0] = await usage();
      const probe = new NoiseProbe();
      const fetched = await fetcherProc.call('data-fetch', { node: fetcher, holdingHex: share.holdingHex });
      const [h1, f1, r1] = await usage();
      const noise = probe.stop(h1.cpuUs - h0.cpuUs + (f1.cpuUs - f0.cpuUs) + (r1.cpuUs - r0.cpuUs));
      ctx.noise.push(noise);
      const per64k = (a: Usage, b: Usage): number => ((b.cpuUs - a.cpuUs) * RAW_FRAME) / fetched.size;
      fetches.push({
        fetched,
        bytesPerSec: (fetched.size / fetched.elapsedMs) * 1000,
        holderCpu: cpuShare(h0, h1),
        fetcherCpu: cpuShare(f0, f1),
        relayCpu: cpuShare(r0, r1),
        holderUsPer64k: per64k(h0, h1),
        fetcherUsPer64k: per64k(f0, f1),
        relayUsPer64k: per64k(r0, r1),
        ...noise,
      });
      await rawWindow(false);
    }
  } finally {
    await ctx.load.call('teardown', null);
    await Promise.all([holderProc.call('close-all', null).catch(() => null), fetcherProc.call('close-all', null).catch(() => null)]);
    await Promise.all([holderProc.stop(), fetcherProc.stop()]);
    await relay.stop();
    await raw.stop();
  }

  // Each fetch against the mean of the raw windows just before and just after it.
  const rawAround = (i: number): number => mean([(rawRuns[i] as FlowResult).bodyBytesPerSec, (rawRuns[i + 1] as FlowResult).bodyBytesPerSec]);
  const ratios = fetches.map((f, i) => f.bytesPerSec / rawAround(i));
  const rel = median(ratios);
  const mid = [...fetches].sort((a, b) => a.bytesPerSec - b.bytesPerSec)[Math.floor((fetches.length - 1) / 2)] as Fetch;
  const rawBytesPerSec = median(rawRuns.map((r) => r.bodyBytesPerSec));
  const intact = fetches.every((f) => f.fetched.size === share.size && f.fetched.corruptChunks === 0);
  const rows: string[][] = [];
  rawRuns.forEach((r, i) => {
    rows.push([
      `raw-batched ${sizeName(RAW_FRAME)}`,
      mbps(r.bodyBytesPerSec),
      '',
      `${r.seconds.toFixed(2)} s`,
      `${pct(r.loadCpu)} (both)`,
      '',
      pct(r.relayCpu),
      `${((r.loadCpu * r.seconds * 1e6) / r.deliveries).toFixed(0)} (both) / ${(r.relayCpuUsPerMessage[0] as number).toFixed(0)}`,
      [problemNote(r), r.lost > 0 ? `${r.lost} lost` : ''].filter(Boolean).join('; '),
    ]);
    const f = fetches[i];
    if (!f) return;
    const { fetched } = f;
    rows.push([
      `w2w DataPlane, fetch ${i + 1}`,
      mbps(f.bytesPerSec),
      ratio(ratios[i] as number),
      `${(fetched.elapsedMs / 1000).toFixed(2)} s`,
      pct(f.holderCpu),
      pct(f.fetcherCpu),
      pct(f.relayCpu),
      `${f.holderUsPer64k.toFixed(0)} / ${f.fetcherUsPer64k.toFixed(0)} / ${f.relayUsPer64k.toFixed(0)}`,
      [
        `${fetched.chunksFetched} chunks of ${sizeName(share.chunkSize)}, ${fetched.corruptChunks} corrupt${fetched.size === share.size ? ', file verified' : `, INCOMPLETE: ${fetched.size} of ${share.size} bytes`}`,
        fetched.chunksDoneMs === null ? '' : `last chunk in at ${(fetched.chunksDoneMs / 1000).toFixed(2)} s (${mbps((share.size / fetched.chunksDoneMs) * 1000)})`,
      ]
        .filter(Boolean)
        .join('; '),
    ]);
  });
  ctx.log(table(['', 'MB/s', 'vs raw', 'time', 'sender CPU', 'receiver CPU', 'relay CPU', 'CPU µs per 64 KiB: send / recv / relay', 'notes'], rows));
  ctx.log('  (w2w: from fetch() to the file in place: hash list, chunks, then the whole-file check, fsync and rename; raw: the load generator is both ends;');
  ctx.log('   "vs raw" against the mean of the raw windows before and after that fetch; the summary takes the median fetch and ratio. CPU per 64 KiB');
  ctx.log('   is what the bytes cost whatever cores the processes share: with 2 cores for 3 busy processes it, more than latency, caps the rate)');
  ctx.log(`  ${noiseNote([...fetches.map((f) => f.steal), ...rawRuns.map((r) => r.steal)], [...fetches.map((f) => f.others), ...rawRuns.map((r) => r.others)])}`);
  ctx.summary.push({
    metric: `encrypted file transfer (${mib(share.size)})`,
    w2w: mbps(mid.bytesPerSec),
    baseline: `raw batched ${sizeName(RAW_FRAME)} ${mbps(rawBytesPerSec)}`,
    ratio: `${ratio(rel)} raw`,
    target: '>= 0.50x',
    met: rel >= 0.5 && intact,
  });
  ctx.figures.transfer = { fileBytes: share.size, chunkSize: share.chunkSize, ratio: rel, roundRatios: ratios, fetches, raw: { frameBytes: RAW_FRAME, runs: rawRuns } };
  ctx.log();
}
