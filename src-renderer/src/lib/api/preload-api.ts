// The narrow API the Electron preload exposes as `window.w2w` through contextBridge: the node's API
// contract (call by name, subscribe to one event) plus the real path of a dropped or picked File
// (webUtils.getPathForFile), so the renderer never sees ipcRenderer itself.
import type { NodeApi } from '../../../../src-shared/api/contract.js';

export interface W2wPreloadApi extends NodeApi {
  /** the file's path on this disk; "" for a File that has none (made in the page) */
  pathForFile(file: File): string;
  /** opens the folder of this node's fetched copy of a content (main finds the path; the page never names one) */
  showInFolder(contentHash: string): Promise<boolean>;
}

declare global {
  interface Window {
    /** present only inside the Electron app (set by src-main/electron/preload.cts) */
    readonly w2w?: W2wPreloadApi;
  }
}
