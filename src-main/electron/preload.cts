// Preload (sandboxed renderer process): exposes the narrow `window.w2w = { call, on, pathForFile,
// showInFolder }` through contextBridge: the API contract's NodeApi, plus the disk path of a File the
// user dropped or picked (File.path is gone since Electron 32) and a way to open a fetched file's
// folder by its content hash; the page never sees ipcRenderer. CommonJS (.cts)
// because a sandboxed preload cannot be an ES module.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the only import form a CommonJS module allows under verbatimModuleSyntax
import electron = require('electron');
import type { ApiEvent, ApiEvents, ApiMethod, ApiParams, ApiResult, ApiReturn, NodeApi } from '../../src-shared/api/contract.js';

const { contextBridge, ipcRenderer, webUtils } = electron;

type Listener = (payload: unknown) => void;
const listeners = new Map<string, Set<Listener>>();

// One IPC subscription for all events; the main process sends only names from the contract.
ipcRenderer.on('w2w:event', (_event, name: unknown, payload: unknown) => {
  if (typeof name !== 'string') return;
  for (const l of listeners.get(name) ?? []) l(payload);
});

const api: NodeApi & { pathForFile(file: File): string; showInFolder(contentHash: string): Promise<boolean> } = {
  call<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResult<ApiReturn<M>>> {
    return ipcRenderer.invoke('w2w:call', method, params) as Promise<ApiResult<ApiReturn<M>>>;
  },
  on<E extends ApiEvent>(event: E, listener: (payload: ApiEvents[E]) => void): () => void {
    let set = listeners.get(event);
    if (!set) listeners.set(event, (set = new Set()));
    const l = listener as Listener;
    set.add(l);
    return () => {
      set.delete(l);
    };
  },
  // Only a real File from a drop or a file input has a path; the main process validates it again
  // (data.share takes absolute paths only) before reading anything.
  pathForFile(file: File): string {
    return webUtils.getPathForFile(file);
  },
  // The page names a content hash, never a path: main looks the fetched copy up in the node's records.
  showInFolder(contentHash: string): Promise<boolean> {
    return ipcRenderer.invoke('w2w:showInFolder', contentHash) as Promise<boolean>;
  },
};

contextBridge.exposeInMainWorld('w2w', api);
