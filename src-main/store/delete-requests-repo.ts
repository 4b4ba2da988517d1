// Remote deletes this node asked for: per holder, the signed request (to resend) and its status, with
// the holder's signed receipt once it came.
import type Database from 'better-sqlite3';
import { HASH_BYTES, SIGNATURE_BYTES } from '../../src-shared/protocol/constants.js';
import { assertBytes, assertId, assertMs } from './assert-bytes.js';

export type DeleteRequestStatus = 'pending' | 'deleted' | 'refused' | 'not-held';

export interface DeleteRequest {
  readonly contentHash: Buffer;
  readonly holder: Buffer;
  readonly timeMs: number;
  readonly ownerSig: Buffer;
  readonly status: DeleteRequestStatus;
  /** why the request could not be handed to the relays, while it is pending */
  readonly errorCode: number | null;
  readonly holderSig: Buffer | null;
  readonly sentMs: number;
  readonly updatedMs: number;
}

interface Row {
  content_hash: Buffer;
  holder: Buffer;
  time_ms: number;
  owner_sig: Buffer;
  status: DeleteRequestStatus;
  error_code: number | null;
  holder_sig: Buffer | null;
  sent_ms: number;
  updated_ms: number;
}

const toRequest = (r: Row): DeleteRequest => ({
  contentHash: r.content_hash,
  holder: r.holder,
  timeMs: r.time_ms,
  ownerSig: r.owner_sig,
  status: r.status,
  errorCode: r.error_code,
  holderSig: r.holder_sig,
  sentMs: r.sent_ms,
  updatedMs: r.updated_ms,
});

export class DeleteRequestsRepo {
  readonly #put: Database.Statement<[Buffer, Buffer, number, Buffer, number, number]>;
  readonly #get: Database.Statement<[Buffer, Buffer], Row>;
  readonly #list: Database.Statement<[Buffer], Row>;
  readonly #pending: Database.Statement<[], Row>;
  readonly #contents: Database.Statement<[number], { content_hash: Buffer; sent_ms: number }>;
  readonly #settle: Database.Statement<[DeleteRequestStatus, Buffer, number, Buffer, Buffer]>;
  readonly #sendError: Database.Statement<[number | null, number, Buffer, Buffer]>;

  constructor(db: Database.Database) {
    this.#put = db.prepare(
      `INSERT OR REPLACE INTO delete_requests (content_hash, holder, time_ms, owner_sig, status, sent_ms, updated_ms)
       VALUES (?, ?, ?, ?, 'pending', ?, ?)`,
    );
    this.#get = db.prepare<[Buffer, Buffer], Row>('SELECT * FROM delete_requests WHERE content_hash = ? AND holder = ?');
    this.#list = db.prepare<[Buffer], Row>('SELECT * FROM delete_requests WHERE content_hash = ? ORDER BY sent_ms, rowid');
    this.#contents = db.prepare<[number], { content_hash: Buffer; sent_ms: number }>(
      'SELECT content_hash, MAX(sent_ms) AS sent_ms FROM delete_requests GROUP BY content_hash ORDER BY sent_ms DESC LIMIT ?',
    );
    this.#pending = db.prepare<[], Row>("SELECT * FROM delete_requests WHERE status = 'pending' ORDER BY sent_ms, rowid");
    this.#settle = db.prepare('UPDATE delete_requests SET status = ?, holder_sig = ?, updated_ms = ?, error_code = NULL WHERE content_hash = ? AND holder = ?');
    this.#sendError = db.prepare('UPDATE delete_requests SET error_code = ?, updated_ms = ? WHERE content_hash = ? AND holder = ?');
  }

  /** A new pending request to `holder` (replacing an earlier one for the same content). */
  put(contentHash: Buffer, holder: Buffer, timeMs: number, ownerSig: Buffer, nowMs: number): void {
    assertBytes(contentHash, HASH_BYTES, 'content hash');
    assertId(holder, 'holder ID');
    assertBytes(ownerSig, SIGNATURE_BYTES, 'owner signature');
    assertMs(timeMs);
    assertMs(nowMs);
    this.#put.run(contentHash, holder, timeMs, ownerSig, nowMs, nowMs);
  }

  get(contentHash: Buffer, holder: Buffer): DeleteRequest | null {
    const r = this.#get.get(contentHash, holder);
    return r ? toRequest(r) : null;
  }

  list(contentHash: Buffer): DeleteRequest[] {
    return this.#list.all(contentHash).map(toRequest);
  }

  /** The contents deletes were asked for, the most recently asked first, with when (at most `limit`). */
  contents(limit: number): { contentHash: Buffer; sentMs: number }[] {
    return this.#contents.all(limit).map((r) => ({ contentHash: r.content_hash, sentMs: r.sent_ms }));
  }

  /** Every request still waiting for a receipt, oldest first. */
  pending(): DeleteRequest[] {
    return this.#pending.all().map(toRequest);
  }

  /** Records the holder's signed receipt. */
  settle(contentHash: Buffer, holder: Buffer, status: Exclude<DeleteRequestStatus, 'pending'>, holderSig: Buffer, nowMs: number): void {
    assertBytes(holderSig, SIGNATURE_BYTES, 'holder signature');
    this.#settle.run(status, holderSig, nowMs, contentHash, holder);
  }

  /** Notes why the request could not be sent (null: it was). */
  setSendError(contentHash: Buffer, holder: Buffer, code: number | null, nowMs: number): void {
    this.#sendError.run(code, nowMs, contentHash, holder);
  }
}
