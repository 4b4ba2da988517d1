// The bench's CPU quota (bench/cpu-quota.ts): where this machine lets the bench create cgroups, a quota
// holds exactly the process it was given, with the share written as the kernel reads it, and goes away
// on release; elsewhere it says why and refuses to pretend.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CpuQuota, cpuQuotaUnavailable } from '../../bench/cpu-quota.js';

const children: ReturnType<typeof spawn>[] = [];

afterEach(async () => {
  for (const c of children.splice(0)) {
    if (c.exitCode !== null || c.signalCode !== null) continue;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await exited;
  }
});

function sleeper(): ReturnType<typeof spawn> {
  const c = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
  children.push(c);
  return c;
}

/** The cgroup directory /proc says the process is in, under the hierarchy that has the cpu controller. */
function cpuCgroupOf(pid: number): string {
  const lines = fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8').trim().split('\n');
  const v1 = lines.find((l) => l.split(':')[1]?.split(',').includes('cpu'));
  return (v1 ?? lines.find((l) => l.startsWith('0::')) ?? '').split(':')[2] ?? '';
}

describe('bench CPU quota', () => {
  const unavailable = cpuQuotaUnavailable();

  it('refuses shares outside (0, 1]', () => {
    const c = sleeper();
    expect(() => new CpuQuota(c.pid as number, 0)).toThrow(RangeError);
    expect(() => new CpuQuota(c.pid as number, 1.5)).toThrow(RangeError);
  });

  it(unavailable ? `says why it cannot run here (${unavailable})` : 'holds one process to its share, and is removed on release', async () => {
    const c = sleeper();
    const pid = c.pid as number;
    if (unavailable) {
      expect(unavailable.length).toBeGreaterThan(10);
      expect(() => new CpuQuota(pid, 0.4)).toThrow(unavailable);
      return;
    }
    const quota = new CpuQuota(pid, 0.4);
    const group = cpuCgroupOf(pid);
    expect(path.basename(group)).toMatch(/^w2w-bench-\d+-\d+$/);
    const dir = ['/sys/fs/cgroup/cpu', '/sys/fs/cgroup', '/sys/fs/cgroup/unified'].map((root) => path.join(root, group)).find((d) => fs.existsSync(d)) as string;
    expect(fs.readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').trim()).toBe(String(pid));
    const v1 = fs.existsSync(path.join(dir, 'cpu.cfs_quota_us'));
    const limit = v1 ? `${fs.readFileSync(path.join(dir, 'cpu.cfs_quota_us'), 'utf8').trim()} ${fs.readFileSync(path.join(dir, 'cpu.cfs_period_us'), 'utf8').trim()}` : fs.readFileSync(path.join(dir, 'cpu.max'), 'utf8').trim();
    expect(limit).toBe('4000 10000');
    // While the process lives the kernel keeps the cgroup; once it has exited, release removes it.
    quota.release();
    expect(fs.existsSync(dir)).toBe(true);
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await exited;
    quota.release();
    expect(fs.existsSync(dir)).toBe(false);
  });
});
