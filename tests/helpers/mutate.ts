// Test helper: a seeded frame mutator for fuzzing (bit flips, truncation, extension, length-field edits,
// type swaps, splices and plain random bytes), reproducible from its seed.
import { FrameType } from '../../src-shared/protocol/constants.js';

/** mulberry32: tiny, fast, and good enough to pick mutations; the same seed gives the same run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const MUTATIONS = ['bitflip', 'truncate', 'extend', 'length', 'overwrite', 'type', 'splice', 'random'] as const;
export type Mutation = (typeof MUTATIONS)[number];

const TYPES = Object.values(FrameType) as number[];

export class Mutator {
  private readonly rnd: () => number;
  readonly counts: Record<Mutation, number> = Object.fromEntries(MUTATIONS.map((m) => [m, 0])) as Record<Mutation, number>;

  constructor(
    readonly seed: number,
    private readonly bases: readonly Uint8Array[],
  ) {
    if (bases.length === 0) throw new RangeError('Mutator needs at least one valid frame to mutate.');
    this.rnd = prng(seed);
  }

  int(n: number): number {
    return Math.floor(this.rnd() * n);
  }

  private pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)] as T;
  }

  private randomBytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }

  /** A value a length or count field is likely to mishandle. */
  private edgeValue(width: 1 | 2 | 4, current: number): number {
    const max = width === 4 ? 0xffff_ffff : (1 << (8 * width)) - 1;
    const choices = [0, 1, max, max - 1, current + 1, current - 1, current * 2, this.int(max + 1), 0x80, 0x8000, 0x7fff_ffff];
    return Math.min(max, Math.max(0, this.pick(choices))) >>> 0;
  }

  /** One mutated frame and the mutation that made it. */
  next(): { bytes: Uint8Array; mutation: Mutation } {
    const mutation = this.pick(MUTATIONS);
    this.counts[mutation]++;
    const base = this.pick(this.bases);
    let out: Uint8Array = Uint8Array.from(base);
    switch (mutation) {
      case 'bitflip': {
        const flips = 1 + this.int(3);
        for (let i = 0; i < flips && out.length > 0; i++) {
          const at = this.int(out.length);
          out[at] = (out[at] as number) ^ (1 << this.int(8));
        }
        break;
      }
      case 'truncate':
        out = out.slice(0, this.int(out.length));
        break;
      case 'extend': {
        const extra = this.randomBytes(1 + this.int(16));
        const joined = new Uint8Array(out.length + extra.length);
        joined.set(out);
        joined.set(extra, out.length);
        out = joined;
        break;
      }
      case 'length': {
        // overwrite a big-endian u8/u16/u32 anywhere past the type byte: where it lands on a length
        // or count field, the frame now lies about its own size
        const width = this.pick([1, 2, 4] as const);
        if (out.length < 1 + width) break;
        const at = 1 + this.int(out.length - width);
        const view = new DataView(out.buffer);
        const current = width === 1 ? view.getUint8(at) : width === 2 ? view.getUint16(at) : view.getUint32(at);
        const v = this.edgeValue(width, current);
        if (width === 1) view.setUint8(at, v);
        else if (width === 2) view.setUint16(at, v);
        else view.setUint32(at, v);
        break;
      }
      case 'overwrite': {
        if (out.length === 0) break;
        const at = this.int(out.length);
        const n = Math.min(out.length - at, 1 + this.int(8));
        out.set(this.randomBytes(n), at);
        break;
      }
      case 'type':
        if (out.length > 0) out[0] = this.pick(TYPES);
        break;
      case 'splice': {
        const other = this.pick(this.bases);
        const cut = this.int(out.length + 1);
        const from = this.int(other.length + 1);
        const joined = new Uint8Array(cut + other.length - from);
        joined.set(out.subarray(0, cut));
        joined.set(other.subarray(from), cut);
        out = joined;
        break;
      }
      case 'random': {
        out = this.randomBytes(this.int(200));
        if (out.length > 0 && this.rnd() < 0.7) out[0] = this.pick(TYPES);
        break;
      }
    }
    return { bytes: out, mutation };
  }
}

/** The seed for this run: W2W_FUZZ_SEED if set (to replay a failure), else time-based. */
export function fuzzSeed(): number {
  const fromEnv = Number(process.env.W2W_FUZZ_SEED);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : (Date.now() ^ (process.pid << 16)) >>> 0;
}
