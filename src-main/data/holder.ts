// The serving side of the data plane: the set of files this node serves (kept in SQLite), answering
// HASHES_REQ and FETCH from peers the declaration's access rule allows, streaming each window of chunks
// from a file kept open, reading ahead of the chunk being sent, and refusing (DENY) with a code when the
// file is gone or changed.
import { EventEmitter } from 'node:events';
import type fs from 'node:fs/promises';
import { Access, chunkCount, decodeHolding, encodeHolding, type Holding } from '../../src-shared/protocol/declaration.js';
import { HASH_BYTES } from '../../src-shared/protocol/constants.js';
import { CHUNK_FRAME_OVERHEAD, CHUNK_HEADER_BYTES, TransferCode, TransferKind, encodeTransfer, writeChunkHeader } from '../../src-shared/protocol/transfer.js';
import { toHex } from '../../src-shared/ids.js';
import { blake2b256 } from '../crypto/hash.js';
import type { FetchReceiptsRepo } from '../store/fetch-receipts-repo.js';
import type { ServedFile, ServedFilesRepo } from '../store/served-files-repo.js';
import { mayFetch, readFully, type GroupMembership } from './declare.js';
import { FileProblem, OpenFiles } from './open-files.js';
import type { SendPacer } from './send-pacer.js';

/**
 * Chunks one requester may have queued with us at once; more is answered BUSY (a fetcher keeps 16 in
 * flight). With the peer cap below this bounds what requests can make the holder read and queue.
 */
const MAX_QUEUED_CHUNKS_PER_PEER = 64;
/** Requesters served at once; more are answered BUSY. */
const MAX_ACTIVE_PEERS = 32;
/** How long an access decision is reused (group checks ask the relay). */
const ACCESS_CACHE_MS = 10_000;
const MAX_ACCESS_CACHE = 4096;
/** Chunks read from disk ahead of the one being sealed and sent. */
const READ_AHEAD = 4;
/**
 * Bytes our socket to the relay may hold before the holder waits (ws backpressure): the relay reads no
 * faster than it forwards, and what it has not read would otherwise pile up in this process.
 */
export const SEND_HIGH_WATER = 2 * 1024 * 1024;

export interface HolderDeps {
  served: ServedFilesRepo;
  receipts: FetchReceiptsRepo;
  /** Sends one payload to a peer, sealed in a live end-to-end session; rejects when it cannot. */
  send: (to: Buffer, payload: Uint8Array) => Promise<void>;
  isGroupMember: GroupMembership;
  /** the largest frame the holder's relay takes (HELLO) */
  maxFrameBytes: () => number;
  pacer: SendPacer;
  /** bytes queued on the connection to the relay, not yet written to the socket */
  backlog: () => number;
}

export interface HolderEvents {
  /** serving a file stopped because it vanished or changed on disk */
  stopped: [{ contentHash: Buffer; code: TransferCode; reason: string }];
}

interface Entry {
  contentHash: Buffer;
  path: string;
  holding: Holding;
  size: number;
  mtimeMs: number;
  chunks: number;
}

/** `left`: chunks of it not sent yet (they count as queued with us until they go) */
type Job = { kind: 'chunks' | 'hashes'; entry: Entry; first: number; count: number; left: number };

interface PeerQueue {
  requester: Buffer;
  jobs: Job[];
  queuedChunks: number;
}

class StopServing extends Error {
  constructor(
    readonly code: TransferCode,
    message: string,
  ) {
    super(message);
  }
}

export class Holder extends EventEmitter<HolderEvents> {
  private readonly entries = new Map<string, Entry>();
  private readonly queues = new Map<string, PeerQueue>();
  private readonly access = new Map<string, { ok: boolean; untilMs: number }>();
  private readonly files: OpenFiles;
  private closed = false;

  constructor(private readonly deps: HolderDeps) {
    super();
    this.files = new OpenFiles((contentHash, first, count) => deps.served.chunkHashes(contentHash, first, count));
    for (const f of deps.served.list()) {
      if (f.state !== 'serving') continue;
      const d = decodeHolding(f.holding);
      // A row this build cannot read is left alone rather than served wrongly.
      if (d.ok) this.entries.set(toHex(f.contentHash), this.entryOf(f.contentHash, f.path, d.holding, f.size, f.mtimeMs));
    }
  }

  private entryOf(contentHash: Buffer, path: string, holding: Holding, size: number, mtimeMs: number): Entry {
    return { contentHash, path, holding, size, mtimeMs, chunks: chunkCount(size, holding.core.chunkSize) };
  }

  /** Starts serving `path` as `holding` (persisted: a restarted node keeps serving it). */
  serve(path: string, holding: Holding, chunkHashes: Buffer, mtimeMs: number): void {
    const contentHash = Buffer.from(holding.core.contentHash);
    const { size } = holding.core;
    if (chunkHashes.byteLength !== chunkCount(size, holding.core.chunkSize) * HASH_BYTES) {
      throw new RangeError('The chunk hash list does not match the declared size and chunk size.');
    }
    this.deps.served.put({ contentHash, path, holding: Buffer.from(encodeHolding(holding)), chunkHashes, size, mtimeMs, addedMs: Date.now() });
    this.entries.set(toHex(contentHash), this.entryOf(contentHash, path, holding, size, mtimeMs));
    // The access rule may have changed (shared again with fewer peers): earlier decisions do not hold.
    this.forgetAccess(contentHash);
  }

  private forgetAccess(contentHash: Uint8Array): void {
    const prefix = `${toHex(contentHash)}:`;
    for (const key of this.access.keys()) if (key.startsWith(prefix)) this.access.delete(key);
  }

  /** Stops serving and forgets the file (the file itself is untouched). False when it was not served. */
  unserve(contentHash: Uint8Array): boolean {
    this.entries.delete(toHex(contentHash));
    this.files.forget(toHex(contentHash));
    this.forgetAccess(contentHash);
    return this.deps.served.remove(Buffer.from(contentHash));
  }

  isServing(contentHash: Uint8Array): boolean {
    return this.entries.has(toHex(contentHash));
  }

  /** The row of a served (or stopped) file. */
  get(contentHash: Uint8Array): ServedFile | null {
    return this.deps.served.get(Buffer.from(contentHash));
  }

  list(): ServedFile[] {
    return this.deps.served.list();
  }

  /** A FETCH or HASHES_REQ from `from` (already decoded and authenticated end to end). */
  onRequest(from: Buffer, kind: 'chunks' | 'hashes', contentHash: Uint8Array, first: number, count: number): void {
    if (this.closed) return;
    const entry = this.entries.get(toHex(contentHash));
    if (!entry) return this.deny(from, contentHash, TransferCode.NOT_HELD, 'this node does not serve that content');
    if (first + count > entry.chunks) {
      return this.deny(from, contentHash, TransferCode.BAD_RANGE, `asked for ${kind} ${first}..${first + count - 1}; the file has ${entry.chunks} chunks`);
    }
    const key = toHex(from);
    let q = this.queues.get(key);
    if (!q) {
      if (this.queues.size >= MAX_ACTIVE_PEERS) return this.deny(from, contentHash, TransferCode.BUSY, 'serving too many peers; try again shortly');
      q = { requester: from, jobs: [], queuedChunks: 0 };
      this.queues.set(key, q);
    }
    const cost = kind === 'chunks' ? count : 1;
    if (q.queuedChunks + cost > MAX_QUEUED_CHUNKS_PER_PEER) return this.deny(from, contentHash, TransferCode.BUSY, 'too many chunks requested at once; try again shortly');
    q.jobs.push({ kind, entry, first, count, left: cost });
    q.queuedChunks += cost;
    // One worker per requester answers its requests in order: the fetcher relies on that order.
    if (q.jobs.length === 1) void this.work(key, q);
  }

  private deny(to: Buffer, contentHash: Uint8Array, code: TransferCode, reason: string): void {
    this.deps.send(to, encodeTransfer({ kind: TransferKind.DENY, contentHash, code, reason })).catch(() => {
      // The requester is gone; there is nobody to tell.
    });
  }

  private async work(key: string, q: PeerQueue): Promise<void> {
    while (q.jobs.length > 0 && !this.closed) {
      const job = q.jobs[0] as Job;
      let keepGoing = true;
      try {
        await this.run(q.requester, job, q);
      } catch (err) {
        if (err instanceof StopServing) {
          this.deny(q.requester, job.entry.contentHash, err.code, err.message);
        } else {
          // The requester cannot be reached any more: drop what it queued.
          keepGoing = false;
        }
      }
      q.jobs.shift();
      // Chunks leave the queue as they are sent (below); what the job did not send leaves now.
      q.queuedChunks -= job.left;
      job.left = 0;
      if (!keepGoing) break;
    }
    this.queues.delete(key);
  }

  private async allowed(requester: Buffer, entry: Entry): Promise<boolean> {
    const key = `${toHex(entry.contentHash)}:${toHex(requester)}`;
    const now = Date.now();
    const hit = this.access.get(key);
    if (hit && now < hit.untilMs) return hit.ok;
    let ok: boolean;
    try {
      ok = await mayFetch(entry.holding.core, requester, this.deps.isGroupMember);
    } catch {
      ok = false;
    }
    if (this.access.size >= MAX_ACCESS_CACHE) this.access.clear();
    this.access.set(key, { ok, untilMs: now + ACCESS_CACHE_MS });
    return ok;
  }

  private async run(requester: Buffer, job: Job, q: PeerQueue): Promise<void> {
    const { entry } = job;
    const contentHash = entry.contentHash;
    if (!this.entries.has(toHex(contentHash))) throw new StopServing(TransferCode.NOT_HELD, 'this node no longer serves that content');
    if (!(await this.allowed(requester, entry))) {
      const group = entry.holding.core.access.kind === Access.GROUP;
      throw new StopServing(
        group ? TransferCode.NOT_GROUP_MEMBER : TransferCode.NOT_ALLOWED,
        group ? 'you are not a member of the group this data is shared with (or this holder cannot check it)' : 'the owner did not share this data with you',
      );
    }
    if (job.kind === 'hashes') {
      const hashes = this.deps.served.chunkHashes(contentHash, job.first, job.count);
      await this.deps.pacer.take();
      await this.deps.send(requester, encodeTransfer({ kind: TransferKind.HASHES, contentHash, first: job.first, hashes }));
      return;
    }
    const chunkSize = entry.holding.core.chunkSize;
    if (chunkSize + CHUNK_FRAME_OVERHEAD > this.deps.maxFrameBytes()) {
      throw new StopServing(TransferCode.CHUNK_TOO_LARGE, `chunks of ${chunkSize} bytes do not fit this holder's relay (${this.deps.maxFrameBytes()}-byte frames)`);
    }
    let file;
    try {
      file = await this.files.acquire(entry);
    } catch (err) {
      if (err instanceof FileProblem && err.stop) this.stop(entry, err.code, err.message);
      throw err instanceof FileProblem ? new StopServing(err.code, err.message) : err;
    }
    let sent = 0;
    try {
      sent = await this.stream(requester, job, q, file.fh, this.files.expected(file, entry, job.first, job.count));
    } finally {
      this.files.release(file, contentHash);
      if (sent > 0) this.deps.receipts.record(contentHash, requester, sent, Date.now());
    }
  }

  /**
   * Sends the chunks of one FETCH in order: each read into its payload buffer behind the CHUNK header
   * (READ_AHEAD reads in flight), checked against its hash, then sealed straight into its frame. Returns
   * how many went out. A few payload buffers per request, reused: memory stays bounded whatever the file.
   */
  private async stream(requester: Buffer, job: Job, q: PeerQueue, fh: fs.FileHandle, expected: Buffer): Promise<number> {
    const { entry } = job;
    const chunkSize = entry.holding.core.chunkSize;
    const slots = Math.min(READ_AHEAD, job.count);
    const bufs = Array.from({ length: slots }, () => Buffer.allocUnsafe(CHUNK_HEADER_BYTES + chunkSize));
    const reads: Promise<number>[] = [];
    const lenOf = (i: number): number => Math.min(chunkSize, entry.size - (job.first + i) * chunkSize);
    const read = (i: number): void => {
      const buf = bufs[i % slots] as Buffer;
      // Never rejects: a failed read is -1, so no read in flight is left unhandled if we stop early.
      reads[i % slots] = readFully(fh, buf.subarray(CHUNK_HEADER_BYTES), lenOf(i), (job.first + i) * chunkSize).catch(() => -1);
    };
    for (let i = 0; i < slots; i++) read(i);
    let sent = 0;
    try {
      for (let i = 0; i < job.count; i++) {
        if (this.closed || !this.entries.has(toHex(entry.contentHash))) break;
        const index = job.first + i;
        const len = lenOf(i);
        const got = await (reads[i % slots] as Promise<number>);
        const buf = bufs[i % slots] as Buffer;
        if (got < 0) throw new StopServing(TransferCode.INTERNAL, 'the holder cannot read the file');
        const data = buf.subarray(CHUNK_HEADER_BYTES, CHUNK_HEADER_BYTES + len);
        if (got !== len || !blake2b256(data).equals(expected.subarray(i * HASH_BYTES, (i + 1) * HASH_BYTES))) {
          this.stop(entry, TransferCode.FILE_CHANGED, `the file changed on disk (chunk ${index} no longer matches); stopped serving it`);
        }
        writeChunkHeader(buf, entry.contentHash, index);
        await this.flow();
        await this.deps.send(requester, buf.subarray(0, CHUNK_HEADER_BYTES + len));
        sent++;
        // Sent: no longer queued with us. The fetcher frees its credit later (once written), so with
        // credits no larger than our queue limit it never has more asked of us than we accept.
        job.left--;
        q.queuedChunks--;
        // That slot's chunk is sealed and gone: read the next one into it.
        if (i + slots < job.count) read(i + slots);
      }
    } finally {
      // The handle may be closed once we are done: wait for reads still in flight.
      await Promise.all(reads);
    }
    return sent;
  }

  /** Waits until one more frame may go: the socket's backlog is low enough and the relay's rate allows it. */
  private async flow(): Promise<void> {
    while (this.deps.backlog() > SEND_HIGH_WATER && !this.closed) await sleep(1);
    for (let wait = this.deps.pacer.tryTake(); wait > 0; wait = this.deps.pacer.tryTake()) await sleep(wait);
  }

  /** Stops serving for good (the row stays, with why) and throws the DENY to send. */
  private stop(entry: Entry, code: TransferCode, reason: string): never {
    this.files.forget(toHex(entry.contentHash));
    if (this.entries.delete(toHex(entry.contentHash))) {
      this.deps.served.stop(entry.contentHash, code, reason);
      this.emit('stopped', { contentHash: entry.contentHash, code, reason });
    }
    throw new StopServing(code, reason);
  }

  close(): void {
    this.closed = true;
    this.files.closeAll();
  }
}


function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
