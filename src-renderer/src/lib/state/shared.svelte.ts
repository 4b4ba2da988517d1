// Shared data: the files this node serves (data.shared), what peers declare (data.declarations per
// peer), sharing a dropped or picked file (staged by the transport, then data.share), fetches with
// their live progress (transfer.progress events) until the file is ready to save, and the node's
// downloads (data.downloads: what survives a reload) with resuming an interrupted one (data.resume).
import type { AccessView, ApiEvents, ApiResult, DeclarationView, DownloadView, ErrorView, SharedFileView, TransferProgressView } from '../../../../src-shared/api/contract.js';
import { safeFileName } from '../../../../src-shared/file-name.js';
import type { Transport } from '../api/transport.js';
import type { KeyValueStorage } from '../i18n/i18n.svelte.js';

/** deleted: the fetched copy was removed at its owner's request (remote delete) */
export type TransferPhase = 'fetching' | 'done' | 'failed' | 'deleted';

export interface Transfer {
  hash: string;
  /** the file's name in the node's downloads dir */
  fileName: string;
  phase: TransferPhase;
  bytes: number;
  total: number;
  bytesPerSec: number;
  etaMs: number | null;
  error: ErrorView | null;
  /** where the node wrote it (shown in the desktop app, where there is nothing to download) */
  path: string | null;
}

export interface UploadState {
  name: string;
  sent: number;
  total: number;
}

export const NAMES_STORAGE_KEY = 'w2w.fileNames';
/** Remembered names of contents (for the remote-delete list, after the file stopped being shared). */
const MAX_REMEMBERED_NAMES = 300;
/** Peers asked for their declarations at once. */
const DECL_QUERY_BATCH = 8;

/** A fetch that has just started (or that this page just learnt of): no bytes, no speed, no ETA yet. */
function fetching(hash: string, fileName: string, total: number): Transfer {
  return { hash, fileName, phase: 'fetching', bytes: 0, total, bytesPerSec: 0, etaMs: null, error: null, path: null };
}

function readNames(storage: KeyValueStorage | null): Record<string, string> {
  try {
    const v: unknown = JSON.parse(storage?.getItem(NAMES_STORAGE_KEY) ?? '{}');
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return {};
    return Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string'));
  } catch {
    return {};
  }
}

export class SharedState {
  mine = $state<SharedFileView[]>([]);
  mineLoaded = $state(false);
  declarations = $state<DeclarationView[]>([]);
  declarationsLoaded = $state(false);
  /** holder (or owner) to show declarations of; null: every peer */
  peerFilter = $state<string | null>(null);
  transfers = $state<Record<string, Transfer>>({});
  /** the node's fetches, finished and interrupted, newest first (data.downloads) */
  downloads = $state<DownloadView[]>([]);
  downloadsLoaded = $state(false);
  upload = $state<UploadState | null>(null);
  /** peers' declarations that pass the filter, newest first */
  readonly visible: DeclarationView[] = $derived(
    this.declarations.filter((d) => this.peerFilter === null || d.holder === this.peerFilter || d.owner === this.peerFilter).sort((a, b) => b.createdMs - a.createdMs),
  );

  readonly #api: Transport;
  readonly #storage: KeyValueStorage | null;
  #names: Record<string, string>;

  constructor(api: Transport, storage: KeyValueStorage | null = null) {
    this.#api = api;
    this.#storage = storage;
    this.#names = readNames(storage);
  }

  /** The name a content was shared or declared under, if this page ever saw it. */
  nameOf(hash: string): string | null {
    return this.mine.find((f) => f.contentHash === hash)?.name ?? this.declarations.find((d) => d.contentHash === hash)?.name ?? this.#names[hash] ?? null;
  }

  async loadMine(): Promise<ErrorView | null> {
    const r = await this.#api.call('data.shared', {});
    if (!r.ok) return r.error;
    this.mine = [...r.value].sort((a, b) => a.name.localeCompare(b.name));
    this.mineLoaded = true;
    this.#remember(r.value.map((f) => [f.contentHash, f.name]));
    return null;
  }

  /**
   * The node's downloads. A finished copy still on disk also becomes a done transfer, so its
   * declaration row offers it for saving again after a reload.
   */
  async loadDownloads(): Promise<ErrorView | null> {
    const r = await this.#api.call('data.downloads', {});
    if (!r.ok) return r.error;
    this.downloads = r.value;
    this.downloadsLoaded = true;
    this.#remember(r.value.map((d) => [d.contentHash, d.name]));
    for (const d of r.value) {
      if (this.transfers[d.contentHash] || d.state !== 'complete' || !d.onDisk) continue;
      this.transfers[d.contentHash] = { ...fetching(d.contentHash, d.fileName, d.size), phase: 'done', bytes: d.size, etaMs: 0, path: d.path };
    }
    return null;
  }

  /** Forgets an interrupted fetch and its verified chunks (data.discard); the list is the node's answer. */
  async discard(d: DownloadView): Promise<ApiResult<DownloadView[]>> {
    const r = await this.#api.call('data.discard', { hash: d.contentHash });
    if (r.ok) {
      this.downloads = r.value;
      delete this.transfers[d.contentHash];
    }
    return r;
  }

  /** Goes on with an interrupted fetch from its verified chunks; progress arrives as events meanwhile. */
  async resume(d: DownloadView): Promise<ApiResult<{ path: string; size: number }>> {
    const hash = d.contentHash;
    this.transfers[hash] = { ...fetching(hash, d.fileName, d.size), bytes: d.bytes };
    this.#setDownloadState(hash, 'fetching');
    const r = await this.#api.call('data.resume', { hash });
    this.#settle(hash, r);
    await this.loadDownloads();
    return r;
  }

  /** Asks the directory for what each of `peers` holds (a few at a time); keeps the first error. */
  async loadDeclarations(peers: readonly string[]): Promise<ErrorView | null> {
    // A plain local map (not state): only the finished list is assigned to the rune.
    // eslint-disable-next-line svelte/prefer-svelte-reactivity
    const found = new Map<string, DeclarationView>();
    let error: ErrorView | null = null;
    for (let i = 0; i < peers.length; i += DECL_QUERY_BATCH) {
      const batch = peers.slice(i, i + DECL_QUERY_BATCH);
      const answers = await Promise.all(batch.map((peer) => this.#api.call('data.declarations', { peer })));
      for (const r of answers) {
        if (!r.ok) {
          error ??= r.error;
          continue;
        }
        for (const d of r.value) found.set(`${d.contentHash}:${d.holder}`, d);
      }
    }
    if (error && found.size === 0 && peers.length > 0) return error;
    this.declarations = [...found.values()];
    this.declarationsLoaded = true;
    return error;
  }

  /** Stages `file` through the transport (upload in a browser), then declares it with `access`. */
  async share(file: File, access: AccessView, reshare: boolean): Promise<ApiResult<DeclarationView>> {
    this.upload = { name: file.name, sent: 0, total: file.size };
    try {
      const staged = await this.#api.stageFile(file, (sent, total) => {
        if (this.upload) this.upload = { name: file.name, sent, total };
      });
      if (!staged.ok) return staged;
      const r = await this.#api.call('data.share', { path: staged.value.path, name: staged.value.name, access, reshare });
      if (r.ok) {
        this.#remember([[r.value.contentHash, r.value.name]]);
        await this.loadMine();
      }
      return r;
    } finally {
      this.upload = null;
    }
  }

  /** Fetches a declared content into the node's downloads dir; progress arrives as events meanwhile. */
  async fetch(d: DeclarationView): Promise<ApiResult<{ path: string; size: number }>> {
    const hash = d.contentHash;
    const fileName = safeFileName(d.name);
    this.transfers[hash] = fetching(hash, fileName, d.size);
    this.#remember([[hash, d.name]]);
    // The owner the user saw: another declaration of the same content must not be fetched in its place.
    const r = await this.#api.call('data.fetch', { hash, out: fileName, owner: d.owner });
    this.#settle(hash, r);
    // The downloads list gains the finished copy, or the interrupted fetch to resume.
    await this.loadDownloads();
    return r;
  }

  #settle(hash: string, r: ApiResult<{ path: string; size: number }>): void {
    const t = this.transfers[hash];
    if (!t) return;
    if (r.ok) Object.assign(t, { phase: 'done', bytes: r.value.size, total: r.value.size, etaMs: 0, path: r.value.path });
    else Object.assign(t, { phase: 'failed', error: r.error });
  }

  #setDownloadState(hash: string, state: DownloadView['state']): void {
    this.downloads = this.downloads.map((d) => (d.contentHash === hash ? { ...d, state } : d));
  }

  /** A transfer.progress event: moves the bar of a fetch this page started (or one it did not know of). */
  applyProgress(p: TransferProgressView): void {
    const t = this.transfers[p.contentHash];
    if (t && t.phase !== 'fetching') return;
    if (!t) {
      const name = this.nameOf(p.contentHash);
      const fileName = safeFileName(name ?? p.contentHash.slice(0, 16));
      this.transfers[p.contentHash] = { ...fetching(p.contentHash, fileName, p.total), bytes: p.bytes, bytesPerSec: p.bytesPerSec, etaMs: p.etaMs };
      return;
    }
    // Events can overtake each other only in theory, but a bar that runs backwards looks broken.
    t.bytes = Math.max(t.bytes, p.bytes);
    t.total = p.total;
    t.bytesPerSec = p.bytesPerSec;
    t.etaMs = p.etaMs;
  }

  /** A data.deleted event: our copy is gone at its owner's request, so there is nothing left to save. */
  applyDeleted(e: ApiEvents['data.deleted']): void {
    const t = this.transfers[e.contentHash];
    if (t) Object.assign(t, { phase: 'deleted', path: null, etaMs: null });
    // The node forgot the fetch with the file: so does the downloads list.
    this.downloads = this.downloads.filter((d) => d.contentHash !== e.contentHash);
  }

  dismissTransfer(hash: string): void {
    delete this.transfers[hash];
  }

  #remember(entries: [string, string][]): void {
    let changed = false;
    for (const [hash, name] of entries) {
      if (this.#names[hash] === name) continue;
      delete this.#names[hash];
      this.#names[hash] = name;
      changed = true;
    }
    if (!changed) return;
    const keys = Object.keys(this.#names);
    for (const k of keys.slice(0, Math.max(0, keys.length - MAX_REMEMBERED_NAMES))) delete this.#names[k];
    try {
      this.#storage?.setItem(NAMES_STORAGE_KEY, JSON.stringify(this.#names));
    } catch {
      // A full or private storage only costs the names of old deletes.
    }
  }
}
