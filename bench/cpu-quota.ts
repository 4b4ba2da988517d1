// Gives a process a fixed share of one core with a Linux cgroup CPU quota (CFS bandwidth control), so
// that relays sharing this machine's few cores can each get the same CPU, as if each ran on its own
// (slower) machine. Works with cgroup v1's `cpu` hierarchy or cgroup v2 with the `cpu` controller,
// when the bench may create cgroups (root, or a delegated subtree); otherwise says why not.
import fs from 'node:fs';
import path from 'node:path';

/** Quota period: short enough that a capped relay never stalls for long, long enough to cost nothing. */
const PERIOD_US = 10_000;
const PREFIX = 'w2w-bench-';

interface Hierarchy {
  root: string;
  /** writes the share into a fresh cgroup directory */
  limit(dir: string, share: number): void;
}

const v1: Hierarchy = {
  root: '/sys/fs/cgroup/cpu',
  limit(dir, share) {
    fs.writeFileSync(path.join(dir, 'cpu.cfs_period_us'), String(PERIOD_US));
    fs.writeFileSync(path.join(dir, 'cpu.cfs_quota_us'), String(Math.round(share * PERIOD_US)));
  },
};

function v2At(root: string): Hierarchy {
  return {
    root,
    limit(dir, share) {
      fs.writeFileSync(path.join(dir, 'cpu.max'), `${Math.round(share * PERIOD_US)} ${PERIOD_US}`);
    },
  };
}

/** The first hierarchy whose CPU controller this process can use, or why there is none. */
function findHierarchy(): Hierarchy | string {
  if (process.platform !== 'linux') return 'CPU quotas need Linux cgroups';
  const reasons: string[] = [];
  const candidates: Hierarchy[] = [];
  if (fs.existsSync(path.join(v1.root, 'cpu.cfs_quota_us'))) candidates.push(v1);
  for (const root of ['/sys/fs/cgroup', '/sys/fs/cgroup/unified']) {
    try {
      if (!fs.readFileSync(path.join(root, 'cgroup.controllers'), 'utf8').split(/\s+/).includes('cpu')) continue;
      // Children get the cpu controller only if the parent hands it down; asked for only if it does not.
      const handedDown = fs.readFileSync(path.join(root, 'cgroup.subtree_control'), 'utf8').split(/\s+/).includes('cpu');
      if (!handedDown) fs.writeFileSync(path.join(root, 'cgroup.subtree_control'), '+cpu');
      candidates.push(v2At(root));
    } catch (err) {
      reasons.push(`${root}: ${(err as Error).message}`);
    }
  }
  for (const h of candidates) {
    const dir = path.join(h.root, `${PREFIX}probe-${process.pid}`);
    try {
      fs.mkdirSync(dir);
      h.limit(dir, 0.5);
      return h;
    } catch (err) {
      reasons.push(`${h.root}: ${(err as Error).message}`);
    } finally {
      removeCgroup(dir);
    }
  }
  return reasons.length > 0 ? `cannot create a CPU-limited cgroup (${reasons.join('; ')})` : 'no cgroup hierarchy with a CPU controller is mounted';
}

/** A cgroup directory goes with rmdir once empty (its control files are not real files). */
function removeCgroup(dir: string): void {
  try {
    fs.rmdirSync(dir);
  } catch {
    // never made, still holding a process, or already gone: an empty cgroup left behind is harmless
  }
}

let found: Hierarchy | string | null = null;

/** null when quotas work here, else the reason they do not (computed once). */
export function cpuQuotaUnavailable(): string | null {
  found ??= findHierarchy();
  return typeof found === 'string' ? found : null;
}

let next = 0;

/** A cgroup holding one process to `share` of a core until release() (call it after the process ended). */
export class CpuQuota {
  private readonly dir: string;

  constructor(
    pid: number,
    readonly share: number,
  ) {
    if (!(share > 0 && share <= 1)) throw new RangeError(`a CPU share is in (0, 1], got ${share}`);
    found ??= findHierarchy();
    if (typeof found === 'string') throw new Error(found);
    this.dir = path.join(found.root, `${PREFIX}${process.pid}-${++next}`);
    fs.mkdirSync(this.dir);
    try {
      found.limit(this.dir, share);
      fs.writeFileSync(path.join(this.dir, 'cgroup.procs'), String(pid));
    } catch (err) {
      this.release();
      throw err;
    }
  }

  /** Removes the cgroup; it must hold no process any more (the kernel refuses otherwise). */
  release(): void {
    removeCgroup(this.dir);
  }
}
