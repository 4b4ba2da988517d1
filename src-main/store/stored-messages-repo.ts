// Store-and-forward: MSG frames a relay keeps for offline recipients, bounded per recipient and by age.
import type Database from 'better-sqlite3';
import { assertId, assertMs, assertMsgId } from './assert-bytes.js';

export interface StoredForward {
  readonly seq: number;
  readonly recipient: Buffer;
  readonly originRelay: Buffer;
  readonly msgId: Buffer;
  /** the MSG frame as it arrived */
  readonly msg: Buffer;
  readonly createdMs: number;
}

interface Row {
  seq: number;
  recipient: Buffer;
  origin_relay: Buffer;
  msg_id: Buffer;
  msg: Buffer;
  created_ms: number;
}

export class StoredMessagesRepo {
  readonly #insert: Database.Statement<[Buffer, Buffer, Buffer, Buffer, Buffer, number, number]>;
  readonly #count: Database.Statement<[Buffer], number>;
  readonly #forRecipient: Database.Statement<[Buffer, number, number], Row>;
  readonly #sizes: Database.Statement<[Buffer, number], { seq: number; n: number }>;
  readonly #delete: Database.Statement<[number]>;
  readonly #expire: Database.Statement<[number]>;
  readonly #total: Database.Statement<[], number>;
  readonly #totalBytes: Database.Statement<[], number>;

  constructor(db: Database.Database) {
    this.#insert = db.prepare(
      'INSERT OR IGNORE INTO stored_messages (recipient, origin_relay, sender, msg_id, msg, created_ms, expires_ms) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.#count = db.prepare<[Buffer], number>('SELECT count(*) FROM stored_messages WHERE recipient = ?').pluck();
    this.#forRecipient = db.prepare<[Buffer, number, number], Row>(
      'SELECT seq, recipient, origin_relay, msg_id, msg, created_ms FROM stored_messages WHERE recipient = ? AND seq <= ? ORDER BY seq LIMIT ?',
    );
    // length() of a BLOB column reads the record header only, not the frame itself.
    this.#sizes = db.prepare<[Buffer, number], { seq: number; n: number }>(
      'SELECT seq, length(msg) AS n FROM stored_messages WHERE recipient = ? ORDER BY seq LIMIT ?',
    );
    this.#delete = db.prepare('DELETE FROM stored_messages WHERE seq = ?');
    this.#expire = db.prepare('DELETE FROM stored_messages WHERE expires_ms <= ?');
    this.#total = db.prepare<[], number>('SELECT count(*) FROM stored_messages').pluck();
    this.#totalBytes = db.prepare<[], number>('SELECT coalesce(sum(length(msg)), 0) FROM stored_messages').pluck();
  }

  /**
   * Keeps a copy; false when the same message (this sender, this message ID) is already kept for this
   * recipient. Another sender's message under the same ID is kept as well: IDs are the senders' own.
   */
  put(recipient: Buffer, originRelay: Buffer, sender: Buffer, msgId: Buffer, msg: Buffer, nowMs: number, ttlMs: number): boolean {
    assertId(recipient, 'recipient ID');
    assertId(originRelay, 'origin relay ID');
    assertId(sender, 'sender ID');
    assertMsgId(msgId);
    assertMs(nowMs);
    return this.#insert.run(recipient, originRelay, sender, msgId, msg, nowMs, nowMs + ttlMs).changes > 0;
  }

  countFor(recipient: Buffer): number {
    assertId(recipient, 'recipient ID');
    return this.#count.get(recipient) ?? 0;
  }

  /**
   * Oldest first, at most `limit` messages and at most `maxBytes` of them (but always the oldest one, if
   * any): a recipient may have 1000 frames of up to 256 KiB kept, which must not all be loaded at once.
   */
  takeBatch(recipient: Buffer, limit: number, maxBytes = Number.MAX_SAFE_INTEGER): StoredForward[] {
    assertId(recipient, 'recipient ID');
    let last = -1;
    let bytes = 0;
    for (const { seq, n } of this.#sizes.iterate(recipient, limit)) {
      if (last !== -1 && bytes + n > maxBytes) break;
      bytes += n;
      last = seq;
    }
    if (last === -1) return [];
    return this.#forRecipient.all(recipient, last, limit).map((r) => ({
      seq: r.seq,
      recipient: r.recipient,
      originRelay: r.origin_relay,
      msgId: r.msg_id,
      msg: r.msg,
      createdMs: r.created_ms,
    }));
  }

  remove(seq: number): void {
    this.#delete.run(seq);
  }

  expire(nowMs: number): number {
    return this.#expire.run(nowMs).changes;
  }

  total(): number {
    return this.#total.get() ?? 0;
  }

  /** The MSG bytes kept for every recipient together (a full scan: for start-up and after expiry). */
  totalBytes(): number {
    return this.#totalBytes.get() ?? 0;
  }
}
