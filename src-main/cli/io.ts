// Where the CLI writes: stdout for results, stderr for progress and errors (tests swap these).
import { stopRequests } from './signals.js';

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

export const processIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

let watching = false;

/**
 * Makes a closed stdout or stderr pipe (its reader exited: `w2w listen --json | head -1`) a request to stop
 * instead of a crash: without an 'error' listener, Node throws the EPIPE as an uncaught exception, which
 * would kill a running node mid-write with a stack trace. What is written after that is dropped.
 */
export function watchProcessOutput(): void {
  if (watching) return;
  watching = true;
  let asked = false;
  // Any write error (EPIPE, or a full disk behind a redirect) leaves nothing to print it on: stop cleanly.
  const onError = (): void => {
    if (!asked) {
      asked = true;
      stopRequests.emit('stop');
    }
  };
  process.stdout.on('error', onError);
  process.stderr.on('error', onError);
}
