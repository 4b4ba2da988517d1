// Long-running commands (node, share) run until Ctrl-C or a termination signal, then shut down cleanly.
import type { EventEmitter } from 'node:events';

/** Resolves on the first SIGINT or SIGTERM, or when `also` emits `event` (e.g. a client's 'close'). */
export function untilStopSignal(also?: { emitter: EventEmitter; event: string }): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      also?.emitter.off(also.event, stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    also?.emitter.on(also.event, stop);
  });
}
