// The seen-cache for messages (docs/PROTOCOL.md §9.5): the (id, from) of every message this relay
// routed into or received from the federation, at most `capacity` entries for `ttlMs` each, oldest
// dropped first. It is consulted for every message that crosses a link, so it is built for that: the
// 48 key bytes are read from the MSG frame in place and kept in typed arrays (a ring in insertion
// order, and an open-addressing index over it). A Map of 200,000 string keys cost ~1 µs per message
// here, most of it garbage collection of the retained keys and cache misses in the Map.
import { randomBytes } from '../crypto/random.js';

/** id (16) and from (32), adjacent in a MSG frame from offset 4 */
const KEY_AT = 4;
const KEY_BYTES = 48;
const FIRST_RING = 1024;

export class MessageSeenCache {
  /** ring positions (live entries and holes left by expired ones); grows up to capacity + slack */
  private ring = 0;
  private keys = new Uint8Array(0);
  /** NaN marks a hole: an entry forgotten (expired and added again) before the ring reached it */
  private times = new Float64Array(0);
  private hashes = new Uint32Array(0);
  /** index: entry + 1 per slot, 0 for empty; linear probing, at most half full */
  private slots = new Int32Array(0);
  private mask = 0;
  /** oldest occupied ring position, and where the next entry goes */
  private head = 0;
  private tail = 0;
  private used = 0;
  private live = 0;
  private readonly maxRing: number;
  /** keyed hashing: who picks message IDs cannot aim them at one run of the index */
  private readonly seed = randomBytes(4).readUInt32LE(0);

  constructor(
    private readonly capacity = 200_000,
    private readonly ttlMs = 120_000,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    // Slack for holes: compacting once the ring is full of them costs O(capacity) at most once per
    // capacity / 4 adds.
    this.maxRing = capacity + Math.max(16, capacity >> 2);
  }

  get size(): number {
    return this.live;
  }

  /** true if the message's (id, from) was new (and is now remembered); false for a repeat within the TTL. */
  add(msg: Uint8Array, nowMs = Date.now()): boolean {
    if (msg.byteLength < KEY_AT + KEY_BYTES) throw new RangeError('a MSG frame holds id and from at offsets 4..52');
    const h = this.hash(msg);
    if (this.live > 0) {
      let pos = h & this.mask;
      for (;;) {
        const e = this.slots[pos] as number;
        if (e === 0) break;
        if (this.hashes[e - 1] === h && this.sameKey(e - 1, msg)) {
          if (nowMs - (this.times[e - 1] as number) < this.ttlMs) return false;
          // Expired: forget it (a hole in the ring); it is added again below, at the young end.
          this.unindex(pos);
          this.times[e - 1] = Number.NaN;
          this.live--;
          break;
        }
        pos = (pos + 1) & this.mask;
      }
    }
    if (this.live === this.capacity) this.dropOldest();
    if (this.used === this.ring) this.rebuild();
    const e = this.tail;
    const k = e * KEY_BYTES;
    for (let i = 0; i < KEY_BYTES; i++) this.keys[k + i] = msg[KEY_AT + i] as number;
    this.times[e] = nowMs;
    this.hashes[e] = h;
    this.index(e);
    this.tail = e + 1 === this.ring ? 0 : e + 1;
    this.used++;
    this.live++;
    return true;
  }

  private dropOldest(): void {
    for (;;) {
      const e = this.head;
      this.head = e + 1 === this.ring ? 0 : e + 1;
      this.used--;
      if (Number.isNaN(this.times[e] as number)) continue;
      this.unindex(this.find(e));
      this.times[e] = Number.NaN;
      this.live--;
      return;
    }
  }

  /** A full ring: moves the live entries, oldest first, to the start of a (larger, up to maxRing) one. */
  private rebuild(): void {
    const ring = Math.min(this.maxRing, Math.max(FIRST_RING, this.ring * 2));
    const keys = new Uint8Array(ring * KEY_BYTES);
    const times = new Float64Array(ring);
    const hashes = new Uint32Array(ring);
    let n = 0;
    for (let i = 0, e = this.head; i < this.used; i++, e = e + 1 === this.ring ? 0 : e + 1) {
      if (Number.isNaN(this.times[e] as number)) continue;
      keys.set(this.keys.subarray(e * KEY_BYTES, (e + 1) * KEY_BYTES), n * KEY_BYTES);
      times[n] = this.times[e] as number;
      hashes[n] = this.hashes[e] as number;
      n++;
    }
    let size = 1;
    while (size < ring * 2) size *= 2;
    this.slots = new Int32Array(size);
    this.mask = size - 1;
    this.keys = keys;
    this.times = times;
    this.hashes = hashes;
    this.ring = ring;
    this.head = 0;
    this.tail = n;
    this.used = n;
    for (let e = 0; e < n; e++) this.index(e);
  }

  private index(e: number): void {
    let pos = (this.hashes[e] as number) & this.mask;
    while (this.slots[pos] !== 0) pos = (pos + 1) & this.mask;
    this.slots[pos] = e + 1;
  }

  /** The index slot of entry e (which is indexed). */
  private find(e: number): number {
    let pos = (this.hashes[e] as number) & this.mask;
    while (this.slots[pos] !== e + 1) pos = (pos + 1) & this.mask;
    return pos;
  }

  /** Empties an index slot and moves later entries of its run back (no tombstones). */
  private unindex(pos: number): void {
    const slots = this.slots;
    const mask = this.mask;
    let hole = pos;
    let j = pos;
    slots[hole] = 0;
    for (;;) {
      j = (j + 1) & mask;
      const e = slots[j] as number;
      if (e === 0) return;
      const home = (this.hashes[e - 1] as number) & mask;
      // The entry may fill the hole unless its home lies cyclically in (hole, j].
      const stays = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (!stays) {
        slots[hole] = e;
        slots[j] = 0;
        hole = j;
      }
    }
  }

  private sameKey(e: number, msg: Uint8Array): boolean {
    const k = e * KEY_BYTES;
    for (let i = 0; i < KEY_BYTES; i++) if (this.keys[k + i] !== msg[KEY_AT + i]) return false;
    return true;
  }

  private hash(msg: Uint8Array): number {
    let h = this.seed;
    for (let i = KEY_AT; i < KEY_AT + KEY_BYTES; i += 4) {
      const w = (msg[i] as number) | ((msg[i + 1] as number) << 8) | ((msg[i + 2] as number) << 16) | ((msg[i + 3] as number) << 24);
      h = Math.imul(h ^ w, 0x9e3779b1);
      h ^= h >>> 15;
    }
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    return (h ^ (h >>> 16)) >>> 0;
  }
}
