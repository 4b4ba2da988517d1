// The relay's node list: every ID that ever registered here, kept in memory (routing never reads
// SQLite per message) and written through to the store on register and leave only.
import { idKey, type IdKey } from './id-key.js';
import type { NodeListRecord, NodeListStore } from './ports.js';

export class NodeList {
  private readonly known = new Map<IdKey, NodeListRecord>();

  constructor(private readonly store: NodeListStore) {
    for (const rec of store.list()) this.known.set(idKey(rec.id), rec);
  }

  has(key: IdKey): boolean {
    return this.known.has(key);
  }

  recordRegistration(id: Buffer, nowMs: number): void {
    const key = idKey(id);
    const rec = this.known.get(key);
    if (rec) rec.lastSeenMs = nowMs;
    else this.known.set(key, { id: Buffer.from(id), firstSeenMs: nowMs, lastSeenMs: nowMs });
    this.store.recordRegistration(id, nowMs);
  }

  recordLeave(id: Buffer, nowMs: number): void {
    const rec = this.known.get(idKey(id));
    if (rec) rec.lastSeenMs = nowMs;
    this.store.recordLeave(id, nowMs);
  }

  /** Most recently seen first. */
  list(): NodeListRecord[] {
    return [...this.known.values()].sort((a, b) => b.lastSeenMs - a.lastSeenMs);
  }

  get size(): number {
    return this.known.size;
  }
}
