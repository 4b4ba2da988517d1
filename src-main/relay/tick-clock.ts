// One clock read per synchronous run of the event loop. A socket read hands the relay many frames in
// one run; they arrived together, so the token buckets may take them all at the same instant. The
// cached time is dropped when the run's microtasks drain, so it is never older than the current run.
let cached = -1;
const forget = (): void => {
  cached = -1;
};

export function tickNow(): number {
  if (cached < 0) {
    cached = performance.now();
    queueMicrotask(forget);
  }
  return cached;
}
