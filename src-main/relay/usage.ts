// Per-ID relay usage for the node view: live sessions carry plain integer counters (bumped on the
// forwarding path, no map lookup), and a session's totals fold into a bounded per-ID record when it
// closes, so an ID that left still shows what it relayed.
import { idFromKey, type IdKey } from './id-key.js';

/** The counters every registered connection carries (see Connection). */
export interface UsageCounters {
  registeredMs: number;
  msgsIn: number;
  bytesIn: number;
  msgsOut: number;
  bytesOut: number;
}

export interface PeerUsage {
  id: Buffer;
  online: boolean;
  sessions: number;
  /** when the oldest live session registered; null when offline */
  connectedSinceMs: number | null;
  /** when the last session closed; null while online or never seen closing */
  lastSeenMs: number | null;
  msgsIn: number;
  bytesIn: number;
  msgsOut: number;
  bytesOut: number;
}

interface Past {
  lastSeenMs: number;
  msgsIn: number;
  bytesIn: number;
  msgsOut: number;
  bytesOut: number;
}

/** IDs whose closed sessions' totals are kept (oldest forgotten first); live ones are always shown. */
export const MAX_PAST_USAGE = 1000;

export class RelayUsage {
  private readonly past = new Map<IdKey, Past>();

  constructor(private readonly maxPast = MAX_PAST_USAGE) {}

  /** A registered session closed: add its totals to its ID's record. */
  fold(key: IdKey, c: UsageCounters, nowMs: number): void {
    const p = this.past.get(key) ?? { lastSeenMs: nowMs, msgsIn: 0, bytesIn: 0, msgsOut: 0, bytesOut: 0 };
    p.lastSeenMs = nowMs;
    p.msgsIn += c.msgsIn;
    p.bytesIn += c.bytesIn;
    p.msgsOut += c.msgsOut;
    p.bytesOut += c.bytesOut;
    // Re-inserted so the map's order is least recently closed first.
    this.past.delete(key);
    this.past.set(key, p);
    if (this.past.size > this.maxPast) this.past.delete(this.past.keys().next().value as IdKey);
  }

  /** Every ID with a live session or a kept record, busiest first. */
  list(sessions: ReadonlyMap<IdKey, ReadonlySet<UsageCounters>>): PeerUsage[] {
    const out: PeerUsage[] = [];
    for (const [key, set] of sessions) {
      const p = this.past.get(key);
      const u: PeerUsage = {
        id: idFromKey(key),
        online: true,
        sessions: set.size,
        connectedSinceMs: null,
        lastSeenMs: null,
        msgsIn: p?.msgsIn ?? 0,
        bytesIn: p?.bytesIn ?? 0,
        msgsOut: p?.msgsOut ?? 0,
        bytesOut: p?.bytesOut ?? 0,
      };
      for (const c of set) {
        u.connectedSinceMs = u.connectedSinceMs === null ? c.registeredMs : Math.min(u.connectedSinceMs, c.registeredMs);
        u.msgsIn += c.msgsIn;
        u.bytesIn += c.bytesIn;
        u.msgsOut += c.msgsOut;
        u.bytesOut += c.bytesOut;
      }
      out.push(u);
    }
    for (const [key, p] of this.past) {
      if (sessions.has(key)) continue;
      out.push({ id: idFromKey(key), online: false, sessions: 0, connectedSinceMs: null, lastSeenMs: p.lastSeenMs, ...pick(p) });
    }
    return out.sort((a, b) => b.bytesIn + b.bytesOut - (a.bytesIn + a.bytesOut));
  }
}

function pick(p: Past): Pick<PeerUsage, 'msgsIn' | 'bytesIn' | 'msgsOut' | 'bytesOut'> {
  return { msgsIn: p.msgsIn, bytesIn: p.bytesIn, msgsOut: p.msgsOut, bytesOut: p.bytesOut };
}
