// Remote delete, both sides. The owner signs DELETE_REQ and sends it (store-and-forward) to every holder
// it knows of, tracking each one's status in SQLite; a holder checks that the declaration's owner signed
// it, deletes its copy (passing the request on to those who fetched from it) and answers a signed
// DELETE_RECEIPT. Also keeps the holders that announced themselves with HOLDING_NOTICE.
import { EventEmitter } from 'node:events';
import fs from 'node:fs/promises';
import { decodeHolding, encodeHolding, type Holding } from '../../src-shared/protocol/declaration.js';
import { ErrorCode, W2wError } from '../../src-shared/protocol/errors.js';
import {
  DeleteStatus,
  TransferCode,
  TransferKind,
  deleteReceiptMessage,
  deleteRequestMessage,
  encodeTransfer,
} from '../../src-shared/protocol/transfer.js';
import { bytesEqual, toHex } from '../../src-shared/ids.js';
import { sign, verify, type Identity } from '../crypto/identity.js';
import type { DeleteRequest, DeleteRequestStatus, DeleteRequestsRepo } from '../store/delete-requests-repo.js';
import type { FetchReceiptsRepo } from '../store/fetch-receipts-repo.js';
import type { FetchesRepo } from '../store/fetches-repo.js';
import type { KnownHoldersRepo } from '../store/known-holders-repo.js';
import { fileHoldsContent, verifyHolding } from './declare.js';
import { PART_SUFFIX } from './fetch-job.js';
import type { Fetcher } from './fetcher.js';
import type { Holder } from './holder.js';

/** A delete request older than the copy by more than this (clock skew) is a replay: refused. */
const STALE_SKEW_MS = 10 * 60_000;

const STATUS_NAMES: Record<DeleteStatus, Exclude<DeleteRequestStatus, 'pending'>> = {
  [DeleteStatus.DELETED]: 'deleted',
  [DeleteStatus.REFUSED]: 'refused',
  [DeleteStatus.NOT_HELD]: 'not-held',
};

export interface RemoteDeleteDeps {
  identity: Identity;
  requests: DeleteRequestsRepo;
  knownHolders: KnownHoldersRepo;
  receipts: FetchReceiptsRepo;
  fetches: FetchesRepo;
  holder: Holder;
  fetcher: Fetcher;
  /** Sends one payload end to end, kept by the relays for an offline recipient; rejects when it cannot. */
  sendStored: (to: Buffer, payload: Uint8Array) => Promise<void>;
}

export interface RemoteDeleteEvents {
  /** the owner side: a holder's status changed (sent, or its signed receipt arrived) */
  status: [{ contentHash: Buffer; holder: Buffer; status: DeleteRequestStatus; errorCode: number | null }];
  /** the holder side: our copy was deleted because its owner asked */
  deleted: [{ contentHash: Buffer; owner: Buffer; paths: string[] }];
  /** the owner side: someone told us it re-serves our data */
  holderNotice: [{ contentHash: Buffer; holder: Buffer }];
}

export class RemoteDelete extends EventEmitter<RemoteDeleteEvents> {
  constructor(private readonly deps: RemoteDeleteDeps) {
    super();
  }

  private get me(): Buffer {
    return this.deps.identity.publicKey;
  }

  /** Everyone this node knows holds a copy: those who fetched from it and those who announced a copy. */
  knownHoldersOf(contentHash: Buffer): Buffer[] {
    const seen = new Map<string, Buffer>();
    for (const r of this.deps.receipts.list(contentHash)) seen.set(toHex(r.fetcher), r.fetcher);
    for (const k of this.deps.knownHolders.list(contentHash)) seen.set(toHex(k.holder), k.holder);
    seen.delete(toHex(this.me));
    return [...seen.values()];
  }

  // --- owner side -------------------------------------------------------------------------------

  /**
   * Signs a delete request for `contentHash` and sends it to `holders` (by default every known holder);
   * each starts 'pending' and moves on when its signed receipt arrives. Resolves once all were handed
   * to the relays (delivered, or kept for an offline holder).
   */
  async request(contentHash: Buffer, holders: Buffer[] = this.knownHoldersOf(contentHash)): Promise<DeleteRequest[]> {
    const timeMs = Date.now();
    const ownerSig = sign(this.deps.identity, deleteRequestMessage(contentHash, timeMs));
    // A holder that already confirmed the deletion is settled: asking again would only be answered
    // "not held" and hide the signed "deleted" receipt we have.
    const settled = new Set(this.deps.requests.list(contentHash).filter((r) => r.status === 'deleted').map((r) => toHex(r.holder)));
    const targets = holders.filter((h) => !bytesEqual(h, this.me) && !settled.has(toHex(h)));
    for (const h of targets) this.deps.requests.put(contentHash, h, timeMs, ownerSig, timeMs);
    await Promise.all(targets.map((h) => this.sendRequest(contentHash, h, timeMs, ownerSig)));
    return this.deps.requests.list(contentHash);
  }

  /** Sends every still-pending request again (e.g. after a reconnect); holders answer a repeat alike. */
  async retryPending(): Promise<void> {
    await Promise.all(this.deps.requests.pending().map((r) => this.sendRequest(r.contentHash, r.holder, r.timeMs, r.ownerSig)));
  }

  private async sendRequest(contentHash: Buffer, holder: Buffer, timeMs: number, ownerSig: Buffer): Promise<void> {
    let errorCode: number | null = null;
    try {
      await this.deps.sendStored(holder, encodeTransfer({ kind: TransferKind.DELETE_REQ, contentHash, timeMs, ownerSig }));
    } catch (err) {
      errorCode = err instanceof W2wError ? err.code : ErrorCode.INTERNAL;
    }
    this.deps.requests.setSendError(contentHash, holder, errorCode, Date.now());
    const row = this.deps.requests.get(contentHash, holder);
    if (row) this.emit('status', { contentHash, holder, status: row.status, errorCode });
  }

  status(contentHash: Buffer): DeleteRequest[] {
    return this.deps.requests.list(contentHash);
  }

  /** A DELETE_RECEIPT from `from`. Unsigned, mismatched or unsolicited receipts are ignored (false). */
  onReceipt(from: Buffer, contentHash: Uint8Array, status: DeleteStatus, timeMs: number, holderSig: Uint8Array): boolean {
    const hash = Buffer.from(contentHash);
    if (!verify(from, deleteReceiptMessage(hash, status, timeMs), holderSig)) return false;
    let row = this.deps.requests.get(hash, from);
    if (!row && status === DeleteStatus.DELETED) {
      // A holder we did not know of (it fetched from a re-server, which passed our request on).
      const ours = this.deps.requests.list(hash).find((r) => r.timeMs === timeMs);
      if (!ours) return false;
      this.deps.requests.put(hash, from, ours.timeMs, ours.ownerSig, Date.now());
      row = this.deps.requests.get(hash, from);
    }
    // A receipt answers one request: one for an older (or newer) request does not settle this one, and
    // a settled request stays settled (a repeated request is answered "not held" once the copy is gone).
    if (!row || row.timeMs !== timeMs) return false;
    if (row.status !== 'pending') return true;
    const name = STATUS_NAMES[status];
    this.deps.requests.settle(hash, from, name, Buffer.from(holderSig), Date.now());
    this.emit('status', { contentHash: hash, holder: from, status: name, errorCode: null });
    return true;
  }

  /** A HOLDING_NOTICE: someone re-serves our data. Kept only when it verifies and is really ours and theirs. */
  onNotice(from: Buffer, holding: Holding): boolean {
    if (!verifyHolding(holding).ok || !bytesEqual(holding.holder, from) || !bytesEqual(holding.core.owner, this.me)) return false;
    const contentHash = Buffer.from(holding.core.contentHash);
    this.deps.knownHolders.put(contentHash, from, Buffer.from(encodeHolding(holding)), Date.now());
    this.emit('holderNotice', { contentHash, holder: from });
    return true;
  }

  // --- holder side ------------------------------------------------------------------------------

  /** A DELETE_REQ from `from`: delete our copy if its owner signed it, and answer with a signed receipt. */
  async onRequest(from: Buffer, contentHash: Uint8Array, timeMs: number, ownerSig: Uint8Array): Promise<DeleteStatus> {
    const hash = Buffer.from(contentHash);
    const served = this.deps.holder.get(hash);
    const fetched = this.deps.fetches.get(hash);
    const holdingBytes = served?.holding ?? fetched?.holding ?? null;
    const decoded = holdingBytes ? decodeHolding(holdingBytes) : null;
    if (!decoded?.ok) {
      await this.answer(from, hash, DeleteStatus.NOT_HELD, timeMs);
      return DeleteStatus.NOT_HELD;
    }
    const { core } = decoded.holding;
    const heldSinceMs = Math.max(served ? served.addedMs : 0, fetched ? fetched.startedMs : 0);
    // Only the declaration's owner may ask; the owner's own original is never deleted from afar; and a
    // captured old request cannot delete a copy taken after it.
    const refused =
      !verify(core.owner, deleteRequestMessage(hash, timeMs), ownerSig) || bytesEqual(core.owner, this.me) || timeMs + STALE_SKEW_MS < heldSinceMs;
    if (refused) {
      await this.answer(from, hash, DeleteStatus.REFUSED, timeMs);
      return DeleteStatus.REFUSED;
    }
    const paths = await this.deleteCopy(hash);
    const owner = Buffer.from(core.owner);
    // Those who fetched from us hold copies the owner may not know of: they get the owner's own request.
    const request = encodeTransfer({ kind: TransferKind.DELETE_REQ, contentHash: hash, timeMs, ownerSig });
    for (const r of this.deps.receipts.list(hash)) {
      if (bytesEqual(r.fetcher, owner) || bytesEqual(r.fetcher, from)) continue;
      this.deps.sendStored(r.fetcher, request).catch(() => {});
    }
    this.deps.receipts.removeAll(hash);
    this.emit('deleted', { contentHash: hash, owner, paths });
    await this.answer(owner, hash, DeleteStatus.DELETED, timeMs);
    return DeleteStatus.DELETED;
  }

  /** Removes every trace of our copy: a fetch in progress, the part file, the file, and their rows. */
  private async deleteCopy(hash: Buffer): Promise<string[]> {
    /** whole copies: removed only while they still hold this content (the user may have put another file there) */
    const copies = new Set<string>();
    const parts = new Set<string>();
    await this.deps.fetcher.abortAndWait(hash, TransferCode.ABORTED, 'its owner asked for this data to be deleted');
    const served = this.deps.holder.get(hash);
    if (served) copies.add(served.path);
    const fetched = this.deps.fetches.get(hash);
    if (fetched) {
      // Partial too: a fetch cut off between renaming its part file into place and recording that left the
      // whole copy there under a partial record (removed only if it holds the data, below).
      copies.add(fetched.outPath);
      parts.add(fetched.outPath + PART_SUFFIX);
    }
    this.deps.holder.unserve(hash);
    this.deps.fetches.remove(hash);
    const removed: string[] = [];
    for (const p of [...copies, ...parts]) {
      try {
        if (copies.has(p) && !(await fileHoldsContent(p, hash))) continue;
        await fs.rm(p);
        removed.push(p);
      } catch {
        // Already gone (a part file of a finished fetch, a file the user removed).
      }
    }
    return removed;
  }

  private async answer(to: Buffer, contentHash: Buffer, status: DeleteStatus, timeMs: number): Promise<void> {
    const holderSig = sign(this.deps.identity, deleteReceiptMessage(contentHash, status, timeMs));
    try {
      await this.deps.sendStored(to, encodeTransfer({ kind: TransferKind.DELETE_RECEIPT, contentHash, status, timeMs, holderSig }));
    } catch {
      // The requester cannot be reached even by store-and-forward; a repeated request gets a new answer.
    }
  }
}
