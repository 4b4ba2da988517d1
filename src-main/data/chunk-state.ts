// Which chunks of a fetch are missing, in flight, verified or verified and durable: the durable ones as a
// bitmap persisted in SQLite (so a killed fetch resumes from it), and the next run of missing chunks.
import { BITMAP_SEGMENT_CHUNKS, type FetchesRepo } from '../store/fetches-repo.js';

const MISSING = 0;
const IN_FLIGHT = 1;
const DONE = 2;

export class ChunkState {
  /** one byte per chunk: MISSING, IN_FLIGHT or DONE (verified and written) */
  private readonly state: Uint8Array;
  /** bit i set = chunk i verified, written and synced to disk (the persisted form) */
  private readonly bits: Uint8Array;
  private cursor = 0;
  private doneCount = 0;
  private inFlightCount = 0;
  private durableCount = 0;

  constructor(
    readonly chunks: number,
    private readonly contentHash: Buffer,
    private readonly repo: FetchesRepo,
    bits: Uint8Array,
  ) {
    this.state = new Uint8Array(chunks);
    this.bits = bits;
    for (let i = 0; i < chunks; i++) {
      if (((bits[i >> 3] as number) & (1 << (i & 7))) !== 0) {
        this.state[i] = DONE;
        this.doneCount++;
      }
    }
    this.durableCount = this.doneCount;
  }

  get done(): number {
    return this.doneCount;
  }

  /** chunks whose verified bytes are synced and recorded: what a resume starts from */
  get durable(): number {
    return this.durableCount;
  }

  get inFlight(): number {
    return this.inFlightCount;
  }

  get complete(): boolean {
    return this.doneCount === this.chunks;
  }

  isDone(i: number): boolean {
    return this.state[i] === DONE;
  }

  isInFlight(i: number): boolean {
    return this.state[i] === IN_FLIGHT;
  }

  /** The next run of up to `max` consecutive missing chunks, marked in flight; null when none is left to ask for. */
  takeRun(max: number): { first: number; count: number } | null {
    while (this.cursor < this.chunks && this.state[this.cursor] === DONE) this.cursor++;
    let i = this.cursor;
    while (i < this.chunks && this.state[i] !== MISSING) i++;
    if (i >= this.chunks) return null;
    const first = i;
    while (i < this.chunks && i - first < max && this.state[i] === MISSING) {
      this.state[i] = IN_FLIGHT;
      this.inFlightCount++;
      i++;
    }
    return { first, count: i - first };
  }

  /** An in-flight chunk that was lost, refused or corrupt goes back to be asked for again. */
  release(i: number): void {
    if (this.state[i] !== IN_FLIGHT) return;
    this.state[i] = MISSING;
    this.inFlightCount--;
    if (i < this.cursor) this.cursor = i;
  }

  /**
   * The chunk was verified and written (not yet synced): done in memory only. It reaches the persisted
   * bitmap through markDurable() once the caller has synced the file, so a resume never trusts bytes
   * that may not be on disk.
   */
  markDone(i: number): void {
    if (this.state[i] === DONE) return;
    if (this.state[i] === IN_FLIGHT) this.inFlightCount--;
    this.state[i] = DONE;
    this.doneCount++;
  }

  /** These done chunks are synced to disk: recorded in the bitmap, all in one SQLite transaction. Returns those recorded. */
  markDurable(indices: readonly number[]): number[] {
    const segments = new Set<number>();
    const recorded: number[] = [];
    for (const i of indices) {
      // A chunk found bad and re-requested since it was written is not durable any more.
      if (this.state[i] !== DONE || ((this.bits[i >> 3] as number) & (1 << (i & 7))) !== 0) continue;
      this.bits[i >> 3] = (this.bits[i >> 3] as number) | (1 << (i & 7));
      this.durableCount++;
      recorded.push(i);
      segments.add(Math.floor(i / BITMAP_SEGMENT_CHUNKS));
    }
    if (segments.size > 0) this.repo.saveSegments(this.contentHash, this.bits, segments);
    return recorded;
  }

  /** A chunk found bad on the final check: it is fetched again (its bit is cleared at once). True when it was durable. */
  markMissing(i: number): boolean {
    if (this.state[i] !== DONE) return false;
    this.state[i] = MISSING;
    this.doneCount--;
    if (i < this.cursor) this.cursor = i;
    if (((this.bits[i >> 3] as number) & (1 << (i & 7))) === 0) return false;
    this.bits[i >> 3] = (this.bits[i >> 3] as number) & ~(1 << (i & 7));
    this.durableCount--;
    this.repo.saveSegmentOf(this.contentHash, this.bits, i);
    return true;
  }
}
