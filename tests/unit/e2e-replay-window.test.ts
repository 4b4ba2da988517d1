// The anti-replay window for counter nonces (src-main/crypto/replay-window.ts): each counter accepted
// once, reordering within 2016 tolerated, older ones refused; checked against a plain model.
import { describe, expect, it } from 'vitest';
import { REPLAY_WINDOW, ReplayWindow } from '../../src-main/crypto/replay-window.js';

/** check() then accept() as E2eSession.open does for a message that authenticates. */
function feed(w: ReplayWindow, counters: number[]): boolean[] {
  return counters.map((c) => {
    const ok = w.check(c);
    if (ok) w.accept(c);
    return ok;
  });
}

/** The rule the ring bitmap implements: a new highest, or within the window below it and not seen before. */
function model(counters: number[]): boolean[] {
  let highest = -1;
  const seen = new Set<number>();
  return counters.map((c) => {
    const ok = c > highest || (highest - c < REPLAY_WINDOW && !seen.has(c));
    if (ok) {
      seen.add(c);
      highest = Math.max(highest, c);
    }
    return ok;
  });
}

describe('ReplayWindow', () => {
  it('is 63 words of 32 counters: 2016', () => {
    expect(REPLAY_WINDOW).toBe(2016);
  });

  it('accepts each counter once', () => {
    expect(feed(new ReplayWindow(), [0, 1, 2, 2, 1, 0, 3])).toEqual([true, true, true, false, false, false, true]);
  });

  it('accepts reordering within the window and refuses anything 2016 or more below the highest', () => {
    expect(feed(new ReplayWindow(), [3000, 985, 984, 2999, 1500])).toEqual([true, true, false, true, true]);
  });

  it('check() alone does not consume a counter (a message that fails to authenticate leaves no trace)', () => {
    const w = new ReplayWindow();
    expect(w.check(5)).toBe(true);
    expect(w.check(5)).toBe(true);
    w.accept(5);
    expect(w.check(5)).toBe(false);
  });

  it('refuses negative, fractional and unsafe counters', () => {
    const w = new ReplayWindow();
    for (const c of [-1, 0.5, Number.NaN, 2 ** 53, Number.POSITIVE_INFINITY]) expect(w.check(c)).toBe(false);
    expect(w.check(2 ** 53 - 1)).toBe(true);
  });

  it('forgets the words it slides over, after jumps of every size', () => {
    const w = new ReplayWindow();
    expect(feed(w, [0, 31, 32, 2047, 2048, 2079, 0, 31, 32, 63, 64, 10_000_000, 9_997_985, 9_997_984])).toEqual(
      model([0, 31, 32, 2047, 2048, 2079, 0, 31, 32, 63, 64, 10_000_000, 9_997_985, 9_997_984]),
    );
  });

  it('agrees with the model on long random sequences (reordering, duplicates, jumps)', () => {
    let seed = 0x9e3779b9;
    const rand = (n: number): number => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    for (let round = 0; round < 50; round++) {
      let next = rand(100);
      const counters: number[] = [];
      for (let i = 0; i < 2000; i++) {
        const r = rand(100);
        if (r < 60) counters.push(next++);
        else if (r < 85) counters.push(Math.max(0, next - 1 - rand(2100)));
        else if (r < 95) counters.push(counters[rand(counters.length || 1)] ?? 0);
        else counters.push((next += rand(5000)));
      }
      expect(feed(new ReplayWindow(), counters)).toEqual(model(counters));
    }
  });
});
