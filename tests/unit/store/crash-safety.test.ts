// Crash safety: a writer killed with SIGKILL mid-stream leaves an intact file that holds every commit it reported.
//
// The writer is a separate plain .mjs process (no TS build needed) with the pragmas openStore uses, so the
// kill really is abrupt: no close, no checkpoint, a live WAL left behind for the next open to recover.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../../src-main/store/db.js';
import { makeTempDir, removeDir } from './temp-store.js';

const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const BATCH = 50;
const RUN_BEFORE_KILL_MS = 300;
/** Upper bound for every wait, so a stuck child fails the test instead of hanging it. */
const WAIT_LIMIT_MS = 5000;

// argv: <project package.json> <database file> <rows per transaction>.
// It prints the running total after each commit; fs.writeSync so nothing is buffered when the kill lands.
const WRITER = `
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { writeSync } from 'node:fs';
const [pkg, file, batchText] = process.argv.slice(2);
const Database = createRequire(pkg)('better-sqlite3');
const db = new Database(file);
db.pragma('busy_timeout = 5000');
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
const insert = db.prepare('INSERT INTO node_list (id, first_seen_ms, last_seen_ms, registrations) VALUES (?, ?, ?, 1)');
const batch = Number(batchText);
const commit = db.transaction(() => {
  for (let i = 0; i < batch; i++) insert.run(randomBytes(32), Date.now(), Date.now());
});
// Ends by itself if nobody kills it, so an orphan cannot outlive a broken test run.
const deadline = Date.now() + 20000;
let total = 0;
while (Date.now() < deadline) {
  commit();
  total += batch;
  writeSync(1, total + '\\n');
}
`;

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${WAIT_LIMIT_MS} ms waiting for ${what}.`)), WAIT_LIMIT_MS);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

describe('crash safety', () => {
  let dir: string;
  beforeEach(() => {
    dir = makeTempDir();
  });
  afterEach(() => {
    removeDir(dir);
  });

  it('recovers every reported commit after SIGKILL, with no partial transaction', { timeout: 15_000 }, async () => {
    const created = openStore(dir);
    const file = created.path;
    created.close();

    const script = path.join(dir, 'writer.mjs');
    fs.writeFileSync(script, WRITER);
    const child = spawn(process.execPath, [script, path.join(PROJECT_ROOT, 'package.json'), file, String(BATCH)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let reported = 0;
    let stderr = '';
    let pending = '';
    let firstCommit: (() => void) | undefined;
    const started = new Promise<void>((resolve) => {
      firstCommit = resolve;
    });
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) reported = Math.max(reported, Number(line));
      if (reported > 0) firstCommit?.();
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    // 'close' comes after stdout is drained, so `reported` is final by then.
    const closed = new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, signal) => resolve(signal)));

    try {
      await withTimeout(Promise.race([started, closed.then(() => Promise.reject(new Error(`The writer exited early: ${stderr}`)))]), 'the first commit');
      await new Promise((resolve) => setTimeout(resolve, RUN_BEFORE_KILL_MS));
    } finally {
      child.kill('SIGKILL');
    }
    expect(await withTimeout(closed, 'the writer to die')).toBe('SIGKILL');
    // The kill left a WAL behind: the reopen below has real recovery work to do.
    expect(fs.existsSync(`${file}-wal`)).toBe(true);
    expect(reported).toBeGreaterThan(0);

    const store = openStore(dir);
    try {
      expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
      const rows = store.nodeList.count();
      expect(rows).toBeGreaterThanOrEqual(reported);
      // At most the one transaction that committed after its report was cut off; never a part of one.
      expect(rows - reported).toBeLessThanOrEqual(BATCH);
      expect(rows % BATCH).toBe(0);
      // And the store still writes after recovery.
      store.nodeList.recordRegistration(Buffer.alloc(32, 1), 1);
      expect(store.nodeList.count()).toBe(rows + 1);
    } finally {
      store.close();
    }
  });
});
