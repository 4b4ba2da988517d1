// Builds a whole a2b MSG frame whose body is SEALED (PROTOCOL §7.6, §11.5) in one allocation: header,
// body header and the ciphertext sealed straight into its place, with no intermediate body or
// ciphertext buffer. The bytes are those of encodeFrame(MSG{body: encodeE2e(SEALED)}) (tested).
import { FrameType, MSG_FLAGS_MASK, Route } from '../../src-shared/protocol/constants.js';
import { E2eKind, SESSION_ID_BYTES, TAG_BYTES } from '../../src-shared/protocol/e2e.js';
import { randomFill } from '../crypto/random.js';
import type { E2eSession } from './session.js';

/** type, route, flags, hops | 16 id | 32 from | 32 to | u32 bodyLen */
const ID_AT = 4;
const FROM_AT = 20;
const TO_AT = 52;
const BODY_LEN_AT = 84;
const BODY_AT = 88;
/** in the body: u8 kind | 16 sessionId | u64 counter | ciphertext */
const SEALED_HEADER = 1 + SESSION_ID_BYTES + 8;

/** Bytes a sealed a2b MSG adds around its payload: MSG header, SEALED header and tag. */
export const SEALED_A2B_OVERHEAD = BODY_AT + SEALED_HEADER + TAG_BYTES;

export interface SealedA2b {
  frame: Buffer;
  /** the message ID: a view into `frame` */
  id: Buffer;
}

/**
 * Seals `payload` under `session` (which must have its ADs, i.e. know our ID) into a new MSG frame
 * from `from` to the session's peer. `id` is random unless given.
 */
export function buildSealedA2b(session: E2eSession, from: Uint8Array, payload: Uint8Array, flags: number, hops: number, id?: Uint8Array): SealedA2b {
  const ad = session.adToPeer;
  if (!ad) throw new Error('buildSealedA2b() needs a session made with our own ID (its ADs).');
  if ((flags & ~MSG_FLAGS_MASK) !== 0) throw new RangeError(`unknown MSG flags: ${flags}`);
  const bodyLen = SEALED_HEADER + payload.byteLength + TAG_BYTES;
  // allocUnsafe: every byte is written below (small frames come from Node's pool).
  const frame = Buffer.allocUnsafe(BODY_AT + bodyLen);
  frame[0] = FrameType.MSG;
  frame[1] = Route.A2B;
  frame[2] = flags;
  frame[3] = hops;
  const msgId = frame.subarray(ID_AT, FROM_AT);
  if (id) {
    if (id.byteLength !== msgId.byteLength) throw new RangeError('A message ID is 16 bytes.');
    msgId.set(id);
  } else {
    randomFill(msgId);
  }
  frame.set(from, FROM_AT);
  frame.set(session.peerId, TO_AT);
  frame.writeUInt32BE(bodyLen, BODY_LEN_AT);
  frame[BODY_AT] = E2eKind.SEALED;
  frame.set(session.sessionId, BODY_AT + 1);
  const counter = session.sealInto(frame.subarray(BODY_AT + SEALED_HEADER), ad.withId(msgId), payload);
  frame.writeUInt32BE(Math.floor(counter / 0x1_0000_0000), BODY_AT + 1 + SESSION_ID_BYTES);
  frame.writeUInt32BE(counter >>> 0, BODY_AT + 5 + SESSION_ID_BYTES);
  return { frame, id: msgId };
}
