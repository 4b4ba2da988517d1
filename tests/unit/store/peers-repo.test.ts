// PeersRepo: the client's address book.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { id, openTempStore, type TempStore } from './temp-store.js';

describe('PeersRepo', () => {
  let t: TempStore;
  beforeEach(() => {
    t = openTempStore();
  });
  afterEach(() => {
    t.dispose();
  });

  it('adds a peer once and reports whether it was new', () => {
    const peers = t.store.peers;
    expect(peers.upsert(id(1), { nickname: 'ann', nowMs: 10 })).toBe(true);
    expect(peers.upsert(id(1), { nowMs: 20 })).toBe(false);
    expect(peers.get(id(1))).toEqual({ id: id(1), nickname: 'ann', addedMs: 10, lastSeenMs: null });
  });

  it('updates the nickname on upsert only when one is given, and clears it with null', () => {
    const peers = t.store.peers;
    peers.upsert(id(1), { nowMs: 10 });
    expect(peers.get(id(1))?.nickname).toBeNull();
    peers.upsert(id(1), { nickname: 'bob' });
    expect(peers.get(id(1))?.nickname).toBe('bob');
    peers.upsert(id(1));
    expect(peers.get(id(1))?.nickname).toBe('bob');
    peers.upsert(id(1), { nickname: null });
    expect(peers.get(id(1))?.nickname).toBeNull();
  });

  it('sets nicknames and seen times of known peers only', () => {
    const peers = t.store.peers;
    peers.upsert(id(1), { nowMs: 10 });
    expect(peers.setNickname(id(1), 'cy')).toBe(true);
    expect(peers.touchSeen(id(1), 99)).toBe(true);
    expect(peers.get(id(1))).toEqual({ id: id(1), nickname: 'cy', addedMs: 10, lastSeenMs: 99 });
    expect(peers.setNickname(id(2), 'x')).toBe(false);
    expect(peers.touchSeen(id(2), 99)).toBe(false);
    expect(peers.get(id(2))).toBeNull();
  });

  it('lists in the order added and removes', () => {
    const peers = t.store.peers;
    peers.upsert(id(3), { nowMs: 30 });
    peers.upsert(id(1), { nowMs: 10 });
    peers.upsert(id(2), { nowMs: 20 });
    expect(peers.list().map((p) => p.id[0])).toEqual([1, 2, 3]);
    expect(peers.remove(id(2))).toBe(true);
    expect(peers.remove(id(2))).toBe(false);
    expect(peers.list().map((p) => p.id[0])).toEqual([1, 3]);
  });

  it('rejects bad IDs and nicknames', () => {
    expect(() => t.store.peers.upsert(Buffer.alloc(5))).toThrow('The peer ID must be 32 bytes long, but it is 5.');
    expect(() => t.store.peers.setNickname(id(1), 5 as unknown as string)).toThrow('A nickname must be a string or null.');
  });
});
