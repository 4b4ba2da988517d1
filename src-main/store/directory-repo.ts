// A relay's directory of shared-data declarations: verified holdings by content hash, holder and owner.
import type Database from 'better-sqlite3';
import { assertId, assertMs } from './assert-bytes.js';

export interface DirectoryEntry {
  readonly contentHash: Buffer;
  readonly holder: Buffer;
  readonly owner: Buffer;
  /** the encoded holding, exactly as published */
  readonly holding: Buffer;
  readonly heldSinceMs: number;
}

interface Row {
  content_hash: Buffer;
  holder: Buffer;
  owner: Buffer;
  holding: Buffer;
  held_since_ms: number;
}

const toEntry = (r: Row): DirectoryEntry => ({ contentHash: r.content_hash, holder: r.holder, owner: r.owner, holding: r.holding, heldSinceMs: r.held_since_ms });

export class DirectoryRepo {
  readonly #put: Database.Statement<[Buffer, Buffer, Buffer, Buffer, number]>;
  readonly #remove: Database.Statement<[Buffer, Buffer]>;
  readonly #get: Database.Statement<[Buffer, Buffer], Row>;
  readonly #byHash: Database.Statement<[Buffer, number], Row>;
  readonly #byHolder: Database.Statement<[Buffer, number], Row>;
  readonly #byOwner: Database.Statement<[Buffer, number], Row>;
  readonly #countHolder: Database.Statement<[Buffer], number>;
  readonly #recent: Database.Statement<[number], Row>;

  constructor(db: Database.Database) {
    this.#put = db.prepare('INSERT OR REPLACE INTO directory (content_hash, holder, owner, holding, held_since_ms) VALUES (?, ?, ?, ?, ?)');
    this.#remove = db.prepare('DELETE FROM directory WHERE content_hash = ? AND holder = ?');
    this.#get = db.prepare<[Buffer, Buffer], Row>('SELECT * FROM directory WHERE content_hash = ? AND holder = ?');
    this.#byHash = db.prepare<[Buffer, number], Row>('SELECT * FROM directory WHERE content_hash = ? ORDER BY held_since_ms DESC LIMIT ?');
    this.#byHolder = db.prepare<[Buffer, number], Row>('SELECT * FROM directory WHERE holder = ? ORDER BY held_since_ms DESC LIMIT ?');
    this.#byOwner = db.prepare<[Buffer, number], Row>('SELECT * FROM directory WHERE owner = ? ORDER BY held_since_ms DESC LIMIT ?');
    this.#recent = db.prepare<[number], Row>('SELECT * FROM directory ORDER BY held_since_ms DESC LIMIT ?');
    this.#countHolder = db.prepare<[Buffer], number>('SELECT count(*) FROM directory WHERE holder = ?').pluck();
  }

  put(e: DirectoryEntry): void {
    if (e.contentHash.byteLength !== 32) throw new RangeError('A content hash is 32 bytes.');
    assertId(e.holder, 'holder ID');
    assertId(e.owner, 'owner ID');
    assertMs(e.heldSinceMs);
    this.#put.run(e.contentHash, e.holder, e.owner, e.holding, e.heldSinceMs);
  }

  get(contentHash: Buffer, holder: Buffer): DirectoryEntry | null {
    const r = this.#get.get(contentHash, holder);
    return r ? toEntry(r) : null;
  }

  remove(contentHash: Buffer, holder: Buffer): boolean {
    return this.#remove.run(contentHash, holder).changes > 0;
  }

  byHash(contentHash: Buffer, limit: number): DirectoryEntry[] {
    return this.#byHash.all(contentHash, limit).map(toEntry);
  }

  byHolder(holder: Buffer, limit: number): DirectoryEntry[] {
    return this.#byHolder.all(holder, limit).map(toEntry);
  }

  byOwner(owner: Buffer, limit: number): DirectoryEntry[] {
    return this.#byOwner.all(owner, limit).map(toEntry);
  }

  /** The newest holdings, for the snapshot a freshly linked relay receives. */
  recent(limit: number): DirectoryEntry[] {
    return this.#recent.all(limit).map(toEntry);
  }

  countForHolder(holder: Buffer): number {
    return this.#countHolder.get(holder) ?? 0;
  }
}
