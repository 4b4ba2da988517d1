// Named groups kept by a relay (like chat channels): who owns each one and who belongs to it.
//
// Invariant: a group's owner is always one of its members. create() adds the owner, removeMembers() skips
// the owner, and the only way to drop the owner is delete(), which removes the memberships with the group
// (ON DELETE CASCADE). Who may do what (only the owner adds, members may leave, ...) is relay policy, not here.
import type Database from 'better-sqlite3';
import { assertId, assertMs } from './assert-bytes.js';

export interface GroupSummary {
  readonly name: string;
  readonly owner: Buffer;
  readonly createdMs: number;
  readonly memberCount: number;
}

export interface Group {
  readonly name: string;
  readonly owner: Buffer;
  readonly createdMs: number;
  /** Members in the order they joined. */
  readonly members: Buffer[];
}

interface GroupRow {
  name: string;
  owner: Buffer;
  created_ms: number;
}

interface SummaryRow extends GroupRow {
  member_count: number;
}

function toSummary(row: SummaryRow): GroupSummary {
  return { name: row.name, owner: row.owner, createdMs: row.created_ms, memberCount: row.member_count };
}

function assertName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.length === 0) {
    throw new TypeError('A group name must be a non-empty string.');
  }
}

export class GroupsRepo {
  readonly #db: Database.Database;
  readonly #insertGroup: Database.Statement<[string, Buffer, number]>;
  readonly #deleteGroup: Database.Statement<[string]>;
  readonly #getGroup: Database.Statement<[string], GroupRow>;
  readonly #insertMember: Database.Statement<[string, Buffer, number]>;
  readonly #deleteMember: Database.Statement<{ name: string; member: Buffer }>;
  readonly #isMember: Database.Statement<[string, Buffer], number>;
  readonly #members: Database.Statement<[string], Buffer>;
  readonly #memberCount: Database.Statement<[string], number>;
  readonly #listForMember: Database.Statement<[Buffer], SummaryRow>;
  readonly #listAll: Database.Statement<[], SummaryRow>;
  readonly #sharedWith: Database.Statement<[Buffer, Buffer], Buffer>;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#insertGroup = db.prepare<[string, Buffer, number]>(
      'INSERT OR IGNORE INTO groups (name, owner, created_ms) VALUES (?, ?, ?)',
    );
    this.#deleteGroup = db.prepare<[string]>('DELETE FROM groups WHERE name = ?');
    this.#getGroup = db.prepare<[string], GroupRow>('SELECT name, owner, created_ms FROM groups WHERE name = ?');
    this.#insertMember = db.prepare<[string, Buffer, number]>(
      'INSERT OR IGNORE INTO group_members (group_name, member, added_ms) VALUES (?, ?, ?)',
    );
    // The owner is kept out in SQL so the invariant holds even for a caller that forgets to check.
    this.#deleteMember = db.prepare<{ name: string; member: Buffer }>(
      `DELETE FROM group_members WHERE group_name = @name AND member = @member
       AND member <> (SELECT owner FROM groups WHERE name = @name)`,
    );
    this.#isMember = db
      .prepare<[string, Buffer], number>('SELECT 1 FROM group_members WHERE group_name = ? AND member = ?')
      .pluck();
    this.#members = db
      .prepare<[string], Buffer>('SELECT member FROM group_members WHERE group_name = ? ORDER BY added_ms, member')
      .pluck();
    this.#memberCount = db
      .prepare<[string], number>('SELECT count(*) FROM group_members WHERE group_name = ?')
      .pluck();
    this.#listForMember = db.prepare<[Buffer], SummaryRow>(
      `SELECT g.name, g.owner, g.created_ms,
              (SELECT count(*) FROM group_members c WHERE c.group_name = g.name) AS member_count
       FROM group_members m JOIN groups g ON g.name = m.group_name
       WHERE m.member = ? ORDER BY g.name`,
    );
    this.#listAll = db.prepare<[], SummaryRow>(
      `SELECT g.name, g.owner, g.created_ms,
              (SELECT count(*) FROM group_members c WHERE c.group_name = g.name) AS member_count
       FROM groups g ORDER BY g.name`,
    );
    this.#sharedWith = db
      .prepare<[Buffer, Buffer], Buffer>(
        `SELECT DISTINCT other.member
         FROM group_members mine JOIN group_members other ON other.group_name = mine.group_name
         WHERE mine.member = ? AND other.member <> ?`,
      )
      .pluck();
  }

  /** Creates the group with its owner as first member; returns false (changing nothing) if the name is taken. */
  create(name: string, owner: Buffer, nowMs: number): boolean {
    assertName(name);
    assertId(owner, 'group owner');
    assertMs(nowMs);
    return this.#db.transaction(() => {
      if (this.#insertGroup.run(name, owner, nowMs).changes === 0) return false;
      this.#insertMember.run(name, owner, nowMs);
      return true;
    }).immediate();
  }

  /** Deletes the group and all its memberships; returns false if there was no such group. */
  delete(name: string): boolean {
    assertName(name);
    return this.#deleteGroup.run(name).changes > 0;
  }

  get(name: string): Group | null {
    assertName(name);
    return this.#db.transaction(() => {
      const row = this.#getGroup.get(name);
      if (row === undefined) return null;
      return { name: row.name, owner: row.owner, createdMs: row.created_ms, members: this.#members.all(name) };
    })();
  }

  /**
   * Adds the IDs that are not members yet and returns how many were added. Throws if the group does not
   * exist: the caller should have looked it up to check permissions first.
   */
  addMembers(name: string, ids: readonly Buffer[], nowMs: number): number {
    assertName(name);
    for (const id of ids) assertId(id, 'member ID');
    assertMs(nowMs);
    return this.#db.transaction(() => {
      if (this.#getGroup.get(name) === undefined) {
        throw new Error(`There is no group named ${JSON.stringify(name)} to add members to.`);
      }
      let added = 0;
      for (const id of ids) added += this.#insertMember.run(name, id, nowMs).changes;
      return added;
    }).immediate();
  }

  /** Removes the IDs that are members, except the owner (see the invariant above); returns how many left. */
  removeMembers(name: string, ids: readonly Buffer[]): number {
    assertName(name);
    for (const id of ids) assertId(id, 'member ID');
    return this.#db.transaction(() => {
      let removed = 0;
      for (const id of ids) removed += this.#deleteMember.run({ name, member: id }).changes;
      return removed;
    }).immediate();
  }

  isMember(name: string, id: Buffer): boolean {
    assertName(name);
    assertId(id);
    return this.#isMember.get(name, id) !== undefined;
  }

  /** The group's members in join order; empty for an unknown group. */
  members(name: string): Buffer[] {
    assertName(name);
    return this.#members.all(name);
  }

  memberCount(name: string): number {
    assertName(name);
    return this.#memberCount.get(name) ?? 0;
  }

  /** The groups this ID belongs to, by name. */
  listForMember(id: Buffer): GroupSummary[] {
    assertId(id);
    return this.#listForMember.all(id).map(toSummary);
  }

  /** Every group, by name. */
  listAll(): GroupSummary[] {
    return this.#listAll.all().map(toSummary);
  }

  /**
   * Every distinct other ID that shares at least one group with `id` (never `id` itself): the IDs to tell
   * when `id` comes online or goes offline.
   */
  groupsSharedWith(id: Buffer): Buffer[] {
    assertId(id);
    return this.#sharedWith.all(id, id);
  }
}
