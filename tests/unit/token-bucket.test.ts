// TokenBucket: burst, steady refill, the cap at `burst`, and no credit for time spent full.
import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../src-main/relay/token-bucket.js';

function clock(start = 1000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

function takeAll(bucket: TokenBucket, max = 10_000): number {
  let n = 0;
  while (n < max && bucket.take()) n++;
  return n;
}

describe('TokenBucket', () => {
  it('starts full: exactly `burst` takes succeed at once', () => {
    const c = clock();
    const bucket = new TokenBucket(10, 5, c.now);
    expect(takeAll(bucket)).toBe(5);
    expect(bucket.take()).toBe(false);
  });

  it('refills at ratePerSec, one token per 1000/rate ms', () => {
    const c = clock();
    const bucket = new TokenBucket(10, 5, c.now);
    takeAll(bucket);
    c.advance(99);
    expect(bucket.take()).toBe(false);
    c.advance(1);
    expect(bucket.take()).toBe(true);
    expect(bucket.take()).toBe(false);
    c.advance(350);
    expect(takeAll(bucket)).toBe(3);
  });

  it('keeps fractional credit between takes', () => {
    const c = clock();
    const bucket = new TokenBucket(4, 1, c.now);
    takeAll(bucket);
    let granted = 0;
    for (let i = 0; i < 16; i++) {
      c.advance(62.5); // a quarter token each (exact in binary, so no float drift in the count)
      if (bucket.take()) granted++;
    }
    expect(granted).toBe(4);
  });

  it('never holds more than `burst`, however long it was idle', () => {
    const c = clock();
    const bucket = new TokenBucket(100, 7, c.now);
    takeAll(bucket);
    c.advance(3_600_000);
    expect(takeAll(bucket)).toBe(7);
  });

  it('does not credit the time it spent full: a burst after a long quiet spell is still `burst`', () => {
    const c = clock();
    const bucket = new TokenBucket(1, 10, c.now);
    expect(bucket.take()).toBe(true); // 9 left
    c.advance(100_000); // full again long ago; the bucket cannot hold more than 10
    expect(takeAll(bucket)).toBe(10);
  });

  it('sustains exactly ratePerSec under a constant flood', () => {
    const c = clock();
    const bucket = new TokenBucket(50, 10, c.now);
    let granted = 0;
    for (let ms = 0; ms < 10_000; ms++) {
      c.advance(1);
      for (let k = 0; k < 5; k++) if (bucket.take()) granted++;
    }
    // 10 s at 50/s plus the initial burst, give or take one token of rounding
    expect(granted).toBeGreaterThanOrEqual(509);
    expect(granted).toBeLessThanOrEqual(510);
  });

  it('is full when new and again once it has refilled to its burst', () => {
    const c = clock();
    const bucket = new TokenBucket(10, 2, c.now);
    expect(bucket.full).toBe(true);
    expect(bucket.take()).toBe(true);
    expect(bucket.full).toBe(false);
    c.advance(99);
    expect(bucket.full).toBe(false);
    c.advance(1);
    expect(bucket.full).toBe(true);
  });
});
