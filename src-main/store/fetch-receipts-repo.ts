// Fetch receipts: who fetched which content from this node (and how much), so a remote delete reaches every copy.
import type Database from 'better-sqlite3';
import { HASH_BYTES } from '../../src-shared/protocol/constants.js';
import { assertBytes, assertId, assertMs } from './assert-bytes.js';

export interface FetchReceipt {
  readonly contentHash: Buffer;
  readonly fetcher: Buffer;
  readonly firstMs: number;
  readonly lastMs: number;
  /** chunks sent to this fetcher, over all its requests */
  readonly chunks: number;
}

interface Row {
  content_hash: Buffer;
  fetcher: Buffer;
  first_ms: number;
  last_ms: number;
  chunks: number;
}

export class FetchReceiptsRepo {
  readonly #record: Database.Statement<[Buffer, Buffer, number, number, number]>;
  readonly #list: Database.Statement<[Buffer], Row>;
  readonly #remove: Database.Statement<[Buffer]>;

  constructor(db: Database.Database) {
    this.#record = db.prepare(
      `INSERT INTO fetch_receipts (content_hash, fetcher, first_ms, last_ms, chunks) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (content_hash, fetcher) DO UPDATE SET last_ms = excluded.last_ms, chunks = chunks + excluded.chunks`,
    );
    this.#list = db.prepare<[Buffer], Row>('SELECT * FROM fetch_receipts WHERE content_hash = ? ORDER BY first_ms');
    this.#remove = db.prepare('DELETE FROM fetch_receipts WHERE content_hash = ?');
  }

  /** Counts `chunks` more chunks sent to `fetcher`. */
  record(contentHash: Buffer, fetcher: Buffer, chunks: number, nowMs: number): void {
    assertBytes(contentHash, HASH_BYTES, 'content hash');
    assertId(fetcher, 'fetcher ID');
    assertMs(nowMs);
    this.#record.run(contentHash, fetcher, nowMs, nowMs, chunks);
  }

  list(contentHash: Buffer): FetchReceipt[] {
    return this.#list.all(contentHash).map((r) => ({ contentHash: r.content_hash, fetcher: r.fetcher, firstMs: r.first_ms, lastMs: r.last_ms, chunks: r.chunks }));
  }

  removeAll(contentHash: Buffer): number {
    return this.#remove.run(contentHash).changes;
  }
}
