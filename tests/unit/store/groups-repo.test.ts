// GroupsRepo: named groups, memberships, the owner invariant, cascade delete and presence fan-out.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { id, openTempStore, type TempStore } from './temp-store.js';

describe('GroupsRepo', () => {
  let t: TempStore;
  beforeEach(() => {
    t = openTempStore();
  });
  afterEach(() => {
    t.dispose();
  });

  it('creates a group whose owner is its first member', () => {
    const groups = t.store.groups;
    expect(groups.create('dev', id(1), 100)).toBe(true);
    expect(groups.get('dev')).toEqual({ name: 'dev', owner: id(1), createdMs: 100, members: [id(1)] });
    expect(groups.isMember('dev', id(1))).toBe(true);
    expect(groups.memberCount('dev')).toBe(1);
  });

  it('returns false for a duplicate name and keeps the first owner', () => {
    const groups = t.store.groups;
    groups.create('dev', id(1), 100);
    expect(groups.create('dev', id(2), 200)).toBe(false);
    expect(groups.get('dev')?.owner).toEqual(id(1));
    expect(groups.members('dev')).toEqual([id(1)]);
  });

  it('treats names as case-sensitive and exact', () => {
    const groups = t.store.groups;
    groups.create('Dev', id(1), 1);
    expect(groups.get('dev')).toBeNull();
    expect(groups.create('dev', id(2), 2)).toBe(true);
  });

  it('adds members once, in join order, and counts only the new ones', () => {
    const groups = t.store.groups;
    groups.create('dev', id(1), 100);
    expect(groups.addMembers('dev', [id(3), id(2)], 200)).toBe(2);
    expect(groups.addMembers('dev', [id(2), id(4), id(1)], 300)).toBe(1);
    expect(groups.members('dev')).toEqual([id(1), id(2), id(3), id(4)]);
    expect(groups.memberCount('dev')).toBe(4);
  });

  it('throws when adding to a group that does not exist, and stores nothing', () => {
    expect(() => t.store.groups.addMembers('ghost', [id(1)], 1)).toThrow('There is no group named "ghost" to add members to.');
    expect(t.store.groups.members('ghost')).toEqual([]);
  });

  it('removes members but never the owner', () => {
    const groups = t.store.groups;
    groups.create('dev', id(1), 100);
    groups.addMembers('dev', [id(2), id(3)], 200);
    expect(groups.removeMembers('dev', [id(1), id(2), id(9)])).toBe(1);
    expect(groups.members('dev')).toEqual([id(1), id(3)]);
    expect(groups.isMember('dev', id(1))).toBe(true);
    expect(groups.isMember('dev', id(2))).toBe(false);
    expect(groups.removeMembers('ghost', [id(3)])).toBe(0);
  });

  it('deletes a group with all its memberships (cascade)', () => {
    const groups = t.store.groups;
    groups.create('dev', id(1), 100);
    groups.addMembers('dev', [id(2)], 200);
    expect(groups.delete('dev')).toBe(true);
    expect(groups.delete('dev')).toBe(false);
    expect(groups.get('dev')).toBeNull();
    expect(t.store.db.prepare('SELECT count(*) FROM group_members').pluck().get()).toBe(0);
    expect(groups.listForMember(id(2))).toEqual([]);
    // The name is free again.
    expect(groups.create('dev', id(2), 300)).toBe(true);
    expect(groups.members('dev')).toEqual([id(2)]);
  });

  it('lists all groups and the groups of one member, by name, with member counts', () => {
    const groups = t.store.groups;
    groups.create('b', id(1), 1);
    groups.create('a', id(2), 2);
    groups.create('c', id(3), 3);
    groups.addMembers('a', [id(1), id(3)], 4);
    expect(groups.listAll()).toEqual([
      { name: 'a', owner: id(2), createdMs: 2, memberCount: 3 },
      { name: 'b', owner: id(1), createdMs: 1, memberCount: 1 },
      { name: 'c', owner: id(3), createdMs: 3, memberCount: 1 },
    ]);
    expect(groups.listForMember(id(1)).map((g) => g.name)).toEqual(['a', 'b']);
    expect(groups.listForMember(id(9))).toEqual([]);
  });

  it('finds each distinct ID sharing a group, without the ID itself', () => {
    const groups = t.store.groups;
    groups.create('a', id(1), 1);
    groups.addMembers('a', [id(2), id(3)], 2);
    groups.create('b', id(1), 3);
    groups.addMembers('b', [id(3), id(4)], 4);
    groups.create('c', id(5), 5);
    const shared = (n: number): number[] => groups.groupsSharedWith(id(n)).map((b) => b[0] ?? -1).sort((x, y) => x - y);
    expect(shared(1)).toEqual([2, 3, 4]);
    expect(shared(3)).toEqual([1, 2, 4]);
    expect(shared(2)).toEqual([1, 3]);
    expect(shared(5)).toEqual([]);
    expect(shared(9)).toEqual([]);
  });

  it('rejects empty names and bad IDs', () => {
    expect(() => t.store.groups.create('', id(1), 1)).toThrow('A group name must be a non-empty string.');
    expect(() => t.store.groups.create('x', Buffer.alloc(16), 1)).toThrow('The group owner must be 32 bytes long, but it is 16.');
    t.store.groups.create('x', id(1), 1);
    expect(() => t.store.groups.addMembers('x', [id(2), Buffer.alloc(1)], 1)).toThrow(RangeError);
    // Validation happens before the transaction, so the good ID was not added either.
    expect(t.store.groups.memberCount('x')).toBe(1);
  });
});
