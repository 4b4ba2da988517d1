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
  /** Runs `work` (calls of the two methods above) as one transaction: one commit for a tick's registrations. */
  inTransaction?(work: () => void): void;
}

export interface GroupRecord {
  name: string;
  owner: Buffer;
  createdMs: number;
}

export interface GroupStore {
  listAll(): GroupRecord[];
  members(name: string): Buffer[];
  create(name: string, owner: Buffer, nowMs: number): unknown;
  delete(name: string): unknown;
  addMembers(name: string, ids: Buffer[], nowMs: number): unknown;
  removeMembers(name: string, ids: Buffer[]): unknown;
}
