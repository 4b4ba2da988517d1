// What the relay needs from storage: narrow interfaces that the SQLite repositories satisfy.
export interface NodeListRecord {
  id: Buffer;
  firstSeenMs: number;
  lastSeenMs: number;
}

export interface NodeListStore {
  list(): NodeListRecord[];
  recordRegistration(id: Buffer, nowMs: number): void;
  recordLeave(id: Buffer, nowMs: number): void;
}

export interface GroupRecord {
  name: string;
  owner: Buffer;
  createdMs: number;
  members: Buffer[];
}

export interface GroupStore {
  listAll(): GroupRecord[];
  create(name: string, owner: Buffer, nowMs: number): boolean;
  delete(name: string): void;
  addMembers(name: string, ids: Buffer[], nowMs: number): void;
  removeMembers(name: string, ids: Buffer[]): void;
}
