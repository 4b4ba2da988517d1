// MessageSeenCache: keyed by a MSG frame's (id, from), repeats refused within the TTL, oldest dropped
// first when full, the documented defaults (docs/PROTOCOL.md §9.5), and the same answers as the plain
// Map-based SeenCache over long random runs (growth, wrap-around, expiry and index deletions included).
import { describe, expect, it } from 'vitest';
import { FrameType, Route } from '../../src-shared/protocol/constants.js';
import { encodeFrame } from '../../src-shared/protocol/frames.js';
import { MessageSeenCache } from '../../src-main/federation/message-seen-cache.js';
import { SeenCache } from '../../src-main/federation/seen-cache.js';
import { prng } from '../helpers/mutate.js';

function msg(n: number, from = 1): Uint8Array {
  const id = new Uint8Array(16);
  new DataView(id.buffer).setUint32(0, n);
  return encodeFrame({ type: FrameType.MSG, route: Route.A2N, flags: 0, hops: 4, id, from: new Uint8Array(32).fill(from), body: new Uint8Array(3) });
}

describe('MessageSeenCache', () => {
  it('reports a message new once, then a repeat', () => {
    const c = new MessageSeenCache(10, 1000);
    expect(c.add(msg(1), 0)).toBe(true);
    expect(c.add(msg(1), 1)).toBe(false);
    expect(c.add(msg(2), 1)).toBe(true);
    expect(c.size).toBe(2);
  });

  it('keys on (id, from): two senders may pick the same ID; the hops byte and body do not matter', () => {
    const c = new MessageSeenCache(10, 1000);
    expect(c.add(msg(1, 1), 0)).toBe(true);
    expect(c.add(msg(1, 2), 0)).toBe(true);
    const again = Uint8Array.from(msg(1, 1));
    again[3] = 1;
    expect(c.add(again, 0)).toBe(false);
  });

  it('forgets a message once it is older than the TTL', () => {
    const c = new MessageSeenCache(10, 1000);
    c.add(msg(1), 0);
    expect(c.add(msg(1), 999)).toBe(false);
    expect(c.add(msg(1), 1000)).toBe(true);
    expect(c.add(msg(1), 1999)).toBe(false);
    expect(c.add(msg(1), 2000)).toBe(true);
    expect(c.size).toBe(1);
  });

  it('drops the oldest entry first when over capacity', () => {
    const c = new MessageSeenCache(3, 60_000);
    for (const n of [1, 2, 3, 4]) expect(c.add(msg(n), n)).toBe(true);
    expect(c.size).toBe(3);
    expect(c.add(msg(3), 10)).toBe(false);
    expect(c.add(msg(4), 10)).toBe(false);
    expect(c.add(msg(1), 10)).toBe(true);
    expect(c.add(msg(2), 10)).toBe(true);
  });

  it('uses the documented defaults: 200000 entries, 120 s', () => {
    const c = new MessageSeenCache();
    for (let n = 0; n < 200_000; n++) c.add(msg(n), 0);
    expect(c.size).toBe(200_000);
    expect(c.add(msg(0), 119_999)).toBe(false);
    expect(c.add(msg(199_999), 1)).toBe(false);
    // one more evicts the oldest (0, re-added above as a repeat: still the oldest)
    expect(c.add(msg(200_000), 2)).toBe(true);
    expect(c.add(msg(0), 3)).toBe(true);
    expect(c.add(msg(200_000), 120_001)).toBe(false);
    expect(c.add(msg(200_000), 120_002)).toBe(true);
  });

  it('refuses a frame too short to hold id and from', () => {
    expect(() => new MessageSeenCache().add(new Uint8Array(51))).toThrow(RangeError);
  });

  it('answers exactly as the Map-based SeenCache over 300,000 random adds', () => {
    for (const [capacity, ttl] of [[5000, 400], [6000, 1_000_000], [7, 50]] as const) {
      const rnd = prng(capacity);
      const fast = new MessageSeenCache(capacity, ttl);
      const model = new SeenCache(capacity, ttl);
      let now = 0;
      for (let i = 0; i < 100_000; i++) {
        now += Math.floor(rnd() * 3);
        const n = Math.floor(rnd() * capacity * 1.5);
        const from = 1 + Math.floor(rnd() * 2);
        const got = fast.add(msg(n, from), now);
        const want = model.add(`${n}/${from}`, now);
        if (got !== want) throw new Error(`capacity ${capacity}, ttl ${ttl}: add #${i} (${n}/${from} at ${now}) gave ${got}, the model ${want}`);
      }
      expect(fast.size).toBe(model.size);
    }
  });
});
