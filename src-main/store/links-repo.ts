// Federation settings that outlive a restart: the relay links to dial and the relays trusted to link in.
import type Database from 'better-sqlite3';
import { assertId, assertMs } from './assert-bytes.js';

export interface StoredLink {
  readonly url: string;
  /** when set, the relay at the URL must prove this ID */
  readonly pinnedId: Buffer | null;
  readonly addedMs: number;
}

interface LinkRow {
  url: string;
  pinned_id: Buffer | null;
  added_ms: number;
}

export class LinksRepo {
  readonly #upsert: Database.Statement<[string, Buffer | null, number]>;
  readonly #remove: Database.Statement<[string]>;
  readonly #list: Database.Statement<[], LinkRow>;
  readonly #trust: Database.Statement<[Buffer, number]>;
  readonly #untrust: Database.Statement<[Buffer]>;
  readonly #trusted: Database.Statement<[], Buffer>;

  constructor(db: Database.Database) {
    this.#upsert = db.prepare('INSERT INTO links (url, pinned_id, added_ms) VALUES (?, ?, ?) ON CONFLICT (url) DO UPDATE SET pinned_id = excluded.pinned_id');
    this.#remove = db.prepare('DELETE FROM links WHERE url = ?');
    this.#list = db.prepare<[], LinkRow>('SELECT url, pinned_id, added_ms FROM links ORDER BY added_ms, url');
    this.#trust = db.prepare('INSERT OR IGNORE INTO trusted_relays (id, added_ms) VALUES (?, ?)');
    this.#untrust = db.prepare('DELETE FROM trusted_relays WHERE id = ?');
    this.#trusted = db.prepare<[], Buffer>('SELECT id FROM trusted_relays ORDER BY added_ms').pluck();
  }

  /** Adds the link, or updates its pin when the URL is already there. */
  saveLink(url: string, pinnedId: Buffer | null, nowMs: number): void {
    if (typeof url !== 'string' || url.length === 0) throw new TypeError('A link URL must be a non-empty string.');
    if (pinnedId !== null) assertId(pinnedId, 'pinned relay ID');
    assertMs(nowMs);
    this.#upsert.run(url, pinnedId, nowMs);
  }

  removeLink(url: string): boolean {
    return this.#remove.run(url).changes > 0;
  }

  links(): StoredLink[] {
    return this.#list.all().map((r) => ({ url: r.url, pinnedId: r.pinned_id, addedMs: r.added_ms }));
  }

  trust(id: Buffer, nowMs: number): void {
    assertId(id, 'relay ID');
    assertMs(nowMs);
    this.#trust.run(id, nowMs);
  }

  untrust(id: Buffer): boolean {
    assertId(id, 'relay ID');
    return this.#untrust.run(id).changes > 0;
  }

  trusted(): Buffer[] {
    return this.#trusted.all();
  }
}
