// Finds the built renderer (dist-renderer/) next to the package, whether this file runs compiled from
// dist/src-main/web/, from source under a test runner, or inside Electron's app.asar.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The first `dist-renderer/` holding an index.html in this file's folder or up to five above it; null if none. */
export function findRendererDir(from: string = path.dirname(fileURLToPath(import.meta.url))): string | null {
  let dir = from;
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, 'dist-renderer');
    if (fs.existsSync(path.join(candidate, 'index.html'))) return candidate;
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return null;
}
