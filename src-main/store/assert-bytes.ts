// Checks that IDs and message IDs handed to the repositories have their fixed sizes, so a caller's mistake
// throws a full sentence here instead of surfacing later as an opaque SQLite CHECK failure.
import { ID_BYTES, MSG_ID_BYTES } from '../../src-shared/protocol/constants.js';

/** Throws unless `value` is a Buffer of exactly `length` bytes. */
export function assertBytes(value: unknown, length: number, what: string): asserts value is Buffer {
  if (!Buffer.isBuffer(value)) {
    throw new TypeError(`The ${what} must be a Buffer of ${length} bytes.`);
  }
  if (value.length !== length) {
    throw new RangeError(`The ${what} must be ${length} bytes long, but it is ${value.length}.`);
  }
}

/** Throws unless `value` is a 32-byte ID (an Ed25519 public key). */
export function assertId(value: unknown, what = 'ID'): asserts value is Buffer {
  assertBytes(value, ID_BYTES, what);
}

/** Throws unless `value` is a 16-byte message ID. */
export function assertMsgId(value: unknown, what = 'message ID'): asserts value is Buffer {
  assertBytes(value, MSG_ID_BYTES, what);
}

/** Throws unless `value` is a non-negative safe integer (timestamps, counts). */
export function assertMs(value: unknown, what = 'time'): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`The ${what} must be a non-negative integer of milliseconds.`);
  }
}
