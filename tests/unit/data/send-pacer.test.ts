// SendPacer: bulk sends stay under the relay's advertised frame rate, whoever asks, in order.
import { describe, expect, it } from 'vitest';
import { SendPacer } from '../../../src-main/data/send-pacer.js';

describe('SendPacer', () => {
  it('lets a small burst through at once, then paces at the given share of the rate', async () => {
    // 250/s x 0.8 = 200 frames/s; burst min(64, 200 x 0.8 / 4) = 40
    const pacer = new SendPacer(250, 200);
    const t0 = performance.now();
    for (let i = 0; i < 40; i++) await pacer.take();
    expect(performance.now() - t0).toBeLessThan(50);
    for (let i = 0; i < 40; i++) await pacer.take();
    // 40 more at 200/s take about 200 ms
    expect(performance.now() - t0).toBeGreaterThanOrEqual(180);
  });

  it('serves concurrent callers in order', async () => {
    const pacer = new SendPacer(1000, 4);
    const order: number[] = [];
    await Promise.all([0, 1, 2, 3, 4, 5].map((i) => pacer.take().then(() => order.push(i))));
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('tryTake: takes a token at once while there is one, else says how long until the next, taking nothing', () => {
    let now = 0;
    // 1000/s x 0.8 = 800 frames/s; burst min(64, 2000 x 0.8 / 4) = 64
    const pacer = new SendPacer(1000, 2000, 0.8, () => now);
    for (let i = 0; i < 64; i++) expect(pacer.tryTake()).toBe(0);
    const wait = pacer.tryTake();
    expect(wait).toBeCloseTo(1000 / 800, 5);
    expect(pacer.tryTake()).toBeCloseTo(wait, 5);
    now += wait;
    expect(pacer.tryTake()).toBe(0);
    expect(pacer.tryTake()).toBeGreaterThan(0);
  });
});
