// RelayUsage: live sessions add up per ID, closed sessions fold into a bounded record.
import { describe, expect, it } from 'vitest';
import { idKey, type IdKey } from '../../src-main/relay/id-key.js';
import { RelayUsage, type UsageCounters } from '../../src-main/relay/usage.js';

const id = (n: number): Buffer => Buffer.alloc(32, n);
const counters = (registeredMs: number, msgsIn: number, bytesIn: number, msgsOut: number, bytesOut: number): UsageCounters => ({ registeredMs, msgsIn, bytesIn, msgsOut, bytesOut });

describe('RelayUsage', () => {
  it('sums the sessions of one ID and reports the oldest as connected since', () => {
    const u = new RelayUsage();
    const sessions = new Map<IdKey, Set<UsageCounters>>([[idKey(id(1)), new Set([counters(200, 1, 10, 2, 20), counters(100, 3, 30, 4, 40)])]]);
    expect(u.list(sessions)).toEqual([
      { id: id(1), online: true, sessions: 2, connectedSinceMs: 100, lastSeenMs: null, msgsIn: 4, bytesIn: 40, msgsOut: 6, bytesOut: 60 },
    ]);
  });

  it('keeps closed sessions per ID, adds them to a new session, and lists the busiest first', () => {
    const u = new RelayUsage();
    u.fold(idKey(id(1)), counters(1, 1, 100, 0, 0), 5000);
    u.fold(idKey(id(2)), counters(1, 1, 10, 0, 0), 6000);
    const offline = u.list(new Map());
    expect(offline.map((p) => [p.id[0], p.online, p.lastSeenMs, p.bytesIn])).toEqual([
      [1, false, 5000, 100],
      [2, false, 6000, 10],
    ]);
    const back = u.list(new Map([[idKey(id(2)), new Set([counters(7000, 2, 1000, 0, 0)])]]));
    expect(back[0]).toMatchObject({ online: true, sessions: 1, msgsIn: 3, bytesIn: 1010, lastSeenMs: null, connectedSinceMs: 7000 });
    expect(back).toHaveLength(2);
  });

  it('forgets the least recently closed ID beyond its bound', () => {
    const u = new RelayUsage(2);
    u.fold(idKey(id(1)), counters(1, 1, 1, 0, 0), 1);
    u.fold(idKey(id(2)), counters(1, 1, 1, 0, 0), 2);
    u.fold(idKey(id(1)), counters(1, 1, 1, 0, 0), 3);
    u.fold(idKey(id(3)), counters(1, 1, 1, 0, 0), 4);
    expect(u.list(new Map()).map((p) => p.id[0]).sort()).toEqual([1, 3]);
  });
});
