// The renderer's QR encoder against the standard's tables and a grid checked with a real decoder.
import { describe, expect, it } from 'vitest';
import { byteCapacity, encodeQr, formatBits, QR_MAX_VERSION, rsRemainder } from '../../../src-renderer/src/lib/qr/qr-encode.js';
import { qrPath, qrViewBoxSize } from '../../../src-renderer/src/lib/qr/qr-svg.js';

/** encodeQr('w2w'), read back as "w2w" by zbarimg (zbar 0.23) when this test was written. */
const W2W_GRID = [
  '#######....##.#######',
  '#.....#..##.#.#.....#',
  '#.###.#.#.#.#.#.###.#',
  '#.###.#.#####.#.###.#',
  '#.###.#.##..#.#.###.#',
  '#.....#.####..#.....#',
  '#######.#.#.#.#######',
  '........##...........',
  '#.#####...##..#####..',
  '#..#...#..#####...###',
  '#..##.#...#.#.##.....',
  '.#..#..#...####..####',
  '####.##.#...#..#.#.#.',
  '........#.#.#..#.####',
  '#######....#.#..##.#.',
  '#.....#.#......##.###',
  '#.###.#.#.##.#..#.#..',
  '#.###.#.#######..#...',
  '#.###.#.##..#.##.....',
  '#.....#....####..#...',
  '#######.#...#..#..##.',
];

const rows = (m: readonly (readonly boolean[])[]): string[] => m.map((r) => r.map((d) => (d ? '#' : '.')).join(''));

describe('QR encoder', () => {
  it('matches a grid a real decoder reads', () => {
    const qr = encodeQr('w2w');
    expect(qr.version).toBe(1);
    expect(rows(qr.modules)).toEqual(W2W_GRID);
  });

  it('has the byte-mode capacities of level M (ISO 18004 table 7)', () => {
    expect(Array.from({ length: QR_MAX_VERSION }, (_, i) => byteCapacity(i + 1))).toEqual([14, 26, 42, 62, 84, 106, 122, 152, 180, 213]);
  });

  it('computes format information as in the standard’s table (level M)', () => {
    const table = ['101010000010010', '101000100100101', '101111001111100', '101101101001011', '100010111111001', '100000011001110', '100111110010111', '100101010100000'];
    expect(table.map((_, mask) => formatBits(mask).toString(2).padStart(15, '0'))).toEqual(table);
  });

  it('computes Reed-Solomon codewords (the 1-M "HELLO WORLD" example)', () => {
    // Generator of degree 10 is built inside; drive it through rsRemainder with a known generator instead.
    const gen10 = [216, 194, 159, 111, 199, 94, 95, 113, 157, 193];
    const data = [32, 91, 11, 120, 209, 114, 220, 77, 67, 64, 236, 17, 236, 17, 236, 17];
    expect([...rsRemainder(data, Uint8Array.from(gen10))]).toEqual([196, 35, 39, 119, 235, 215, 231, 226, 93, 23]);
  });

  it('picks the smallest version and draws finders, timing and the dark module', () => {
    const invite = `w2w://w2w1${'a'.repeat(58)}`;
    const qr = encodeQr(invite);
    expect(qr.version).toBe(5);
    expect(qr.size).toBe(37);
    const m = qr.modules;
    const at = (x: number, y: number): boolean => (m[y] as boolean[])[x] as boolean;
    for (const [ox, oy] of [[0, 0], [qr.size - 7, 0], [0, qr.size - 7]] as const) {
      expect(at(ox, oy) && at(ox + 6, oy + 6) && !at(ox + 1, oy + 1) && at(ox + 3, oy + 3)).toBe(true);
    }
    for (let i = 8; i < qr.size - 8; i++) {
      expect(at(i, 6)).toBe(i % 2 === 0);
      expect(at(6, i)).toBe(i % 2 === 0);
    }
    expect(at(8, qr.size - 8)).toBe(true);
  });

  it('writes version information from version 7 on and refuses what does not fit', () => {
    const qr = encodeQr('x'.repeat(130));
    expect(qr.version).toBe(8);
    // Version 8's 18 bits are 0x085BC (ISO 18004 annex D); bit i sits at column size-11+i%3, row floor(i/3).
    const bits = 0x085bc;
    for (let i = 0; i < 18; i++) expect((qr.modules[Math.floor(i / 3)] as boolean[])[qr.size - 11 + (i % 3)]).toBe(((bits >>> i) & 1) === 1);
    expect(() => encodeQr('x'.repeat(214))).toThrow(RangeError);
    expect(encodeQr('日本語').version).toBe(1);
  });

  it('draws one SVG path with a quiet zone', () => {
    const qr = encodeQr('w2w');
    expect(qrViewBoxSize(qr)).toBe(29);
    const d = qrPath(qr);
    expect(d.startsWith('M4 4h7v1h-7z')).toBe(true);
    const cells = [...d.matchAll(/h(\d+)v1/g)].reduce((a, m) => a + Number(m[1]), 0);
    expect(cells).toBe(W2W_GRID.join('').split('').filter((c) => c === '#').length);
  });
});
