// Keeps one outbound relay link up: dials with the s2s handshake and redials with jittered
// exponential backoff whenever it drops, until stopped.
import { HandshakeContext } from '../../src-shared/protocol/constants.js';
import { dialRelay, type Dialled } from '../client/dial.js';
import type { Identity } from '../crypto/identity.js';

export interface DialerOptions {
  url: string;
  identity: Identity;
  pinnedId: Uint8Array | null;
  ca?: string | Buffer;
  onUp: (d: Dialled) => void;
  onFailure: (err: Error) => void;
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

export class LinkDialer {
  private stopped = false;
  private attempt = 0;
  private timer: NodeJS.Timeout | null = null;
  lastError: string | null = null;

  constructor(private readonly opts: DialerOptions) {}

  start(): void {
    void this.dial();
  }

  /** Called by the owner when the link this dialer made has gone down. */
  linkDown(lastedMs: number): void {
    // A link that stayed up a while starts over from the shortest wait.
    if (lastedMs > 10_000) this.attempt = 0;
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped || this.timer) return;
    const min = this.opts.minBackoffMs ?? 250;
    const max = this.opts.maxBackoffMs ?? 30_000;
    const base = Math.min(max, min * 2 ** Math.min(this.attempt, 16));
    // Full jitter in [base/2, base]: relays that lost each other at once do not redial in lockstep.
    const wait = base / 2 + Math.random() * (base / 2);
    this.attempt++;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.dial();
    }, wait);
    this.timer.unref();
  }

  private async dial(): Promise<void> {
    if (this.stopped) return;
    try {
      const d = await dialRelay({
        url: this.opts.url,
        identity: this.opts.identity,
        ctx: HandshakeContext.S2S,
        expectedRelayId: this.opts.pinnedId ?? undefined,
        ca: this.opts.ca,
      });
      if (this.stopped) {
        d.ws.terminate();
        return;
      }
      this.lastError = null;
      this.opts.onUp(d);
    } catch (err) {
      this.lastError = err instanceof Error ? err.message : String(err);
      this.opts.onFailure(err instanceof Error ? err : new Error(String(err)));
      this.schedule();
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
