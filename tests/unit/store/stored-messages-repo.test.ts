// Store-and-forward rows (PROTOCOL §9.6): batches oldest first, bounded in count and in bytes, so a
// hand-over never has to load a recipient's whole backlog (up to 1000 frames of 256 KiB) at once.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { id, msgId, openTempStore, type TempStore } from './temp-store.js';

let t: TempStore;
beforeEach(() => {
  t = openTempStore();
});
afterEach(() => {
  t.dispose();
});

const frame = (size: number, fill: number): Buffer => Buffer.alloc(size, fill);

describe('StoredMessagesRepo.takeBatch', () => {
  it('takes one recipient\'s messages oldest first, at most `limit`', () => {
    const repo = t.store.storedMessages;
    for (let i = 0; i < 5; i++) repo.put(id(1), id(9), id(5), msgId(i), frame(10, i), 1000 + i, 60_000);
    repo.put(id(2), id(9), id(5), msgId(7), frame(10, 7), 1000, 60_000);
    expect(repo.takeBatch(id(1), 3).map((m) => m.msg[0])).toEqual([0, 1, 2]);
    expect(repo.takeBatch(id(1), 10).map((m) => m.msg[0])).toEqual([0, 1, 2, 3, 4]);
  });

  it('stops at the byte budget, but always returns the oldest message even if it alone is larger', () => {
    const repo = t.store.storedMessages;
    for (let i = 0; i < 6; i++) repo.put(id(1), id(9), id(5), msgId(i), frame(100_000, i), 1000 + i, 60_000);
    expect(repo.takeBatch(id(1), 500, 250_000).map((m) => m.msg[0])).toEqual([0, 1]);
    expect(repo.takeBatch(id(1), 500, 50_000).map((m) => m.msg[0])).toEqual([0]);
    expect(repo.takeBatch(id(1), 3, 10_000_000).map((m) => m.msg[0])).toEqual([0, 1, 2]);
    expect(repo.takeBatch(id(1), 500)).toHaveLength(6);
    expect(repo.takeBatch(id(3), 500, 250_000)).toEqual([]);
  });

  it('continues where the previous batch ended once those messages are removed', () => {
    const repo = t.store.storedMessages;
    for (let i = 0; i < 4; i++) repo.put(id(1), id(9), id(5), msgId(i), frame(100_000, i), 1000 + i, 60_000);
    const first = repo.takeBatch(id(1), 500, 200_000);
    for (const m of first) repo.remove(m.seq);
    expect(repo.takeBatch(id(1), 500, 200_000).map((m) => m.msg[0])).toEqual([2, 3]);
  });
});

describe('StoredMessagesRepo.put', () => {
  it('keeps a message once per (recipient, sender, ID): another sender reusing the ID does not shadow it', () => {
    const repo = t.store.storedMessages;
    expect(repo.put(id(1), id(9), id(5), msgId(1), frame(60, 1), 1000, 60_000)).toBe(true);
    expect(repo.put(id(1), id(9), id(5), msgId(1), frame(60, 2), 1001, 60_000)).toBe(false);
    // a co-recipient who learnt the ID stored its own message first: the real one is still kept
    expect(repo.put(id(1), id(9), id(6), msgId(1), frame(60, 3), 1002, 60_000)).toBe(true);
    expect(repo.put(id(2), id(9), id(5), msgId(1), frame(60, 4), 1003, 60_000)).toBe(true);
    expect(repo.takeBatch(id(1), 10).map((m) => m.msg[0])).toEqual([1, 3]);
    expect(() => repo.put(id(1), id(9), Buffer.alloc(31), msgId(2), frame(60, 5), 1004, 60_000)).toThrow(RangeError);
  });
});
