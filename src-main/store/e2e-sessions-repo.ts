// The receiving keys of end-to-end sessions, kept so that messages stored for us while we were
// offline can still be opened after a restart. Expired rows are deleted (forward secrecy ages in), and
// deleted or replaced keys are overwritten with zeros in the file (see #wiping).
import type Database from 'better-sqlite3';
import { assertId, assertMs } from './assert-bytes.js';

export interface StoredSessionKey {
  readonly sessionId: Buffer;
  readonly peer: Buffer;
  readonly recvKey: Buffer;
  readonly createdMs: number;
}

interface Row {
  session_id: Buffer;
  peer: Buffer;
  recv_key: Buffer;
  created_ms: number;
}

export class E2eSessionsRepo {
  readonly #db: Database.Database;
  readonly #put: Database.Statement<[Buffer, Buffer, Buffer, number]>;
  readonly #get: Database.Statement<[Buffer], Row>;
  readonly #delete: Database.Statement<[Buffer]>;
  readonly #expire: Database.Statement<[number]>;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#put = db.prepare('INSERT OR REPLACE INTO e2e_sessions (session_id, peer, recv_key, created_ms) VALUES (?, ?, ?, ?)');
    this.#get = db.prepare<[Buffer], Row>('SELECT session_id, peer, recv_key, created_ms FROM e2e_sessions WHERE session_id = ?');
    this.#delete = db.prepare('DELETE FROM e2e_sessions WHERE session_id = ?');
    this.#expire = db.prepare('DELETE FROM e2e_sessions WHERE created_ms < ?');
  }

  put(key: StoredSessionKey): void {
    if (key.sessionId.byteLength !== 16) throw new RangeError('A session ID is 16 bytes.');
    assertId(key.peer, 'peer ID');
    if (key.recvKey.byteLength !== 32) throw new RangeError('A session key is 32 bytes.');
    assertMs(key.createdMs);
    // OR REPLACE deletes the row it replaces: that old key must be wiped too.
    this.#wiping(() => this.#put.run(key.sessionId, key.peer, key.recvKey, key.createdMs));
  }

  get(sessionId: Buffer): StoredSessionKey | null {
    const r = this.#get.get(sessionId);
    return r ? { sessionId: r.session_id, peer: r.peer, recvKey: r.recv_key, createdMs: r.created_ms } : null;
  }

  delete(sessionId: Buffer): void {
    if (this.#wiping(() => this.#delete.run(sessionId).changes) > 0) this.#dropWal();
  }

  /** Deletes keys created before `beforeMs`; returns how many. */
  expire(beforeMs: number): number {
    const n = this.#wiping(() => this.#expire.run(beforeMs).changes);
    if (n > 0) this.#dropWal();
    return n;
  }

  /**
   * The WAL still holds the page images written when the keys were saved, until a checkpoint copies it
   * into the file and it is reused: a TRUNCATE checkpoint empties it now. Best effort and without
   * waiting (a TRUNCATE checkpoint would otherwise block this thread for up to the busy timeout while
   * another process on the data dir reads or writes): then the WAL stays, and the next deletion retries.
   */
  #dropWal(): void {
    const timeout = this.#db.pragma('busy_timeout', { simple: true });
    this.#db.pragma('busy_timeout = 0');
    try {
      this.#db.pragma('wal_checkpoint(TRUNCATE)');
    } catch {
      // SQLITE_BUSY: another connection holds the lock right now; nothing is lost by trying later.
    } finally {
      this.#db.pragma(`busy_timeout = ${Number(timeout)}`);
    }
  }

  /**
   * Runs `work` with SQLite's secure_delete on. Without it a DELETE only unlinks the row: the key's bytes
   * stay in the file's free space (and pages) until reused, so theft of the disk would open messages long
   * after the key "expired". It is switched on for these statements only, because zeroing freed pages
   * costs extra writes that the relay's hot tables (stored messages) should not pay.
   */
  #wiping<T>(work: () => T): T {
    const before = this.#db.pragma('secure_delete', { simple: true });
    this.#db.pragma('secure_delete = ON');
    try {
      return work();
    } finally {
      this.#db.pragma(`secure_delete = ${Number(before)}`);
    }
  }
}
