// The relay's node list: every ID that ever registered here, kept in memory (routing never reads
// SQLite per message) and written through to the store on register and leave only. Writes are
// gathered for the rest of the event-loop turn and committed together in one transaction: one
// commit for a burst of registrations instead of one each. A registration's `committed` callback
// (the relay sends READY from it) runs only after its row is committed.
import { idKey, type IdKey } from './id-key.js';
import type { NodeListRecord, NodeListStore } from './ports.js';

interface PendingWrite {
  id: Buffer;
  nowMs: number;
  leave: boolean;
  /** registration only: told whether the write was committed */
  committed?: (ok: boolean, err?: unknown) => void;
}

export class NodeList {
  private readonly known = new Map<IdKey, NodeListRecord>();
  /**
   * list()'s answer until the next change. Every ID that ever registered is listed, so a sort per
   * LIST_PEERS would let any client burn O(n log n) relay CPU per 6-byte request (n grows forever).
   */
  private sorted: readonly NodeListRecord[] | null = null;
  private pending: PendingWrite[] = [];
  private scheduled: NodeJS.Immediate | null = null;

  constructor(private readonly store: NodeListStore) {
    for (const rec of store.list()) this.known.set(idKey(rec.id), rec);
  }

  has(key: IdKey): boolean {
    return this.known.has(key);
  }

  /** In memory at once; in the store at the end of this turn, then `committed` is called. */
  recordRegistration(id: Buffer, nowMs: number, committed?: (ok: boolean, err?: unknown) => void): void {
    const key = idKey(id);
    const rec = this.known.get(key);
    if (rec) rec.lastSeenMs = nowMs;
    else this.known.set(key, { id: Buffer.from(id), firstSeenMs: nowMs, lastSeenMs: nowMs });
    this.sorted = null;
    this.queue({ id, nowMs, leave: false, committed });
  }

  recordLeave(id: Buffer, nowMs: number): void {
    const rec = this.known.get(idKey(id));
    if (rec) rec.lastSeenMs = nowMs;
    this.sorted = null;
    this.queue({ id, nowMs, leave: true });
  }

  private queue(w: PendingWrite): void {
    this.pending.push(w);
    // setImmediate, not nextTick: it runs after the I/O callbacks of this turn, so the HS3s of many
    // sockets read in one turn share the commit.
    this.scheduled ??= setImmediate(() => this.flush());
  }

  /** Commits every queued write now (the relay calls it on shutdown, before the store closes). */
  flush(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = null;
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    const work = (): void => {
      for (const w of batch) {
        if (w.leave) this.store.recordLeave(w.id, w.nowMs);
        else this.store.recordRegistration(w.id, w.nowMs);
      }
    };
    let error: unknown = null;
    try {
      if (this.store.inTransaction) this.store.inTransaction(work);
      else work();
    } catch (err) {
      error = err ?? new Error('node list write failed');
    }
    for (const w of batch) w.committed?.(error === null, error ?? undefined);
  }

  /** Most recently seen first; the same array until the list changes (do not modify it). */
  list(): readonly NodeListRecord[] {
    this.sorted ??= [...this.known.values()].sort((a, b) => b.lastSeenMs - a.lastSeenMs);
    return this.sorted;
  }

  get size(): number {
    return this.known.size;
  }
}
