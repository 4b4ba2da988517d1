// NodeList (the relay's in-memory node list over the SQLite repo): the writes of one event-loop turn
// are committed together, a registration's callback runs only once its row is committed, and a failed
// commit is reported to every registration in it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NodeList } from '../../../src-main/relay/node-list.js';
import { idKey } from '../../../src-main/relay/id-key.js';
import { id, openTempStore, type TempStore } from './temp-store.js';

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('NodeList write batching', () => {
  let t: TempStore;
  beforeEach(() => {
    t = openTempStore();
  });
  afterEach(() => {
    t.dispose();
  });

  it('commits a turn of registrations and leaves in one transaction, then calls back', async () => {
    const repo = t.store.nodeList;
    let transactions = 0;
    const store = {
      list: () => repo.list(),
      recordRegistration: (i: Buffer, ms: number) => repo.recordRegistration(i, ms),
      recordLeave: (i: Buffer, ms: number) => void repo.recordLeave(i, ms),
      inTransaction: (work: () => void) => {
        transactions++;
        repo.inTransaction(work);
      },
    };
    const list = new NodeList(store);
    const seenAtCallback: boolean[] = [];
    for (const n of [1, 2, 3]) list.recordRegistration(id(n), 100 + n, (ok) => seenAtCallback.push(ok && repo.has(id(n))));
    list.recordLeave(id(1), 200);
    // in memory at once, in SQLite only after the turn
    expect(list.has(idKey(id(2)))).toBe(true);
    expect(repo.has(id(2))).toBe(false);
    await turn();
    expect(transactions).toBe(1);
    expect(seenAtCallback).toEqual([true, true, true]);
    expect(repo.get(id(1))).toMatchObject({ firstSeenMs: 101, lastSeenMs: 200, registrations: 1 });
    expect(repo.count()).toBe(3);
  });

  it('flush() commits at once (shutdown) and nothing runs twice', async () => {
    const list = new NodeList(t.store.nodeList);
    let calls = 0;
    list.recordRegistration(id(7), 1, () => calls++);
    list.flush();
    expect(t.store.nodeList.has(id(7))).toBe(true);
    expect(calls).toBe(1);
    await turn();
    expect(calls).toBe(1);
    expect(t.store.nodeList.get(id(7))?.registrations).toBe(1);
  });

  it('a failed commit is reported to each registration of the batch, and stores none of it', async () => {
    const repo = t.store.nodeList;
    const list = new NodeList(repo);
    const results: boolean[] = [];
    list.recordRegistration(id(1), 1, (ok) => results.push(ok));
    // an ID of the wrong size makes the repo throw inside the transaction, after id(1) was written
    list.recordRegistration(Buffer.alloc(31), 1, (ok) => results.push(ok));
    await turn();
    expect(results).toEqual([false, false]);
    expect(repo.has(id(1))).toBe(false);
  });
});

describe('NodeList.list()', () => {
  let t: TempStore;
  beforeEach(() => {
    t = openTempStore();
  });
  afterEach(() => {
    t.dispose();
  });

  it('sorts once per change, not once per call (LIST_PEERS must not cost a sort of every ID ever seen)', async () => {
    for (const n of [1, 2, 3]) t.store.nodeList.recordRegistration(id(n), 100 + n);
    const list = new NodeList(t.store.nodeList);
    const first = list.list();
    expect(first.map((r) => r.lastSeenMs)).toEqual([103, 102, 101]);
    expect(list.list()).toBe(first);
    list.recordRegistration(id(1), 300);
    const afterRegistration = list.list();
    expect(afterRegistration).not.toBe(first);
    expect(afterRegistration.map((r) => r.lastSeenMs)).toEqual([300, 103, 102]);
    expect(list.list()).toBe(afterRegistration);
    list.recordLeave(id(2), 400);
    expect(list.list().map((r) => [r.id[0], r.lastSeenMs])).toEqual([[2, 400], [1, 300], [3, 103]]);
    list.recordRegistration(id(4), 500);
    expect(list.list().map((r) => r.id[0])).toEqual([4, 2, 1, 3]);
    await turn();
  });
});
