// The narrow API the Electron preload exposes as `window.w2w` through contextBridge: exactly the node's
// API contract (call by name, subscribe to one event), so the renderer never sees ipcRenderer itself.
import type { NodeApi } from '../../../../src-shared/api/contract.js';

export type W2wPreloadApi = NodeApi;

declare global {
  interface Window {
    /** present only inside the Electron app (set by src-main/electron/preload.cts) */
    readonly w2w?: W2wPreloadApi;
  }
}
