// Bounds-checked big-endian reader and growable writer for frame bodies (pure: no Node Buffer).
import { ErrorCode, W2wError } from './errors.js';

const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8Encoder = new TextEncoder();

export function utf8Encode(text: string): Uint8Array {
  return utf8Encoder.encode(text);
}

/** Strict UTF-8 decode: invalid sequences are a malformed frame, never replaced silently. */
export function utf8Decode(bytes: Uint8Array): string {
  try {
    return utf8Decoder.decode(bytes);
  } catch {
    throw new W2wError(ErrorCode.MALFORMED_FRAME, 'string field is not valid UTF-8');
  }
}

/**
 * Reads fields from untrusted bytes. Every read checks the remaining length first and
 * throws a W2wError(MALFORMED_FRAME) naming the field, so a short frame can never read past its end.
 */
export class ByteReader {
  private offset = 0;
  private readonly view: DataView;

  constructor(private readonly src: Uint8Array) {
    this.view = new DataView(src.buffer, src.byteOffset, src.byteLength);
  }

  get remaining(): number {
    return this.src.byteLength - this.offset;
  }

  private need(n: number, field: string): void {
    if (this.remaining < n) {
      throw new W2wError(ErrorCode.MALFORMED_FRAME, `frame too short for ${field}: need ${n} bytes, have ${this.remaining}`);
    }
  }

  u8(field: string): number {
    this.need(1, field);
    return this.view.getUint8(this.offset++);
  }

  u16(field: string): number {
    this.need(2, field);
    const v = this.view.getUint16(this.offset);
    this.offset += 2;
    return v;
  }

  u32(field: string): number {
    this.need(4, field);
    const v = this.view.getUint32(this.offset);
    this.offset += 4;
    return v;
  }

  /** u64 read as a JS number; values above 2^53-1 are malformed (times in ms never get there). */
  u64(field: string): number {
    this.need(8, field);
    const hi = this.view.getUint32(this.offset);
    const lo = this.view.getUint32(this.offset + 4);
    this.offset += 8;
    if (hi > 0x1fffff) throw new W2wError(ErrorCode.MALFORMED_FRAME, `${field} exceeds 2^53-1`);
    return hi * 0x1_0000_0000 + lo;
  }

  /** A view (not a copy) of the next n bytes. */
  bytes(n: number, field: string): Uint8Array {
    this.need(n, field);
    const out = this.src.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  str8(field: string, maxBytes: number): string {
    const n = this.u8(`${field} length`);
    return this.strBody(n, field, maxBytes);
  }

  str16(field: string, maxBytes: number): string {
    const n = this.u16(`${field} length`);
    return this.strBody(n, field, maxBytes);
  }

  private strBody(n: number, field: string, maxBytes: number): string {
    if (n > maxBytes) throw new W2wError(ErrorCode.MALFORMED_FRAME, `${field} is ${n} bytes, limit ${maxBytes}`);
    return utf8Decode(this.bytes(n, field));
  }

  /** Strictness: a frame with bytes after its last field is malformed. */
  end(frameName: string): void {
    if (this.remaining !== 0) {
      throw new W2wError(ErrorCode.MALFORMED_FRAME, `${frameName} has ${this.remaining} trailing bytes`);
    }
  }
}

/** Builds a frame. Caller mistakes (values out of range) throw RangeError at once. */
export class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  private offset = 0;

  constructor(initialSize = 256) {
    this.buf = new Uint8Array(initialSize);
    this.view = new DataView(this.buf.buffer);
  }

  private ensure(n: number): void {
    if (this.offset + n <= this.buf.byteLength) return;
    let size = this.buf.byteLength * 2;
    while (size < this.offset + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.offset));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xff) throw new RangeError(`u8 out of range: ${v}`);
    this.ensure(1);
    this.view.setUint8(this.offset++, v);
    return this;
  }

  u16(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new RangeError(`u16 out of range: ${v}`);
    this.ensure(2);
    this.view.setUint16(this.offset, v);
    this.offset += 2;
    return this;
  }

  u32(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xffff_ffff) throw new RangeError(`u32 out of range: ${v}`);
    this.ensure(4);
    this.view.setUint32(this.offset, v);
    this.offset += 4;
    return this;
  }

  u64(v: number): this {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`u64 out of range: ${v}`);
    this.ensure(8);
    this.view.setUint32(this.offset, Math.floor(v / 0x1_0000_0000));
    this.view.setUint32(this.offset + 4, v >>> 0);
    this.offset += 8;
    return this;
  }

  /** Exactly n bytes; a different length is a caller mistake. */
  fixed(bytes: Uint8Array, n: number, field: string): this {
    if (bytes.byteLength !== n) throw new RangeError(`${field} must be ${n} bytes, got ${bytes.byteLength}`);
    return this.raw(bytes);
  }

  raw(bytes: Uint8Array): this {
    this.ensure(bytes.byteLength);
    this.buf.set(bytes, this.offset);
    this.offset += bytes.byteLength;
    return this;
  }

  str8(text: string, maxBytes: number, field: string): this {
    const b = utf8Encode(text);
    if (b.byteLength > Math.min(maxBytes, 0xff)) throw new RangeError(`${field} is ${b.byteLength} bytes, limit ${maxBytes}`);
    return this.u8(b.byteLength).raw(b);
  }

  str16(text: string, maxBytes: number, field: string): this {
    const b = utf8Encode(text);
    if (b.byteLength > Math.min(maxBytes, 0xffff)) throw new RangeError(`${field} is ${b.byteLength} bytes, limit ${maxBytes}`);
    return this.u16(b.byteLength).raw(b);
  }

  finish(): Uint8Array {
    // Sized exactly (the usual case for fixed-size frames): hand over the buffer itself, no copy. A
    // later write would find it full and move to a new buffer, so the returned bytes never change.
    return this.offset === this.buf.byteLength ? this.buf : this.buf.slice(0, this.offset);
  }
}
