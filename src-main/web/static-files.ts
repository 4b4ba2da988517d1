// Serves the built renderer (dist-renderer/) and nothing else. The file list is read once at start and a
// request path is only ever a key into it: no request string is joined onto a file system path, so no
// "..", encoded separator or symlink can reach a file outside the directory.
import fs from 'node:fs';
import path from 'node:path';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Bounds the walk: a renderer build has a handful of files. */
const MAX_FILES = 2000;
const MAX_DEPTH = 8;

export interface StaticFile {
  /** absolute path on disk */
  readonly file: string;
  readonly type: string;
  /** hashed build assets never change under their name */
  readonly immutable: boolean;
}

export class StaticFiles {
  private constructor(
    readonly root: string,
    private readonly files: ReadonlyMap<string, StaticFile>,
  ) {}

  /** Lists every regular file under `root` (dotfiles and symlinks left out). Throws if there is no index.html. */
  static scan(root: string): StaticFiles {
    const abs = path.resolve(root);
    const files = new Map<string, StaticFile>();
    const walk = (dir: string, rel: string, depth: number): void => {
      if (depth > MAX_DEPTH) return;
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        if (entry.name.startsWith('.')) continue;
        const full = path.join(dir, entry.name);
        const key = `${rel}/${entry.name}`;
        if (entry.isDirectory()) walk(full, key, depth + 1);
        else if (entry.isFile()) {
          if (files.size >= MAX_FILES) throw new Error(`${abs} holds more than ${MAX_FILES} files; is it really the renderer build?`);
          files.set(key, {
            file: full,
            type: TYPES[path.extname(entry.name).toLowerCase()] ?? 'application/octet-stream',
            immutable: key.startsWith('/assets/'),
          });
        }
      }
    };
    walk(abs, '', 0);
    if (!files.has('/index.html')) throw new Error(`${abs} has no index.html; build the renderer with \`npm run build:renderer\`.`);
    return new StaticFiles(abs, files);
  }

  /** The file for a URL path ("/" is index.html), or null. */
  lookup(pathname: string): StaticFile | null {
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return null;
    }
    return this.files.get(decoded === '/' ? '/index.html' : decoded) ?? null;
  }
}
