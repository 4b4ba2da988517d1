// The relay's node list: every ID that has registered with this relay, with when it was first and last seen.
import type Database from 'better-sqlite3';
import { assertId, assertMs } from './assert-bytes.js';

export interface NodeEntry {
  readonly id: Buffer;
  readonly firstSeenMs: number;
  readonly lastSeenMs: number;
  /** How many times this ID completed registration (one per successful handshake). */
  readonly registrations: number;
}

interface NodeRow {
  id: Buffer;
  first_seen_ms: number;
  last_seen_ms: number;
  registrations: number;
}

function toEntry(row: NodeRow): NodeEntry {
  return {
    id: row.id,
    firstSeenMs: row.first_seen_ms,
    lastSeenMs: row.last_seen_ms,
    registrations: row.registrations,
  };
}

export class NodeListRepo {
  readonly #register: Database.Statement<[Buffer, number, number]>;
  readonly #leave: Database.Statement<[number, Buffer]>;
  readonly #get: Database.Statement<[Buffer], NodeRow>;
  readonly #has: Database.Statement<[Buffer], number>;
  readonly #list: Database.Statement<[], NodeRow>;
  readonly #count: Database.Statement<[], number>;
  readonly #tx: (work: () => void) => void;

  constructor(db: Database.Database) {
    this.#register = db.prepare<[Buffer, number, number]>(
      `INSERT INTO node_list (id, first_seen_ms, last_seen_ms, registrations) VALUES (?, ?, ?, 1)
       ON CONFLICT (id) DO UPDATE SET last_seen_ms = excluded.last_seen_ms, registrations = registrations + 1`,
    );
    this.#leave = db.prepare<[number, Buffer]>('UPDATE node_list SET last_seen_ms = ? WHERE id = ?');
    this.#get = db.prepare<[Buffer], NodeRow>(
      'SELECT id, first_seen_ms, last_seen_ms, registrations FROM node_list WHERE id = ?',
    );
    this.#has = db.prepare<[Buffer], number>('SELECT 1 FROM node_list WHERE id = ?').pluck();
    this.#list = db.prepare<[], NodeRow>(
      'SELECT id, first_seen_ms, last_seen_ms, registrations FROM node_list ORDER BY last_seen_ms DESC, id',
    );
    this.#count = db.prepare<[], number>('SELECT count(*) FROM node_list').pluck();
    this.#tx = db.transaction((work: () => void) => work());
  }

  /** Runs `work` in one transaction (nested calls join the outer one): all of it is committed, or none. */
  inTransaction(work: () => void): void {
    this.#tx(work);
  }

  /** Adds the ID on its first registration, or bumps its counter and last-seen time on later ones. */
  recordRegistration(id: Buffer, nowMs: number): void {
    assertId(id);
    assertMs(nowMs);
    this.#register.run(id, nowMs, nowMs);
  }

  /** Notes that the ID disconnected; returns false (and stores nothing) for an ID that never registered. */
  recordLeave(id: Buffer, nowMs: number): boolean {
    assertId(id);
    assertMs(nowMs);
    return this.#leave.run(nowMs, id).changes > 0;
  }

  get(id: Buffer): NodeEntry | null {
    assertId(id);
    const row = this.#get.get(id);
    return row === undefined ? null : toEntry(row);
  }

  has(id: Buffer): boolean {
    assertId(id);
    return this.#has.get(id) !== undefined;
  }

  /** Every entry, most recently seen first. */
  list(): NodeEntry[] {
    return this.#list.all().map(toEntry);
  }

  count(): number {
    return this.#count.get() ?? 0;
  }
}
