// What the UI talks through: the node's API contract (call + events) plus the connection's state.
// Two implementations: the web bridge (a WebSocket to /api) and Electron IPC (the preload's window.w2w).
import type { ErrorView, NodeApi } from '../../../../src-shared/api/contract.js';

export type ConnectionState =
  /** dialling (first time or again after a drop) */
  | 'connecting'
  | 'open'
  /** dropped; the transport retries by itself */
  | 'closed'
  /** the node no longer accepts this page (e.g. it restarted with a new token): a reload won't help */
  | 'unauthorized';

export interface Transport extends NodeApi {
  readonly kind: 'bridge' | 'ipc';
  readonly state: ConnectionState;
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
