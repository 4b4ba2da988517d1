// What the UI talks through: the node's API contract (call + events) plus the connection's state.
// Two implementations: the web bridge (a WebSocket to /api) and Electron IPC (the preload's window.w2w).
import type { ApiResult, ErrorView, NodeApi } from '../../../../src-shared/api/contract.js';

export type ConnectionState =
  /** dialling (first time or again after a drop) */
  | 'connecting'
  | 'open'
  /** dropped; the transport retries by itself */
  | 'closed'
  /** the node no longer accepts this page (e.g. it restarted with a new token): a reload won't help */
  | 'unauthorized';

/** A file the node can now read: the path to pass to data.share, and the name to declare it under. */
export interface StagedFile {
  path: string;
  name: string;
  size: number;
}

export type UploadProgress = (sent: number, total: number) => void;

export interface Transport extends NodeApi {
  readonly kind: 'bridge' | 'ipc';
  readonly state: ConnectionState;
  /**
   * Makes a file the user dropped or picked readable by the node. The desktop app passes the file's
   * own path (no copy); the browser uploads it into the node's staging dir.
   */
  stageFile(file: File, onProgress?: UploadProgress): Promise<ApiResult<StagedFile>>;
  /** Where the browser saves a fetched file (by its name in the node's downloads dir); null in the desktop app, where it is already on this disk. */
  downloadUrl(name: string): string | null;
  /** The desktop app can open a fetched file's folder in the OS file manager; a browser cannot. */
  readonly canShowInFolder: boolean;
  /** Shows the fetched copy of `contentHash` in its folder (desktop app); false when there is none on disk. */
  showInFolder(contentHash: string): Promise<boolean>;
  /** Calls `listener` on every change of state; returns the unsubscribe function. */
  onState(listener: (state: ConnectionState) => void): () => void;
  close(): void;
}

/**
 * The error a call resolves with when it never reached the node or its answer was lost. Code 0 is not
 * one of the node's codes (src-shared/protocol/errors.ts): it is local to the renderer's transports.
 */
export function notConnected(message: string): ErrorView {
  return { code: 0, name: 'NOT_CONNECTED', message };
}

/** A failure of the renderer's own file plumbing (code 0, like NOT_CONNECTED): UPLOAD_TOO_LARGE, UPLOAD_FAILED, NO_FILE_PATH. */
export function fileError(name: 'UPLOAD_TOO_LARGE' | 'UPLOAD_FAILED' | 'NO_FILE_PATH', message: string): ErrorView {
  return { code: 0, name, message };
}
