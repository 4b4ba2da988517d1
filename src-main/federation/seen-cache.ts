// Keys a relay has already handled (directory changes, by signature), so floods over cycles in the
// relay graph never loop or repeat: bounded in count and age, oldest forgotten first. Messages have
// their own cache, built for the per-message path (message-seen-cache.ts).
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

  /** Forgets a key, so that the same change is handled when it comes again (after a failure of ours). */
  forget(key: string): void {
    // Not deleted from the map: the eviction iterator's invariant (all it passed is gone) must hold.
    // Marked as older than any TTL instead, which add() treats as new.
    if (this.seen.has(key)) this.seen.set(key, Number.NEGATIVE_INFINITY);
  }

  get size(): number {
    return this.seen.size;
  }
}
