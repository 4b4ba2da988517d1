// The web transport: the node's API over the UI server's WebSocket at /api (src-main/web/bridge-protocol.ts
// defines the messages). Calls made while (re)connecting wait for the socket; a drop answers every open
// call with NOT_CONNECTED and redials with backoff; a node that stopped accepting this page is detected
// by asking for the page itself (401/403) and is not redialled.
import type { ApiEvent, ApiEvents, ApiMethod, ApiParams, ApiResult, ApiReturn } from '../../../../src-shared/api/contract.js';
import { fileError, notConnected, type ConnectionState, type StagedFile, type Transport, type UploadProgress } from './transport.js';

/** The bridge's close codes (mirrors BridgeCloseCode in src-main/web/bridge-protocol.ts). */
export const BRIDGE_CLOSE = { GOING_AWAY: 1001, UNSUPPORTED_DATA: 1003, TOO_BIG: 1009, MALFORMED: 4400, RATE_LIMITED: 4429, SLOW_CONSUMER: 4408 } as const;

/** Same bound as the UI server's (DEFAULT_BRIDGE_LIMITS.maxMessageBytes): larger calls are refused here. */
export const MAX_CALL_BYTES = 256 * 1024;
const MAX_QUEUED_CALLS = 200;
const RETRY_DELAYS_MS = [250, 500, 1000, 2000, 4000, 8000];

export interface SocketHandlers {
  open(): void;
  message(text: string): void;
  close(code: number): void;
}

export interface BridgeSocket {
  send(text: string): void;
  close(): void;
}

export type OpenSocket = (url: string, handlers: SocketHandlers) => BridgeSocket;

/** Sends `file` as the body of a POST to `url`; resolves with the HTTP status (0: no answer) and the body text. */
export type UploadFile = (url: string, file: File, onProgress: UploadProgress) => Promise<{ status: number; body: string }>;

export interface BridgeTransportOptions {
  /** opens a WebSocket; the browser's by default */
  openSocket?: OpenSocket;
  /** HTTP status of the UI page (401/403 when the node no longer accepts this page); null if unreachable */
  probe?: () => Promise<number | null>;
  setTimer?: (fn: () => void, ms: number) => unknown;
  /** the browser's XMLHttpRequest by default (fetch reports no upload progress) */
  upload?: UploadFile;
  /** the page's base URL for /files/…: "./" by default */
  filesBase?: string;
}

/** ws://host/api for an http page, wss:// for https. */
export function bridgeUrl(loc: { protocol: string; host: string }): string {
  return `${loc.protocol === 'https:' ? 'wss:' : 'ws:'}//${loc.host}/api`;
}

const browserSocket: OpenSocket = (url, h) => {
  const ws = new WebSocket(url);
  ws.onopen = () => h.open();
  ws.onmessage = (e: MessageEvent) => {
    if (typeof e.data === 'string') h.message(e.data);
  };
  ws.onclose = (e: CloseEvent) => h.close(e.code);
  return { send: (text) => ws.send(text), close: () => ws.close(1000) };
};

const pageStatus = async (): Promise<number | null> => {
  try {
    return (await fetch('./', { method: 'HEAD', cache: 'no-store', credentials: 'same-origin', redirect: 'manual' })).status;
  } catch {
    return null;
  }
};

const xhrUpload: UploadFile = (url, file, onProgress) =>
  new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.onload = () => resolve({ status: xhr.status, body: xhr.responseText });
    xhr.onerror = () => resolve({ status: 0, body: '' });
    xhr.onabort = () => resolve({ status: 0, body: '' });
    xhr.send(file);
  });

/** The staged file an upload answered with, or null when the answer is not one. */
export function parseStaged(body: string): StagedFile | null {
  try {
    const v = JSON.parse(body) as Partial<StagedFile>;
    return typeof v.path === 'string' && typeof v.name === 'string' && typeof v.size === 'number' ? { path: v.path, name: v.name, size: v.size } : null;
  } catch {
    return null;
  }
}

type Resolve = (result: ApiResult<unknown>) => void;

export class BridgeTransport implements Transport {
  readonly kind = 'bridge';
  #state: ConnectionState = 'connecting';
  #socket: BridgeSocket | null = null;
  #open = false;
  #closedByUs = false;
  #failures = 0;
  #nextId = 1;
  readonly #pending = new Map<number, Resolve>();
  #queue: { text: string; id: number }[] = [];
  readonly #listeners = new Map<string, Set<(payload: never) => void>>();
  readonly #stateListeners = new Set<(state: ConnectionState) => void>();
  readonly #openSocket: OpenSocket;
  readonly #probe: () => Promise<number | null>;
  readonly #setTimer: (fn: () => void, ms: number) => unknown;
  readonly #upload: UploadFile;
  readonly #filesBase: string;

  constructor(
    readonly url: string,
    opts: BridgeTransportOptions = {},
  ) {
    this.#openSocket = opts.openSocket ?? browserSocket;
    this.#probe = opts.probe ?? pageStatus;
    this.#setTimer = opts.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.#upload = opts.upload ?? xhrUpload;
    this.#filesBase = opts.filesBase ?? './';
    this.#dial();
  }

  get state(): ConnectionState {
    return this.#state;
  }

  call<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResult<ApiReturn<M>>> {
    return new Promise((resolve) => {
      const done = resolve as Resolve;
      if (this.#state === 'unauthorized' || this.#closedByUs) return done({ ok: false, error: notConnected('the node does not accept this page any more') });
      const id = this.#nextId++;
      const text = JSON.stringify({ id, method, params });
      if (new TextEncoder().encode(text).byteLength > MAX_CALL_BYTES) {
        return done({ ok: false, error: { code: 310, name: 'BAD_REQUEST', message: `the call is larger than ${MAX_CALL_BYTES} bytes` } });
      }
      if (!this.#open && this.#queue.length >= MAX_QUEUED_CALLS) return done({ ok: false, error: notConnected('not connected to the node') });
      this.#pending.set(id, done);
      if (this.#open && this.#socket) this.#socket.send(text);
      else this.#queue.push({ text, id });
    });
  }

  on<E extends ApiEvent>(event: E, listener: (payload: ApiEvents[E]) => void): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    const l = listener as (payload: never) => void;
    set.add(l);
    return () => set.delete(l);
  }

  // The node cannot read the browser's disk: the bytes go to its staging dir (src-main/web/file-endpoints.ts).
  async stageFile(file: File, onProgress: UploadProgress = () => {}): Promise<ApiResult<StagedFile>> {
    const res = await this.#upload(`${this.#filesBase}files/upload?name=${encodeURIComponent(file.name)}`, file, onProgress);
    if (res.status === 201) {
      const staged = parseStaged(res.body);
      if (staged) return { ok: true, value: staged };
    }
    if (res.status === 413) return { ok: false, error: fileError('UPLOAD_TOO_LARGE', 'the file is larger than the node accepts') };
    if (res.status === 401 || res.status === 403) return { ok: false, error: notConnected('the node does not accept this page any more') };
    return { ok: false, error: fileError('UPLOAD_FAILED', res.status === 0 ? 'the upload was cut off' : `the node answered ${res.status}`) };
  }

  downloadUrl(name: string): string {
    return `${this.#filesBase}files/download?name=${encodeURIComponent(name)}`;
  }

  // A page in a browser cannot open the server's file manager: it offers the file for saving instead.
  readonly canShowInFolder = false;

  async showInFolder(_contentHash: string): Promise<boolean> {
    return false;
  }

  onState(listener: (state: ConnectionState) => void): () => void {
    this.#stateListeners.add(listener);
    return () => this.#stateListeners.delete(listener);
  }

  close(): void {
    this.#closedByUs = true;
    this.#socket?.close();
    this.#failAll('the page closed its connection');
  }

  #setState(state: ConnectionState): void {
    if (state === this.#state) return;
    this.#state = state;
    for (const l of this.#stateListeners) l(state);
  }

  #dial(): void {
    this.#setState('connecting');
    this.#socket = this.#openSocket(this.url, {
      open: () => {
        this.#open = true;
        this.#failures = 0;
        this.#setState('open');
        const queued = this.#queue;
        this.#queue = [];
        for (const q of queued) this.#socket?.send(q.text);
      },
      message: (text) => this.#receive(text),
      close: (code) => this.#dropped(code),
    });
  }

  #receive(text: string): void {
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      return;
    }
    if (typeof msg !== 'object' || msg === null) return;
    const m = msg as { id?: unknown; result?: unknown; event?: unknown; payload?: unknown };
    if (typeof m.id === 'number' && m.result !== undefined) {
      const done = this.#pending.get(m.id);
      this.#pending.delete(m.id);
      done?.(m.result as ApiResult<unknown>);
    } else if (typeof m.event === 'string') {
      for (const l of this.#listeners.get(m.event) ?? []) l(m.payload as never);
    }
  }

  #failAll(message: string): void {
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    this.#queue = [];
    for (const done of pending) done({ ok: false, error: notConnected(message) });
  }

  #dropped(code: number): void {
    const wasOpen = this.#open;
    this.#open = false;
    this.#socket = null;
    this.#failAll(`the connection to the node dropped (${code})`);
    if (this.#closedByUs) return this.#setState('closed');
    this.#setState('closed');
    this.#failures = wasOpen ? 1 : this.#failures + 1;
    const delay = RETRY_DELAYS_MS[Math.min(this.#failures - 1, RETRY_DELAYS_MS.length - 1)] as number;
    // A WebSocket refused with 401/403 only says "closed"; after two failed dials ask for the page itself.
    const check = this.#failures >= 2 ? this.#probe() : Promise.resolve(null);
    void check.then((status) => {
      if (status === 401 || status === 403) return this.#setState('unauthorized');
      this.#setTimer(() => {
        if (!this.#closedByUs) this.#dial();
      }, delay);
    });
  }
}
