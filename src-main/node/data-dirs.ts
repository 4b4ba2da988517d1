// The folders of a node's data dir that hold files (next to its SQLite file), and who may write them:
// `uploads/` gets the copies the headless UI's browser sent to be shared, `downloads/` what the API
// fetched. Neither is ever named by a client, only a bare file name inside one of them.
import fs from 'node:fs';
import path from 'node:path';

export const UPLOADS_DIR = 'uploads';
export const DOWNLOADS_DIR = 'downloads';

export function uploadsDir(dataDir: string): string {
  return path.join(path.resolve(dataDir), UPLOADS_DIR);
}

export function downloadsDir(dataDir: string): string {
  return path.join(path.resolve(dataDir), DOWNLOADS_DIR);
}

/** True for a file directly inside `<data>/uploads/`: a staged copy the node may remove once unused. */
export function isStagedUpload(dataDir: string, file: string): boolean {
  return path.dirname(path.resolve(file)) === uploadsDir(dataDir);
}

/**
 * Removes the staged uploads no shared file points at: copies whose share failed, or whose page was
 * closed between the upload and the share. Run at start, before the UI server exists, so no upload of
 * this run can be between its two steps. Best effort: a file that vanishes meanwhile or cannot be
 * removed (permissions) is counted in `failed` and left, never a reason for the node not to start.
 */
export function removeUnsharedUploads(dataDir: string, sharedPaths: Iterable<string>): { removed: number; failed: number } {
  const dir = uploadsDir(dataDir);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return { removed: 0, failed: 0 }; // no uploads dir yet
  }
  const shared = new Set([...sharedPaths].map((p) => path.resolve(p)));
  let removed = 0;
  let failed = 0;
  for (const name of names) {
    const file = path.join(dir, name);
    if (shared.has(file)) continue;
    try {
      if (!fs.lstatSync(file).isFile()) continue;
      fs.rmSync(file);
      removed++;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') failed++;
    }
  }
  return { removed, failed };
}
