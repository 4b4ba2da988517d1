// Migration 3 (the data plane's tables) and its repositories: served files with ranged hash reads,
// fetch receipts, fetches with their bitmap, known holders and remote-delete requests.
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS, migrate } from '../../../src-main/store/migrations.js';
import { openTempStore, id, type TempStore } from '../store/temp-store.js';

let t: TempStore | null = null;
afterEach(() => {
  t?.dispose();
  t = null;
});

const HASH = Buffer.alloc(32, 0x22);

describe('migration 3', () => {
  it('adds the data-plane tables on top of migration 2, with a consistent schema', () => {
    const db = new Database(':memory:');
    try {
      migrate(db, MIGRATIONS.slice(0, 2));
      const before = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").pluck().all() as string[];
      migrate(db, MIGRATIONS.slice(0, 3));
      const after = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").pluck().all() as string[];
      expect(after.filter((n) => !before.includes(n)).sort()).toEqual(['delete_requests', 'fetch_bitmap', 'fetch_receipts', 'fetches', 'known_holders', 'served_files']);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(() => db.prepare("INSERT INTO served_files VALUES (?, 'p', x'00', x'00', 0, 0, 0, 'serving', NULL, NULL)").run(Buffer.alloc(31))).toThrow(/CHECK/);
      expect(() => db.prepare("INSERT INTO delete_requests VALUES (?, ?, 0, ?, 'gone', NULL, NULL, 0, 0)").run(HASH, id(1), Buffer.alloc(64))).toThrow(/CHECK/);
    } finally {
      db.close();
    }
  });
});

describe('data-plane repositories', () => {
  it('served files: put, ranged chunk hashes, stop with a reason, remove', () => {
    t = openTempStore();
    const r = t.store.servedFiles;
    const hashes = Buffer.concat([Buffer.alloc(32, 1), Buffer.alloc(32, 2), Buffer.alloc(32, 3)]);
    r.put({ contentHash: HASH, path: '/x', holding: Buffer.from('h'), chunkHashes: hashes, size: 3000, mtimeMs: 12.5, addedMs: 7 });
    expect(r.chunkHashes(HASH, 1, 2).equals(hashes.subarray(32))).toBe(true);
    expect(r.chunkHashes(HASH, 2, 5).equals(hashes.subarray(64))).toBe(true);
    expect(r.get(HASH)).toMatchObject({ path: '/x', size: 3000, mtimeMs: 12.5, state: 'serving', stopCode: null });
    r.stop(HASH, 4, 'vanished');
    expect(r.list()).toMatchObject([{ state: 'stopped', stopCode: 4, stopReason: 'vanished' }]);
    expect(r.remove(HASH)).toBe(true);
    expect(r.get(HASH)).toBeNull();
    expect(() => r.put({ contentHash: HASH, path: '/x', holding: Buffer.from('h'), chunkHashes: Buffer.alloc(33), size: 1, mtimeMs: 0, addedMs: 0 })).toThrow(RangeError);
  });

  it('fetch receipts add up per fetcher', () => {
    t = openTempStore();
    const r = t.store.fetchReceipts;
    r.record(HASH, id(5), 8, 100);
    r.record(HASH, id(5), 8, 200);
    r.record(HASH, id(6), 1, 150);
    expect(r.list(HASH)).toMatchObject([
      { fetcher: id(5), firstMs: 100, lastMs: 200, chunks: 16 },
      { fetcher: id(6), chunks: 1 },
    ]);
    expect(r.removeAll(HASH)).toBe(2);
  });

  it('fetches: a restart drops the old bitmap; complete clears it; remove cascades', () => {
    t = openTempStore();
    const r = t.store.fetches;
    r.start(HASH, '/a', Buffer.from('h'), 1);
    const bits = new Uint8Array(2);
    bits[0] = 0b101;
    r.saveSegmentOf(HASH, bits, 0);
    expect(Array.from(r.bitmap(HASH, 16))).toEqual([5, 0]);
    r.setChunkHashes(HASH, Buffer.alloc(64), 2);
    expect(r.get(HASH)?.chunkHashes?.byteLength).toBe(64);
    r.start(HASH, '/b', Buffer.from('h'), 3);
    expect(Array.from(r.bitmap(HASH, 16))).toEqual([0, 0]);
    expect(r.get(HASH)).toMatchObject({ outPath: '/b', state: 'partial', chunkHashes: null });
    r.saveSegmentOf(HASH, bits, 0);
    r.complete(HASH, '/b', 4);
    expect(r.get(HASH)?.state).toBe('complete');
    expect(Array.from(r.bitmap(HASH, 16))).toEqual([0, 0]);
    r.saveSegmentOf(HASH, bits, 0);
    expect(r.remove(HASH)).toBe(true);
    expect(t.store.db.prepare('SELECT count(*) FROM fetch_bitmap').pluck().get()).toBe(0);
  });

  it('known holders and delete requests', () => {
    t = openTempStore();
    t.store.knownHolders.put(HASH, id(7), Buffer.from('holding'), 5);
    expect(t.store.knownHolders.list(HASH)).toMatchObject([{ holder: id(7), noticedMs: 5 }]);
    const d = t.store.deleteRequests;
    d.put(HASH, id(7), 10, Buffer.alloc(64, 1), 11);
    d.setSendError(HASH, id(7), 301, 12);
    expect(d.pending()).toMatchObject([{ holder: id(7), status: 'pending', errorCode: 301 }]);
    d.settle(HASH, id(7), 'deleted', Buffer.alloc(64, 2), 13);
    expect(d.get(HASH, id(7))).toMatchObject({ status: 'deleted', errorCode: null, timeMs: 10, updatedMs: 13 });
    expect(d.pending()).toEqual([]);
    expect(() => d.put(HASH, id(7), 10, Buffer.alloc(63), 11)).toThrow(RangeError);
  });
});
