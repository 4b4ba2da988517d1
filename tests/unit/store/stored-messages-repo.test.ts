// Store-and-forward rows (PROTOCOL §9.6): batches oldest first, bounded in count and in bytes, and the
// byte count of the whole store kept exact through put, remove and expire.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../../src-main/store/db.js';
import { id, msgId, openTempStore, type TempStore } from './temp-store.js';

let t: TempStore;
beforeEach(() => {
  t = openTempStore();
});
afterEach(() => {
  t.dispose();
});

const frame = (size: number, fill: number): Buffer => Buffer.alloc(size, fill);

describe('StoredMessagesRepo', () => {
  it('takes batches oldest first, at most `limit` messages', () => {
    const repo = t.store.storedMessages;
    for (let i = 0; i < 5; i++) repo.put(id(1), id(9), msgId(i), frame(10, i), 1000 + i, 60_000);
    repo.put(id(2), id(9), msgId(7), frame(10, 7), 1000, 60_000);
    expect(repo.takeBatch(id(1), 3).map((m) => m.msg[0])).toEqual([0, 1, 2]);
    expect(repo.takeBatch(id(1), 10).map((m) => m.msg[0])).toEqual([0, 1, 2, 3, 4]);
  });

  it('bounds a batch by bytes, but always returns the oldest message even if it alone is larger', () => {
    const repo = t.store.storedMessages;
    for (let i = 0; i < 6; i++) repo.put(id(1), id(9), msgId(i), frame(100_000, i), 1000 + i, 60_000);
    expect(repo.takeBatch(id(1), 500, 250_000).map((m) => m.msg[0])).toEqual([0, 1]);
    expect(repo.takeBatch(id(1), 500, 50_000).map((m) => m.msg[0])).toEqual([0]);
    expect(repo.takeBatch(id(1), 500, 10_000_000)).toHaveLength(6);
    expect(repo.takeBatch(id(3), 500, 250_000)).toEqual([]);
  });

  it('counts the bytes kept through put, a duplicate put, remove and expire, and again after a reopen', () => {
    const repo = t.store.storedMessages;
    expect(repo.put(id(1), id(9), msgId(1), frame(100, 1), 1000, 10)).toBe(true);
    expect(repo.put(id(1), id(9), msgId(1), frame(100, 1), 1000, 10)).toBe(false);
    expect(repo.put(id(2), id(9), msgId(2), frame(300, 2), 1000, 60_000)).toBe(true);
    expect(repo.bytes()).toBe(400);
    expect(repo.expire(2000)).toBe(1);
    expect(repo.bytes()).toBe(300);
    const [kept] = repo.takeBatch(id(2), 1);
    repo.remove(kept!.seq);
    repo.remove(kept!.seq);
    expect(repo.bytes()).toBe(0);
    repo.put(id(2), id(9), msgId(3), frame(70, 3), 1000, 60_000);
    const again = openStore(t.dir);
    try {
      expect(again.storedMessages.bytes()).toBe(70);
    } finally {
      again.close();
    }
  });
});
