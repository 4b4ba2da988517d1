// The Electron transport: the preload's window.w2w already speaks the API contract, so this only adds
// the connection state (always open: the node runs in the same app) and guards against a missing bridge.
import type { ApiEvent, ApiEvents, ApiMethod, ApiParams, ApiResult, ApiReturn } from '../../../../src-shared/api/contract.js';
import type { W2wPreloadApi } from './preload-api.js';
import { notConnected, type ConnectionState, type Transport } from './transport.js';

export class IpcTransport implements Transport {
  readonly kind = 'ipc';
  readonly state: ConnectionState = 'open';

  constructor(private readonly bridge: W2wPreloadApi) {}

  async call<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResult<ApiReturn<M>>> {
    try {
      return await this.bridge.call(method, params);
    } catch (err) {
      // The main process answers with the envelope; a throw means the IPC itself failed.
      return { ok: false, error: notConnected(err instanceof Error ? err.message : String(err)) };
    }
  }

  on<E extends ApiEvent>(event: E, listener: (payload: ApiEvents[E]) => void): () => void {
    return this.bridge.on(event, listener);
  }

  onState(_listener: (state: ConnectionState) => void): () => void {
    return () => {};
  }

  close(): void {}
}
