// Pure helpers for message threads (no runes, so the state class stays small and these are easy to test).
import type { MessageStatusView, MessageTargetView, MessageView } from '../../../../src-shared/api/contract.js';

export type ThreadKey = string;

export const peerThread = (id: string): ThreadKey => `peer:${id}`;
export const groupThread = (name: string): ThreadKey => `group:${name}`;
export const BROADCAST_THREAD: ThreadKey = 'all';
export const SELF_THREAD: ThreadKey = 'self';

/** Where a message belongs; null for a message the UI shows nowhere. */
export function threadOf(m: Pick<MessageView, 'route' | 'peer' | 'group'>): ThreadKey | null {
  switch (m.route) {
    case 'a2b':
      return m.peer ? peerThread(m.peer) : null;
    case 'group':
      return m.group ? groupThread(m.group) : null;
    case 'a2g':
      // A list send: the sender sees it in its conversation with that sender, nothing else fits better.
      return m.group ? groupThread(m.group) : m.peer ? peerThread(m.peer) : null;
    case 'a2n':
      return BROADCAST_THREAD;
    case 'a2a':
      return SELF_THREAD;
  }
}

export function threadOfTarget(t: MessageTargetView): ThreadKey | null {
  switch (t.kind) {
    case 'peer':
      return peerThread(t.id);
    case 'group':
      return groupThread(t.name);
    case 'all':
      return BROADCAST_THREAD;
    case 'self':
      return SELF_THREAD;
    case 'list':
      return null;
  }
}

/** Messages grouped by the thread they belong in (those that belong nowhere left out). */
export function splitByThread(list: readonly MessageView[]): Map<ThreadKey, MessageView[]> {
  const out = new Map<ThreadKey, MessageView[]>();
  for (const m of list) {
    const key = threadOf(m);
    if (!key) continue;
    const arr = out.get(key);
    if (arr) arr.push(m);
    else out.set(key, [m]);
  }
  return out;
}

/** The node's order of outgoing states (src-main/client/messenger.ts): a later event never moves a message back. */
const RANK: Record<MessageStatusView, number> = { pending: 0, sent: 1, failed: 2, stored: 3, delivered: 4, received: 5 };

export function laterStatus(current: MessageStatusView, next: MessageStatusView): MessageStatusView {
  return RANK[next] >= RANK[current] ? next : current;
}

const byTime = (a: MessageView, b: MessageView): number => a.createdMs - b.createdMs || (a.msgId < b.msgId ? -1 : a.msgId > b.msgId ? 1 : 0);

/**
 * One thread from what is shown and what arrived: one entry per msgId, statuses never going back, oldest
 * first. Our own copy wins over an incoming one with the same msgId: a broadcast (a2n) also reaches the
 * sender's own node, which records that echo as received.
 */
export function mergeThread(current: readonly MessageView[], incoming: readonly MessageView[]): MessageView[] {
  const byId = new Map(current.map((m) => [m.msgId, m] as const));
  for (const m of incoming) {
    const had = byId.get(m.msgId);
    if (!had) byId.set(m.msgId, m);
    else if (had.direction === 'out' && m.direction === 'in') continue;
    else byId.set(m.msgId, had.direction === m.direction ? { ...m, status: laterStatus(had.status, m.status) } : m);
  }
  return [...byId.values()].sort(byTime);
}

export interface StatusUpdate {
  status: MessageStatusView;
  errorCode: number | null;
}

/** Status events that came before the answer to the send that caused them (bounded, oldest dropped first). */
export class EarlyStatuses {
  readonly #map = new Map<string, StatusUpdate>();

  constructor(private readonly max = 500) {}

  put(msgId: string, update: StatusUpdate): void {
    this.#map.set(msgId, update);
    if (this.#map.size > this.max) this.#map.delete(this.#map.keys().next().value as string);
  }

  take(msgId: string): StatusUpdate | undefined {
    const u = this.#map.get(msgId);
    this.#map.delete(msgId);
    return u;
  }
}
