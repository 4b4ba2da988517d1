// Cheap WebSocket wire work for the load generators, so that the server under test, not the client,
// sets the pace: client frames are built and masked once and then written to the socket as they are,
// and received frames are counted by reading only their headers (RFC 6455 section 5.2).
import { randomBytes } from 'node:crypto';

const OPCODE_BINARY = 0x2;
const FIN = 0x80;
const MASK_BIT = 0x80;

/** A complete masked client-to-server binary frame carrying `payload` (one fixed mask key per frame). */
export function maskedClientFrame(payload: Uint8Array): Buffer {
  const len = payload.byteLength;
  const headerLen = len < 126 ? 2 : len < 0x10000 ? 4 : 10;
  const out = Buffer.alloc(headerLen + 4 + len);
  out[0] = FIN | OPCODE_BINARY;
  if (len < 126) {
    out[1] = MASK_BIT | len;
  } else if (len < 0x10000) {
    out[1] = MASK_BIT | 126;
    out.writeUInt16BE(len, 2);
  } else {
    out[1] = MASK_BIT | 127;
    out.writeBigUInt64BE(BigInt(len), 2);
  }
  const mask = randomBytes(4);
  mask.copy(out, headerLen);
  const body = headerLen + 4;
  for (let i = 0; i < len; i++) out[body + i] = (payload[i] as number) ^ (mask[i & 3] as number);
  return out;
}

/** Offset of a MSG frame's 16-byte ID in its payload: u8 type | u8 route | u8 flags | u8 hops | 16 id. */
const MSG_ID_OFFSET = 4;

/**
 * Writes `counter` into the last 8 bytes of the ID of the MSG in a masked client frame that starts at
 * `at` in `buf`, through the frame's mask. Federated relays drop a message whose (sender, ID) they have
 * seen, so federation flows give every message its own ID this way: 8 byte writes, no re-encoding.
 */
export function stampMsgId(buf: Buffer, at: number, counter: number): void {
  const len7 = (buf[at + 1] as number) & 0x7f;
  const maskAt = at + (len7 < 126 ? 2 : len7 === 126 ? 4 : 10);
  const idEnd = maskAt + 4 + MSG_ID_OFFSET + 16;
  let hi = Math.floor(counter / 0x1_0000_0000);
  let lo = counter >>> 0;
  for (let j = 1; j <= 8; j++) {
    const i = idEnd - j;
    const byte = j <= 4 ? lo & 0xff : hi & 0xff;
    if (j <= 4) lo >>>= 8;
    else hi >>>= 8;
    buf[i] = byte ^ (buf[maskAt + ((i - maskAt - 4) & 3)] as number);
  }
}

/** `n` copies of one frame back to back: a sender writes a prefix of this in one socket write. */
export function repeatFrame(frame: Buffer, n: number): Buffer {
  const out = Buffer.alloc(frame.byteLength * n);
  for (let i = 0; i < n; i++) frame.copy(out, i * frame.byteLength);
  return out;
}

/**
 * Counts the server-to-client frames in a byte stream. Binary frames whose first payload byte is
 * `expectType` (or any binary frame when it is null) are messages; those whose first byte is
 * `otherType` (if given) are counted apart as `others`; the rest are "unexpected". Control frames
 * (ping, pong, close) are ignored.
 */
export class FrameCounter {
  messages = 0;
  unexpected = 0;
  others = 0;
  private readonly header = Buffer.alloc(10);
  private headerLen = 0;
  private remaining = 0;
  private binary = false;
  private firstPending = false;
  private first = -1;

  constructor(
    private readonly expectType: number | null,
    /** called once per completed message frame (for round trips) */
    private readonly onMessage: (() => void) | null = null,
    private readonly otherType: number | null = null,
  ) {}

  push(chunk: Buffer): void {
    const n = chunk.byteLength;
    let i = 0;
    while (i < n) {
      if (this.remaining > 0) {
        if (this.firstPending) {
          this.first = chunk[i] as number;
          this.firstPending = false;
        }
        const take = Math.min(this.remaining, n - i);
        i += take;
        this.remaining -= take;
        if (this.remaining === 0) this.endFrame();
        continue;
      }
      this.header[this.headerLen++] = chunk[i++] as number;
      if (this.headerLen < 2) continue;
      const len7 = (this.header[1] as number) & 0x7f;
      const need = len7 < 126 ? 2 : len7 === 126 ? 4 : 10;
      if (this.headerLen < need) continue;
      const len = len7 < 126 ? len7 : len7 === 126 ? this.header.readUInt16BE(2) : Number(this.header.readBigUInt64BE(2));
      this.binary = ((this.header[0] as number) & 0x0f) === OPCODE_BINARY;
      this.headerLen = 0;
      this.first = -1;
      this.remaining = len;
      this.firstPending = this.binary && len > 0;
      if (len === 0) this.endFrame();
    }
  }

  private endFrame(): void {
    if (!this.binary) return;
    if (this.expectType === null || this.first === this.expectType) {
      this.messages++;
      this.onMessage?.();
    } else if (this.otherType !== null && this.first === this.otherType) {
      this.others++;
    } else {
      this.unexpected++;
    }
  }
}
