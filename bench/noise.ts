// How quiet the machine was during a measurement: CPU the hypervisor took (steal) and CPU that
// processes other than the bench used, read from /proc/stat (Linux; other systems report n/a).
import fs from 'node:fs';

interface CpuStat {
  steal: number;
  busy: number;
  total: number;
}

export interface Noise {
  /** share of all CPU time the hypervisor gave to other guests */
  steal: number;
  /** cores' worth of CPU used by processes other than the bench's server and load generator */
  others: number;
}

/** Clock ticks per second of /proc/stat (USER_HZ); 100 on every Linux this bench is likely to meet. */
const USER_HZ = 100;

function readCpuStat(): CpuStat | null {
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    const at = (i: number): number => f[i] ?? 0;
    return { steal: at(7), busy: at(0) + at(1) + at(2) + at(5) + at(6), total: f.slice(0, 8).reduce((a, b) => a + b, 0) };
  } catch {
    return null;
  }
}

export class NoiseProbe {
  private readonly start = readCpuStat();
  private readonly startMs = performance.now();

  /** `benchCpuUs`: CPU time the server and the load generator used since the probe started. */
  stop(benchCpuUs: number): Noise {
    const end = readCpuStat();
    if (!this.start || !end) return { steal: NaN, others: NaN };
    const windowMs = performance.now() - this.startMs;
    const busyUs = ((end.busy - this.start.busy) * 1e6) / USER_HZ;
    return {
      steal: (end.steal - this.start.steal) / Math.max(1, end.total - this.start.total),
      others: Math.max(0, busyUs - benchCpuUs) / 1000 / windowMs,
    };
  }
}
