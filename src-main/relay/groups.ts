// Named groups (chat-channel style): the creator owns and manages the members; only members may
// send. Membership lives in memory for per-message checks and is written through to the store.
import { Limits } from '../../src-shared/protocol/constants.js';
import { ErrorCode, W2wError } from '../../src-shared/protocol/errors.js';
import { idFromKey, idKey, type IdKey } from './id-key.js';
import type { GroupStore } from './ports.js';

export interface Group {
  readonly name: string;
  readonly owner: IdKey;
  readonly createdMs: number;
  readonly members: Set<IdKey>;
}

export class Groups {
  private readonly byName = new Map<string, Group>();
  /** groups each ID owns: capped, or one client could grow memory, disk and every presence check without bound */
  private readonly ownedBy = new Map<IdKey, number>();

  constructor(private readonly store: GroupStore) {
    for (const g of store.listAll()) {
      const owner = idKey(g.owner);
      this.byName.set(g.name, { name: g.name, owner, createdMs: g.createdMs, members: new Set(store.members(g.name).map(idKey)) });
      this.ownedBy.set(owner, (this.ownedBy.get(owner) ?? 0) + 1);
    }
  }

  get(name: string): Group | undefined {
    return this.byName.get(name);
  }

  create(name: string, owner: Buffer, nowMs: number): Group {
    if (this.byName.has(name)) throw new W2wError(ErrorCode.GROUP_EXISTS, `group "${name}" already exists on this relay`);
    const key = idKey(owner);
    const owned = this.ownedBy.get(key) ?? 0;
    if (owned >= Limits.MAX_GROUPS_PER_OWNER) {
      throw new W2wError(ErrorCode.BAD_REQUEST, `an ID may own at most ${Limits.MAX_GROUPS_PER_OWNER} groups on this relay; delete one first`);
    }
    this.store.create(name, owner, nowMs);
    const g: Group = { name, owner: key, createdMs: nowMs, members: new Set([key]) };
    this.byName.set(name, g);
    this.ownedBy.set(key, owned + 1);
    return g;
  }

  private owned(name: string, by: Buffer): Group {
    const g = this.byName.get(name);
    if (!g) throw new W2wError(ErrorCode.UNKNOWN_GROUP, `no group "${name}" on this relay`);
    if (g.owner !== idKey(by)) throw new W2wError(ErrorCode.NOT_GROUP_OWNER, `only the owner of "${name}" may change it`);
    return g;
  }

  addMembers(name: string, by: Buffer, ids: Buffer[], nowMs: number): Group {
    const g = this.owned(name, by);
    const fresh = ids.filter((id) => !g.members.has(idKey(id)));
    const unique = new Set(fresh.map(idKey));
    if (g.members.size + unique.size > Limits.MAX_GROUP_MEMBERS) {
      throw new W2wError(ErrorCode.GROUP_FULL, `group "${name}" would exceed ${Limits.MAX_GROUP_MEMBERS} members`);
    }
    this.store.addMembers(name, [...unique].map(idFromKey), nowMs);
    for (const k of unique) g.members.add(k);
    return g;
  }

  /** The owner removes anyone but itself; any member may remove itself (leave). */
  removeMembers(name: string, by: Buffer, ids: Buffer[]): Group {
    const g = this.byName.get(name);
    if (!g) throw new W2wError(ErrorCode.UNKNOWN_GROUP, `no group "${name}" on this relay`);
    const byKey = idKey(by);
    const keys = ids.map(idKey);
    const selfLeave = keys.length === 1 && keys[0] === byKey && g.owner !== byKey;
    if (!selfLeave && g.owner !== byKey) throw new W2wError(ErrorCode.NOT_GROUP_OWNER, `only the owner of "${name}" may remove other members`);
    if (keys.includes(g.owner)) throw new W2wError(ErrorCode.BAD_REQUEST, `the owner cannot leave "${name}"; delete the group instead`);
    this.store.removeMembers(name, ids);
    for (const k of keys) g.members.delete(k);
    return g;
  }

  delete(name: string, by: Buffer): void {
    const g = this.owned(name, by);
    this.store.delete(name);
    this.byName.delete(name);
    const left = (this.ownedBy.get(g.owner) ?? 1) - 1;
    if (left > 0) this.ownedBy.set(g.owner, left);
    else this.ownedBy.delete(g.owner);
  }

  listForMember(member: IdKey): Group[] {
    return [...this.byName.values()].filter((g) => g.members.has(member));
  }

  /** Every ID that shares at least one group with `member` (for presence notices). */
  coMembers(member: IdKey): Set<IdKey> {
    const out = new Set<IdKey>();
    for (const g of this.byName.values()) {
      if (!g.members.has(member)) continue;
      for (const m of g.members) if (m !== member) out.add(m);
    }
    return out;
  }
}
