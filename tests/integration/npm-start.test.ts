// `npm start`'s launcher (scripts/start.mjs): the desktop app where Electron's binary and a display
// exist, else a clear reason and the headless node with its web UI, through a real process here (this
// machine has no Electron binary). The run ends with SIGTERM, which the launcher passes on.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { electronBinary, startMode } from '../../scripts/start-mode.mjs';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'w2w-start-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('startMode', () => {
  const base = { binary: '/x/electron', platform: 'linux', env: { DISPLAY: ':0' }, args: [] as string[] };

  it('runs the desktop app when the binary and a display exist', () => {
    expect(startMode(base)).toEqual({ mode: 'electron', binary: '/x/electron' });
    expect(startMode({ ...base, env: { WAYLAND_DISPLAY: 'wayland-0' } }).mode).toBe('electron');
    expect(startMode({ ...base, platform: 'darwin', env: {} }).mode).toBe('electron');
  });

  it('falls back to headless with a reason: no binary, or no display on Linux', () => {
    const noBinary = startMode({ ...base, binary: null });
    expect(noBinary.mode).toBe('headless');
    expect(noBinary.mode === 'headless' && noBinary.reason).toMatch(/binary is not installed/);
    const noDisplay = startMode({ ...base, env: {} });
    expect(noDisplay.mode === 'headless' && noDisplay.reason).toMatch(/No display/);
  });

  it('--headless or W2W_HEADLESS=1 always runs headless, without a complaint', () => {
    expect(startMode({ ...base, args: ['--headless'] })).toEqual({ mode: 'headless', reason: null });
    expect(startMode({ ...base, env: { DISPLAY: ':0', W2W_HEADLESS: '1' } })).toEqual({ mode: 'headless', reason: null });
  });

  it('finds no Electron binary in a directory without one', () => {
    expect(electronBinary(tmp)).toBeNull();
  });
});

describe('scripts/start.mjs', () => {
  it('says why the desktop app cannot start, runs the headless node with its UI, and stops on SIGTERM', async () => {
    // This checkout may or may not have Electron's binary: the test drives the fallback explicitly
    // only when it is missing (as on the CI machines), and forces it otherwise.
    const forced = electronBinary(process.cwd()) !== null;
    const args = ['scripts/start.mjs', '--port', '0', '--data', path.join(tmp, 'node'), ...(forced ? ['--headless'] : [])];
    const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DISPLAY: '' } });
    const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
    let stderr = '';
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const ui = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no UI line; stderr: ${stderr}`)), 20_000);
      readline.createInterface({ input: proc.stdout }).on('line', (line) => {
        const m = /UI: (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(line);
        if (m) {
          clearTimeout(timer);
          resolve(m[1] as string);
        }
      });
    });
    if (!forced) expect(stderr).toMatch(/desktop app cannot start here[\s\S]*Starting the headless node with its web UI instead/);
    const res = await fetch(ui, { redirect: 'manual' });
    expect(res.status).toBe(303);
    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 30_000);
});
