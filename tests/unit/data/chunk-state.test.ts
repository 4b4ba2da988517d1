// ChunkState: runs of missing chunks, release and re-request, and the verified bitmap persisted in
// SQLite so a new ChunkState (a restarted fetch) starts where the old one stopped.
import { afterEach, describe, expect, it } from 'vitest';
import { ChunkState } from '../../../src-main/data/chunk-state.js';
import { openTempStore, type TempStore } from '../store/temp-store.js';

let t: TempStore | null = null;
afterEach(() => {
  t?.dispose();
  t = null;
});

const HASH = Buffer.alloc(32, 0x11);

function fresh(chunks: number): { state: ChunkState; t: TempStore } {
  t = openTempStore();
  t.store.fetches.start(HASH, '/tmp/out', Buffer.from('holding'), 1);
  return { t, state: new ChunkState(chunks, HASH, t.store.fetches, t.store.fetches.bitmap(HASH, chunks)) };
}

describe('ChunkState', () => {
  it('hands out consecutive runs of missing chunks, never one twice', () => {
    const { state } = fresh(10);
    expect(state.takeRun(4)).toEqual({ first: 0, count: 4 });
    expect(state.takeRun(4)).toEqual({ first: 4, count: 4 });
    expect(state.takeRun(4)).toEqual({ first: 8, count: 2 });
    expect(state.takeRun(4)).toBeNull();
    expect(state.inFlight).toBe(10);
  });

  it('a released chunk is handed out again first; a run stops at chunks in flight or done', () => {
    const { state } = fresh(10);
    state.takeRun(10);
    state.release(3);
    state.release(4);
    state.release(6);
    expect(state.takeRun(8)).toEqual({ first: 3, count: 2 });
    expect(state.takeRun(8)).toEqual({ first: 6, count: 1 });
    state.markDone(0);
    expect(state.done).toBe(1);
    expect(state.isDone(0)).toBe(true);
    expect(state.isInFlight(1)).toBe(true);
  });

  it('persists verified chunks once they are durable: a new state over the same store resumes with them done', () => {
    const { state, t } = fresh(9000);
    state.takeRun(8);
    for (const i of [0, 1, 2, 5]) state.markDone(i);
    state.takeRun(1);
    // a chunk in the second bitmap segment
    for (let i = 0; i < 8200; i++) state.takeRun(1);
    state.markDone(8199);
    expect(state.markDurable([0, 1, 2, 5, 8199])).toEqual([0, 1, 2, 5, 8199]);
    expect(state.durable).toBe(5);
    const again = new ChunkState(9000, HASH, t.store.fetches, t.store.fetches.bitmap(HASH, 9000));
    expect(again.done).toBe(5);
    expect([0, 1, 2, 5, 8199].every((i) => again.isDone(i))).toBe(true);
    expect(again.isDone(3)).toBe(false);
    expect(again.takeRun(16)).toEqual({ first: 3, count: 2 });
    expect(again.takeRun(1)).toEqual({ first: 6, count: 1 });
  });

  it('batches: verified chunks not yet marked durable are not persisted, and a batch is written at once', () => {
    const { state, t } = fresh(5000);
    state.takeRun(10);
    for (let i = 0; i < 10; i++) state.markDone(i);
    expect(state.done).toBe(10);
    expect(state.durable).toBe(0);
    // a fetch killed now resumes with nothing: none of those chunks were synced
    expect(new ChunkState(5000, HASH, t.store.fetches, t.store.fetches.bitmap(HASH, 5000)).done).toBe(0);
    // a chunk that is not done (in flight, or missing) is never recorded, nor one recorded twice
    for (let i = 0; i < 4200; i++) state.takeRun(1);
    state.markDone(4100);
    expect(state.markDurable([0, 1, 2, 3, 4100, 4101, 4199, 3])).toEqual([0, 1, 2, 3, 4100]);
    const again = new ChunkState(5000, HASH, t.store.fetches, t.store.fetches.bitmap(HASH, 5000));
    expect(again.done).toBe(5);
    expect(again.durable).toBe(5);
    expect([0, 1, 2, 3, 4100].every((i) => again.isDone(i))).toBe(true);
    expect(again.isDone(4)).toBe(false);
  });

  it('markMissing undoes a verified chunk (found bad on the final check), persisted too', () => {
    const { state, t } = fresh(4);
    state.takeRun(4);
    for (let i = 0; i < 4; i++) state.markDone(i);
    state.markDurable([0, 1, 2, 3]);
    expect(state.complete).toBe(true);
    state.markMissing(2);
    expect(state.complete).toBe(false);
    expect(state.takeRun(4)).toEqual({ first: 2, count: 1 });
    expect(new ChunkState(4, HASH, t.store.fetches, t.store.fetches.bitmap(HASH, 4)).done).toBe(3);
  });
});
