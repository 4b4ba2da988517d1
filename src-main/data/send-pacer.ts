// Paces bulk sends below the relay's advertised frame rate: a relay drops frames over its rate limit,
// and a dropped chunk costs a timeout and a re-request, so staying under it is faster than racing it.
export class SendPacer {
  private readonly rate: number;
  private readonly burst: number;
  private tokens: number;
  private last: number;
  private chain: Promise<void> = Promise.resolve();

  /** `ratePerSec` and `burst` as the relay advertised them in HELLO; `share` is the part bulk data may use. */
  constructor(
    ratePerSec: number,
    burst: number,
    share = 0.8,
    private readonly now: () => number = performance.now.bind(performance),
  ) {
    this.rate = Math.max(1, ratePerSec * share);
    // A small burst: the relay's bucket starts full, but other traffic (messages, handshakes) needs room too.
    this.burst = Math.max(1, Math.min(64, Math.floor(burst * share) / 4));
    this.tokens = this.burst;
    this.last = this.now();
  }

  /** Resolves when one more frame may go out; callers are served in order. */
  take(): Promise<void> {
    const next = this.chain.then(() => this.takeOne());
    this.chain = next;
    return next;
  }

  /**
   * Takes one frame's token now if there is one and returns 0; otherwise takes nothing and returns the
   * milliseconds until there will be one. The bulk sender's path: no promise per frame while under the rate.
   */
  tryTake(): number {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) * this.rate) / 1000);
    this.last = t;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.max(1, ((1 - this.tokens) * 1000) / this.rate);
  }

  private async takeOne(): Promise<void> {
    for (;;) {
      const wait = this.tryTake();
      if (wait === 0) return;
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}
