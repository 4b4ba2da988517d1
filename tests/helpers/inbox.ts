// A queue of things that arrive asynchronously (frames, client events) that a test takes out, each wait bounded.
export class Inbox<T> {
  private readonly items: T[] = [];
  private readonly waiters = new Set<{ match: (item: T) => boolean; deliver: (item: T) => void }>();

  constructor(
    private readonly name: string,
    private readonly describe: (item: T) => string = (item) => JSON.stringify(item),
  ) {}

  push(item: T): void {
    for (const w of this.waiters) {
      if (w.match(item)) {
        this.waiters.delete(w);
        w.deliver(item);
        return;
      }
    }
    this.items.push(item);
  }

  /** Removes and returns the oldest queued item that matches, waiting up to timeoutMs for one to arrive. */
  take(match: (item: T) => boolean = () => true, timeoutMs = 2000, what = 'matching item'): Promise<T> {
    const i = this.items.findIndex(match);
    if (i >= 0) return Promise.resolve(this.items.splice(i, 1)[0] as T);
    return new Promise<T>((resolve, reject) => {
      const waiter = {
        match,
        deliver: (item: T) => {
          clearTimeout(timer);
          resolve(item);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        const queued = this.items.map(this.describe).join('; ') || 'nothing';
        reject(new Error(`${this.name}: no ${what} within ${timeoutMs} ms (queued: ${queued})`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** The queued items that match, removing them. */
  drain(match: (item: T) => boolean = () => true): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.items.length; ) {
      const item = this.items[i] as T;
      if (match(item)) {
        out.push(item);
        this.items.splice(i, 1);
      } else {
        i++;
      }
    }
    return out;
  }

  /** The queued items that match, left in place. */
  peek(match: (item: T) => boolean = () => true): T[] {
    return this.items.filter(match);
  }

  get size(): number {
    return this.items.length;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Rejects with a message naming `what` if the promise does not settle within ms. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Polls until check() is true, failing after timeoutMs: for relay state with no event to await. */
export async function waitUntil(check: () => boolean, timeoutMs: number, what: string, everyMs = 10): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await sleep(everyMs);
  }
}
