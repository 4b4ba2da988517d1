// Renderer build: bundles the Svelte 5 app in src-renderer/ into dist-renderer/ for Electron (file://) and the headless web UI.
import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig, type Plugin } from 'vite';

const root = fileURLToPath(new URL('./src-renderer', import.meta.url));
const outDir = fileURLToPath(new URL('./dist-renderer', import.meta.url));

/**
 * The CSP in index.html forbids inline styles, but the dev server injects component CSS as <style> tags
 * (the production build emits a .css file instead). Relax style-src for `vite serve` only.
 */
function devServerCsp(): Plugin {
  return {
    name: 'w2w:dev-server-csp',
    apply: 'serve',
    transformIndexHtml(html) {
      return html.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'");
    },
  };
}

export default defineConfig({
  root,
  // Relative asset URLs so Electron can load dist-renderer/index.html straight from disk.
  base: './',
  plugins: [svelte({ configFile: fileURLToPath(new URL('./src-renderer/svelte.config.js', import.meta.url)) }), devServerCsp()],
  build: {
    outDir,
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // Every target (Electron's Chromium, current browsers) supports modulepreload natively.
    modulePreload: { polyfill: false },
  },
  server: { host: '127.0.0.1', strictPort: true },
});
