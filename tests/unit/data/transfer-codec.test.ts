// Transfer payload codecs (src-shared/protocol/transfer.ts): every kind round-trips, literal hex fixtures
// pin the byte layouts, and every malformed input decodes to MALFORMED_FRAME instead of throwing.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src-shared/protocol/errors.js';
import { Access, encodeCore, type DeclarationCore, type Holding } from '../../../src-shared/protocol/declaration.js';
import {
  CHUNK_FRAME_OVERHEAD,
  CHUNK_HEADER_BYTES,
  writeChunkHeader,
  DeleteStatus,
  TransferCode,
  TransferKind,
  TransferLimits,
  decodeTransfer,
  deleteReceiptMessage,
  deleteRequestMessage,
  encodeTransfer,
  isTransferKind,
  transferCodeName,
  type TransferPayload,
} from '../../../src-shared/protocol/transfer.js';
import { fromHex, toHex } from '../../../src-shared/ids.js';

const H = new Uint8Array(32).fill(0xaa);
const hex = (b: Uint8Array): string => toHex(b);
const bytes = (h: string): Uint8Array => fromHex(h.replace(/\s+/g, '')) as Uint8Array;
const AA = 'aa'.repeat(32);

function holding(): Holding {
  const core: DeclarationCore = {
    contentHash: H,
    treeRoot: new Uint8Array(32).fill(0xbb),
    size: 100,
    chunkSize: 1024,
    name: 'n',
    mime: 'm',
    createdMs: 5,
    owner: new Uint8Array(32).fill(1),
    access: { kind: Access.PUBLIC },
    flags: 0,
  };
  return { core, coreBytes: encodeCore(core), ownerSig: new Uint8Array(64).fill(2), holder: new Uint8Array(32).fill(3), heldSinceMs: 6, holderSig: new Uint8Array(64).fill(4) };
}

const samples: TransferPayload[] = [
  { kind: TransferKind.FETCH, contentHash: H, first: 7, count: 16 },
  { kind: TransferKind.HASHES_REQ, contentHash: H, first: 0, count: 2048 },
  { kind: TransferKind.HASHES, contentHash: H, first: 2, hashes: new Uint8Array(64).fill(9) },
  { kind: TransferKind.CHUNK, contentHash: H, index: 3, data: new Uint8Array([1, 2, 3]) },
  { kind: TransferKind.DENY, contentHash: H, code: TransferCode.FILE_GONE, reason: 'the file vanished' },
  { kind: TransferKind.DELETE_REQ, contentHash: H, timeMs: 1_700_000_000_000, ownerSig: new Uint8Array(64).fill(5) },
  { kind: TransferKind.DELETE_RECEIPT, contentHash: H, status: DeleteStatus.REFUSED, timeMs: 42, holderSig: new Uint8Array(64).fill(6) },
];

describe('transfer payload codecs', () => {
  it.each(samples.map((s) => [s.kind, s] as const))('round-trips kind 0x%s', (_kind, p) => {
    const d = decodeTransfer(encodeTransfer(p));
    expect(d.ok).toBe(true);
    expect(d.ok && d.payload).toEqual(p);
  });

  it('round-trips HOLDING_NOTICE (the holding exactly as encoded)', () => {
    const h = holding();
    const d = decodeTransfer(encodeTransfer({ kind: TransferKind.HOLDING_NOTICE, holding: h }));
    expect(d.ok).toBe(true);
    if (!d.ok || d.payload.kind !== TransferKind.HOLDING_NOTICE) return;
    expect(hex(d.payload.holding.coreBytes)).toBe(hex(h.coreBytes));
    expect(d.payload.holding.heldSinceMs).toBe(6);
  });

  it('pins the byte layouts with literal fixtures', () => {
    expect(hex(encodeTransfer(samples[0] as TransferPayload))).toBe(`10${AA}0000000700000010`);
    expect(hex(encodeTransfer(samples[1] as TransferPayload))).toBe(`11${AA}000000000800`);
    expect(hex(encodeTransfer(samples[3] as TransferPayload))).toBe(`13${AA}00000003010203`);
    expect(hex(encodeTransfer({ kind: TransferKind.DENY, contentHash: H, code: 3, reason: 'no' }))).toBe(`14${AA}00030002${'6e6f'}`);
    expect(hex(encodeTransfer(samples[6] as TransferPayload))).toBe(`16${AA}02000000000000002a${'06'.repeat(64)}`);
    // the signed messages
    expect(hex(deleteRequestMessage(H, 258))).toBe(`${hex(new TextEncoder().encode('w2w/1 delete'))}${AA}0000000000000102`);
    expect(hex(deleteReceiptMessage(H, DeleteStatus.DELETED, 1))).toBe(`${hex(new TextEncoder().encode('w2w/1 deleted'))}${AA}010000000000000001`);
  });

  const malformed: [string, string][] = [
    ['empty', ''],
    ['unknown kind', `18${AA}`],
    ['a text payload is not a transfer payload', '0168656c6c6f'],
    ['short contentHash', `10${'aa'.repeat(31)}`],
    ['FETCH without count', `10${AA}00000007`],
    ['FETCH count 0', `10${AA}0000000700000000`],
    ['FETCH count over the window', `10${AA}0000000700000041`],
    ['FETCH trailing byte', `10${AA}000000070000001000`],
    ['HASHES_REQ count 0', `11${AA}000000000000`],
    ['HASHES_REQ count over 2048', `11${AA}000000000801`],
    ['HASHES fewer hashes than n', `12${AA}000000000002${'09'.repeat(32)}`],
    ['HASHES a byte over n hashes', `12${AA}000000000001${'09'.repeat(33)}`],
    ['CHUNK without data', `13${AA}00000003`],
    ['DENY code 0', `14${AA}00000000`],
    ['DENY code 100 (fetcher-side codes never travel)', `14${AA}00640000`],
    ['DENY reason longer than said', `14${AA}0004000568`],
    ['DENY reason not UTF-8', `14${AA}00040001ff`],
    ['DENY reason over 1024 bytes', `14${AA}00040401${'61'.repeat(1025)}`],
    ['DELETE_REQ short signature', `15${AA}0000000000000001${'05'.repeat(63)}`],
    ['DELETE_REQ trailing byte', `15${AA}0000000000000001${'05'.repeat(65)}`],
    ['DELETE_REQ time over 2^53', `15${AA}ffffffffffffffff${'05'.repeat(64)}`],
    ['DELETE_RECEIPT status 0', `16${AA}000000000000000001${'06'.repeat(64)}`],
    ['DELETE_RECEIPT status 4', `16${AA}040000000000000001${'06'.repeat(64)}`],
    ['HOLDING_NOTICE not a holding', '1701'],
  ];

  it.each(malformed)('rejects %s as MALFORMED_FRAME, never throwing', (_note, h) => {
    const d = decodeTransfer(bytes(h));
    expect(d.ok).toBe(false);
    if (!d.ok) expect(d.error.code).toBe(ErrorCode.MALFORMED_FRAME);
  });

  it('rejects an oversized CHUNK and a HOLDING_NOTICE with trailing bytes', () => {
    const big = new Uint8Array(37 + TransferLimits.MAX_CHUNK + 1);
    big[0] = TransferKind.CHUNK;
    expect(decodeTransfer(big).ok).toBe(false);
    const notice = encodeTransfer({ kind: TransferKind.HOLDING_NOTICE, holding: holding() });
    expect(decodeTransfer(new Uint8Array([...notice, 0])).ok).toBe(false);
    expect(decodeTransfer(notice.subarray(0, notice.byteLength - 1)).ok).toBe(false);
  });

  it('throws RangeError at once on a caller mistake when encoding', () => {
    expect(() => encodeTransfer({ kind: TransferKind.FETCH, contentHash: H, first: 0, count: 0 })).toThrow(RangeError);
    expect(() => encodeTransfer({ kind: TransferKind.FETCH, contentHash: new Uint8Array(31), first: 0, count: 1 })).toThrow(RangeError);
    expect(() => encodeTransfer({ kind: TransferKind.HASHES, contentHash: H, first: 0, hashes: new Uint8Array(33) })).toThrow(RangeError);
    expect(() => encodeTransfer({ kind: TransferKind.CHUNK, contentHash: H, index: 0, data: new Uint8Array(0) })).toThrow(RangeError);
    expect(() => encodeTransfer({ kind: TransferKind.DENY, contentHash: H, code: TransferCode.NO_HOLDER, reason: '' })).toThrow(RangeError);
    expect(() => encodeTransfer({ kind: TransferKind.DENY, contentHash: H, code: 1, reason: 'x'.repeat(1025) })).toThrow(RangeError);
  });

  it('names codes and kinds', () => {
    expect(transferCodeName(TransferCode.NOT_GROUP_MEMBER)).toBe('NOT_GROUP_MEMBER');
    expect(transferCodeName(77)).toBe('T77');
    expect(isTransferKind(0x01)).toBe(false);
    expect(isTransferKind(0x10)).toBe(true);
    expect(isTransferKind(0x17)).toBe(true);
    expect(isTransferKind(undefined)).toBe(false);
  });

  it('sizes the CHUNK overhead so a default 64 KiB chunk fits the default 128 KiB frame, and 128 KiB does not', () => {
    expect(64 * 1024 + CHUNK_FRAME_OVERHEAD).toBeLessThanOrEqual(128 * 1024);
    expect(128 * 1024 + CHUNK_FRAME_OVERHEAD).toBeGreaterThan(128 * 1024);
  });
});

describe('writeChunkHeader', () => {
  it('writes the header of encodeTransfer(CHUNK) in place, in front of data already there', () => {
    for (const index of [0, 3, 0x01020304, 0xffff_ffff]) {
      const data = new Uint8Array(100).map((_, i) => i);
      const buf = new Uint8Array(CHUNK_HEADER_BYTES + data.byteLength);
      buf.set(data, CHUNK_HEADER_BYTES);
      writeChunkHeader(buf, H, index);
      expect(hex(buf)).toBe(hex(encodeTransfer({ kind: TransferKind.CHUNK, contentHash: H, index, data })));
    }
  });

  it('throws on a caller mistake: no room, a short hash, an index that is not a u32', () => {
    expect(() => writeChunkHeader(new Uint8Array(36), H, 0)).toThrow(RangeError);
    expect(() => writeChunkHeader(new Uint8Array(64), new Uint8Array(31), 0)).toThrow(RangeError);
    expect(() => writeChunkHeader(new Uint8Array(64), H, -1)).toThrow(RangeError);
    expect(() => writeChunkHeader(new Uint8Array(64), H, 2 ** 32)).toThrow(RangeError);
  });
});
