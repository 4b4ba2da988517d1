// A client's address book: the IDs it knows, with a local nickname and when each was last seen online.
import type Database from 'better-sqlite3';
import { assertId, assertMs } from './assert-bytes.js';

export interface Peer {
  readonly id: Buffer;
  /** A name chosen locally; null when none was set. */
  readonly nickname: string | null;
  readonly addedMs: number;
  /** null until the peer has been seen online. */
  readonly lastSeenMs: number | null;
}

export interface PeerUpsert {
  /** undefined keeps the current nickname; null clears it. */
  readonly nickname?: string | null;
  /** The time recorded as addedMs for a new peer; defaults to now. */
  readonly nowMs?: number;
}

interface PeerRow {
  id: Buffer;
  nickname: string | null;
  added_ms: number;
  last_seen_ms: number | null;
}

function toPeer(row: PeerRow): Peer {
  return { id: row.id, nickname: row.nickname, addedMs: row.added_ms, lastSeenMs: row.last_seen_ms };
}

function assertNickname(nickname: unknown): asserts nickname is string | null {
  if (nickname !== null && typeof nickname !== 'string') {
    throw new TypeError('A nickname must be a string or null.');
  }
}

export class PeersRepo {
  readonly #db: Database.Database;
  readonly #insert: Database.Statement<[Buffer, string | null, number]>;
  readonly #setNickname: Database.Statement<[string | null, Buffer]>;
  readonly #touchSeen: Database.Statement<[number, Buffer]>;
  readonly #get: Database.Statement<[Buffer], PeerRow>;
  readonly #list: Database.Statement<[], PeerRow>;
  readonly #remove: Database.Statement<[Buffer]>;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#insert = db.prepare<[Buffer, string | null, number]>(
      'INSERT OR IGNORE INTO peers (id, nickname, added_ms) VALUES (?, ?, ?)',
    );
    this.#setNickname = db.prepare<[string | null, Buffer]>('UPDATE peers SET nickname = ? WHERE id = ?');
    this.#touchSeen = db.prepare<[number, Buffer]>('UPDATE peers SET last_seen_ms = ? WHERE id = ?');
    this.#get = db.prepare<[Buffer], PeerRow>('SELECT id, nickname, added_ms, last_seen_ms FROM peers WHERE id = ?');
    this.#list = db.prepare<[], PeerRow>('SELECT id, nickname, added_ms, last_seen_ms FROM peers ORDER BY added_ms, id');
    this.#remove = db.prepare<[Buffer]>('DELETE FROM peers WHERE id = ?');
  }

  /** Adds the peer if it is new, then applies the nickname if one is given; returns true if it was new. */
  upsert(id: Buffer, options: PeerUpsert = {}): boolean {
    assertId(id, 'peer ID');
    const nowMs = options.nowMs ?? Date.now();
    assertMs(nowMs);
    const { nickname } = options;
    if (nickname !== undefined) assertNickname(nickname);
    return this.#db.transaction(() => {
      const added = this.#insert.run(id, nickname ?? null, nowMs).changes > 0;
      if (!added && nickname !== undefined) this.#setNickname.run(nickname, id);
      return added;
    }).immediate();
  }

  /** Sets or (with null) clears the nickname; returns false for an unknown peer. */
  setNickname(id: Buffer, nickname: string | null): boolean {
    assertId(id, 'peer ID');
    assertNickname(nickname);
    return this.#setNickname.run(nickname, id).changes > 0;
  }

  /**
   * Records that the peer was online at `ms`; returns false for an ID not in the address book, which is left
   * out on purpose: meeting an ID does not add it.
   */
  touchSeen(id: Buffer, ms: number): boolean {
    assertId(id, 'peer ID');
    assertMs(ms);
    return this.#touchSeen.run(ms, id).changes > 0;
  }

  get(id: Buffer): Peer | null {
    assertId(id, 'peer ID');
    const row = this.#get.get(id);
    return row === undefined ? null : toPeer(row);
  }

  /** Every peer, in the order they were added. */
  list(): Peer[] {
    return this.#list.all().map(toPeer);
  }

  /** Removes the peer (its message history stays); returns false if it was not there. */
  remove(id: Buffer): boolean {
    assertId(id, 'peer ID');
    return this.#remove.run(id).changes > 0;
  }
}
