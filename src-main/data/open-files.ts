// Served files held open while peers fetch them: one handle per file for as long as requests keep
// coming (closed after a short idle time), so a transfer does not pay open/stat/close per FETCH. Every
// request still checks, by path, that the file on disk is the one declared (it may vanish or change
// between two requests), and the chunk hash list is read from SQLite once per opening, not per request.
import fs from 'node:fs/promises';
import { HASH_BYTES } from '../../src-shared/protocol/constants.js';
import { TransferCode } from '../../src-shared/protocol/transfer.js';
import { toHex } from '../../src-shared/ids.js';

/** A handle nobody used for this long is closed. */
export const IDLE_CLOSE_MS = 2000;
/**
 * Handles kept open while idle, at most: past it the least recently used idle one is closed at once. Any
 * peer allowed to fetch can ask for one chunk of every file served, so without a cap the handles (and
 * their hash lists, up to 1 MiB each) would grow with the number of files shared.
 */
export const MAX_OPEN_FILES = 64;
/** Hash lists up to this size are kept with the handle (32 768 chunks: 2 GiB of 64 KiB chunks). */
const MAX_CACHED_HASH_BYTES = 1024 * 1024;

export interface ServedEntry {
  contentHash: Buffer;
  path: string;
  size: number;
  mtimeMs: number;
  chunks: number;
}

export interface OpenFile {
  readonly fh: fs.FileHandle;
  /** the whole chunk hash list, or null when it is too large to keep (then read per request) */
  readonly hashes: Buffer | null;
  readonly ino: number;
  readonly dev: number;
  users: number;
  idle: NodeJS.Timeout | null;
}

/** Why a file cannot be served: the holder answers DENY with `code`; `stop` says it stops serving it for good. */
export class FileProblem extends Error {
  constructor(
    readonly code: TransferCode,
    message: string,
    readonly stop: boolean,
  ) {
    super(message);
  }
}

export class OpenFiles {
  private readonly open = new Map<string, Promise<OpenFile>>();
  /** the open files nobody uses now, least recently used first */
  private readonly idle = new Map<string, OpenFile>();

  constructor(
    /** chunk hashes `first` .. `first + count - 1` of a served file, from SQLite */
    private readonly loadHashes: (contentHash: Buffer, first: number, count: number) => Buffer,
    private readonly idleMs = IDLE_CLOSE_MS,
    private readonly maxOpen = MAX_OPEN_FILES,
  ) {}

  /** The open file of `entry` after checking it is still the declared one; release() it when done. Throws FileProblem. */
  async acquire(entry: ServedEntry): Promise<OpenFile> {
    let st;
    try {
      st = await fs.stat(entry.path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') throw new FileProblem(TransferCode.FILE_GONE, 'the file vanished from the holder; stopped serving it', true);
      throw new FileProblem(TransferCode.INTERNAL, `the holder cannot read the file (${code ?? 'error'})`, false);
    }
    if (st.size !== entry.size || st.mtimeMs !== entry.mtimeMs) {
      throw new FileProblem(TransferCode.FILE_CHANGED, 'the file changed on disk (size or modification time); stopped serving it', true);
    }
    const key = toHex(entry.contentHash);
    const cached = this.open.get(key);
    if (cached) {
      const f = await cached.catch(() => null);
      if (f && f.ino === st.ino && f.dev === st.dev && this.open.get(key) === cached) {
        f.users++;
        if (f.idle) clearTimeout(f.idle);
        f.idle = null;
        this.idle.delete(key);
        return f;
      }
      // Another file now has that path (replaced): the old handle goes once its readers are done.
      if (this.open.get(key) === cached) this.forget(key);
    }
    this.trim(this.maxOpen - 1);
    const opening = this.openFile(entry);
    this.open.set(key, opening);
    try {
      return await opening;
    } catch (err) {
      if (this.open.get(key) === opening) this.open.delete(key);
      throw err;
    }
  }

  private async openFile(entry: ServedEntry): Promise<OpenFile> {
    let fh: fs.FileHandle;
    try {
      fh = await fs.open(entry.path, 'r');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') throw new FileProblem(TransferCode.FILE_GONE, 'the file vanished from the holder; stopped serving it', true);
      throw new FileProblem(TransferCode.INTERNAL, `the holder cannot read the file (${code ?? 'error'})`, false);
    }
    // Whatever fails from here on (stat, the hash list from SQLite), the handle must not outlive it.
    try {
      const st = await fh.stat();
      if (st.size !== entry.size || st.mtimeMs !== entry.mtimeMs) {
        throw new FileProblem(TransferCode.FILE_CHANGED, 'the file changed on disk (size or modification time); stopped serving it', true);
      }
      const hashes = entry.chunks * HASH_BYTES <= MAX_CACHED_HASH_BYTES ? this.loadHashes(entry.contentHash, 0, entry.chunks) : null;
      return { fh, hashes, ino: st.ino, dev: st.dev, users: 1, idle: null };
    } catch (err) {
      await fh.close().catch(() => {});
      throw err;
    }
  }

  /** The expected hashes of chunks first .. first + count - 1 (a list too large to keep: just those, from SQLite). */
  expected(f: OpenFile, entry: ServedEntry, first: number, count: number): Buffer {
    return f.hashes ? f.hashes.subarray(first * HASH_BYTES, (first + count) * HASH_BYTES) : this.loadHashes(entry.contentHash, first, count);
  }

  release(f: OpenFile, contentHash: Buffer): void {
    f.users--;
    if (f.users > 0) return;
    const key = toHex(contentHash);
    const current = this.open.get(key);
    const closeNow = (): void => {
      void f.fh.close().catch(() => {});
    };
    // Not the current handle of that content any more (forgotten, replaced): close it now.
    void (current ?? Promise.resolve(null)).then(
      (c) => {
        // In use again (acquired while this ran) or not the current handle any more.
        if (c !== f) return closeNow();
        if (f.users > 0) return;
        f.idle = setTimeout(() => {
          if (f.users > 0 || this.open.get(key) !== current) return;
          this.open.delete(key);
          this.idle.delete(key);
          closeNow();
        }, this.idleMs);
        f.idle.unref();
        // Last in the LRU order (set() alone keeps an existing key where it was).
        this.idle.delete(key);
        this.idle.set(key, f);
        this.trim(this.maxOpen);
      },
      () => closeNow(),
    );
  }

  /** Stops keeping `contentHash` open (it stopped being served); readers still at work finish first. */
  forget(key: string): void {
    const p = this.open.get(key);
    if (!p) return;
    this.open.delete(key);
    this.idle.delete(key);
    void p.then(
      (f) => {
        if (f.idle) clearTimeout(f.idle);
        if (f.users === 0) void f.fh.close().catch(() => {});
      },
      () => {},
    );
  }

  /** Closes idle handles, least recently used first, until at most `max` are open (or none is idle). */
  private trim(max: number): void {
    for (const key of this.idle.keys()) {
      if (this.open.size <= max) return;
      this.forget(key);
    }
  }

  closeAll(): void {
    for (const key of [...this.open.keys()]) this.forget(key);
  }
}
