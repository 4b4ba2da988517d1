// a2a (to one's own ID) across federated relays (docs/PROTOCOL.md §9.4, §9.5): one identity registered
// at two relays (two devices, or one client's second registration) gets each a2a once per session at
// every home, over chains and cycles and across a link flap; an ID with one home keeps a2a off the
// links; and a BOX sent a2a by one device opens on the other. Real relays on 127.0.0.1, real SQLite.
import { afterEach, describe, expect, it } from 'vitest';
import { FrameType, HandshakeContext, ReceiptStatus, Route } from '../../src-shared/protocol/constants.js';
import { encodeFrame, encodeFwd } from '../../src-shared/protocol/frames.js';
import { toHex } from '../../src-shared/ids.js';
import { dialRelay } from '../../src-main/client/dial.js';
import { RelayClient, type ReceiptEvent } from '../../src-main/client/relay-client.js';
import { generateIdentity, type Identity } from '../../src-main/crypto/identity.js';
import { randomBytes } from '../../src-main/crypto/random.js';
import { SecureChannel, type OpenedMessage } from '../../src-main/e2e/secure-channel.js';
import { idKey } from '../../src-main/relay/id-key.js';
import { link, Peer, startFedRelay, waitFor, type FedRelay } from '../helpers/federation.js';

const open: { relays: FedRelay[]; clients: RelayClient[] } = { relays: [], clients: [] };

async function relays(n: number): Promise<FedRelay[]> {
  const out: FedRelay[] = [];
  for (let i = 0; i < n; i++) out.push(await startFedRelay());
  open.relays.push(...out);
  return out;
}

async function peerOn(r: FedRelay, identity: Identity): Promise<Peer> {
  const p = await Peer.connect(r, identity);
  open.clients.push(p.client);
  return p;
}

const quiet = (ms = 400): Promise<void> => new Promise((r) => setTimeout(r, ms));
const framesOnLinks = (rs: FedRelay[]): number => rs.reduce((n, r) => n + r.fed.linkInfo().reduce((m, l) => m + l.framesOut, 0), 0);
/** The relay heard over a link of another home of the ID (what lets an a2a leave it). */
const knowsOtherHome = (r: FedRelay, id: Uint8Array): boolean => r.fed.routes.hasLearned(idKey(id));

afterEach(async () => {
  for (const c of open.clients.splice(0)) await c.close();
  for (const r of open.relays.splice(0)) await r.close();
});

describe('a2a across relays', () => {
  it('chain A-B-C: the session on C gets an a2a from A once, even when B routes the ID to A', async () => {
    const [a, b, c] = await relays(3);
    await link(a!, b!);
    await link(b!, c!);
    const me = generateIdentity();
    const onC = await peerOn(c!, me);
    await quiet(20); // a later home proof at A: B's best route for the ID is then the one to A (newest proof)
    const onA = await peerOn(a!, me);
    await waitFor(() => knowsOtherHome(a!, me.publicKey) && knowsOtherHome(c!, me.publicKey), 5000, 'homes told of each other');
    // This is the case a plain path vector cannot see: B withdraws the ID towards A (its best route),
    // and A learns of C only from the alternative B announces instead (§9.4).
    const best = b!.fed.routes.best(idKey(me.publicKey))!;
    expect(toHex(best.advert.proof.origin)).toBe(toHex(a!.id));
    expect(toHex(b!.fed.routes.alternative(idKey(me.publicKey))!.advert.proof.origin)).toBe(toHex(c!.id));
    const receipts: ReceiptEvent[] = [];
    onA.client.on('receipt', (r) => receipts.push(r));
    const sent = await onA.client.send({ route: Route.A2A }, Buffer.from('note to self'), { ack: true });
    expect(sent).toMatchObject({ delivered: 1, forwarded: 1, stored: 0, missed: [] });
    await onC.waitText('note to self');
    await waitFor(() => receipts.length === 1, 5000, 'receipt from C');
    expect(receipts[0]).toMatchObject({ status: ReceiptStatus.DELIVERED });
    expect(toHex(receipts[0]!.recipient)).toBe(toHex(me.publicKey));
    // And back, from C to A.
    const back = await onC.client.send({ route: Route.A2A }, Buffer.from('and back'), { ack: true });
    expect(back).toMatchObject({ delivered: 1, forwarded: 1 });
    await onA.waitText('and back');
    await quiet();
    for (const p of [onA, onC]) {
      expect(p.count(sent.id)).toBe(1);
      expect(p.count(back.id)).toBe(1);
    }
    expect(receipts).toHaveLength(1);
  });

  it('triangle A-B-C-A: every session of the ID gets the a2a once, whichever relay sends', async () => {
    const [a, b, c] = await relays(3);
    await link(a!, b!);
    await link(b!, c!);
    await link(c!, a!);
    const me = generateIdentity();
    const onA = await peerOn(a!, me);
    const onA2 = await peerOn(a!, me);
    const onC = await peerOn(c!, me);
    const stranger = await peerOn(b!, generateIdentity());
    await waitFor(() => knowsOtherHome(a!, me.publicKey) && knowsOtherHome(c!, me.publicKey), 5000, 'homes told of each other');
    const ids: Uint8Array[] = [];
    for (const [from, text] of [[onA, 'from A'], [onC, 'from C'], [onA2, 'from A again']] as const) {
      const res = await from.client.send({ route: Route.A2A }, Buffer.from(text), { ack: true });
      expect(res).toMatchObject({ delivered: 1, forwarded: 1 });
      ids.push(res.id);
    }
    for (const p of [onA, onA2, onC]) await waitFor(() => ids.every((id) => p.count(id) >= 1), 5000, 'every a2a everywhere');
    await quiet();
    for (const p of [onA, onA2, onC]) for (const id of ids) expect(p.count(id)).toBe(1);
    expect(stranger.got).toHaveLength(0);
  });

  it('an ID with one home keeps its a2a off the links, in a cycle too', async () => {
    const [a, b, c] = await relays(3);
    await link(a!, b!);
    await link(b!, c!);
    await link(c!, a!);
    const me = generateIdentity();
    const onA = await peerOn(a!, me);
    const onA2 = await peerOn(a!, me);
    const other = await peerOn(c!, generateIdentity());
    await waitFor(() => c!.fed.routes.best(idKey(me.publicKey)) !== null && a!.fed.routes.best(idKey(other.id)) !== null, 5000, 'routes');
    await quiet();
    expect(knowsOtherHome(a!, me.publicKey)).toBe(false);
    const before = framesOnLinks([a!, b!, c!]);
    const sent = await onA.client.send({ route: Route.A2A }, Buffer.from('just here'), { ack: true });
    expect(sent).toMatchObject({ delivered: 1, forwarded: 0, stored: 0, missed: [] });
    await onA2.waitText('just here');
    await quiet(200);
    expect(framesOnLinks([a!, b!, c!])).toBe(before);
    expect(onA.count(sent.id)).toBe(1);
    expect(other.got).toHaveLength(0);
  });

  it('a link flap neither duplicates an a2a nor loses the next one', async () => {
    const [a, b, c] = await relays(3);
    await link(a!, b!);
    await link(b!, c!);
    await link(c!, a!);
    const me = generateIdentity();
    const onA = await peerOn(a!, me);
    const onC = await peerOn(c!, me);
    await waitFor(() => knowsOtherHome(a!, me.publicKey), 5000, 'A told of C');
    const id = randomBytes(16);
    await onA.client.send({ route: Route.A2A }, Buffer.from('before the flap'), { ack: true, id });
    await onC.waitText('before the flap');
    // Drop the direct link A-C (C dialled it and redials), and send the same message again meanwhile
    // and after: every relay it reached drops it (seen-cache), so C still has it once.
    const direct = c!.fed.linkInfo().find((l) => l.outbound && l.relayId.equals(a!.id))!;
    expect(direct.up).toBe(true);
    expect(c!.fed.removePeer(direct.url)).toBe(true);
    await onA.client.send({ route: Route.A2A }, Buffer.from('before the flap'), { ack: true, id });
    c!.fed.addPeer(a!.url, a!.id);
    await waitFor(() => c!.fed.linkInfo().some((l) => l.up && l.relayId.equals(a!.id)), 5000, 'link back');
    await onA.client.send({ route: Route.A2A }, Buffer.from('before the flap'), { ack: true, id });
    const next = await onA.client.send({ route: Route.A2A }, Buffer.from('after the flap'), { ack: true });
    expect(next).toMatchObject({ delivered: 1, forwarded: 1 });
    await onC.waitText('after the flap');
    await quiet();
    expect(onC.count(id)).toBe(1);
    expect(onC.count(next.id)).toBe(1);
    expect(onA.count(next.id)).toBe(1);
  });

  it('a BOX sent a2a by device 1 on A opens on device 2 on C (one identity, two relays)', async () => {
    const [a, b, c] = await relays(3);
    await link(a!, b!);
    await link(b!, c!);
    const me = generateIdentity();
    const devices = [] as { channel: SecureChannel; opened: OpenedMessage[] }[];
    for (const r of [a!, c!]) {
      const client = await RelayClient.connect({ url: r.url, identity: me });
      open.clients.push(client);
      const channel = new SecureChannel(client);
      const d = { channel, opened: [] as OpenedMessage[] };
      channel.on('payload', (o) => d.opened.push(o));
      devices.push(d);
    }
    await waitFor(() => knowsOtherHome(a!, me.publicKey), 5000, 'A told of C');
    const [one, two] = devices as [(typeof devices)[0], (typeof devices)[0]];
    const res = await one.channel.send({ route: Route.A2A }, Buffer.from('\u0001synced to every device'), { ack: true });
    expect(res).toMatchObject({ mode: 'box', delivered: 1, forwarded: 1 });
    await waitFor(() => two.opened.length === 1, 5000, 'device 2 opens the box');
    expect(two.opened[0]!.mode).toBe('box');
    expect(two.opened[0]!.payload.toString()).toBe('\u0001synced to every device');
    expect(toHex(two.opened[0]!.msg.id)).toBe(toHex(res.id));
    await quiet();
    expect(two.opened).toHaveLength(1);
    expect(one.opened).toHaveLength(1);
  });

  it('an a2a FWD re-addressed to another ID reaches only the sender\'s sessions, and is flooded on', async () => {
    const [a, b] = await relays(2);
    await link(a!, b!);
    const me = generateIdentity();
    const victim = await peerOn(a!, generateIdentity());
    const onB = await peerOn(b!, me);
    const rogueId = generateIdentity();
    const rogue = await dialRelay({ url: a!.url, identity: rogueId, ctx: HandshakeContext.S2S });
    rogue.takeOver(() => {});
    const id = randomBytes(16);
    const msg = encodeFrame({ type: FrameType.MSG, route: Route.A2A, flags: 0, hops: 4, id, from: me.publicKey, body: Buffer.from('not for the victim') });
    rogue.ws.send(encodeFwd(rogueId.publicKey, [victim.id], msg, 3));
    // A has no session of `me`: it delivers to nobody there and floods on to B, where `me` has one.
    await onB.waitText('not for the victim');
    await quiet(200);
    expect(victim.got).toHaveLength(0);
    expect(onB.count(id)).toBe(1);
    rogue.ws.close();
  });
});
