// Which way `npm start` runs this checkout: the desktop app where Electron can run, else the headless
// node with its web UI (the same node and the same UI, in a browser). Pure decision, tested on its own.
import fs from 'node:fs';
import path from 'node:path';

/** The Electron executable as the electron package records it (path.txt), if it is really there. */
export function electronBinary(root) {
  const pkg = path.join(root, 'node_modules', 'electron');
  try {
    const rel = fs.readFileSync(path.join(pkg, 'path.txt'), 'utf8').trim();
    const bin = path.join(pkg, 'dist', rel);
    return fs.existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}

/**
 * @param {{ binary: string | null, platform: string, env: Record<string, string | undefined>, args: string[] }} o
 * @returns {{ mode: 'electron', binary: string } | { mode: 'headless', reason: string | null }}
 */
export function startMode({ binary, platform, env, args }) {
  if (args.includes('--headless') || env.W2W_HEADLESS === '1') return { mode: 'headless', reason: null };
  if (!binary) {
    return {
      mode: 'headless',
      reason: "Electron's binary is not installed (node_modules/electron has no dist/: its download failed or was skipped), so the desktop app cannot start here. Where Electron can be downloaded, run `node node_modules/electron/install.js` (or `npm ci` with network access to its host) and `npm start` again.",
    };
  }
  if (platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY) {
    return { mode: 'headless', reason: 'No display (neither DISPLAY nor WAYLAND_DISPLAY is set), so the desktop app cannot open a window here.' };
  }
  return { mode: 'electron', binary };
}
