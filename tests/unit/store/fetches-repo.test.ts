// This node's fetches: a fresh start, the bitmap of verified chunks kept in segments, and completion,
// which must clear the bitmap and mark the record complete together or not at all.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BITMAP_SEGMENT_CHUNKS } from '../../../src-main/store/fetches-repo.js';
import { openTempStore, type TempStore } from './temp-store.js';

let t: TempStore;
beforeEach(() => {
  t = openTempStore();
});
afterEach(() => {
  t.dispose();
});

const hash = Buffer.alloc(32, 7);
const CHUNKS = BITMAP_SEGMENT_CHUNKS + 10;

function started(): Uint8Array {
  const repo = t.store.fetches;
  repo.start(hash, '/tmp/out.bin', Buffer.from('holding'), 1000);
  const bitmap = new Uint8Array(Math.ceil(CHUNKS / 8));
  bitmap[0] = 0b101;
  bitmap[bitmap.length - 1] = 0b1;
  repo.saveSegments(hash, bitmap, [0, 1]);
  return bitmap;
}

describe('FetchesRepo', () => {
  it('keeps the verified-chunk bitmap across segments, and completion clears it', () => {
    const bitmap = started();
    const repo = t.store.fetches;
    expect(Buffer.from(repo.bitmap(hash, CHUNKS)).equals(Buffer.from(bitmap))).toBe(true);
    repo.complete(hash, '/tmp/final.bin', 2000);
    expect(repo.get(hash)).toMatchObject({ state: 'complete', outPath: '/tmp/final.bin', updatedMs: 2000 });
    expect(repo.bitmap(hash, CHUNKS).every((b) => b === 0)).toBe(true);
  });

  it('leaves a partial fetch and its bitmap untouched when completing it fails half-way', () => {
    const bitmap = started();
    const repo = t.store.fetches;
    // The second step fails (a STRICT TEXT column refuses a BLOB): the first must be rolled back with it.
    expect(() => repo.complete(hash, Buffer.from('not text') as unknown as string, 2000)).toThrow();
    expect(repo.get(hash)).toMatchObject({ state: 'partial', outPath: '/tmp/out.bin' });
    expect(Buffer.from(repo.bitmap(hash, CHUNKS)).equals(Buffer.from(bitmap))).toBe(true);
  });
});
