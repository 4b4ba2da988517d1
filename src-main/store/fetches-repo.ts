// This node's fetches: the declaration being fetched, its verified chunk hash list, and a bitmap of the
// chunks already verified and written, kept so that a killed fetch resumes where it stopped.
import type Database from 'better-sqlite3';
import { HASH_BYTES } from '../../src-shared/protocol/constants.js';
import { assertBytes, assertMs } from './assert-bytes.js';

/** Chunks per bitmap row: one verified chunk rewrites one 512-byte row, not the whole bitmap. */
export const BITMAP_SEGMENT_CHUNKS = 4096;
const SEGMENT_BYTES = BITMAP_SEGMENT_CHUNKS / 8;

export type FetchState = 'partial' | 'complete';

export interface FetchRecord {
  readonly contentHash: Buffer;
  readonly outPath: string;
  /** the encoded Holding the fetch started from */
  readonly holding: Buffer;
  /** n x 32 bytes once checked against the treeRoot; null before */
  readonly chunkHashes: Buffer | null;
  readonly state: FetchState;
  readonly startedMs: number;
  readonly updatedMs: number;
}

interface Row {
  content_hash: Buffer;
  out_path: string;
  holding: Buffer;
  chunk_hashes: Buffer | null;
  state: FetchState;
  started_ms: number;
  updated_ms: number;
}

const toRecord = (r: Row): FetchRecord => ({
  contentHash: r.content_hash,
  outPath: r.out_path,
  holding: r.holding,
  chunkHashes: r.chunk_hashes,
  state: r.state,
  startedMs: r.started_ms,
  updatedMs: r.updated_ms,
});

export class FetchesRepo {
  readonly #insert: Database.Statement<[Buffer, string, Buffer, number, number]>;
  readonly #get: Database.Statement<[Buffer], Row>;
  readonly #list: Database.Statement<[], Row>;
  readonly #setHashes: Database.Statement<[Buffer, number, Buffer]>;
  readonly #segments: Database.Statement<[Buffer], { segment: number; bits: Buffer }>;
  readonly #putSegment: Database.Statement<[Buffer, number, Buffer]>;
  readonly #clearBitmap: Database.Statement<[Buffer]>;
  readonly #complete: Database.Statement<[string, number, Buffer]>;
  readonly #remove: Database.Statement<[Buffer]>;
  readonly #start: (contentHash: Buffer, outPath: string, holding: Buffer, nowMs: number) => void;
  readonly #putSegments: (contentHash: Buffer, bitmap: Uint8Array, segments: number[]) => void;
  readonly #completeTx: (contentHash: Buffer, outPath: string, nowMs: number) => void;

  constructor(db: Database.Database) {
    this.#insert = db.prepare("INSERT INTO fetches (content_hash, out_path, holding, state, started_ms, updated_ms) VALUES (?, ?, ?, 'partial', ?, ?)");
    this.#get = db.prepare<[Buffer], Row>('SELECT * FROM fetches WHERE content_hash = ?');
    this.#list = db.prepare<[], Row>('SELECT * FROM fetches ORDER BY started_ms, rowid');
    this.#setHashes = db.prepare('UPDATE fetches SET chunk_hashes = ?, updated_ms = ? WHERE content_hash = ?');
    this.#segments = db.prepare<[Buffer], { segment: number; bits: Buffer }>('SELECT segment, bits FROM fetch_bitmap WHERE content_hash = ?');
    this.#putSegment = db.prepare('INSERT OR REPLACE INTO fetch_bitmap (content_hash, segment, bits) VALUES (?, ?, ?)');
    this.#clearBitmap = db.prepare('DELETE FROM fetch_bitmap WHERE content_hash = ?');
    this.#complete = db.prepare("UPDATE fetches SET state = 'complete', out_path = ?, updated_ms = ? WHERE content_hash = ?");
    this.#remove = db.prepare('DELETE FROM fetches WHERE content_hash = ?');
    // Delete then insert, not INSERT OR REPLACE: a REPLACE does not cascade to the old row's bitmap.
    this.#start = db.transaction((contentHash: Buffer, outPath: string, holding: Buffer, nowMs: number) => {
      this.#clearBitmap.run(contentHash);
      this.#remove.run(contentHash);
      this.#insert.run(contentHash, outPath, holding, nowMs, nowMs);
    });
    // One transaction: a failure (SQLITE_BUSY behind another process, a crash) between the two steps
    // would leave a 'partial' record whose bitmap is gone, so the next resume would start from zero.
    this.#completeTx = db.transaction((contentHash: Buffer, outPath: string, nowMs: number) => {
      this.#clearBitmap.run(contentHash);
      this.#complete.run(outPath, nowMs, contentHash);
    });
    this.#putSegments = db.transaction((contentHash: Buffer, bitmap: Uint8Array, segments: number[]) => {
      for (const segment of segments) {
        const at = segment * SEGMENT_BYTES;
        this.#putSegment.run(contentHash, segment, Buffer.from(bitmap.subarray(at, at + SEGMENT_BYTES)));
      }
    });
  }

  /** The segments `segments` of the in-memory bitmap, written in one transaction (a batch of verified, durable chunks). */
  saveSegments(contentHash: Buffer, bitmap: Uint8Array, segments: Iterable<number>): void {
    this.#putSegments(contentHash, bitmap, [...segments]);
  }

  /** A fresh partial fetch (any earlier record of the same content, and its bitmap, is dropped). */
  start(contentHash: Buffer, outPath: string, holding: Buffer, nowMs: number): void {
    assertBytes(contentHash, HASH_BYTES, 'content hash');
    assertMs(nowMs);
    this.#start(contentHash, outPath, holding, nowMs);
  }

  get(contentHash: Buffer): FetchRecord | null {
    const r = this.#get.get(contentHash);
    return r ? toRecord(r) : null;
  }

  list(): FetchRecord[] {
    return this.#list.all().map(toRecord);
  }

  setChunkHashes(contentHash: Buffer, chunkHashes: Buffer, nowMs: number): void {
    if (chunkHashes.byteLength % HASH_BYTES !== 0) throw new RangeError('The chunk hash list must hold whole 32-byte hashes.');
    this.#setHashes.run(chunkHashes, nowMs, contentHash);
  }

  /** The bitmap of verified chunks (bit i of byte i >> 3 = chunk i), sized for `chunks`. */
  bitmap(contentHash: Buffer, chunks: number): Uint8Array {
    const out = new Uint8Array(Math.ceil(chunks / 8));
    for (const { segment, bits } of this.#segments.all(contentHash)) {
      const at = segment * SEGMENT_BYTES;
      if (at >= out.byteLength) continue;
      out.set(bits.subarray(0, Math.min(bits.byteLength, out.byteLength - at)), at);
    }
    return out;
  }

  /** Persists the bitmap segment holding chunk `index` (taken from the full in-memory bitmap). */
  saveSegmentOf(contentHash: Buffer, bitmap: Uint8Array, index: number): void {
    const segment = Math.floor(index / BITMAP_SEGMENT_CHUNKS);
    const at = segment * SEGMENT_BYTES;
    this.#putSegment.run(contentHash, segment, Buffer.from(bitmap.subarray(at, at + SEGMENT_BYTES)));
  }

  clearBitmap(contentHash: Buffer): void {
    this.#clearBitmap.run(contentHash);
  }

  /** The fetch finished: the copy is at `outPath`; the bitmap is no longer needed. */
  complete(contentHash: Buffer, outPath: string, nowMs: number): void {
    this.#completeTx(contentHash, outPath, nowMs);
  }

  remove(contentHash: Buffer): boolean {
    return this.#remove.run(contentHash).changes > 0;
  }
}
