// Long-running commands (node, share, listen) run until Ctrl-C, a termination signal, or until nobody
// reads their output any more, then shut down cleanly.
import { EventEmitter } from 'node:events';

/**
 * Asks long-running commands to stop as SIGTERM would. io.ts emits it when the reader of stdout or stderr
 * went away (`w2w listen | head -1`): Unix tools end quietly then, instead of dying on EPIPE with a stack trace.
 */
export const stopRequests = new EventEmitter<{ stop: [] }>();

/** Calls `stop` once on the first SIGINT, SIGTERM or stop request; returns a function that unhooks it. */
export function onStop(stop: () => void): () => void {
  const once = (): void => {
    off();
    stop();
  };
  const off = (): void => {
    process.off('SIGINT', once);
    process.off('SIGTERM', once);
    stopRequests.off('stop', once);
  };
  process.on('SIGINT', once);
  process.on('SIGTERM', once);
  stopRequests.on('stop', once);
  return off;
}

/** Resolves on the first SIGINT, SIGTERM or stop request, or when `also` emits `event` (e.g. a client's 'close'). */
export function untilStopSignal(also?: { emitter: EventEmitter; event: string }): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      off();
      also?.emitter.off(also.event, stop);
      resolve();
    };
    const off = onStop(stop);
    also?.emitter.on(also.event, stop);
  });
}
