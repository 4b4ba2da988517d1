// Per-connection token bucket: `ratePerSec` tokens refill continuously up to `burst`.
import { tickNow } from './tick-clock.js';

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly ratePerSec: number,
    private readonly burst: number,
    private readonly now: () => number = tickNow,
  ) {
    this.tokens = burst;
    this.last = this.now();
  }

  /** Takes one token; false when the bucket is empty (the caller rejects the frame). */
  take(): boolean {
    // Refill on every take: refilling only when empty would credit the time the bucket sat full,
    // letting a client that idled send up to 2x burst at once.
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Whether the bucket has refilled to its burst: it then holds nothing a fresh one would not. */
  get full(): boolean {
    this.refill();
    return this.tokens >= this.burst;
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) * this.ratePerSec) / 1000);
    this.last = t;
  }
}
