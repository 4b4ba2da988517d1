// Message IDs a relay has already handled, so cycles in the relay graph never loop or duplicate:
// bounded in count and age, oldest forgotten first.
import { ID_BYTES } from '../../src-shared/protocol/constants.js';
import { MsgAt } from '../../src-shared/protocol/frames.js';

export class SeenCache {
  private readonly seen = new Map<string, number>();
  /**
   * One iterator kept across evictions: a fresh `keys()` would walk past every entry deleted since the
   * map last compacted (tens of thousands once full), making each add cost O(capacity).
   */
  private oldest: IterableIterator<string> | null = null;

  constructor(
    private readonly capacity = 200_000,
    private readonly ttlMs = 120_000,
  ) {}

  /** true if the key was new (and is now remembered); false for a repeat. */
  add(key: string, nowMs = Date.now()): boolean {
    const at = this.seen.get(key);
    if (at !== undefined) {
      if (nowMs - at < this.ttlMs) return false;
      // Re-added: it moves to the young end, so eviction still goes oldest first.
      this.seen.delete(key);
    }
    this.seen.set(key, nowMs);
    while (this.seen.size > this.capacity) {
      // Every entry the iterator passed was deleted here, so the live ones all lie ahead of it.
      let next = this.oldest?.next();
      if (!next || next.done) {
        this.oldest = this.seen.keys();
        next = this.oldest.next();
      }
      this.seen.delete(next.value as string);
    }
    return true;
  }

  get size(): number {
    return this.seen.size;
  }
}

/** The dedup key of a message: its ID and sender (two senders may pick the same random ID). */
export function messageKey(from: Uint8Array, id: Uint8Array): string {
  return Buffer.concat([id, from]).toString('latin1');
}

/**
 * messageKey() read straight from a MSG frame's bytes: id and from lie side by side (offsets 4..52),
 * so the key is one string made from the frame, with no views and no concatenation.
 */
export function messageKeyOf(msg: Uint8Array): string {
  const b = Buffer.isBuffer(msg) ? msg : Buffer.from(msg.buffer, msg.byteOffset, msg.byteLength);
  return b.toString('latin1', MsgAt.ID, MsgAt.FROM + ID_BYTES);
}
