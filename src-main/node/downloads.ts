// This node's downloads as the API shows them (data.downloads): built from the fetches repo, which
// outlives the page that started a fetch, so a reloaded UI still finds the finished copies to save and
// the interrupted fetches to resume.
import fs from 'node:fs';
import path from 'node:path';
import type { DownloadView } from '../../src-shared/api/contract.js';
import { chunkCount, decodeHolding } from '../../src-shared/protocol/declaration.js';
import { idToText, toHex } from '../../src-shared/ids.js';
import { PART_SUFFIX } from '../data/fetch-job.js';
import type { FetchesRepo, FetchRecord } from '../store/fetches-repo.js';
import { downloadsDir } from './data-dirs.js';

/** Most rows data.downloads answers with (newest first): a page, not an export. */
export const MAX_DOWNLOADS_LISTED = 500;

function popcount8(b: number): number {
  let n = 0;
  for (let v = b; v !== 0; v &= v - 1) n++;
  return n;
}

/** Verified bytes of a partial fetch: whole chunks from the bitmap, the last one at its real length. */
function verifiedBytes(repo: FetchesRepo, rec: FetchRecord, size: number, chunkSize: number): number {
  const chunks = chunkCount(size, chunkSize);
  if (chunks === 0) return 0;
  const bitmap = repo.bitmap(rec.contentHash, chunks);
  let done = 0;
  for (const b of bitmap) done += popcount8(b);
  const last = chunks - 1;
  const lastDone = (bitmap[last >> 3]! & (1 << (last & 7))) !== 0;
  return Math.min(size, done * chunkSize - (lastDone ? chunks * chunkSize - size : 0));
}

function onDisk(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * Every fetch the repo remembers, newest first. `fetching` tells which contents a job is fetching
 * right now (their records say "partial" until they finish). Records whose holding no longer decodes
 * are skipped: there is nothing to show or resume from them.
 */
export function listDownloads(repo: FetchesRepo, dataDir: string, fetching: (hash: Buffer) => boolean): DownloadView[] {
  const dir = downloadsDir(dataDir);
  const out: DownloadView[] = [];
  for (const rec of repo.list().reverse()) {
    if (out.length >= MAX_DOWNLOADS_LISTED) break;
    const d = decodeHolding(rec.holding);
    if (!d.ok) continue;
    const core = d.holding.core;
    const complete = rec.state === 'complete';
    out.push({
      contentHash: toHex(rec.contentHash),
      name: core.name,
      fileName: path.basename(rec.outPath),
      path: rec.outPath,
      size: core.size,
      mime: core.mime,
      owner: idToText(core.owner),
      state: complete ? 'complete' : fetching(rec.contentHash) ? 'fetching' : 'partial',
      bytes: complete ? core.size : verifiedBytes(repo, rec, core.size, core.chunkSize),
      onDisk: onDisk(complete ? rec.outPath : rec.outPath + PART_SUFFIX),
      inDownloads: path.dirname(path.resolve(rec.outPath)) === dir,
      startedMs: rec.startedMs,
      finishedMs: complete ? rec.updatedMs : null,
    });
  }
  return out;
}
