// Byte plumbing between a browser and the node's disk for the headless UI, and nothing else: sharing and
// fetching go through the API. Callers have already checked the token, Host and Origin.
//
//   POST /files/upload?name=N   body = the file's bytes (Content-Length required, at most maxUploadBytes);
//                               streamed to <data>/uploads/<random>-<safe N>; 201 {"path","name","size"}
//   GET  /files/download?name=N a file of <data>/downloads/ (N must be a bare safe file name), as an attachment
//
// The client never chooses a directory: an upload's name is only a label made safe, and a download's name
// is looked up in one directory after a check that it is a bare file name there, and opened without
// following a symlink.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { isSafeFileName, safeFileName } from '../../src-shared/file-name.js';
import { downloadsDir, uploadsDir } from '../node/data-dirs.js';
/** Default cap on one upload. */
export const DEFAULT_MAX_UPLOAD_BYTES = 4 * 1024 ** 3;

export interface FileEndpointsOptions {
  dataDir: string;
  maxUploadBytes: number;
}

/** An answer the server turns into a response: a status, and JSON for an upload. */
export type FileAnswer = { status: number; json?: Record<string, unknown> };

/** RFC 6266: an ASCII fallback plus the exact UTF-8 name. */
export function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\%;]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

export class FileEndpoints {
  readonly uploads: string;
  readonly downloads: string;

  constructor(private readonly opts: FileEndpointsOptions) {
    this.uploads = uploadsDir(opts.dataDir);
    this.downloads = downloadsDir(opts.dataDir);
  }

  /** Streams the request body into a new staging file; removes it again on any failure. */
  async upload(req: http.IncomingMessage, url: URL): Promise<FileAnswer> {
    const rawName = url.searchParams.get('name');
    if (rawName === null || rawName.length === 0 || rawName.length > 1024) return { status: 400 };
    const lengthHeader = req.headers['content-length'];
    if (lengthHeader === undefined) return { status: 411 };
    if (!/^\d{1,16}$/.test(lengthHeader)) return { status: 400 };
    const declared = Number(lengthHeader);
    if (declared > this.opts.maxUploadBytes) return { status: 413 };

    const name = safeFileName(rawName);
    await fs.promises.mkdir(this.uploads, { recursive: true, mode: 0o700 });
    const file = path.join(this.uploads, `${randomBytes(8).toString('hex')}-${name}`);
    let received = 0;
    let tooBig = false;
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      // Content-Length is enforced by Node's parser; this guards the cap whatever the framing.
      if (received > this.opts.maxUploadBytes) {
        tooBig = true;
        req.destroy();
      }
    });
    try {
      await pipeline(req, fs.createWriteStream(file, { flags: 'wx', mode: 0o600 }));
    } catch {
      await fs.promises.rm(file, { force: true });
      return { status: tooBig ? 413 : 400 };
    }
    if (received !== declared) {
      await fs.promises.rm(file, { force: true });
      return { status: 400 };
    }
    return { status: 201, json: { path: file, name, size: received } };
  }

  /**
   * The downloads-dir file a request names, opened, or why not: 400 for a name that is not a bare safe
   * name, else 404. The caller streams from the handle (and closes it): nothing is looked up by path
   * again, so a symlink swapped in after the check is never followed.
   */
  async download(url: URL): Promise<{ status: 200; fh: fs.promises.FileHandle; name: string; size: number } | FileAnswer> {
    const name = url.searchParams.get('name');
    if (name === null || !isSafeFileName(name)) return { status: 400 };
    const file = path.join(this.downloads, name);
    let fh: fs.promises.FileHandle;
    try {
      // O_NOFOLLOW: a symlink planted in the downloads dir is not followed out of it (open fails).
      fh = await fs.promises.open(file, fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0));
    } catch {
      return { status: 404 };
    }
    try {
      const st = await fh.stat();
      if (st.isFile()) return { status: 200, fh, name, size: st.size };
    } catch {
      // answered below
    }
    await fh.close().catch(() => {});
    return { status: 404 };
  }
}
