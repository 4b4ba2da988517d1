// Test helper: a store in a fresh temp dir that each test removes afterwards, and fixed-byte IDs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore, type Store } from '../../../src-main/store/db.js';

export function makeTempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'w2w-store-'));
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

export interface TempStore {
  readonly dir: string;
  readonly store: Store;
  /** Closes the store and deletes the dir. */
  dispose(): void;
}

export function openTempStore(): TempStore {
  const dir = makeTempDir();
  const store = openStore(dir);
  return {
    dir,
    store,
    dispose() {
      store.close();
      removeDir(dir);
    },
  };
}

/** A 32-byte ID whose bytes are all `n`: readable in failures and sorts by n. */
export function id(n: number): Buffer {
  return Buffer.alloc(32, n);
}

/** A 16-byte message ID whose bytes are all `n`. */
export function msgId(n: number): Buffer {
  return Buffer.alloc(16, n);
}
