// The desktop app through Playwright's Electron driver: it starts, loads the renderer from files with
// the preload bridge (and nothing else) in the page, talks to its node, and refuses navigation.
//
// Electron's binary is downloaded by the electron package's install script; where that could not
// happen (no network to its host) the binary is missing and this test FAILS with the reason
// "Electron binary not available" — it is never counted as a pass. It runs only through
// `npm run test:electron`, not `npm test`, because this machine has no Electron binary.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { _electron as electron, expect, test } from '@playwright/test';
import { electronBinary } from '../../../scripts/start-mode.mjs';

// The same look-up `npm start` makes (path.txt of the electron package, and the binary really there).
const binary = electronBinary(path.resolve('.'));
const MAIN = path.resolve('dist/src-main/electron/main.js');

test('desktop app: window, preload bridge, node, and locked navigation', async () => {
  if (!binary) throw new Error('Electron binary not available: node_modules/electron has no dist/ (its download failed); this test cannot run here');
  expect(fs.existsSync(MAIN), 'run `npm run build && npm run build:renderer` first').toBe(true);
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'w2w-electron-'));
  const app = await electron.launch({ executablePath: binary as string, args: [MAIN], env: { ...process.env, W2W_DATA: data } });
  try {
    const page = await app.firstWindow();
    await expect(page).toHaveTitle(/w2w/);
    expect(page.url()).toMatch(/^file:\/\/.*\/dist-renderer\/index\.html/);
    // Only the narrow bridge is in the page: no Node, no ipcRenderer.
    const surface = await page.evaluate(() => ({
      keys: Object.keys((window as unknown as { w2w?: object }).w2w ?? {}).sort(),
      require: typeof (window as unknown as { require?: unknown }).require,
      process: typeof (window as unknown as { process?: unknown }).process,
    }));
    expect(surface).toEqual({ keys: ['call', 'on'], require: 'undefined', process: 'undefined' });
    await expect(page.getByText('Connected')).toBeVisible();
    const id = await page.getByTestId('my-id').textContent();
    expect(id).toMatch(/^w2w1[a-z2-7]{58}$/);
    const bogus = await page.evaluate(() => (window as unknown as { w2w: { call(m: string, p: object): Promise<unknown> } }).w2w.call('node.explode', {}));
    expect(bogus).toMatchObject({ ok: false, error: { name: 'BAD_REQUEST' } });
    await page.evaluate(() => {
      window.location.href = 'https://example.com/';
    });
    await page.waitForTimeout(500);
    expect(page.url()).toMatch(/^file:/);
  } finally {
    await app.evaluate(({ app: a }) => a.quit()).catch(() => {});
    await app.close().catch(() => {});
    fs.rmSync(data, { recursive: true, force: true });
  }
});
