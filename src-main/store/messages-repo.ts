// A client's message history: direct, group and list messages in both directions, with delivery status.
//
// A message is keyed by (msgId, direction): storing the same one twice (a retry, a replayed delivery) is a
// no-op, while a note to self can exist once as 'out' and once as 'in'. Pages are chosen newest-first and
// returned oldest-first, the order a chat view draws them.
import type Database from 'better-sqlite3';
import { ID_BYTES, type Route } from '../../src-shared/protocol/constants.js';
import { assertId, assertMs, assertMsgId } from './assert-bytes.js';

export type MessageDirection = 'in' | 'out';
/** 'pending' → 'sent' (the relay took it) → 'stored' (kept for an offline recipient) → 'delivered', or 'failed'; incoming ones are 'received'. */
export type OutgoingStatus = 'pending' | 'sent' | 'stored' | 'delivered' | 'failed';
export type MessageStatus = OutgoingStatus | 'received';

export interface NewMessage {
  readonly msgId: Buffer;
  readonly direction: MessageDirection;
  readonly route: Route;
  /** The other party of a direct message; the sender of any incoming message. */
  readonly peer?: Buffer | null;
  /** Set for messages to or from a named group. */
  readonly groupName?: string | null;
  /** The recipients of an ad-hoc list message (at least one). */
  readonly recipients?: readonly Buffer[] | null;
  readonly body: Buffer;
  /** Defaults to 'received' for incoming messages and 'pending' for outgoing ones. */
  readonly status?: MessageStatus;
  readonly errorCode?: number | null;
  readonly createdMs: number;
  /** Defaults to createdMs. */
  readonly updatedMs?: number;
}

export interface StoredMessage {
  /** Insertion order; the tie-breaker between messages of the same millisecond and part of the page cursor. */
  readonly seq: number;
  readonly msgId: Buffer;
  readonly direction: MessageDirection;
  readonly route: Route;
  readonly peer: Buffer | null;
  readonly groupName: string | null;
  readonly recipients: Buffer[] | null;
  readonly body: Buffer;
  readonly status: MessageStatus;
  readonly errorCode: number | null;
  readonly createdMs: number;
  readonly updatedMs: number;
}

export interface PageOptions {
  /** How many messages at most (1..MAX_PAGE). */
  readonly limit: number;
  /** Only messages created before this time; with beforeSeq, before the message (beforeMs, beforeSeq). */
  readonly beforeMs?: number;
  /** The seq of the oldest message of the previous page, so messages sharing its millisecond are not skipped. */
  readonly beforeSeq?: number;
}

const STATUSES: readonly MessageStatus[] = ['pending', 'sent', 'stored', 'delivered', 'failed', 'received'];

/** The largest page a caller may ask for, so one call cannot pull a whole history into memory. */
export const MAX_PAGE = 1000;

interface MessageRow {
  seq: number;
  msg_id: Buffer;
  direction: MessageDirection;
  route: Route;
  peer: Buffer | null;
  group_name: string | null;
  recipients: Buffer | null;
  body: Buffer;
  status: MessageStatus;
  error_code: number | null;
  created_ms: number;
  updated_ms: number;
}

interface InsertParams {
  msgId: Buffer;
  direction: MessageDirection;
  route: number;
  peer: Buffer | null;
  groupName: string | null;
  recipients: Buffer | null;
  body: Buffer;
  status: MessageStatus;
  errorCode: number | null;
  createdMs: number;
  updatedMs: number;
}

/** Bind values for a page: an absent cursor becomes "after the end of time". */
interface PageParams {
  limit: number;
  beforeMs: number;
  beforeSeq: number;
}

const COLUMNS =
  'seq, msg_id, direction, route, peer, group_name, recipients, body, status, error_code, created_ms, updated_ms';
// Row-value comparison: strictly before the cursor message in (created_ms, seq) order.
const BEFORE = '(created_ms, seq) < (@beforeMs, @beforeSeq)';

function splitRecipients(blob: Buffer | null): Buffer[] | null {
  if (blob === null) return null;
  const ids: Buffer[] = [];
  for (let at = 0; at + ID_BYTES <= blob.length; at += ID_BYTES) ids.push(blob.subarray(at, at + ID_BYTES));
  return ids;
}

function toMessage(row: MessageRow): StoredMessage {
  return {
    seq: row.seq,
    msgId: row.msg_id,
    direction: row.direction,
    route: row.route,
    peer: row.peer,
    groupName: row.group_name,
    recipients: splitRecipients(row.recipients),
    body: row.body,
    status: row.status,
    errorCode: row.error_code,
    createdMs: row.created_ms,
    updatedMs: row.updated_ms,
  };
}

/** Pages are selected newest-first (so LIMIT keeps the latest) and handed out oldest-first. */
function chronological(rows: MessageRow[]): StoredMessage[] {
  return rows.reverse().map(toMessage);
}

function pageParams(options: PageOptions): PageParams {
  const { limit, beforeMs, beforeSeq } = options;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_PAGE) {
    throw new RangeError(`The page limit must be an integer from 1 to ${MAX_PAGE}.`);
  }
  if (beforeMs !== undefined) assertMs(beforeMs, 'page cursor time');
  if (beforeSeq !== undefined) {
    if (beforeMs === undefined) throw new TypeError('A page cursor with beforeSeq needs beforeMs too.');
    if (!Number.isSafeInteger(beforeSeq)) throw new RangeError('The page cursor seq must be an integer.');
  }
  return {
    limit,
    // Without a seq, "before beforeMs" means before every message of that millisecond.
    beforeMs: beforeMs ?? Number.MAX_SAFE_INTEGER,
    beforeSeq: beforeSeq ?? (beforeMs === undefined ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER),
  };
}

function directionOf(status: MessageStatus): MessageDirection {
  return status === 'received' ? 'in' : 'out';
}

export class MessagesRepo {
  readonly #insert: Database.Statement<InsertParams>;
  readonly #setStatus: Record<MessageDirection, Database.Statement<[MessageStatus, number | null, number, Buffer]>>;
  readonly #getOut: Database.Statement<[Buffer], MessageRow>;
  readonly #getIn: Database.Statement<{ msgId: Buffer; peer: Buffer | null }, MessageRow>;
  readonly #conversation: Database.Statement<PageParams & { peer: Buffer }, MessageRow>;
  readonly #group: Database.Statement<PageParams & { groupName: string }, MessageRow>;
  readonly #recent: Database.Statement<PageParams, MessageRow>;

  constructor(db: Database.Database) {
    this.#insert = db.prepare<InsertParams>(
      `INSERT OR IGNORE INTO messages
         (msg_id, direction, route, peer, group_name, recipients, body, status, error_code, created_ms, updated_ms)
       VALUES (@msgId, @direction, @route, @peer, @groupName, @recipients, @body, @status, @errorCode, @createdMs, @updatedMs)`,
    );
    // The direction is written into each statement, not bound: SQLite uses a partial index
    // (messages_out_id, messages_in_id) only when the query's WHERE names its condition literally.
    const setStatus = (direction: MessageDirection): Database.Statement<[MessageStatus, number | null, number, Buffer]> =>
      db.prepare(`UPDATE messages SET status = ?, error_code = ?, updated_ms = ? WHERE msg_id = ? AND direction = '${direction}'`);
    this.#setStatus = { in: setStatus('in'), out: setStatus('out') };
    this.#getOut = db.prepare<[Buffer], MessageRow>(`SELECT ${COLUMNS} FROM messages WHERE msg_id = ? AND direction = 'out'`);
    this.#getIn = db.prepare<{ msgId: Buffer; peer: Buffer | null }, MessageRow>(
      `SELECT ${COLUMNS} FROM messages WHERE msg_id = @msgId AND direction = 'in' AND (@peer IS NULL OR peer = @peer) ORDER BY seq LIMIT 1`,
    );
    // "group_name IS NULL" is spelled out so SQLite can use the partial index messages_by_peer.
    this.#conversation = db.prepare<PageParams & { peer: Buffer }, MessageRow>(
      `SELECT ${COLUMNS} FROM messages
       WHERE peer = @peer AND group_name IS NULL AND ${BEFORE}
       ORDER BY created_ms DESC, seq DESC LIMIT @limit`,
    );
    this.#group = db.prepare<PageParams & { groupName: string }, MessageRow>(
      `SELECT ${COLUMNS} FROM messages
       WHERE group_name = @groupName AND ${BEFORE}
       ORDER BY created_ms DESC, seq DESC LIMIT @limit`,
    );
    this.#recent = db.prepare<PageParams, MessageRow>(
      `SELECT ${COLUMNS} FROM messages WHERE ${BEFORE} ORDER BY created_ms DESC, seq DESC LIMIT @limit`,
    );
  }

  /**
   * Stores the message; returns false (changing nothing) if it was already stored: an outgoing one with
   * this msgId, an incoming one with this msgId from this peer (IDs are deduplicated per sender).
   */
  insert(message: NewMessage): boolean {
    assertMsgId(message.msgId);
    const { direction } = message;
    if (direction !== 'in' && direction !== 'out') {
      throw new TypeError(`A message direction must be 'in' or 'out', not ${String(direction)}.`);
    }
    if (!Number.isInteger(message.route)) throw new TypeError('A message route must be an integer.');
    const peer = message.peer ?? null;
    if (peer !== null) assertId(peer, 'message peer');
    if (direction === 'in' && peer === null) throw new TypeError('An incoming message must name its sender (peer).');
    const groupName = message.groupName ?? null;
    if (groupName !== null && (typeof groupName !== 'string' || groupName.length === 0)) {
      throw new TypeError('A message group name must be a non-empty string or null.');
    }
    const recipientList = message.recipients ?? null;
    if (recipientList !== null) {
      if (recipientList.length === 0) throw new RangeError('A recipient list must name at least one ID.');
      for (const id of recipientList) assertId(id, 'recipient ID');
    }
    if (!Buffer.isBuffer(message.body)) throw new TypeError('A message body must be a Buffer.');
    const errorCode = message.errorCode ?? null;
    if (errorCode !== null && !Number.isSafeInteger(errorCode)) throw new TypeError('An error code must be an integer.');
    const status = message.status ?? (direction === 'in' ? 'received' : 'pending');
    if (directionOf(status) !== direction) {
      throw new RangeError(`Status '${status}' does not fit a message in direction '${direction}'.`);
    }
    assertMs(message.createdMs, 'message creation time');
    const updatedMs = message.updatedMs ?? message.createdMs;
    assertMs(updatedMs, 'message update time');
    return (
      this.#insert.run({
        msgId: message.msgId,
        direction,
        route: message.route,
        peer,
        groupName,
        recipients: recipientList === null ? null : Buffer.concat(recipientList),
        body: message.body,
        status,
        errorCode,
        createdMs: message.createdMs,
        updatedMs,
      }).changes > 0
    );
  }

  /**
   * Sets the status of an outgoing message ('received' is for incoming ones, set at insert), clearing the
   * error code unless one is given; returns false for an unknown msgId.
   */
  setStatus(msgId: Buffer, status: MessageStatus, errorCode: number | null = null, nowMs: number = Date.now()): boolean {
    assertMsgId(msgId);
    if (!STATUSES.includes(status)) {
      throw new TypeError(`Unknown message status ${String(status)}.`);
    }
    if (errorCode !== null && !Number.isSafeInteger(errorCode)) throw new TypeError('An error code must be an integer.');
    assertMs(nowMs);
    return this.#setStatus[directionOf(status)].run(status, errorCode, nowMs, msgId).changes > 0;
  }

  /** An outgoing message by ID, or an incoming one by ID and sender (without `peer`: the first one stored). */
  get(msgId: Buffer, direction: MessageDirection, peer: Buffer | null = null): StoredMessage | null {
    assertMsgId(msgId);
    if (peer !== null) assertId(peer, 'message peer');
    const row = direction === 'out' ? this.#getOut.get(msgId) : this.#getIn.get({ msgId, peer });
    return row === undefined ? null : toMessage(row);
  }

  /** The latest direct messages with this peer (both directions, no group messages), oldest first. */
  conversation(peer: Buffer, options: PageOptions): StoredMessage[] {
    assertId(peer, 'peer ID');
    return chronological(this.#conversation.all({ ...pageParams(options), peer }));
  }

  /** The latest messages of a named group, oldest first. */
  group(name: string, options: PageOptions): StoredMessage[] {
    if (typeof name !== 'string' || name.length === 0) throw new TypeError('A group name must be a non-empty string.');
    return chronological(this.#group.all({ ...pageParams(options), groupName: name }));
  }

  /** The latest messages of any kind, oldest first. */
  recent(limit: number): StoredMessage[] {
    return chronological(this.#recent.all(pageParams({ limit })));
  }
}
