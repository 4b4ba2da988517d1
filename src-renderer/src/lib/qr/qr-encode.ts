// A small QR Code encoder (ISO/IEC 18004): byte mode, error correction level M, versions 1-10 (up to
// 213 bytes, plenty for an invite link of 68). It returns the module grid; qr-svg.ts draws it. Written
// here rather than added as a package so the renderer bundle stays svelte + src-shared only.

/** Error correction codewords per block and number of blocks, level M, versions 1..10 (ISO 18004 table 9). */
const EC_PER_BLOCK_M = [10, 16, 26, 18, 24, 16, 18, 22, 22, 26];
const BLOCKS_M = [1, 1, 1, 2, 2, 4, 4, 4, 5, 5];
export const QR_MAX_VERSION = 10;
/** Format info's two bits for level M. */
const LEVEL_M_BITS = 0b00;

export interface QrCode {
  readonly version: number;
  /** modules per side: 4 * version + 17 */
  readonly size: number;
  readonly mask: number;
  /** row-major, true = dark */
  readonly modules: readonly boolean[][];
}

/** Data modules of a version (all but function patterns), per Nayuki's formula in closed form. */
function rawDataModules(version: number): number {
  let n = (16 * version + 128) * version + 64;
  if (version >= 2) {
    const align = Math.floor(version / 7) + 2;
    n -= (25 * align - 10) * align - 55;
    if (version >= 7) n -= 36;
  }
  return n;
}

function totalCodewords(version: number): number {
  return Math.floor(rawDataModules(version) / 8);
}

function dataCodewords(version: number): number {
  return totalCodewords(version) - (EC_PER_BLOCK_M[version - 1] as number) * (BLOCKS_M[version - 1] as number);
}

/** Bytes that fit in byte mode at level M in a version. */
export function byteCapacity(version: number): number {
  const countBits = version <= 9 ? 8 : 16;
  return Math.floor((dataCodewords(version) * 8 - 4 - countBits) / 8);
}

// GF(256) with the QR polynomial x^8 + x^4 + x^3 + x^2 + 1.
function gfMul(a: number, b: number): number {
  let r = 0;
  for (let i = 7; i >= 0; i--) {
    r = (r << 1) ^ ((r >>> 7) * 0x11d);
    r ^= ((b >>> i) & 1) * a;
  }
  return r & 0xff;
}

/** Coefficients (highest first, leading 1 left out) of the generator polynomial prod (x - a^i), i < degree. */
function rsGenerator(degree: number): Uint8Array {
  const g = new Uint8Array(degree);
  g[degree - 1] = 1;
  let root = 1;
  for (let i = 0; i < degree; i++) {
    for (let j = 0; j < degree; j++) {
      g[j] = gfMul(g[j] as number, root);
      if (j + 1 < degree) g[j] = (g[j] as number) ^ (g[j + 1] as number);
    }
    root = gfMul(root, 2);
  }
  return g;
}

/** The remainder of data * x^degree divided by the generator: the block's error correction codewords. */
export function rsRemainder(data: ArrayLike<number>, generator: Uint8Array): Uint8Array {
  const r = new Uint8Array(generator.length);
  for (let i = 0; i < data.length; i++) {
    const factor = (data[i] as number) ^ (r[0] as number);
    r.copyWithin(0, 1);
    r[r.length - 1] = 0;
    for (let j = 0; j < r.length; j++) r[j] = (r[j] as number) ^ gfMul(generator[j] as number, factor);
  }
  return r;
}

/** Mode, count, data, terminator and padding as data codewords for a version. */
function dataBits(bytes: Uint8Array, version: number): number[] {
  const bits: number[] = [];
  const put = (value: number, length: number): void => {
    for (let i = length - 1; i >= 0; i--) bits.push((value >>> i) & 1);
  };
  put(0b0100, 4);
  put(bytes.length, version <= 9 ? 8 : 16);
  for (const b of bytes) put(b, 8);
  const capacityBits = dataCodewords(version) * 8;
  put(0, Math.min(4, capacityBits - bits.length));
  put(0, (8 - (bits.length % 8)) % 8);
  for (let pad = 0xec; bits.length < capacityBits; pad ^= 0xec ^ 0x11) put(pad, 8);
  const codewords: number[] = [];
  for (let i = 0; i < bits.length; i += 8) codewords.push(bits.slice(i, i + 8).reduce((acc, b) => (acc << 1) | b, 0));
  return codewords;
}

/** Splits data into blocks, adds each block's error correction, and interleaves them. */
function withErrorCorrection(data: number[], version: number): number[] {
  const blocks = BLOCKS_M[version - 1] as number;
  const ecLen = EC_PER_BLOCK_M[version - 1] as number;
  const total = totalCodewords(version);
  const shortBlocks = blocks - (total % blocks);
  const shortDataLen = Math.floor(total / blocks) - ecLen;
  const gen = rsGenerator(ecLen);
  const dataBlocks: number[][] = [];
  const ecBlocks: Uint8Array[] = [];
  let k = 0;
  for (let i = 0; i < blocks; i++) {
    const len = shortDataLen + (i < shortBlocks ? 0 : 1);
    const block = data.slice(k, k + len);
    k += len;
    dataBlocks.push(block);
    ecBlocks.push(rsRemainder(block, gen));
  }
  const out: number[] = [];
  for (let i = 0; i <= shortDataLen; i++) for (const b of dataBlocks) if (i < b.length) out.push(b[i] as number);
  for (let i = 0; i < ecLen; i++) for (const b of ecBlocks) out.push(b[i] as number);
  return out;
}

function alignmentPositions(version: number, size: number): number[] {
  if (version === 1) return [];
  const count = Math.floor(version / 7) + 2;
  const step = Math.floor((version * 8 + count * 3 + 5) / (count * 4 - 4)) * 2;
  const pos = [6];
  for (let p = size - 7; pos.length < count; p -= step) pos.splice(1, 0, p);
  return pos;
}

/** BCH(15,5) format information: level and mask, masked with 101010000010010. */
export function formatBits(mask: number): number {
  const data = (LEVEL_M_BITS << 3) | mask;
  let rem = data;
  for (let i = 0; i < 10; i++) rem = (rem << 1) ^ ((rem >>> 9) * 0x537);
  return ((data << 10) | rem) ^ 0x5412;
}

function versionBits(version: number): number {
  let rem = version;
  for (let i = 0; i < 12; i++) rem = (rem << 1) ^ ((rem >>> 11) * 0x1f25);
  return (version << 12) | rem;
}

const MASKS: readonly ((x: number, y: number) => boolean)[] = [
  (x, y) => (x + y) % 2 === 0,
  (_x, y) => y % 2 === 0,
  (x) => x % 3 === 0,
  (x, y) => (x + y) % 3 === 0,
  (x, y) => (Math.floor(x / 3) + Math.floor(y / 2)) % 2 === 0,
  (x, y) => ((x * y) % 2) + ((x * y) % 3) === 0,
  (x, y) => (((x * y) % 2) + ((x * y) % 3)) % 2 === 0,
  (x, y) => (((x + y) % 2) + ((x * y) % 3)) % 2 === 0,
];

class Grid {
  readonly dark: boolean[][];
  readonly reserved: boolean[][];

  constructor(readonly size: number) {
    this.dark = Array.from({ length: size }, () => new Array<boolean>(size).fill(false));
    this.reserved = Array.from({ length: size }, () => new Array<boolean>(size).fill(false));
  }

  /** A function-pattern module at column x, row y. */
  fn(x: number, y: number, dark: boolean): void {
    (this.dark[y] as boolean[])[x] = dark;
    (this.reserved[y] as boolean[])[x] = true;
  }

  clone(): Grid {
    const g = new Grid(this.size);
    for (let y = 0; y < this.size; y++) {
      g.dark[y] = [...(this.dark[y] as boolean[])];
      g.reserved[y] = [...(this.reserved[y] as boolean[])];
    }
    return g;
  }
}

function drawFunctionPatterns(g: Grid, version: number): void {
  const n = g.size;
  for (let i = 0; i < n; i++) {
    g.fn(6, i, i % 2 === 0);
    g.fn(i, 6, i % 2 === 0);
  }
  // Finders (7x7 with a light separator ring) in three corners.
  for (const [cx, cy] of [[3, 3], [n - 4, 3], [3, n - 4]] as const) {
    for (let dy = -4; dy <= 4; dy++) {
      for (let dx = -4; dx <= 4; dx++) {
        const x = cx + dx;
        const y = cy + dy;
        if (x < 0 || y < 0 || x >= n || y >= n) continue;
        const d = Math.max(Math.abs(dx), Math.abs(dy));
        g.fn(x, y, d !== 2 && d !== 4);
      }
    }
  }
  const align = alignmentPositions(version, n);
  for (const ay of align) {
    for (const ax of align) {
      if ((ax === 6 && ay === 6) || (ax === 6 && ay === n - 7) || (ax === n - 7 && ay === 6)) continue;
      for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) g.fn(ax + dx, ay + dy, Math.max(Math.abs(dx), Math.abs(dy)) !== 1);
    }
  }
  drawFormat(g, 0); // reserves the format areas; redrawn once the mask is chosen
  if (version >= 7) {
    const bits = versionBits(version);
    for (let i = 0; i < 18; i++) {
      const bit = ((bits >>> i) & 1) === 1;
      const a = n - 11 + (i % 3);
      const b = Math.floor(i / 3);
      g.fn(a, b, bit);
      g.fn(b, a, bit);
    }
  }
}

function drawFormat(g: Grid, mask: number): void {
  const n = g.size;
  const bits = formatBits(mask);
  const bit = (i: number): boolean => ((bits >>> i) & 1) === 1;
  for (let i = 0; i <= 5; i++) g.fn(8, i, bit(i));
  g.fn(8, 7, bit(6));
  g.fn(8, 8, bit(7));
  g.fn(7, 8, bit(8));
  for (let i = 9; i < 15; i++) g.fn(14 - i, 8, bit(i));
  for (let i = 0; i < 8; i++) g.fn(n - 1 - i, 8, bit(i));
  for (let i = 8; i < 15; i++) g.fn(8, n - 15 + i, bit(i));
  g.fn(8, n - 8, true); // the dark module
}

/** Places codewords in the zigzag order: column pairs from the right, skipping the vertical timing column. */
function placeData(g: Grid, codewords: number[]): void {
  const n = g.size;
  let i = 0;
  const totalBits = codewords.length * 8;
  for (let right = n - 1; right >= 1; right -= 2) {
    if (right === 6) right = 5;
    for (let vert = 0; vert < n; vert++) {
      for (let j = 0; j < 2; j++) {
        const x = right - j;
        const upward = ((right + 1) & 2) === 0;
        const y = upward ? n - 1 - vert : vert;
        if ((g.reserved[y] as boolean[])[x]) continue;
        if (i < totalBits) (g.dark[y] as boolean[])[x] = (((codewords[i >>> 3] as number) >>> (7 - (i & 7))) & 1) === 1;
        i++;
      }
    }
  }
}

function applyMask(g: Grid, mask: number): void {
  const f = MASKS[mask] as (x: number, y: number) => boolean;
  for (let y = 0; y < g.size; y++) {
    for (let x = 0; x < g.size; x++) {
      if (!(g.reserved[y] as boolean[])[x] && f(x, y)) (g.dark[y] as boolean[])[x] = !(g.dark[y] as boolean[])[x];
    }
  }
}

/** The standard's penalty score (runs, 2x2 blocks, finder-like patterns, dark balance); lower reads better. */
export function penalty(m: readonly (readonly boolean[])[]): number {
  const n = m.length;
  const at = (x: number, y: number): boolean => (m[y] as readonly boolean[])[x] as boolean;
  let score = 0;
  const lines: boolean[][] = [];
  for (let y = 0; y < n; y++) lines.push([...(m[y] as readonly boolean[])]);
  for (let x = 0; x < n; x++) lines.push(Array.from({ length: n }, (_, y) => at(x, y)));
  const finderA = [true, false, true, true, true, false, true, false, false, false, false];
  const finderB = [false, false, false, false, true, false, true, true, true, false, true];
  for (const line of lines) {
    let run = 1;
    for (let i = 1; i <= n; i++) {
      if (i < n && line[i] === line[i - 1]) run++;
      else {
        if (run >= 5) score += 3 + (run - 5);
        run = 1;
      }
    }
    for (let i = 0; i + 11 <= n; i++) {
      if (finderA.every((v, k) => line[i + k] === v) || finderB.every((v, k) => line[i + k] === v)) score += 40;
    }
  }
  let dark = 0;
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      if (at(x, y)) dark++;
      if (x + 1 < n && y + 1 < n) {
        const c = at(x, y);
        if (at(x + 1, y) === c && at(x, y + 1) === c && at(x + 1, y + 1) === c) score += 3;
      }
    }
  }
  score += 10 * Math.floor(Math.abs((dark * 100) / (n * n) - 50) / 5);
  return score;
}

/** Encodes text (UTF-8) in the smallest version that holds it; throws if it exceeds version 10. */
export function encodeQr(text: string): QrCode {
  const bytes = new TextEncoder().encode(text);
  let version = 1;
  while (version <= QR_MAX_VERSION && byteCapacity(version) < bytes.length) version++;
  if (version > QR_MAX_VERSION) throw new RangeError(`QR: ${bytes.length} bytes exceed the ${byteCapacity(QR_MAX_VERSION)} that version ${QR_MAX_VERSION}-M holds.`);
  const size = version * 4 + 17;
  const base = new Grid(size);
  drawFunctionPatterns(base, version);
  placeData(base, withErrorCorrection(dataBits(bytes, version), version));
  let best: { grid: Grid; mask: number; score: number } | null = null;
  for (let mask = 0; mask < 8; mask++) {
    const g = base.clone();
    applyMask(g, mask);
    drawFormat(g, mask);
    const score = penalty(g.dark);
    if (!best || score < best.score) best = { grid: g, mask, score };
  }
  const chosen = best as { grid: Grid; mask: number };
  return { version, size, mask: chosen.mask, modules: chosen.grid.dark };
}
