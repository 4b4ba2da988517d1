// One fetch of shared data from its holders: the chunk hash list checked against the treeRoot, then
// windows of chunks spread over the holders with a bounded number in flight each (credit), every chunk
// checked before it is written at its offset into `<out>.w2w-part`, the verified ones synced and
// persisted in batches so a killed fetch resumes, and at the end the whole file checked, synced and
// renamed into place.
import fs from 'node:fs/promises';
import path from 'node:path';
import { chunkCount, encodeHolding, decodeHolding, type Holding } from '../../src-shared/protocol/declaration.js';
import { HASH_BYTES } from '../../src-shared/protocol/constants.js';
import { TransferCode, TransferKind, TransferLimits, encodeTransfer, transferCodeName } from '../../src-shared/protocol/transfer.js';
import { bytesEqual, shortId, toHex } from '../../src-shared/ids.js';
import { Blake2b256Stream } from '../crypto/blake2b-stream.js';
import { blake2b256 } from '../crypto/hash.js';
import type { FetchesRepo } from '../store/fetches-repo.js';
import { ChunkState } from './chunk-state.js';
import { fileHoldsContent, readFully, treeRootOf, verifyHolding } from './declare.js';
import { TransferError } from './transfer-error.js';

export const PART_SUFFIX = '.w2w-part';

export const FetchDefaults = {
  /** chunks requested and not yet written, per holder: bounds memory to credits x chunkSize per holder */
  creditsPerHolder: 64,
  /** chunks per FETCH */
  windowChunks: 32,
  /** a holder with requests outstanding that sends nothing for this long has timed out */
  timeoutMs: 10_000,
} as const;

/**
 * Bytes requested and not yet written, over all holders: half of a relay's default queue per connection
 * (maxBufferedBytes, 8 MiB), so that holders answering at once never make our relay drop us as a slow reader.
 */
export const MAX_IN_FLIGHT_BYTES = 4 * 1024 * 1024;
/**
 * Verified chunks are synced and recorded for a resume in batches, not one SQLite write per chunk: after
 * this many bytes (at least one chunk) or this long, whichever comes first, and whenever the fetch stops.
 */
export const DURABLE_BATCH_BYTES = 4 * 1024 * 1024;
export const DURABLE_BATCH_MS = 1000;
/** Consecutive verified chunks written with one writev, and how long the first of them may wait for the others. */
const WRITE_RUN_CHUNKS = 8;
const WRITE_RUN_WAIT_MS = 2;
/** HASHES_REQ in flight at once while the hash list comes in. */
const HASH_REQUESTS_IN_FLIGHT = 4;
/** With no other holder left, a holder may time out or send a corrupt chunk this often before it is given up. */
const MAX_TIMEOUTS = 3;
const MAX_CORRUPT = 3;
const MAX_BUSY = 10;
const BUSY_BACKOFF_MS = 1000;
/** Rounds of re-fetching chunks found bad by the final whole-file check. */
const MAX_REPAIRS = 2;
const PROGRESS_EVERY_MS = 200;

export interface FetchProgress {
  /** hex */
  contentHash: string;
  /** verified bytes, including those a resumed fetch already had */
  bytes: number;
  /** of those, the bytes synced to disk and recorded: a fetch killed now resumes with at least these */
  durableBytes: number;
  total: number;
  /** over this run (resumed bytes excluded) */
  bytesPerSec: number;
  /** null until a rate is known */
  etaMs: number | null;
}

export interface FetchOptions {
  /** verified holdings of this content (from the directory, or given by the user); each names a holder */
  from: Holding[];
  /** where the file ends up; `<out>.w2w-part` holds it meanwhile */
  out: string;
  onProgress?: (p: FetchProgress) => void;
  /** least time between two progress reports (the last one always comes); default 200 ms */
  progressEveryMs?: number;
  /** replace an existing file at `out` (default: refuse) */
  overwrite?: boolean;
  creditsPerHolder?: number;
  windowChunks?: number;
  timeoutMs?: number;
}

export interface FetchResult {
  path: string;
  size: number;
  contentHash: Buffer;
  /** the declaration fetched (the first valid holding passed in) */
  holding: Holding;
  /** chunks fetched in this run */
  chunksFetched: number;
  /** chunks a previous run had already verified */
  chunksResumed: number;
  /** chunks that failed their hash and were fetched again */
  corruptChunks: number;
  elapsedMs: number;
  holders: { id: Buffer; chunks: number; dropped: string | null }[];
}

export interface FetchJobDeps {
  repo: FetchesRepo;
  /** Sends one payload to a holder end to end; rejects when it cannot be delivered. */
  send: (to: Buffer, payload: Uint8Array) => Promise<void>;
}

interface HolderState {
  id: Buffer;
  /** chunks requested from it, not yet arrived */
  pending: Set<number>;
  /** the same, in request order: it answers in that order, so a skipped one was lost */
  order: number[];
  /** chunks it sent that are being written */
  writing: number;
  /** whether this job asked it anything yet: answers before that belong to an earlier job */
  asked: boolean;
  lastActivityMs: number;
  chunks: number;
  timeouts: number;
  corrupt: number;
  busy: number;
  busyUntilMs: number;
  dead: { code: TransferCode; reason: string } | null;
}

type Phase = 'hashes' | 'chunks' | 'finishing' | 'done';

/** Picks the usable holdings: valid, of this content, of one chunk layout, not held by us. */
function usableHoldings(contentHash: Uint8Array, from: Holding[], me: Uint8Array): Holding[] {
  const ok = from.filter((h) => verifyHolding(h).ok && bytesEqual(h.core.contentHash, contentHash));
  const first = ok[0];
  if (!first) return [];
  const same = ok.filter((h) => bytesEqual(h.core.treeRoot, first.core.treeRoot) && h.core.size === first.core.size && h.core.chunkSize === first.core.chunkSize);
  const seen = new Set<string>();
  return same.filter((h) => {
    const k = toHex(h.holder);
    if (seen.has(k) || bytesEqual(h.holder, me)) return false;
    seen.add(k);
    return true;
  });
}

export class FetchJob {
  readonly contentHash: Buffer;
  readonly holding: Holding;
  private readonly holders = new Map<string, HolderState>();
  private readonly size: number;
  private readonly chunkSize: number;
  private readonly chunks: number;
  private readonly out: string;
  private readonly part: string;
  private readonly credits: number;
  /** chunks in flight over all holders */
  private readonly maxInFlight: number;
  private readonly window: number;
  private readonly timeoutMs: number;
  private phase: Phase = 'hashes';
  private fh: fs.FileHandle | null = null;
  private hashes: Buffer | null = null;
  private state: ChunkState | null = null;
  private settle: { resolve: (r: FetchResult) => void; reject: (e: Error) => void } | null = null;
  private timer: NodeJS.Timeout | null = null;
  private finished = false;
  /** prepare() found the file already in place from a run killed before it recorded that */
  private doneEarlier = false;
  /** a failure that came before run() was waiting for one */
  private failure: Error | null = null;
  private writes = 0;
  /** verified chunks waiting to be written together */
  private writeRun: { first: number; datas: Uint8Array[]; from: HolderState[]; timer: NodeJS.Timeout } | null = null;
  /** chunks written since the last sync, and the sync running now */
  private unsynced: number[] = [];
  private syncing: Promise<void> | null = null;
  private lastSyncMs = Date.now();
  private durableBytes = 0;
  private repairs = 0;
  private corruptChunks = 0;
  private fetched = 0;
  private resumed = 0;
  private bytesDone = 0;
  private bytesAtStart = 0;
  private startMs = Date.now();
  private chunkPhaseMs = 0;
  private lastProgressMs = 0;
  private rotate = 0;
  // hash list download
  private hashSource: HolderState | null = null;
  private hashNext = 0;
  private hashGot = 0;
  private readonly hashOutstanding = new Set<number>();

  constructor(
    private readonly deps: FetchJobDeps,
    contentHash: Uint8Array,
    me: Uint8Array,
    private readonly opts: FetchOptions,
  ) {
    if (contentHash.byteLength !== HASH_BYTES) throw new RangeError('A content hash is 32 bytes.');
    if (!opts.out) throw new TypeError('fetch() needs an output path (opts.out).');
    this.contentHash = Buffer.from(contentHash);
    const usable = usableHoldings(contentHash, opts.from, me);
    const first = usable[0];
    if (!first) {
      throw new TransferError(TransferCode.BAD_DECLARATION, 'none of the holdings given verifies, names this content and a holder other than this node');
    }
    this.holding = first;
    this.size = first.core.size;
    this.chunkSize = first.core.chunkSize;
    this.chunks = chunkCount(this.size, this.chunkSize);
    this.out = path.resolve(opts.out);
    this.part = this.out + PART_SUFFIX;
    this.credits = Math.max(1, opts.creditsPerHolder ?? FetchDefaults.creditsPerHolder);
    this.maxInFlight = Math.max(this.credits, Math.floor(MAX_IN_FLIGHT_BYTES / Math.max(1, this.chunkSize)));
    this.window = Math.min(TransferLimits.MAX_WINDOW, this.credits, Math.max(1, opts.windowChunks ?? FetchDefaults.windowChunks));
    this.timeoutMs = opts.timeoutMs ?? FetchDefaults.timeoutMs;
    for (const h of usable) {
      const id = Buffer.from(h.holder);
      this.holders.set(toHex(id), { id, pending: new Set(), order: [], writing: 0, asked: false, lastActivityMs: 0, chunks: 0, timeouts: 0, corrupt: 0, busy: 0, busyUntilMs: 0, dead: null });
    }
  }

  /** Runs the fetch to the end: resolves with the file in place, rejects with a TransferError (state kept for a resume). */
  async run(): Promise<FetchResult> {
    this.startMs = Date.now();
    try {
      await this.prepare();
    } catch (err) {
      this.finished = true;
      await this.fh?.close().catch(() => {});
      this.fh = null;
      throw err;
    }
    if (this.doneEarlier && !this.finished) {
      this.finished = true;
      this.phase = 'done';
      this.resumed = this.chunks;
      this.bytesDone = this.size;
      this.durableBytes = this.size;
      this.progress(true);
      return this.result();
    }
    if (this.finished) {
      // Aborted while preparing: fail() closed only the handle open at that moment, not one opened since.
      await this.fh?.close().catch(() => {});
      this.fh = null;
    }
    return new Promise<FetchResult>((resolve, reject) => {
      this.settle = { resolve, reject };
      if (this.failure) return reject(this.failure);
      // fail() rejects once its own handle is closed; nothing may start (no timer, no request).
      if (this.finished) return;
      this.timer = setInterval(() => this.checkTimeouts(), Math.max(50, Math.min(1000, this.timeoutMs / 4)));
      this.timer.unref();
      if (this.chunks === 0) void this.finish();
      else if (this.hashes) this.startChunks();
      else this.startHashes();
    });
  }

  /** Opens the part file, resuming from the persisted bitmap when an earlier run left one for the same target. */
  private async prepare(): Promise<void> {
    const { repo } = this.deps;
    const rec = repo.get(this.contentHash);
    if (rec?.state === 'partial' && rec.outPath === this.out && !(await exists(this.part)) && (await exists(this.out)) && (await fileHoldsContent(this.out, this.contentHash))) {
      // An earlier run renamed its part file into place and was killed before recording it: it is done.
      repo.complete(this.contentHash, this.out, Date.now());
      this.doneEarlier = true;
      return;
    }
    if (!this.opts.overwrite && (await exists(this.out))) throw new Error(`${this.out} already exists; remove it or pass overwrite.`);
    let resume = false;
    if (rec && rec.state === 'partial') {
      const d = decodeHolding(rec.holding);
      const sameLayout = d.ok && bytesEqual(d.holding.core.treeRoot, this.holding.core.treeRoot) && d.holding.core.size === this.size && d.holding.core.chunkSize === this.chunkSize;
      if (sameLayout && rec.outPath === this.out) {
        resume = true;
      } else if (rec.outPath !== this.out) {
        // An abandoned fetch of the same data elsewhere: its part file is ours to remove.
        await fs.rm(rec.outPath + PART_SUFFIX, { force: true });
      }
    }
    if (resume) {
      try {
        this.fh = await fs.open(this.part, 'r+');
        if ((await this.fh.stat()).size !== this.size) resume = false;
      } catch {
        resume = false;
      }
    }
    if (!resume) {
      await this.fh?.close();
      await fs.mkdir(path.dirname(this.out), { recursive: true });
      this.fh = await fs.open(this.part, 'w+');
      await this.fh.truncate(this.size);
      repo.start(this.contentHash, this.out, Buffer.from(encodeHolding(this.holding)), Date.now());
    } else if (rec?.chunkHashes && rec.chunkHashes.byteLength === this.chunks * HASH_BYTES && treeRootOf(rec.chunkHashes).equals(this.holding.core.treeRoot)) {
      this.hashes = rec.chunkHashes;
    }
    this.state = new ChunkState(this.chunks, this.contentHash, repo, resume ? repo.bitmap(this.contentHash, this.chunks) : new Uint8Array(Math.ceil(this.chunks / 8)));
    this.resumed = this.state.done;
    for (let i = 0; i < this.chunks; i++) if (this.state.isDone(i)) this.bytesDone += this.chunkLen(i);
    this.bytesAtStart = this.bytesDone;
    this.durableBytes = this.bytesDone;
  }

  private chunkLen(i: number): number {
    return Math.min(this.chunkSize, this.size - i * this.chunkSize);
  }

  private alive(): HolderState[] {
    return [...this.holders.values()].filter((h) => h.dead === null);
  }

  private send(h: HolderState, payload: Uint8Array): void {
    h.asked = true;
    this.deps.send(h.id, payload).catch((err: unknown) => {
      this.dropHolder(h, TransferCode.UNREACHABLE, err instanceof Error ? err.message : String(err));
    });
  }

  // --- the chunk hash list ------------------------------------------------------------------------

  private startHashes(): void {
    if (this.finished) return;
    this.phase = 'hashes';
    const source = this.alive()[0];
    if (!source) return this.fail(this.noHolderError());
    this.hashSource = source;
    this.hashes = Buffer.alloc(this.chunks * HASH_BYTES);
    this.hashNext = 0;
    this.hashGot = 0;
    this.hashOutstanding.clear();
    source.lastActivityMs = Date.now();
    this.pumpHashes();
  }

  private pumpHashes(): void {
    const source = this.hashSource;
    if (!source || this.finished) return;
    while (this.hashOutstanding.size < HASH_REQUESTS_IN_FLIGHT && this.hashNext < this.chunks) {
      const count = Math.min(TransferLimits.MAX_HASHES, this.chunks - this.hashNext);
      this.hashOutstanding.add(this.hashNext);
      this.send(source, encodeTransfer({ kind: TransferKind.HASHES_REQ, contentHash: this.contentHash, first: this.hashNext, count }));
      this.hashNext += count;
    }
  }

  onHashes(from: Uint8Array, first: number, hashes: Uint8Array): void {
    const source = this.hashSource;
    if (this.finished || this.phase !== 'hashes' || !source || !bytesEqual(from, source.id) || !this.hashOutstanding.has(first)) return;
    const count = Math.min(TransferLimits.MAX_HASHES, this.chunks - first);
    if (hashes.byteLength !== count * HASH_BYTES) {
      return this.dropHolder(source, TransferCode.BAD_HASH_LIST, `sent ${hashes.byteLength / HASH_BYTES} hashes from ${first}; ${count} were asked for`);
    }
    this.hashOutstanding.delete(first);
    (this.hashes as Buffer).set(hashes, first * HASH_BYTES);
    this.hashGot += count;
    source.lastActivityMs = Date.now();
    if (this.hashGot < this.chunks) return this.pumpHashes();
    // Nothing in the list is trusted until all of it matches the owner-signed treeRoot.
    if (!treeRootOf(this.hashes as Buffer).equals(this.holding.core.treeRoot)) {
      return this.dropHolder(source, TransferCode.BAD_HASH_LIST, 'its chunk hash list does not match the declaration treeRoot');
    }
    this.hashSource = null;
    this.deps.repo.setChunkHashes(this.contentHash, this.hashes as Buffer, Date.now());
    this.startChunks();
  }

  // --- chunks -----------------------------------------------------------------------------------

  private startChunks(): void {
    if (this.finished) return;
    this.phase = 'chunks';
    if (this.chunkPhaseMs === 0) this.chunkPhaseMs = Date.now();
    this.pump();
  }

  private pump(): void {
    if (this.finished || this.phase !== 'chunks') return;
    const state = this.state as ChunkState;
    if (state.complete) {
      if (this.writes === 0) void this.finish();
      return;
    }
    const now = Date.now();
    const alive = this.alive();
    if (alive.length === 0) return this.fail(this.noHolderError());
    const ready = alive.filter((h) => h.busyUntilMs <= now);
    if (ready.length === 0) return;
    let inFlight = 0;
    for (const h of alive) inFlight += h.pending.size + h.writing;
    // One window per holder per round, so consecutive windows spread over all holders.
    for (let progress = true; progress; ) {
      progress = false;
      for (let k = 0; k < ready.length; k++) {
        const h = ready[(k + this.rotate) % ready.length] as HolderState;
        const credit = Math.min(this.credits - h.pending.size - h.writing, this.maxInFlight - inFlight);
        if (credit <= 0) continue;
        // While the holder still has work from us, wait for half a window of credit rather than send a
        // request per chunk written: fewer, larger requests (it answers each in order anyway).
        if (credit < Math.floor(this.window / 2) && h.pending.size + h.writing > 0) continue;
        const run = state.takeRun(Math.min(this.window, credit));
        if (!run) return;
        if (h.pending.size === 0) h.lastActivityMs = now;
        for (let i = run.first; i < run.first + run.count; i++) {
          h.pending.add(i);
          h.order.push(i);
        }
        inFlight += run.count;
        this.send(h, encodeTransfer({ kind: TransferKind.FETCH, contentHash: this.contentHash, first: run.first, count: run.count }));
        progress = true;
      }
      this.rotate++;
    }
  }

  onChunk(from: Uint8Array, index: number, data: Uint8Array): void {
    if (this.finished) return;
    const h = this.holders.get(toHex(from));
    if (!h || h.dead || !h.pending.has(index)) return;
    const state = this.state as ChunkState;
    // A holder answers in request order: chunks asked for before this one that did not come were lost.
    while (h.order.length > 0 && h.order[0] !== index) {
      const lost = h.order.shift() as number;
      if (h.pending.delete(lost)) state.release(lost);
    }
    h.order.shift();
    h.pending.delete(index);
    h.lastActivityMs = Date.now();
    const hashes = this.hashes as Buffer;
    const len = this.chunkLen(index);
    if (data.byteLength !== len || !blake2b256(data).equals(hashes.subarray(index * HASH_BYTES, (index + 1) * HASH_BYTES))) {
      state.release(index);
      this.corruptChunks++;
      h.corrupt++;
      // Never trust a holder that lied while another can serve; with none, allow a few (a flaky disk) then give up.
      if (this.alive().length > 1 || h.corrupt >= MAX_CORRUPT) {
        return this.dropHolder(h, TransferCode.CORRUPT_CHUNK, `chunk ${index} did not match its hash`);
      }
      return this.pump();
    }
    h.writing++;
    this.writes++;
    this.queueWrite(h, index, data);
    this.pump();
  }

  /**
   * Verified chunks that follow each other are written together (one writev per run, not one write per
   * chunk): the run goes when it is WRITE_RUN_CHUNKS long, when a chunk that does not follow it comes, or
   * shortly after its first chunk. Its chunks keep their holder's credit until written.
   */
  private queueWrite(h: HolderState, index: number, data: Uint8Array): void {
    const run = this.writeRun;
    if (run && run.first + run.datas.length === index) {
      run.datas.push(data);
      run.from.push(h);
      if (run.datas.length >= WRITE_RUN_CHUNKS) this.flushRun();
      return;
    }
    this.flushRun();
    this.writeRun = { first: index, datas: [data], from: [h], timer: setTimeout(() => this.flushRun(), WRITE_RUN_WAIT_MS) };
  }

  private flushRun(): void {
    const run = this.writeRun;
    if (!run) return;
    this.writeRun = null;
    clearTimeout(run.timer);
    const fh = this.fh;
    if (!fh) return;
    const state = this.state as ChunkState;
    fh.writev(run.datas, run.first * this.chunkSize).then(
      () => {
        for (const h of run.from) h.writing--;
        this.writes -= run.datas.length;
        if (this.finished) return;
        for (let k = 0; k < run.datas.length; k++) {
          const index = run.first + k;
          state.markDone(index);
          this.unsynced.push(index);
          (run.from[k] as HolderState).chunks++;
          this.fetched++;
          this.bytesDone += (run.datas[k] as Uint8Array).byteLength;
        }
        if (this.unsynced.length * this.chunkSize >= DURABLE_BATCH_BYTES || Date.now() - this.lastSyncMs >= DURABLE_BATCH_MS) {
          this.syncBatch(fh).catch((err: unknown) => this.fail(err instanceof Error ? err : new Error(String(err))));
        }
        this.progress(false);
        this.pump();
      },
      (err: unknown) => this.fail(err instanceof Error ? err : new Error(String(err))),
    );
  }

  onDeny(from: Uint8Array, code: number, reason: string): void {
    if (this.finished) return;
    const h = this.holders.get(toHex(from));
    // A refusal sent to an earlier fetch of the same content (still on its way) is not this job's business.
    if (!h || h.dead || !h.asked) return;
    if (code === TransferCode.BUSY && ++h.busy <= MAX_BUSY) {
      this.releaseAll(h);
      h.busyUntilMs = Date.now() + BUSY_BACKOFF_MS;
      setTimeout(() => (this.phase === 'hashes' ? this.retryHashes(h) : this.pump()), BUSY_BACKOFF_MS).unref();
      return;
    }
    this.dropHolder(h, code as TransferCode, reason);
  }

  private releaseAll(h: HolderState): void {
    for (const i of h.pending) this.state?.release(i);
    h.pending.clear();
    h.order = [];
  }

  private retryHashes(h: HolderState): void {
    if (!this.finished && this.phase === 'hashes' && this.hashSource === h) this.startHashes();
  }

  /** Whether anything is still to come from holders (not once every chunk arrived, even if writes are pending). */
  private needsHolders(): boolean {
    if (this.phase === 'hashes') return true;
    return this.phase === 'chunks' && (this.state as ChunkState).done + this.writes < this.chunks;
  }

  private dropHolder(h: HolderState, code: TransferCode, reason: string): void {
    if (h.dead || this.finished) return;
    h.dead = { code, reason };
    this.releaseAll(h);
    // A late refusal after the last chunk arrived changes nothing: the file is complete.
    if (!this.needsHolders()) return;
    if (this.alive().length === 0) return this.fail(this.noHolderError());
    if (this.phase === 'hashes' && this.hashSource === h) return this.startHashes();
    this.pump();
  }

  private checkTimeouts(): void {
    if (this.finished) return;
    const now = Date.now();
    for (const h of this.alive()) {
      const waiting = h.pending.size > 0 || (this.phase === 'hashes' && this.hashSource === h && this.hashOutstanding.size > 0);
      if (!waiting || now - h.lastActivityMs <= this.timeoutMs) continue;
      h.timeouts++;
      if (this.alive().length > 1 || h.timeouts >= MAX_TIMEOUTS) {
        this.dropHolder(h, TransferCode.TIMEOUT, `no answer for ${this.timeoutMs} ms`);
        continue;
      }
      // The only holder left: ask again.
      h.lastActivityMs = now;
      this.releaseAll(h);
      if (this.phase === 'hashes') this.startHashes();
      else this.pump();
    }
  }

  private noHolderError(): TransferError {
    const dead = [...this.holders.values()].filter((h) => h.dead);
    const lines = dead.map((h) => `${shortId(h.id)}: ${transferCodeName(h.dead?.code ?? 0)} (${h.dead?.code ?? 0}) ${h.dead?.reason ?? ''}`);
    const codes = new Set(dead.map((h) => h.dead?.code));
    const code = codes.size === 1 ? (dead[0]?.dead?.code ?? TransferCode.NO_HOLDER) : TransferCode.NO_HOLDER;
    return new TransferError(code, `no holder can serve ${toHex(this.contentHash).slice(0, 16)}…: ${lines.join('; ')}`);
  }

  // --- the end ----------------------------------------------------------------------------------

  private progress(final: boolean): void {
    const cb = this.opts.onProgress;
    if (!cb) return;
    const now = Date.now();
    if (!final && now - this.lastProgressMs < (this.opts.progressEveryMs ?? PROGRESS_EVERY_MS)) return;
    this.lastProgressMs = now;
    const secs = (now - (this.chunkPhaseMs || this.startMs)) / 1000;
    const bytesPerSec = secs > 0 ? (this.bytesDone - this.bytesAtStart) / secs : 0;
    const etaMs = bytesPerSec > 0 ? Math.round(((this.size - this.bytesDone) / bytesPerSec) * 1000) : null;
    try {
      cb({ contentHash: toHex(this.contentHash), bytes: this.bytesDone, durableBytes: this.durableBytes, total: this.size, bytesPerSec: Math.round(bytesPerSec), etaMs });
    } catch {
      // A failing progress callback must not break the transfer.
    }
  }

  private async finish(): Promise<void> {
    if (this.finished || this.phase === 'finishing') return;
    this.phase = 'finishing';
    const fh = this.fh as fs.FileHandle;
    try {
      await this.syncBatch(fh);
      await fh.sync();
      if (!(await this.wholeFileMatches(fh))) {
        const bad = await this.badChunks(fh);
        if (bad.length === 0 || this.repairs >= MAX_REPAIRS) {
          return this.fail(new TransferError(TransferCode.CONTENT_MISMATCH, 'the assembled file does not hash to the declared contentHash'));
        }
        // Chunks verified earlier but damaged on disk since (a crash before they reached it): fetch them again.
        this.repairs++;
        for (const i of bad) {
          // Its bytes were counted as verified, and as durable if recorded: neither holds any more.
          if ((this.state as ChunkState).markMissing(i)) this.durableBytes -= this.chunkLen(i);
          this.bytesDone -= this.chunkLen(i);
        }
        this.startChunks();
        return;
      }
      await fh.close();
      this.fh = null;
      await fs.rename(this.part, this.out);
      await syncDir(path.dirname(this.out));
      this.deps.repo.complete(this.contentHash, this.out, Date.now());
    } catch (err) {
      return this.fail(err instanceof Error ? err : new Error(String(err)));
    }
    this.finished = true;
    this.phase = 'done';
    this.stopTimer();
    this.progress(true);
    this.settle?.resolve(this.result());
  }

  private result(): FetchResult {
    return {
      path: this.out,
      size: this.size,
      contentHash: this.contentHash,
      holding: this.holding,
      chunksFetched: this.fetched,
      chunksResumed: this.resumed,
      corruptChunks: this.corruptChunks,
      elapsedMs: Date.now() - this.startMs,
      holders: [...this.holders.values()].map((h) => ({ id: h.id, chunks: h.chunks, dropped: h.dead ? `${transferCodeName(h.dead.code)}: ${h.dead.reason}` : null })),
    };
  }

  private async wholeFileMatches(fh: fs.FileHandle): Promise<boolean> {
    const stream = new Blake2b256Stream();
    const buf = Buffer.allocUnsafe(1 << 20);
    for (let pos = 0; pos < this.size; ) {
      const n = await readFully(fh, buf, Math.min(buf.byteLength, this.size - pos), pos);
      if (n === 0) return false;
      stream.update(buf.subarray(0, n));
      pos += n;
    }
    return stream.digest().equals(this.holding.core.contentHash);
  }

  private async badChunks(fh: fs.FileHandle): Promise<number[]> {
    const hashes = this.hashes as Buffer;
    const buf = Buffer.allocUnsafe(this.chunkSize);
    const bad: number[] = [];
    for (let i = 0; i < this.chunks; i++) {
      const len = this.chunkLen(i);
      const n = await readFully(fh, buf, len, i * this.chunkSize);
      if (n !== len || !blake2b256(buf.subarray(0, len)).equals(hashes.subarray(i * HASH_BYTES, (i + 1) * HASH_BYTES))) bad.push(i);
    }
    return bad;
  }

  /**
   * Syncs the part file, then records the chunks written before the sync began as durable: the bitmap
   * never names a chunk whose bytes might not be on disk. One sync at a time; a caller during one waits
   * for it and then runs its own, so nothing written before the call is left out.
   */
  private async syncBatch(fh: fs.FileHandle): Promise<void> {
    while (this.syncing) await this.syncing;
    const batch = this.unsynced;
    if (batch.length === 0) return;
    this.unsynced = [];
    this.lastSyncMs = Date.now();
    const run = (async () => {
      await fh.datasync();
      for (const i of (this.state as ChunkState).markDurable(batch)) this.durableBytes += this.chunkLen(i);
    })();
    this.syncing = run;
    try {
      await run;
    } finally {
      this.syncing = null;
    }
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private fail(err: Error): void {
    if (this.finished) return;
    this.finished = true;
    // Verified chunks not written yet are simply not kept: a resume fetches them again.
    if (this.writeRun) clearTimeout(this.writeRun.timer);
    this.writeRun = null;
    this.stopTimer();
    const fh = this.fh;
    this.fh = null;
    // What was written so far is synced and recorded first; close() waits for writes in flight; the part
    // file and the bitmap stay for a resume.
    const keep = fh ? this.syncBatch(fh).catch(() => {}) : Promise.resolve();
    void keep.then(() => fh?.close().catch(() => {})).then(() => {
      if (this.settle) this.settle.reject(err);
      else this.failure = err;
    });
  }

  /** Stops the fetch (connection gone, data plane closing, the owner deleted the data). */
  abort(code: TransferCode, reason: string): void {
    this.fail(new TransferError(code, reason));
  }

  /** Whether the job has ended (succeeded, failed or aborted). */
  get done(): boolean {
    return this.finished;
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.access(p);
    return true;
  } catch {
    return false;
  }
}

/** Makes a rename durable; some platforms cannot open a directory, and then the OS decides. */
async function syncDir(dir: string): Promise<void> {
  let dh: fs.FileHandle | null = null;
  try {
    dh = await fs.open(dir, 'r');
    await dh.sync();
  } catch {
    // best effort
  } finally {
    await dh?.close().catch(() => {});
  }
}
