// Files this node serves (its own shares and copies it re-serves): path, holding, chunk hashes and the
// file's size and time when hashed, so a restarted node keeps serving and notices a changed file.
import type Database from 'better-sqlite3';
import { HASH_BYTES } from '../../src-shared/protocol/constants.js';
import { assertBytes, assertMs } from './assert-bytes.js';

export type ServedState = 'serving' | 'stopped';

export interface ServedFile {
  readonly contentHash: Buffer;
  readonly path: string;
  /** the encoded Holding */
  readonly holding: Buffer;
  readonly size: number;
  readonly mtimeMs: number;
  readonly addedMs: number;
  readonly state: ServedState;
  readonly stopCode: number | null;
  readonly stopReason: string | null;
}

export interface NewServedFile {
  contentHash: Buffer;
  path: string;
  holding: Buffer;
  chunkHashes: Buffer;
  size: number;
  mtimeMs: number;
  addedMs: number;
}

interface Row {
  content_hash: Buffer;
  path: string;
  holding: Buffer;
  size: number;
  mtime_ms: number;
  added_ms: number;
  state: ServedState;
  stop_code: number | null;
  stop_reason: string | null;
}

const COLUMNS = 'content_hash, path, holding, size, mtime_ms, added_ms, state, stop_code, stop_reason';

const toFile = (r: Row): ServedFile => ({
  contentHash: r.content_hash,
  path: r.path,
  holding: r.holding,
  size: r.size,
  mtimeMs: r.mtime_ms,
  addedMs: r.added_ms,
  state: r.state,
  stopCode: r.stop_code,
  stopReason: r.stop_reason,
});

export class ServedFilesRepo {
  readonly #put: Database.Statement<[Buffer, string, Buffer, Buffer, number, number, number]>;
  readonly #get: Database.Statement<[Buffer], Row>;
  readonly #list: Database.Statement<[], Row>;
  readonly #hashes: Database.Statement<[number, number, Buffer], Buffer>;
  readonly #stop: Database.Statement<[number, string, Buffer]>;
  readonly #remove: Database.Statement<[Buffer]>;

  constructor(db: Database.Database) {
    this.#put = db.prepare(
      `INSERT OR REPLACE INTO served_files (content_hash, path, holding, chunk_hashes, size, mtime_ms, added_ms, state)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'serving')`,
    );
    this.#get = db.prepare<[Buffer], Row>(`SELECT ${COLUMNS} FROM served_files WHERE content_hash = ?`);
    this.#list = db.prepare<[], Row>(`SELECT ${COLUMNS} FROM served_files ORDER BY added_ms, rowid`);
    // substr on a BLOB counts bytes (1-based): one window of hashes without loading the whole list.
    this.#hashes = db.prepare<[number, number, Buffer], Buffer>('SELECT substr(chunk_hashes, ?, ?) FROM served_files WHERE content_hash = ?').pluck();
    this.#stop = db.prepare("UPDATE served_files SET state = 'stopped', stop_code = ?, stop_reason = ? WHERE content_hash = ?");
    this.#remove = db.prepare('DELETE FROM served_files WHERE content_hash = ?');
  }

  /** Starts (or restarts) serving; replaces an earlier row for the same content. */
  put(f: NewServedFile): void {
    assertBytes(f.contentHash, HASH_BYTES, 'content hash');
    if (f.chunkHashes.byteLength % HASH_BYTES !== 0) throw new RangeError('The chunk hash list must hold whole 32-byte hashes.');
    assertMs(f.size, 'file size');
    assertMs(f.addedMs);
    this.#put.run(f.contentHash, f.path, f.holding, f.chunkHashes, f.size, f.mtimeMs, f.addedMs);
  }

  get(contentHash: Buffer): ServedFile | null {
    const r = this.#get.get(contentHash);
    return r ? toFile(r) : null;
  }

  /** Oldest first. */
  list(): ServedFile[] {
    return this.#list.all().map(toFile);
  }

  /** Hashes first .. first+count-1 (n x 32 bytes; fewer past the end of the list). */
  chunkHashes(contentHash: Buffer, first: number, count: number): Buffer {
    return this.#hashes.get(first * HASH_BYTES + 1, count * HASH_BYTES, contentHash) ?? Buffer.alloc(0);
  }

  /** Stops serving: the row stays, with why, so the user can see it. */
  stop(contentHash: Buffer, code: number, reason: string): void {
    this.#stop.run(code, reason, contentHash);
  }

  remove(contentHash: Buffer): boolean {
    return this.#remove.run(contentHash).changes > 0;
  }
}
