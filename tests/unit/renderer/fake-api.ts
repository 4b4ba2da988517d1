// Test double for the renderer: a Transport whose methods answer from handlers the test sets, records
// every call, and emits events on demand. No node, no sockets.
import type { ApiEvent, ApiEvents, ApiMethod, ApiParams, ApiResult, ApiReturn } from '../../../src-shared/api/contract.js';
import type { ConnectionState, StagedFile, Transport, UploadProgress } from '../../../src-renderer/src/lib/api/transport.js';

type Handler<M extends ApiMethod> = (params: ApiParams<M>) => ApiResult<ApiReturn<M>> | Promise<ApiResult<ApiReturn<M>>>;

export class FakeApi implements Transport {
  readonly kind = 'bridge';
  state: ConnectionState = 'open';
  readonly calls: { method: ApiMethod; params: unknown }[] = [];
  readonly #handlers = new Map<ApiMethod, Handler<never>>();
  readonly #listeners = new Map<string, Set<(p: never) => void>>();
  readonly #stateListeners = new Set<(s: ConnectionState) => void>();

  handle<M extends ApiMethod>(method: M, handler: Handler<M>): this {
    this.#handlers.set(method, handler as unknown as Handler<never>);
    return this;
  }

  async call<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResult<ApiReturn<M>>> {
    this.calls.push({ method, params });
    const h = this.#handlers.get(method) as Handler<M> | undefined;
    if (!h) return { ok: false, error: { code: 310, name: 'BAD_REQUEST', message: `no fake for ${method}` } };
    return h(params);
  }

  on<E extends ApiEvent>(event: E, listener: (payload: ApiEvents[E]) => void): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(listener as (p: never) => void);
    return () => set.delete(listener as (p: never) => void);
  }

  emit<E extends ApiEvent>(event: E, payload: ApiEvents[E]): void {
    for (const l of this.#listeners.get(event) ?? []) l(payload as never);
  }

  onState(listener: (s: ConnectionState) => void): () => void {
    this.#stateListeners.add(listener);
    return () => this.#stateListeners.delete(listener);
  }

  setState(s: ConnectionState): void {
    this.state = s;
    for (const l of this.#stateListeners) l(s);
  }

  /** what stageFile answers; the default stages every file under /staged/ */
  stage: (file: File, onProgress?: UploadProgress) => ApiResult<StagedFile> = (file) => ok({ path: `/staged/${file.name}`, name: file.name, size: file.size });

  async stageFile(file: File, onProgress?: UploadProgress): Promise<ApiResult<StagedFile>> {
    return this.stage(file, onProgress);
  }

  readonly canShowInFolder = false;
  /** content hashes showInFolder was asked for */
  readonly shownInFolder: string[] = [];

  async showInFolder(contentHash: string): Promise<boolean> {
    this.shownInFolder.push(contentHash);
    return false;
  }

  downloadUrl(name: string): string | null {
    return `./files/download?name=${encodeURIComponent(name)}`;
  }

  close(): void {}

  methods(): ApiMethod[] {
    return this.calls.map((c) => c.method);
  }
}

export const ok = <T>(value: T): ApiResult<T> => ({ ok: true, value });
export const fail = (code: number, name: string, message = name): ApiResult<never> => ({ ok: false, error: { code, name, message } });

/** Resolves after pending promise callbacks have run. */
export const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));
