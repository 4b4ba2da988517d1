// The Electron app's end-to-end test, run on its own with `npm run test:electron` (not part of
// `npm test`): it needs Electron's binary, which cannot be downloaded on every machine. Without the
// binary the test fails with "Electron binary not available" and never counts as a pass.
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: '.',
  testMatch: '*.electron.ts',
  outputDir: '../../../test-results/electron',
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [['list']],
});
