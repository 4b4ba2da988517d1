// NodeListRepo: registrations, leaves, lookups and ordering of the relay's node list.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { id, openTempStore, type TempStore } from './temp-store.js';

describe('NodeListRepo', () => {
  let t: TempStore;
  beforeEach(() => {
    t = openTempStore();
  });
  afterEach(() => {
    t.dispose();
  });

  it('adds an ID on first registration', () => {
    const nodes = t.store.nodeList;
    expect(nodes.has(id(1))).toBe(false);
    expect(nodes.get(id(1))).toBeNull();
    nodes.recordRegistration(id(1), 100);
    expect(nodes.has(id(1))).toBe(true);
    expect(nodes.get(id(1))).toEqual({ id: id(1), firstSeenMs: 100, lastSeenMs: 100, registrations: 1 });
    expect(nodes.count()).toBe(1);
  });

  it('counts later registrations and keeps the first-seen time', () => {
    const nodes = t.store.nodeList;
    nodes.recordRegistration(id(1), 100);
    nodes.recordRegistration(id(1), 250);
    nodes.recordRegistration(id(1), 300);
    expect(nodes.get(id(1))).toEqual({ id: id(1), firstSeenMs: 100, lastSeenMs: 300, registrations: 3 });
    expect(nodes.count()).toBe(1);
  });

  it('records a leave as last seen, and ignores an ID that never registered', () => {
    const nodes = t.store.nodeList;
    nodes.recordRegistration(id(1), 100);
    expect(nodes.recordLeave(id(1), 150)).toBe(true);
    expect(nodes.get(id(1))?.lastSeenMs).toBe(150);
    expect(nodes.get(id(1))?.registrations).toBe(1);
    expect(nodes.recordLeave(id(2), 150)).toBe(false);
    expect(nodes.has(id(2))).toBe(false);
  });

  it('lists the most recently seen first, ties by ID', () => {
    const nodes = t.store.nodeList;
    nodes.recordRegistration(id(1), 100);
    nodes.recordRegistration(id(2), 300);
    nodes.recordRegistration(id(4), 200);
    nodes.recordRegistration(id(3), 200);
    nodes.recordLeave(id(1), 400);
    expect(nodes.list().map((n) => n.id[0])).toEqual([1, 2, 3, 4]);
    expect(nodes.count()).toBe(4);
  });

  it('rejects an ID that is not 32 bytes', () => {
    expect(() => t.store.nodeList.recordRegistration(Buffer.alloc(33), 1)).toThrow('The ID must be 32 bytes long, but it is 33.');
    expect(() => t.store.nodeList.has(Buffer.alloc(0))).toThrow(RangeError);
  });

  it('rejects a time that is not a non-negative integer', () => {
    expect(() => t.store.nodeList.recordRegistration(id(1), -1)).toThrow(RangeError);
    expect(() => t.store.nodeList.recordRegistration(id(1), 1.5)).toThrow(RangeError);
  });
});
