// The Electron transport: the preload's window.w2w already speaks the API contract, so this only adds
// the connection state (always open: the node runs in the same app) and guards against a missing bridge.
import type { ApiEvent, ApiEvents, ApiMethod, ApiParams, ApiResult, ApiReturn } from '../../../../src-shared/api/contract.js';
import type { W2wPreloadApi } from './preload-api.js';
import { fileError, notConnected, type ConnectionState, type StagedFile, type Transport } from './transport.js';

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

  // The node runs in this app and reads the file where it is: nothing to copy.
  async stageFile(file: File): Promise<ApiResult<StagedFile>> {
    let path: string;
    try {
      path = this.bridge.pathForFile(file);
    } catch {
      path = '';
    }
    if (path === '') return { ok: false, error: fileError('NO_FILE_PATH', 'this file has no path on disk (drop or pick a file from a folder)') };
    return { ok: true, value: { path, name: file.name, size: file.size } };
  }

  downloadUrl(_name: string): string | null {
    return null;
  }

  readonly canShowInFolder = true;

  async showInFolder(contentHash: string): Promise<boolean> {
    try {
      return await this.bridge.showInFolder(contentHash);
    } catch {
      return false;
    }
  }

  onState(_listener: (state: ConnectionState) => void): () => void {
    return () => {};
  }

  close(): void {}
}
