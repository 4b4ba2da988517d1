// Group access checks for a holder: asks its relay (GROUP_LIST) whether a requester is in a named group,
// caching the answer briefly so a transfer of many windows asks once, not once per window.
import { Op } from '../../src-shared/protocol/constants.js';
import type { GroupEntry } from '../../src-shared/protocol/frames.js';
import { bytesEqual } from '../../src-shared/ids.js';
import type { RelayClient } from '../client/relay-client.js';
import type { GroupMembership } from './declare.js';

const CACHE_MS = 10_000;

export function relayGroupMembership(client: RelayClient, cacheMs = CACHE_MS): GroupMembership {
  let cached: { groups: GroupEntry[]; untilMs: number } | null = null;
  let running: Promise<GroupEntry[]> | null = null;
  const groups = async (): Promise<GroupEntry[]> => {
    if (cached && Date.now() < cached.untilMs) return cached.groups;
    running ??= client
      .request({ op: Op.GROUP_LIST })
      .then((r) => {
        cached = { groups: r.groups, untilMs: Date.now() + cacheMs };
        return r.groups;
      })
      .finally(() => {
        running = null;
      });
    return running;
  };
  return async (group, groupRelay, requester) => {
    // Groups live on one relay; a holder elsewhere cannot tell who is in it, so it refuses.
    if (!bytesEqual(client.relayId, groupRelay)) return false;
    // The relay lists only the groups the holder itself belongs to: a group it cannot see, it may not serve.
    const g = (await groups()).find((x) => x.name === group);
    return g !== undefined && g.members.some((m) => bytesEqual(m, requester));
  };
}
