// Holders of this node's data that said so (HOLDING_NOTICE), with their signed holdings: remote deletes reach them too.
import type Database from 'better-sqlite3';
import { HASH_BYTES } from '../../src-shared/protocol/constants.js';
import { assertBytes, assertId, assertMs } from './assert-bytes.js';

export interface KnownHolder {
  readonly contentHash: Buffer;
  readonly holder: Buffer;
  /** the encoded Holding the holder sent */
  readonly holding: Buffer;
  readonly noticedMs: number;
}

interface Row {
  content_hash: Buffer;
  holder: Buffer;
  holding: Buffer;
  noticed_ms: number;
}

export class KnownHoldersRepo {
  readonly #put: Database.Statement<[Buffer, Buffer, Buffer, number]>;
  readonly #list: Database.Statement<[Buffer], Row>;
  readonly #remove: Database.Statement<[Buffer, Buffer]>;

  constructor(db: Database.Database) {
    this.#put = db.prepare('INSERT OR REPLACE INTO known_holders (content_hash, holder, holding, noticed_ms) VALUES (?, ?, ?, ?)');
    this.#list = db.prepare<[Buffer], Row>('SELECT * FROM known_holders WHERE content_hash = ? ORDER BY noticed_ms');
    this.#remove = db.prepare('DELETE FROM known_holders WHERE content_hash = ? AND holder = ?');
  }

  put(contentHash: Buffer, holder: Buffer, holding: Buffer, nowMs: number): void {
    assertBytes(contentHash, HASH_BYTES, 'content hash');
    assertId(holder, 'holder ID');
    assertMs(nowMs);
    this.#put.run(contentHash, holder, holding, nowMs);
  }

  list(contentHash: Buffer): KnownHolder[] {
    return this.#list.all(contentHash).map((r) => ({ contentHash: r.content_hash, holder: r.holder, holding: r.holding, noticedMs: r.noticed_ms }));
  }

  remove(contentHash: Buffer, holder: Buffer): boolean {
    return this.#remove.run(contentHash, holder).changes > 0;
  }
}
