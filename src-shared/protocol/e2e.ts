// End-to-end bodies: what clients put in a MSG body so that relays carry only what they cannot read
// or alter undetected. Relays never parse these; only the two ends do. Layouts (big-endian):
//
//   HANDSHAKE    u8 0x01 | 16 hsId | an HS1, HS2 or HS3 frame (with its type byte), context e2e
//   SEALED       u8 0x02 | 16 sessionId | u64 counter | ciphertext (XChaCha20-Poly1305, >= 16 bytes)
//   SEALED_MULTI u8 0x03 | u8 n | n x (32 recipient | 16 sessionId | u64 counter | u32 len | len ciphertext)
//   SIGNED       u8 0x04 | 64 sig | payload            (a2n: public, but the sender is proven)
//   BOX          u8 0x05 | 32 ephemeral | 64 sig | ciphertext   (to an offline recipient's identity)
//   REJECT       u8 0x06 | 16 ref | u16 code           ("I cannot open that": unknown session, replay...)
//
// The plaintext inside SEALED, SEALED_MULTI, BOX and SIGNED is an application payload: u8 kind | data.
import { ByteReader, ByteWriter } from './bytes.js';
import { ID_BYTES, MSG_ID_BYTES, Route, SIGNATURE_BYTES } from './constants.js';
import { ErrorCode, W2wError } from './errors.js';
import { decodeFrame, type Hs1Frame, type Hs2Frame, type Hs3Frame, type MsgTarget } from './frames.js';

export const E2eKind = {
  HANDSHAKE: 0x01,
  SEALED: 0x02,
  SEALED_MULTI: 0x03,
  SIGNED: 0x04,
  BOX: 0x05,
  REJECT: 0x06,
} as const;

/** Application payload kinds (first byte of a plaintext). */
export const PayloadKind = {
  TEXT: 0x01,
} as const;

/** Parts in one SEALED_MULTI: a group message reaches at most this many members other than its sender. */
export const MAX_SEALED_PARTS = 64;
export const SESSION_ID_BYTES = 16;
export const HS_ID_BYTES = 16;
export const TAG_BYTES = 16;
export const EPHEMERAL_BYTES = 32;

export interface SealedPart {
  recipient: Uint8Array;
  sessionId: Uint8Array;
  counter: number;
  ciphertext: Uint8Array;
}

export type E2eBody =
  | { kind: typeof E2eKind.HANDSHAKE; hsId: Uint8Array; frame: Hs1Frame | Hs2Frame | Hs3Frame; frameBytes: Uint8Array }
  | { kind: typeof E2eKind.SEALED; sessionId: Uint8Array; counter: number; ciphertext: Uint8Array }
  | { kind: typeof E2eKind.SEALED_MULTI; parts: SealedPart[] }
  | { kind: typeof E2eKind.SIGNED; sig: Uint8Array; payload: Uint8Array }
  | { kind: typeof E2eKind.BOX; ephemeral: Uint8Array; sig: Uint8Array; ciphertext: Uint8Array }
  | { kind: typeof E2eKind.REJECT; ref: Uint8Array; code: number };

function encodedSizeHint(b: E2eBody): number {
  switch (b.kind) {
    case E2eKind.HANDSHAKE:
      return 1 + HS_ID_BYTES + b.frameBytes.byteLength;
    case E2eKind.SEALED:
      return 1 + SESSION_ID_BYTES + 8 + b.ciphertext.byteLength;
    case E2eKind.SEALED_MULTI:
      return 2 + b.parts.reduce((n, p) => n + ID_BYTES + SESSION_ID_BYTES + 12 + p.ciphertext.byteLength, 0);
    case E2eKind.SIGNED:
      return 1 + SIGNATURE_BYTES + b.payload.byteLength;
    case E2eKind.BOX:
      return 1 + EPHEMERAL_BYTES + SIGNATURE_BYTES + b.ciphertext.byteLength;
    case E2eKind.REJECT:
      return 19;
  }
}

export function encodeE2e(b: E2eBody): Uint8Array {
  // Sized up front: growing a writer from a small buffer costs copies on every sealed message.
  const w = new ByteWriter(encodedSizeHint(b));
  w.u8(b.kind);
  switch (b.kind) {
    case E2eKind.HANDSHAKE:
      w.fixed(b.hsId, HS_ID_BYTES, 'hsId').raw(b.frameBytes);
      break;
    case E2eKind.SEALED:
      w.fixed(b.sessionId, SESSION_ID_BYTES, 'sessionId').u64(b.counter).raw(b.ciphertext);
      break;
    case E2eKind.SEALED_MULTI:
      if (b.parts.length < 1 || b.parts.length > MAX_SEALED_PARTS) throw new RangeError(`SEALED_MULTI holds 1..${MAX_SEALED_PARTS} parts`);
      w.u8(b.parts.length);
      for (const p of b.parts) {
        w.fixed(p.recipient, ID_BYTES, 'recipient').fixed(p.sessionId, SESSION_ID_BYTES, 'sessionId').u64(p.counter);
        w.u32(p.ciphertext.byteLength).raw(p.ciphertext);
      }
      break;
    case E2eKind.SIGNED:
      w.fixed(b.sig, SIGNATURE_BYTES, 'sig').raw(b.payload);
      break;
    case E2eKind.BOX:
      w.fixed(b.ephemeral, EPHEMERAL_BYTES, 'ephemeral').fixed(b.sig, SIGNATURE_BYTES, 'sig').raw(b.ciphertext);
      break;
    case E2eKind.REJECT:
      w.fixed(b.ref, 16, 'ref').u16(b.code);
      break;
  }
  return w.finish();
}

function decodeUnchecked(bytes: Uint8Array): E2eBody {
  const r = new ByteReader(bytes);
  const kind = r.u8('e2e kind');
  switch (kind) {
    case E2eKind.HANDSHAKE: {
      const hsId = r.bytes(HS_ID_BYTES, 'hsId');
      const frameBytes = r.bytes(r.remaining, 'handshake frame');
      const d = decodeFrame(frameBytes);
      if (!d.ok) throw d.error;
      const f = d.frame;
      if (f.type !== 0x02 && f.type !== 0x03 && f.type !== 0x04) throw new W2wError(ErrorCode.MALFORMED_FRAME, 'e2e handshake carries a non-handshake frame');
      return { kind, hsId, frame: f, frameBytes };
    }
    case E2eKind.SEALED: {
      const sessionId = r.bytes(SESSION_ID_BYTES, 'sessionId');
      const counter = r.u64('counter');
      const ciphertext = r.bytes(r.remaining, 'ciphertext');
      if (ciphertext.byteLength < TAG_BYTES) throw new W2wError(ErrorCode.MALFORMED_FRAME, 'ciphertext shorter than its tag');
      return { kind, sessionId, counter, ciphertext };
    }
    case E2eKind.SEALED_MULTI: {
      const n = r.u8('part count');
      if (n < 1 || n > MAX_SEALED_PARTS) throw new W2wError(ErrorCode.MALFORMED_FRAME, `SEALED_MULTI holds 1..${MAX_SEALED_PARTS} parts, got ${n}`);
      const parts: SealedPart[] = [];
      for (let i = 0; i < n; i++) {
        const recipient = r.bytes(ID_BYTES, 'recipient');
        const sessionId = r.bytes(SESSION_ID_BYTES, 'sessionId');
        const counter = r.u64('counter');
        const len = r.u32('ciphertext length');
        if (len < TAG_BYTES) throw new W2wError(ErrorCode.MALFORMED_FRAME, 'ciphertext shorter than its tag');
        parts.push({ recipient, sessionId, counter, ciphertext: r.bytes(len, 'ciphertext') });
      }
      r.end('SEALED_MULTI');
      return { kind, parts };
    }
    case E2eKind.SIGNED:
      return { kind, sig: r.bytes(SIGNATURE_BYTES, 'sig'), payload: r.bytes(r.remaining, 'payload') };
    case E2eKind.BOX: {
      const ephemeral = r.bytes(EPHEMERAL_BYTES, 'ephemeral');
      const sig = r.bytes(SIGNATURE_BYTES, 'sig');
      const ciphertext = r.bytes(r.remaining, 'ciphertext');
      if (ciphertext.byteLength < TAG_BYTES) throw new W2wError(ErrorCode.MALFORMED_FRAME, 'ciphertext shorter than its tag');
      return { kind, ephemeral, sig, ciphertext };
    }
    case E2eKind.REJECT: {
      const f = { kind, ref: r.bytes(16, 'ref'), code: r.u16('code') } as const;
      r.end('REJECT');
      return f;
    }
    default:
      throw new W2wError(ErrorCode.MALFORMED_FRAME, `unknown e2e body kind 0x${kind.toString(16)}`);
  }
}

export type E2eDecodeResult = { ok: true; body: E2eBody } | { ok: false; error: W2wError };

/** Strict decode of an untrusted MSG body; never throws. */
export function decodeE2e(bytes: Uint8Array): E2eDecodeResult {
  try {
    return { ok: true, body: decodeUnchecked(bytes) };
  } catch (err) {
    return { ok: false, error: err instanceof W2wError ? err : new W2wError(ErrorCode.MALFORMED_FRAME, 'undecodable e2e body') };
  }
}

/**
 * The associated data every end-to-end ciphertext and signature is bound to: the envelope as the
 * sender addressed it (route, message ID, sender, recipients), but not the hop count relays change.
 *   "w2w/1 ad" | u8 route | 16 msgId | 32 from | target bytes (as in MSG)
 */
const AD_LABEL = new TextEncoder().encode('w2w/1 ad');

export function envelopeAd(target: MsgTarget, msgId: Uint8Array, from: Uint8Array): Uint8Array {
  const w = new ByteWriter(128);
  w.raw(AD_LABEL).u8(target.route).fixed(msgId, MSG_ID_BYTES, 'msgId').fixed(from, ID_BYTES, 'from');
  switch (target.route) {
    case Route.A2B:
      w.fixed(target.to, ID_BYTES, 'to');
      break;
    case Route.A2G_LIST:
      w.u8(target.to.length);
      for (const id of target.to) w.fixed(id, ID_BYTES, 'to');
      break;
    case Route.A2G_NAMED:
      w.str8(target.group, 64, 'group');
      break;
    case Route.A2A:
    case Route.A2N:
      break;
  }
  return w.finish();
}
