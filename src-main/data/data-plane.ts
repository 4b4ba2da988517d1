// The data plane of one node: share files, list them, fetch others' data, delete ours from afar. It
// composes the holder, the fetcher and remote delete over one SecureChannel and dispatches the transfer
// payloads that arrive on it. The CLI and the node call this class and nothing below it.
import { EventEmitter } from 'node:events';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Route } from '../../src-shared/protocol/constants.js';
import { Access, DeclFlag, DeclLimits, decodeHolding, type Holding } from '../../src-shared/protocol/declaration.js';
import { ErrorCode, W2wError, errorName } from '../../src-shared/protocol/errors.js';
import { TransferCode, TransferKind, decodeTransfer, encodeTransfer, isTransferKind, type TransferPayload } from '../../src-shared/protocol/transfer.js';
import { bytesEqual, idToText, shortId, toHex } from '../../src-shared/ids.js';
import type { OpenedMessage, SecureChannel } from '../e2e/secure-channel.js';
import type { DeleteRequest, DeleteRequestStatus, DeleteRequestsRepo } from '../store/delete-requests-repo.js';
import type { FetchReceiptsRepo } from '../store/fetch-receipts-repo.js';
import type { FetchesRepo } from '../store/fetches-repo.js';
import type { KnownHoldersRepo } from '../store/known-holders-repo.js';
import type { ServedFilesRepo } from '../store/served-files-repo.js';
import { declareDigest, hashFile, signHolding, type DeclareOptions } from './declare.js';
import { findHoldings, publishHolding, withdrawHolding } from './directory-client.js';
import type { FetchOptions, FetchProgress, FetchResult } from './fetch-job.js';
import { Fetcher } from './fetcher.js';
import { relayGroupMembership } from './group-membership.js';
import { Holder } from './holder.js';
import { RemoteDelete } from './remote-delete.js';
import { SendPacer } from './send-pacer.js';
import { TransferError } from './transfer-error.js';

export type { FetchProgress, FetchResult } from './fetch-job.js';
import type { DeleteRequestView, DeleteStatusView, SharedFileView } from '../../src-shared/api/contract.js';

/** The repositories the data plane keeps its state in (all in the node's SQLite store). */
export interface DataPlaneStores {
  servedFiles: ServedFilesRepo;
  fetchReceipts: FetchReceiptsRepo;
  fetches: FetchesRepo;
  knownHolders: KnownHoldersRepo;
  deleteRequests: DeleteRequestsRepo;
}

export interface DataPlaneOptions {
  /**
   * Publish holdings to the relay's directory (share, re-share) and withdraw them (unshare, delete).
   * Off by default: a failed publish never fails a share, it is reported on 'error'.
   */
  publish?: boolean;
}

export type ShareOptions = DeclareOptions;

// The views the node API returns are defined once, in the API contract.
export type { DeleteStatusView, SharedFileView };

export interface DataFetchOptions extends Omit<FetchOptions, 'from' | 'onProgress'> {
  /** verified holdings naming the holders; by default the relay directory is asked */
  from?: Holding[];
  /**
   * Only holdings of this owner's declaration. Anyone can declare content it knows the hash of, under its
   * own name and newer than the real one; the declaration fetched decides who may delete the copy later.
   */
  owner?: Uint8Array;
  onProgress?: (p: FetchProgress) => void;
  /** when the owner allows re-sharing: serve the copy afterwards and tell the owner (HOLDING_NOTICE) */
  reshare?: boolean;
}

export interface DataPlaneEvents {
  progress: [FetchProgress];
  /** a remote delete we asked for: a holder's status changed */
  status: [{ contentHash: string; holder: string; status: DeleteRequestStatus; error: string | null }];
  /** a copy we held was deleted because its owner asked */
  deleted: [{ contentHash: string; owner: string; paths: string[] }];
  /** we stopped serving a file: it vanished or changed on disk */
  stopped: [{ contentHash: string; code: number; reason: string }];
  /** a new holding of ours (a share, or a re-shared copy): what a directory would list */
  holding: [Holding];
  /** someone told us it re-serves our data */
  holder: [{ contentHash: string; holder: string }];
  /** a transfer payload that was malformed or arrived the wrong way; dropped */
  rejected: [{ from: string; code: number; reason: string }];
  /** a background step failed (publishing to the directory, a handler): reported, never thrown */
  error: [Error];
}

/** Payloads that only make sense between two live ends: a boxed (stored) one would be answered to nobody. */
const LIVE_ONLY = new Set<number>([TransferKind.FETCH, TransferKind.HASHES_REQ, TransferKind.HASHES, TransferKind.CHUNK, TransferKind.DENY]);

export class DataPlane extends EventEmitter<DataPlaneEvents> {
  readonly holder: Holder;
  readonly fetcher: Fetcher;
  readonly remoteDelete: RemoteDelete;
  private closed = false;
  private readonly onPayloadBound = (o: OpenedMessage): void => this.onPayload(o);
  private readonly onCloseBound = (): void => this.fetcher.abortAll(TransferCode.ABORTED, 'the relay connection closed');

  /**
   * Construct it in the same tick as the SecureChannel: messages a relay kept for us are handed out
   * right after the first listener appears, and delete requests among them must reach this listener.
   */
  constructor(
    readonly channel: SecureChannel,
    private readonly stores: DataPlaneStores,
    private readonly opts: DataPlaneOptions = {},
  ) {
    super();
    // With nobody listening, EventEmitter throws on 'error'; background failures must never crash a node.
    this.on('error', () => {});
    const client = channel.client;
    const identity = client.identity;
    const pacer = new SendPacer(client.hello.ratePerSec, client.hello.rateBurst);
    this.holder = new Holder({
      served: stores.servedFiles,
      receipts: stores.fetchReceipts,
      send: async (to, payload) => {
        await channel.send({ route: Route.A2B, to }, payload);
      },
      isGroupMember: relayGroupMembership(client),
      maxFrameBytes: () => client.hello.maxFrameBytes,
      pacer,
      backlog: () => client.bufferedAmount,
    });
    this.fetcher = new Fetcher({ repo: stores.fetches, send: (to, payload) => this.sendLive(to, payload) }, identity.publicKey);
    this.remoteDelete = new RemoteDelete({
      identity,
      requests: stores.deleteRequests,
      knownHolders: stores.knownHolders,
      receipts: stores.fetchReceipts,
      fetches: stores.fetches,
      holder: this.holder,
      fetcher: this.fetcher,
      sendStored: (to, payload) => this.sendStored(to, payload),
    });
    this.holder.on('stopped', (s) => this.emit('stopped', { contentHash: toHex(s.contentHash), code: s.code, reason: s.reason }));
    this.remoteDelete.on('status', (s) =>
      this.emit('status', { contentHash: toHex(s.contentHash), holder: idToText(s.holder), status: s.status, error: s.errorCode === null ? null : errorName(s.errorCode) }),
    );
    this.remoteDelete.on('deleted', (d) => this.emit('deleted', { contentHash: toHex(d.contentHash), owner: idToText(d.owner), paths: d.paths }));
    this.remoteDelete.on('holderNotice', (n) => this.emit('holder', { contentHash: toHex(n.contentHash), holder: idToText(n.holder) }));
    channel.on('payload', this.onPayloadBound);
    client.on('close', this.onCloseBound);
  }

  private get me(): Buffer {
    return this.channel.client.identity.publicKey;
  }

  /** A live a2b send that fails when the relays could not hand it to the peer. */
  private async sendLive(to: Buffer, payload: Uint8Array): Promise<void> {
    let res;
    try {
      res = await this.channel.send({ route: Route.A2B, to }, payload, { ack: true });
    } catch (err) {
      // Our own connection is gone: that is no fault of the holder, so the fetches stop (resumable) instead.
      if (!this.channel.client.isOpen) this.onCloseBound();
      throw err;
    }
    if ((res.delivered ?? 0) + (res.forwarded ?? 0) === 0) {
      const code = res.missed?.[0]?.code ?? ErrorCode.RECIPIENT_OFFLINE;
      throw new W2wError(code, `${shortId(to)} is not reachable (${errorName(code)})`);
    }
  }

  /** An a2b send the relays keep for an offline peer (its home relay hands it over on its return). */
  private async sendStored(to: Buffer, payload: Uint8Array): Promise<void> {
    const res = await this.channel.send({ route: Route.A2B, to }, payload, { ack: true, store: true });
    if ((res.delivered ?? 0) + (res.forwarded ?? 0) + (res.stored ?? 0) === 0) {
      const code = res.missed?.[0]?.code ?? ErrorCode.RECIPIENT_OFFLINE;
      throw new W2wError(code, `${shortId(to)} could not be reached or stored for (${errorName(code)})`);
    }
  }

  // --- sharing ----------------------------------------------------------------------------------

  /** Hashes `file` (streaming), signs a declaration with this node as owner and holder, and serves it. */
  async share(file: string, opts: ShareOptions = {}): Promise<Holding> {
    const abs = path.resolve(file);
    const digest = await hashFile(abs, opts.chunkSize ?? DeclLimits.DEFAULT_CHUNK);
    const holding = declareDigest(this.channel.client.identity, digest, { ...opts, name: opts.name ?? path.basename(abs) });
    this.holder.serve(abs, holding, digest.chunkHashes, digest.mtimeMs);
    this.announce(holding);
    return holding;
  }

  /** Stops serving (the file itself stays). False when it was not served. */
  unshare(contentHash: Uint8Array): boolean {
    const was = this.holder.unserve(contentHash);
    if (was && this.opts.publish) withdrawHolding(this.channel.client, contentHash).catch((err: unknown) => this.report(err));
    return was;
  }

  /** What this node serves (or stopped serving, with why). */
  list(): SharedFileView[] {
    const out: SharedFileView[] = [];
    for (const f of this.holder.list()) {
      const d = decodeHolding(f.holding);
      if (!d.ok) continue;
      const { core } = d.holding;
      out.push({
        contentHash: toHex(f.contentHash),
        name: core.name,
        mime: core.mime,
        size: f.size,
        path: f.path,
        owner: idToText(core.owner),
        access: core.access.kind === Access.PUBLIC ? 'public' : core.access.kind === Access.PEERS ? 'peers' : 'group',
        reshare: (core.flags & DeclFlag.RESHARE) !== 0,
        state: f.state,
        stopReason: f.stopReason,
        fetchers: this.stores.fetchReceipts.list(f.contentHash).length,
      });
    }
    return out;
  }

  private announce(holding: Holding): void {
    this.emit('holding', holding);
    if (this.opts.publish) publishHolding(this.channel.client, holding).catch((err: unknown) => this.report(err));
  }

  // --- fetching ---------------------------------------------------------------------------------

  /**
   * Fetches `contentHash` into `opts.out` from the holders of `opts.from` (or those the relay directory
   * lists), resuming an earlier partial fetch of it. Rejects with a TransferError naming each holder's reason.
   */
  async fetch(contentHash: Uint8Array, opts: DataFetchOptions): Promise<FetchResult> {
    if (this.closed) throw new Error('This DataPlane is closed.');
    let from = opts.from && opts.from.length > 0 ? opts.from : await findHoldings(this.channel.client, contentHash);
    const owner = opts.owner;
    if (owner) from = from.filter((h) => bytesEqual(h.core.owner, owner));
    if (from.length === 0) throw new TransferError(TransferCode.NO_HOLDER, `nobody is known to hold ${toHex(contentHash).slice(0, 16)}…`);
    const result = await this.fetcher.fetch(contentHash, {
      ...opts,
      from,
      onProgress: (p) => {
        opts.onProgress?.(p);
        this.emit('progress', p);
      },
    });
    if (opts.reshare && (result.holding.core.flags & DeclFlag.RESHARE) !== 0) {
      // The fetch itself succeeded; a failure to re-serve is reported, not thrown.
      await this.reshare(result).catch((err: unknown) => this.report(err));
    }
    return result;
  }

  /** Serves a fetched copy under our own holding and tells the owner we hold it. */
  private async reshare(result: FetchResult): Promise<void> {
    const src = result.holding;
    const holding = signHolding(this.channel.client.identity, src.core, src.coreBytes, src.ownerSig);
    const rec = this.stores.fetches.get(result.contentHash);
    const st = await fs.stat(result.path);
    this.holder.serve(result.path, holding, rec?.chunkHashes ?? Buffer.alloc(0), st.mtimeMs);
    this.announce(holding);
    try {
      await this.sendStored(Buffer.from(src.core.owner), encodeTransfer({ kind: TransferKind.HOLDING_NOTICE, holding }));
    } catch (err) {
      this.report(err);
    }
  }

  // --- remote delete ----------------------------------------------------------------------------

  /**
   * Asks every holder this node knows of (or `holders`) to delete `contentHash`, signed as its owner,
   * and stops serving it here (the original file stays). With `waitMs`, waits that long for the
   * holders' receipts. Returns each holder's status.
   */
  async delete(contentHash: Uint8Array, opts: { holders?: Uint8Array[]; waitMs?: number } = {}): Promise<DeleteStatusView[]> {
    const hash = Buffer.from(contentHash);
    this.unshare(hash);
    const holders = opts.holders?.map((h) => Buffer.from(h));
    await this.remoteDelete.request(hash, holders);
    if (opts.waitMs && opts.waitMs > 0) await this.waitSettled(hash, opts.waitMs);
    return this.deleteStatus(hash);
  }

  deleteStatus(contentHash: Uint8Array): DeleteStatusView[] {
    return this.remoteDelete.status(Buffer.from(contentHash)).map(statusView);
  }

  /** The latest contents this node asked holders to delete (at most `limit`), each with every holder's status. */
  deleteRequests(limit: number): DeleteRequestView[] {
    return this.stores.deleteRequests.contents(limit).map((c) => ({
      contentHash: toHex(c.contentHash),
      requestedMs: c.sentMs,
      holders: this.deleteStatus(c.contentHash),
    }));
  }

  /** Sends the delete requests still pending again (after a reconnect, say). */
  retryDeletes(): Promise<void> {
    return this.remoteDelete.retryPending();
  }

  private waitSettled(hash: Buffer, waitMs: number): Promise<void> {
    const settled = (): boolean => this.remoteDelete.status(hash).every((r) => r.status !== 'pending');
    if (settled()) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.remoteDelete.off('status', check);
        resolve();
      };
      const check = (): void => {
        if (settled()) done();
      };
      const timer = setTimeout(done, waitMs);
      this.remoteDelete.on('status', check);
    });
  }

  // --- incoming ---------------------------------------------------------------------------------

  private reject(from: Uint8Array, code: number, reason: string): void {
    this.emit('rejected', { from: idToText(from), code, reason });
  }

  private report(err: unknown): void {
    this.emit('error', err instanceof Error ? err : new Error(String(err)));
  }

  private onPayload({ msg, payload, mode }: OpenedMessage): void {
    if (this.closed || !isTransferKind(payload[0])) return;
    const from = Buffer.from(msg.from);
    if (msg.route !== Route.A2B) return this.reject(from, ErrorCode.BAD_REQUEST, 'transfer payloads travel a2b');
    const d = decodeTransfer(payload);
    if (!d.ok) return this.reject(from, d.error.code, d.error.message);
    const p: TransferPayload = d.payload;
    if (LIVE_ONLY.has(p.kind) && mode !== 'session') return this.reject(from, ErrorCode.BAD_REQUEST, 'chunk traffic only inside a live session');
    switch (p.kind) {
      case TransferKind.FETCH:
        return this.holder.onRequest(from, 'chunks', p.contentHash, p.first, p.count);
      case TransferKind.HASHES_REQ:
        return this.holder.onRequest(from, 'hashes', p.contentHash, p.first, p.count);
      case TransferKind.HASHES:
      case TransferKind.CHUNK:
      case TransferKind.DENY:
        return this.fetcher.onPayload(from, p);
      case TransferKind.DELETE_REQ:
        this.remoteDelete.onRequest(from, p.contentHash, p.timeMs, p.ownerSig).catch((err: unknown) => this.report(err));
        return;
      case TransferKind.DELETE_RECEIPT:
        if (!this.remoteDelete.onReceipt(from, p.contentHash, p.status, p.timeMs, p.holderSig)) {
          this.reject(from, ErrorCode.BAD_SIGNATURE, 'a delete receipt that does not verify or answers no request of ours');
        }
        return;
      case TransferKind.HOLDING_NOTICE:
        if (!this.remoteDelete.onNotice(from, p.holding)) this.reject(from, ErrorCode.BAD_SIGNATURE, 'a holding notice that does not verify or is not about our data');
        return;
    }
  }

  /** Stops serving and aborts fetches in progress (their state stays for a resume). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.holder.close();
    this.fetcher.abortAll(TransferCode.ABORTED, 'the data plane was closed');
    this.channel.off('payload', this.onPayloadBound);
    this.channel.client.off('close', this.onCloseBound);
  }
}

function statusView(r: DeleteRequest): DeleteStatusView {
  return { holder: idToText(r.holder), status: r.status, error: r.errorCode === null ? null : errorName(r.errorCode) };
}

export { TransferError };
