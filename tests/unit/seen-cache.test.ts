// SeenCache: repeats are refused within the TTL, and the oldest entries go first when full.
import { describe, expect, it } from 'vitest';
import { SeenCache } from '../../src-main/federation/seen-cache.js';

const key = (n: number): string => `k${n}`;

describe('SeenCache', () => {
  it('reports a key new once, then a repeat', () => {
    const c = new SeenCache(10, 1000);
    expect(c.add(key(1), 0)).toBe(true);
    expect(c.add(key(1), 1)).toBe(false);
    expect(c.add(key(2), 1)).toBe(true);
    expect(c.size).toBe(2);
  });

  it('forget(): the key is new again at once; eviction still takes the oldest first', () => {
    const c = new SeenCache(3, 1000);
    for (const n of [1, 2, 3]) c.add(key(n), n);
    c.forget(key(2));
    c.forget(key(9)); // never seen: nothing happens
    expect(c.size).toBe(3);
    expect(c.add(key(2), 10)).toBe(true);
    expect(c.add(key(2), 11)).toBe(false);
    // full: 4 evicts 1, the oldest; 2 was re-added last-but-one and stays
    expect(c.add(key(4), 12)).toBe(true);
    expect(c.size).toBe(3);
    expect(c.add(key(1), 13)).toBe(true);
    expect(c.add(key(2), 14)).toBe(false);
  });

  it('forgets a key once it is older than the TTL', () => {
    const c = new SeenCache(10, 1000);
    c.add(key(1), 0);
    expect(c.add(key(1), 999)).toBe(false);
    expect(c.add(key(1), 1000)).toBe(true);
    // Re-added at 1000: a repeat again until 2000.
    expect(c.add(key(1), 1999)).toBe(false);
    expect(c.add(key(1), 2000)).toBe(true);
  });

  it('drops the oldest entry first when over capacity', () => {
    const c = new SeenCache(3, 60_000);
    for (const n of [1, 2, 3, 4]) expect(c.add(key(n), n)).toBe(true);
    expect(c.size).toBe(3);
    // 1 was evicted, so it counts as new; 3 and 4 are still remembered.
    expect(c.add(key(3), 10)).toBe(false);
    expect(c.add(key(4), 10)).toBe(false);
    expect(c.add(key(1), 10)).toBe(true);
    // Adding 1 evicted 2, the oldest left.
    expect(c.add(key(2), 10)).toBe(true);
  });

  it('uses the documented defaults: 200000 entries, 120 s', () => {
    const c = new SeenCache();
    c.add(key(1), 0);
    expect(c.add(key(1), 119_999)).toBe(false);
    expect(c.add(key(1), 120_000)).toBe(true);
  });
});
