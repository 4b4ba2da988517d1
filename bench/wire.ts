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

/** `n` copies of one frame back to back: a sender writes a prefix of this in one socket write. */
export function repeatFrame(frame: Buffer, n: number): Buffer {
  const out = Buffer.alloc(frame.byteLength * n);
  for (let i = 0; i < n; i++) frame.copy(out, i * frame.byteLength);
  return out;
}

/**
 * Counts the server-to-client frames in a byte stream. Binary frames whose first payload byte is
 * `expectType` (or any binary frame when it is null) are messages; other frames are "unexpected".
 * Control frames (ping, pong, close) are ignored.
 */
export class FrameCounter {
  messages = 0;
  unexpected = 0;
  private readonly header = Buffer.alloc(10);
  private headerLen = 0;
  private remaining = 0;
  private binary = false;
  private firstPending = false;
  private firstOk = true;

  constructor(
    private readonly expectType: number | null,
    /** called once per completed message frame (for round trips) */
    private readonly onMessage: (() => void) | null = null,
  ) {}

  push(chunk: Buffer): void {
    const n = chunk.byteLength;
    let i = 0;
    while (i < n) {
      if (this.remaining > 0) {
        if (this.firstPending) {
          this.firstOk = chunk[i] === this.expectType;
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
      this.firstOk = true;
      this.remaining = len;
      this.firstPending = this.binary && this.expectType !== null && len > 0;
      if (len === 0) this.endFrame();
    }
  }

  private endFrame(): void {
    if (!this.binary) return;
    if (this.firstOk) {
      this.messages++;
      this.onMessage?.();
    } else {
      this.unexpected++;
    }
  }
}
