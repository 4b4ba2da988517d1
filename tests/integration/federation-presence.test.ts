// Presence across federated relays: an ID registered on another relay shows online/offline to the
// same interested clients as a local one (watchers, group co-members), derived from route
// announce/withdraw. Real relays on 127.0.0.1, real SQLite stores.
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { Op } from '../../src-shared/protocol/constants.js';
import { bytesEqual } from '../../src-shared/ids.js';
import { RelayClient, type PresenceEvent } from '../../src-main/client/relay-client.js';
import { generateIdentity } from '../../src-main/crypto/identity.js';
import { idKey } from '../../src-main/relay/id-key.js';
import { link, startFedRelay, waitFor, type FedRelay } from '../helpers/federation.js';

const started: FedRelay[] = [];
const clients: RelayClient[] = [];

async function relays(n: number): Promise<FedRelay[]> {
  const out: FedRelay[] = [];
  for (let i = 0; i < n; i++) out.push(await startFedRelay());
  started.push(...out);
  return out;
}

async function client(relay: FedRelay, identity = generateIdentity()): Promise<RelayClient> {
  const c = await RelayClient.connect({ url: relay.url, identity });
  clients.push(c);
  return c;
}

/** Every presence event the client gets about `id`, in order. */
function presenceOf(c: RelayClient, id: Uint8Array): boolean[] {
  const seen: boolean[] = [];
  c.on('presence', (p: PresenceEvent) => {
    if (bytesEqual(p.id, id)) seen.push(p.online);
  });
  return seen;
}

afterEach(async () => {
  for (const c of clients.splice(0)) await c.close().catch(() => {});
  for (const r of started.splice(0)) {
    await r.close();
    fs.rmSync(r.dir, { recursive: true, force: true });
  }
});

describe('presence across relays', () => {
  it('a watcher on A sees an ID on C (A-B-C) go online and offline, and WATCH answers network-wide', async () => {
    const [a, b, c] = await relays(3);
    await link(a!, b!);
    await link(b!, c!);
    const watcher = await client(a!);
    const remote = generateIdentity();
    const events = presenceOf(watcher, remote.publicKey);
    const first = await watcher.request({ op: Op.WATCH, ids: [remote.publicKey] });
    expect(first.presence).toEqual([{ id: expect.anything(), online: false }]);

    const rc = await client(c!, remote);
    await waitFor(() => events.length === 1, 5000, 'online event');
    expect(events).toEqual([true]);
    // A second watcher asking now is told the remote ID is online.
    const late = await client(a!);
    const answer = await late.request({ op: Op.WATCH, ids: [remote.publicKey] });
    expect(answer.presence[0]!.online).toBe(true);

    await rc.close();
    await waitFor(() => events.length === 2, 5000, 'offline event');
    expect(events).toEqual([true, false]);
  });

  it('an ID online on two relays stays online while one session remains; a link flap reads as offline then online', async () => {
    const [a, b, c] = await relays(3);
    await link(a!, b!);
    await link(b!, c!);
    const watcher = await client(a!);
    const roaming = generateIdentity();
    const events = presenceOf(watcher, roaming.publicKey);
    await watcher.request({ op: Op.WATCH, ids: [roaming.publicKey] });
    const onB = await client(b!, roaming);
    await waitFor(() => events.length === 1, 5000, 'online');
    const onC = await client(c!, roaming);
    // The route changes (C's path is longer than B's) but the ID never went away: no event.
    await waitFor(() => c!.fed.routes.best(idKey(roaming.publicKey)) !== null, 5000, 'route at C');
    await onB.close();
    await waitFor(() => a!.fed.routes.best(idKey(roaming.publicKey))?.advert.path.length === 2, 5000, 'rerouted via C');
    expect(events).toEqual([true]);
    // B restarts its link to C: the ID is unreachable from A for a moment, then back.
    const bc = b!.fed.linkInfo().find((l) => l.up && l.relayId.equals(c!.id));
    expect(bc).toBeDefined();
    b!.fed.removePeer(c!.url);
    await waitFor(() => events.length === 2, 5000, 'offline after the link went');
    await link(b!, c!);
    await waitFor(() => events.length === 3, 5000, 'online after the link came back');
    expect(events).toEqual([true, false, true]);
    await onC.close();
    await waitFor(() => events.length === 4, 5000, 'offline');
    expect(events).toEqual([true, false, true, false]);
  });

  it('group co-members on the group relay hear a remote member come and go', async () => {
    const [a, b] = await relays(2);
    await link(a!, b!);
    const owner = await client(a!);
    const member = generateIdentity();
    await owner.request({ op: Op.GROUP_CREATE, name: 'team' });
    await owner.request({ op: Op.GROUP_ADD, name: 'team', members: [member.publicKey] });
    const events = presenceOf(owner, member.publicKey);
    const m = await client(b!, member);
    await waitFor(() => events.length === 1, 5000, 'online');
    await m.close();
    await waitFor(() => events.length === 2, 5000, 'offline');
    expect(events).toEqual([true, false]);
  });
});
