// Tiny in-memory implementations of the relay's store ports (src-main/relay/ports.ts), for
// `npm run bench -- --store memory`: the relay without SQLite, to tell its cost apart.
import type { GroupRecord, GroupStore, NodeListRecord, NodeListStore } from '../src-main/relay/ports.js';

const hex = (b: Buffer): string => b.toString('hex');

export function memoryNodeListStore(): NodeListStore {
  const rows = new Map<string, NodeListRecord>();
  return {
    list: () => [...rows.values()],
    recordRegistration(id, nowMs) {
      const row = rows.get(hex(id));
      if (row) row.lastSeenMs = nowMs;
      else rows.set(hex(id), { id: Buffer.from(id), firstSeenMs: nowMs, lastSeenMs: nowMs });
    },
    recordLeave(id, nowMs) {
      const row = rows.get(hex(id));
      if (row) row.lastSeenMs = nowMs;
    },
  };
}

export function memoryGroupStore(): GroupStore {
  const groups = new Map<string, GroupRecord & { members: Map<string, Buffer> }>();
  return {
    listAll: () => [...groups.values()].map(({ name, owner, createdMs }) => ({ name, owner, createdMs })),
    members: (name) => [...(groups.get(name)?.members.values() ?? [])],
    create(name, owner, nowMs) {
      if (groups.has(name)) return false;
      groups.set(name, { name, owner, createdMs: nowMs, members: new Map([[hex(owner), owner]]) });
      return true;
    },
    delete: (name) => groups.delete(name),
    addMembers(name, ids) {
      const g = groups.get(name);
      for (const id of ids) g?.members.set(hex(id), id);
    },
    removeMembers(name, ids) {
      const g = groups.get(name);
      for (const id of ids) if (g && !id.equals(g.owner)) g.members.delete(hex(id));
    },
  };
}
