// Test runner config: unit and integration suites in forked processes, sized for a 2-core machine.
// The Svelte plugin compiles the renderer's components and rune modules (*.svelte, *.svelte.ts) for the
// renderer tests; they run server-side (svelte/server render, rune classes as plain objects), no DOM.
import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [svelte({ configFile: fileURLToPath(new URL('./src-renderer/svelte.config.js', import.meta.url)) })],
  test: {
    include: ['tests/unit/**/*.test.ts', 'tests/integration/**/*.test.ts'],
    environment: 'node',
    // Forks, not threads: better-sqlite3 and sodium-native are native addons that are safest one per process.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
