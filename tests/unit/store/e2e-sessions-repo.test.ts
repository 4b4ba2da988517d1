// Saved receiving keys (PROTOCOL §11.5): a deleted or expired key must not stay readable in the SQLite
// file, or forward secrecy would last as long as the file's free space is not reused.
import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../../src-main/store/db.js';
import { id, makeTempDir, removeDir } from './temp-store.js';

/** A recognisable 32-byte key, different for every n < 65536: a byte pattern found nowhere else in the file. */
function key(n: number): Buffer {
  const k = Buffer.alloc(32);
  for (let i = 0; i < 32; i++) k[i] = (n * 37 + i * 101 + 0x5a) & 0xff;
  k.writeUInt16BE(n, 0);
  return k;
}

function sessionId(n: number): Buffer {
  return Buffer.alloc(16, 0x80 + n);
}

/** Every byte the data dir's SQLite files hold, after closing (which checkpoints and removes the WAL). */
function fileBytes(dir: string, store: Store): Buffer {
  store.close();
  // The last connection's close checkpoints the WAL into the file and deletes it, so the file is all there is.
  expect(fs.existsSync(`${store.path}-wal`), `a WAL left in ${dir}`).toBe(false);
  return fs.readFileSync(store.path);
}

describe('E2eSessionsRepo', () => {
  let dir: string;
  beforeEach(() => {
    dir = makeTempDir();
  });
  afterEach(() => {
    removeDir(dir);
  });

  it('keeps a saved key readable until it is deleted', () => {
    const store = openStore(dir);
    store.e2eSessions.put({ sessionId: sessionId(1), peer: id(1), recvKey: key(1), createdMs: 1000 });
    expect(store.e2eSessions.get(sessionId(1))?.recvKey.equals(key(1))).toBe(true);
    expect(fileBytes(dir, store).includes(key(1))).toBe(true);
  });

  it('leaves no copy of a deleted key in the database file', () => {
    const store = openStore(dir);
    store.e2eSessions.put({ sessionId: sessionId(1), peer: id(1), recvKey: key(1), createdMs: 1000 });
    store.e2eSessions.put({ sessionId: sessionId(2), peer: id(2), recvKey: key(2), createdMs: 1000 });
    store.e2eSessions.delete(sessionId(1));
    expect(store.e2eSessions.get(sessionId(1))).toBe(null);
    const bytes = fileBytes(dir, store);
    expect(bytes.includes(key(2))).toBe(true);
    expect(bytes.includes(key(1))).toBe(false);
  });

  it('leaves no copy of expired keys, even when whole pages of them are freed', () => {
    const store = openStore(dir);
    // Enough rows to fill several pages, so expiry frees pages and not just cells.
    for (let n = 0; n < 300; n++) store.e2eSessions.put({ sessionId: sessionId(n % 100).fill(n, 0, 2), peer: id(1), recvKey: key(n), createdMs: n < 250 ? 1000 : 5000 });
    expect(store.e2eSessions.expire(2000)).toBe(250);
    const bytes = fileBytes(dir, store);
    for (let n = 0; n < 250; n++) expect(bytes.includes(key(n)), `expired key ${n}`).toBe(false);
    for (let n = 250; n < 300; n++) expect(bytes.includes(key(n)), `kept key ${n}`).toBe(true);
  });

  it('leaves no copy of a key that a new one for the same session replaced', () => {
    const store = openStore(dir);
    store.e2eSessions.put({ sessionId: sessionId(1), peer: id(1), recvKey: key(1), createdMs: 1000 });
    store.e2eSessions.put({ sessionId: sessionId(1), peer: id(1), recvKey: key(2), createdMs: 2000 });
    const bytes = fileBytes(dir, store);
    expect(bytes.includes(key(2))).toBe(true);
    expect(bytes.includes(key(1))).toBe(false);
  });

  it('leaves no copy in the WAL either while the store stays open (a running node expires keys hourly)', () => {
    const store = openStore(dir);
    try {
      for (let n = 0; n < 20; n++) store.e2eSessions.put({ sessionId: sessionId(n), peer: id(1), recvKey: key(n), createdMs: n < 15 ? 1000 : 5000 });
      store.e2eSessions.delete(sessionId(16));
      expect(store.e2eSessions.expire(2000)).toBe(15);
      const wal = `${store.path}-wal`;
      const bytes = Buffer.concat([fs.readFileSync(store.path), fs.existsSync(wal) ? fs.readFileSync(wal) : Buffer.alloc(0)]);
      for (const n of [...Array(15).keys(), 16]) expect(bytes.includes(key(n)), `deleted key ${n}`).toBe(false);
      for (const n of [15, 17, 18, 19]) expect(store.e2eSessions.get(sessionId(n))?.recvKey.equals(key(n))).toBe(true);
    } finally {
      store.close();
    }
  });
});
