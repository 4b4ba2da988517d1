// The folders of a node's data dir that hold files (next to its SQLite file), and who may write them:
// `uploads/` gets the copies the headless UI's browser sent to be shared, `downloads/` what the API
// fetched. Neither is ever named by a client, only a bare file name inside one of them.
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
