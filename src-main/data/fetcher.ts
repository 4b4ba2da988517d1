// The fetching side of the data plane: runs one FetchJob per content hash and routes each holder's
// answers (HASHES, CHUNK, DENY) to the job they belong to.
import type { TransferPayload } from '../../src-shared/protocol/transfer.js';
import { TransferKind, type TransferCode } from '../../src-shared/protocol/transfer.js';
import { toHex } from '../../src-shared/ids.js';
import { FetchJob, type FetchJobDeps, type FetchOptions, type FetchResult } from './fetch-job.js';

export class Fetcher {
  private readonly jobs = new Map<string, FetchJob>();
  /** settles when the job of that content has ended (its part file and record are no longer touched) */
  private readonly ends = new Map<string, Promise<void>>();

  constructor(
    private readonly deps: FetchJobDeps,
    private readonly me: Buffer,
  ) {}

  /** Fetches one content; a second fetch of the same content while one runs is a caller mistake. */
  async fetch(contentHash: Uint8Array, opts: FetchOptions): Promise<FetchResult> {
    const key = toHex(contentHash);
    if (this.jobs.has(key)) throw new Error(`A fetch of ${key.slice(0, 16)}… is already running; wait for it or abort it first.`);
    const job = new FetchJob(this.deps, contentHash, this.me, opts);
    this.jobs.set(key, job);
    const run = job.run();
    this.ends.set(
      key,
      run.then(
        () => undefined,
        () => undefined,
      ),
    );
    try {
      return await run;
    } finally {
      this.jobs.delete(key);
      this.ends.delete(key);
    }
  }

  isFetching(contentHash: Uint8Array): boolean {
    return this.jobs.has(toHex(contentHash));
  }

  /** A holder's answer, decoded and authenticated end to end; answers nobody waits for are dropped. */
  onPayload(from: Uint8Array, p: TransferPayload): void {
    if (p.kind !== TransferKind.HASHES && p.kind !== TransferKind.CHUNK && p.kind !== TransferKind.DENY) return;
    const job = this.jobs.get(toHex(p.contentHash));
    if (!job) return;
    if (p.kind === TransferKind.HASHES) job.onHashes(from, p.first, p.hashes);
    else if (p.kind === TransferKind.CHUNK) job.onChunk(from, p.index, p.data);
    else job.onDeny(from, p.code, p.reason);
  }

  abort(contentHash: Uint8Array, code: TransferCode, reason: string): boolean {
    const job = this.jobs.get(toHex(contentHash));
    job?.abort(code, reason);
    return job !== undefined;
  }

  /**
   * Stops the fetch of `contentHash` and resolves once it has ended: a job still opening its part file or
   * renaming it into place would otherwise create them (and its record) again after the caller removed them.
   */
  async abortAndWait(contentHash: Uint8Array, code: TransferCode, reason: string): Promise<void> {
    const key = toHex(contentHash);
    this.jobs.get(key)?.abort(code, reason);
    await this.ends.get(key);
  }

  abortAll(code: TransferCode, reason: string): void {
    for (const job of this.jobs.values()) job.abort(code, reason);
  }
}
