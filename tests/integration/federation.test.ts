// Federation over real sockets: chains, meshes with cycles, every route across relays, exactly-once
// delivery, rerouting around a dead relay, store-and-forward, trust, and hijack attempts.
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { EventKind, FrameType, HandshakeContext, Op, ReceiptStatus, RouteAction, Route } from '../../src-shared/protocol/constants.js';
import { ErrorCode } from '../../src-shared/protocol/errors.js';
import { decodeFrame, encodeFrame, RouteKind } from '../../src-shared/protocol/frames.js';
import { toHex } from '../../src-shared/ids.js';
import { dialRelay } from '../../src-main/client/dial.js';
import { RelayClient, type ReceiptEvent } from '../../src-main/client/relay-client.js';
import { generateIdentity } from '../../src-main/crypto/identity.js';
import { randomBytes } from '../../src-main/crypto/random.js';
import { signHomeProof } from '../../src-main/federation/home-proof.js';
import { idKey } from '../../src-main/relay/id-key.js';
import { link, Peer, routeKnown, startFedRelay, waitFor, type FedRelay } from '../helpers/federation.js';

const open: { relays: FedRelay[]; peers: Peer[] } = { relays: [], peers: [] };

async function relays(n: number, opts: Parameters<typeof startFedRelay>[0] = {}): Promise<FedRelay[]> {
  const out: FedRelay[] = [];
  for (let i = 0; i < n; i++) out.push(await startFedRelay(opts));
  open.relays.push(...out);
  return out;
}

async function peerOn(r: FedRelay, identity = generateIdentity()): Promise<Peer> {
  const p = await Peer.connect(r, identity);
  open.peers.push(p);
  return p;
}

/** The MSG a FWD frame carries, decoded. */
function decodeInner(fwd: Uint8Array): { from: Uint8Array } {
  const d = decodeFrame(fwd);
  if (!d.ok || d.frame.type !== FrameType.FWD) throw new Error('not a FWD');
  return d.frame.inner;
}

const quiet = (ms = 300): Promise<void> => new Promise((r) => setTimeout(r, ms));

afterEach(async () => {
  for (const p of open.peers.splice(0)) await p.client.close();
  for (const r of open.relays.splice(0)) await r.close();
});

describe('federation: routes across relays', () => {
  it('a2b over a chain A-B-C-D, both directions, with the path visible', async () => {
    const [a, b, c, d] = await relays(4);
    await link(a!, b!);
    await link(b!, c!);
    await link(d!, c!); // D dials C: links carry traffic both ways whoever dialled
    const alice = await peerOn(a!);
    const dave = await peerOn(d!);
    await routeKnown(a!, dave.id);
    await routeKnown(d!, alice.id);
    const res = await alice.client.send({ route: Route.A2B, to: dave.id }, Buffer.from('A to D'), { ack: true });
    expect(res).toMatchObject({ delivered: 0, forwarded: 1, missed: [] });
    await dave.waitText('A to D');
    await dave.client.send({ route: Route.A2B, to: alice.id }, Buffer.from('D to A'));
    await alice.waitText('D to A');
    const route = await alice.client.request({ op: Op.ROUTE_OF, id: dave.id });
    expect(route.kind).toBe(RouteKind.REMOTE);
    expect(route.path.map((p) => toHex(p))).toEqual([d!.id, c!.id, b!.id].map((x) => toHex(x)));
    const links = await alice.client.request({ op: Op.LINKS });
    expect(links.links).toHaveLength(1);
    expect(links.links[0]).toMatchObject({ outbound: true, up: true });
    // B and C passed both messages on as received (one each way), A and D delivered them in place
    expect([a!, b!, c!, d!].map((r) => r.fed.fastTransits)).toEqual([0, 2, 2, 0]);
    expect([a!, b!, c!, d!].map((r) => r.fed.fastFwds)).toEqual([1, 0, 0, 1]);
  });

  it('a relay in the middle passes a one-target a2b FWD on byte for byte as the general path builds it', async () => {
    const [b] = await relays(1);
    // Two rogue neighbours of B: R1 originates, R2 is the home of X.
    const [r1, r2, x] = [generateIdentity(), generateIdentity(), generateIdentity()];
    const heard = { r1: [] as Buffer[], r2: [] as Buffer[] };
    const dial = async (who: typeof r1, into: Buffer[]): Promise<Awaited<ReturnType<typeof dialRelay>>> => {
      const d = await dialRelay({ url: b!.url, identity: who, ctx: HandshakeContext.S2S });
      d.takeOver((data) => into.push(Buffer.from(data)));
      return d;
    };
    const d1 = await dial(r1, heard.r1);
    const d2 = await dial(r2, heard.r2);
    const announce = (d: typeof d1, dest: typeof r1, relay: typeof r1): void => {
      const proof = signHomeProof(dest, relay.publicKey, Date.now());
      d.ws.send(encodeFrame({ type: FrameType.ROUTE, action: RouteAction.ANNOUNCE, dest: dest.publicKey, origin: relay.publicKey, proofTimeMs: proof.timeMs, proofSig: proof.sig, path: [relay.publicKey] }));
    };
    announce(d1, r1, r1); // so that receipts can travel back to R1
    announce(d2, x, r2);
    await waitFor(() => b!.fed.routes.best(idKey(x.publicKey)) != null && b!.fed.routes.best(idKey(r1.publicKey)) != null, 5000, 'routes');
    const fwdOf = (hops: number, id = randomBytes(16)): { bytes: Uint8Array; id: Buffer } => {
      const inner = { type: FrameType.MSG, flags: 0, hops, id, from: generateIdentity().publicKey, route: Route.A2B, to: x.publicKey, body: Buffer.from(`hops ${hops}`) } as const;
      return { bytes: encodeFrame({ type: FrameType.FWD, originRelay: r1.publicKey, targets: [x.publicKey], msg: encodeFrame(inner), inner }), id };
    };
    const fwds = (): Buffer[] => heard.r2.filter((f) => f[0] === FrameType.FWD);

    const first = fwdOf(8);
    d1.ws.send(first.bytes);
    d1.ws.send(first.bytes); // a replay: the seen-cache drops it before anything is passed on
    await waitFor(() => fwds().length === 1, 5000, 'the FWD at R2');
    const inner = { type: FrameType.MSG, flags: 0, hops: 7, id: first.id, from: decodeInner(first.bytes).from, route: Route.A2B, to: x.publicKey, body: Buffer.from('hops 8') } as const;
    expect(toHex(fwds()[0]!)).toBe(toHex(encodeFrame({ type: FrameType.FWD, originRelay: r1.publicKey, targets: [x.publicKey], msg: encodeFrame(inner), inner })));
    expect(b!.fed.fastTransits).toBe(1);

    // No hop to spare: the general path ends it with a HOP_LIMIT receipt to the origin relay, R2 hears nothing.
    d1.ws.send(fwdOf(1).bytes);
    await waitFor(() => heard.r1.some((f) => f[0] === FrameType.RECEIPT), 5000, 'HOP_LIMIT receipt');
    const receipt = decodeFrame(heard.r1.find((f) => f[0] === FrameType.RECEIPT)!);
    expect(receipt.ok && receipt.frame.type === FrameType.RECEIPT && receipt.frame.status).toBe(ErrorCode.HOP_LIMIT);
    await quiet();
    expect(fwds()).toHaveLength(1);
    expect(b!.fed.fastTransits).toBe(1);
    d1.ws.close();
    d2.ws.close();
  });

  it('a receipt travels back: the sender learns the remote delivery', async () => {
    const [a, b, c] = await relays(3);
    await link(a!, b!);
    await link(b!, c!);
    const alice = await peerOn(a!);
    const carol = await peerOn(c!);
    await routeKnown(a!, carol.id);
    const receipts: ReceiptEvent[] = [];
    alice.client.on('receipt', (r) => receipts.push(r));
    const res = await alice.client.send({ route: Route.A2B, to: carol.id }, Buffer.from('receipt please'), { ack: true });
    // the ACK from A (which forwards an a2b without decoding it) says: passed on over a link
    expect(res).toMatchObject({ delivered: 0, forwarded: 1, stored: 0, missed: [] });
    await waitFor(() => receipts.length === 1, 5000, 'receipt');
    expect(toHex(receipts[0]!.msgId)).toBe(toHex(res.id));
    expect(receipts[0]!.status).toBe(ReceiptStatus.DELIVERED);
  });

  it('the last relay of an a2b route delivers the FWD in place: counters, receipts and replays as onFwd has them', async () => {
    const [a, b, c] = await relays(3);
    await link(a!, b!);
    await link(b!, c!);
    const alice = await peerOn(a!);
    const carol = await peerOn(c!);
    await routeKnown(a!, carol.id);
    const receipts: ReceiptEvent[] = [];
    alice.client.on('receipt', (r) => receipts.push(r));
    const before = c!.server.core.snapshot();
    const bodies = Array.from({ length: 20 }, (_, i) => Buffer.from(`in place ${i} ${'x'.repeat(i)}`));
    for (const body of bodies) await alice.client.send({ route: Route.A2B, to: carol.id }, body);
    await waitFor(() => carol.got.length === 20 && receipts.length === 20, 5000, 'messages and receipts');
    expect(carol.texts()).toEqual(bodies.map((x) => x.toString()));
    expect(receipts.every((r) => r.status === ReceiptStatus.DELIVERED && toHex(r.recipient) === toHex(carol.id))).toBe(true);
    // C took the fast path for every one; B (no session for Carol) passed them on the general way
    expect(c!.fed.fastFwds).toBe(20);
    expect(b!.fed.fastFwds).toBe(0);
    const after = c!.server.core.snapshot();
    expect(after.deliveries - before.deliveries).toBe(20);
    // a2b MSG: 88 header bytes (type, route, flags, hops, id, from, to, body length) and the body
    expect(after.bytesForwarded - before.bytesForwarded).toBe(bodies.reduce((n, x) => n + 88 + x.byteLength, 0));

    // The same FWD twice over a link into C: delivered once (seen-cache), and the replay counts nothing.
    const rogue = generateIdentity();
    const d = await dialRelay({ url: c!.url, identity: rogue, ctx: HandshakeContext.S2S });
    d.takeOver(() => {});
    const inner = { type: FrameType.MSG, flags: 0, hops: 8, id: randomBytes(16), from: alice.id, route: Route.A2B, to: carol.id, body: Buffer.from('replayed') } as const;
    const fwd = encodeFrame({ type: FrameType.FWD, originRelay: rogue.publicKey, targets: [carol.id], msg: encodeFrame(inner), inner });
    d.ws.send(fwd);
    d.ws.send(fwd);
    await carol.waitText('replayed');
    await quiet();
    expect(carol.count(inner.id)).toBe(1);
    expect(c!.fed.fastFwds).toBe(21);
    expect(c!.server.core.snapshot().deliveries - after.deliveries).toBe(1);
    // a FWD for the zero ID (no session anywhere) is passed to the general rules: nothing delivered, C keeps working
    const zero = { ...inner, id: randomBytes(16), to: new Uint8Array(32), body: Buffer.from('to nobody') };
    d.ws.send(encodeFrame({ type: FrameType.FWD, originRelay: rogue.publicKey, targets: [zero.to], msg: encodeFrame(zero), inner: zero }));
    d.ws.close();

    // Two recipients on C, messages to them interleaved: each gets exactly its own (the relay keeps the
    // keys of recent IDs; three IDs in turn, origin relay included, must never be mixed up).
    const dave = await peerOn(c!);
    await routeKnown(a!, dave.id);
    for (let i = 0; i < 10; i++) {
      await alice.client.send({ route: Route.A2B, to: carol.id }, Buffer.from(`carol ${i}`));
      await alice.client.send({ route: Route.A2B, to: dave.id }, Buffer.from(`dave ${i}`));
    }
    await waitFor(() => dave.got.length === 10 && carol.got.length === 31 && receipts.length === 40, 5000, 'interleaved');
    expect(dave.texts()).toEqual(Array.from({ length: 10 }, (_, i) => `dave ${i}`));
    expect(carol.texts().slice(21)).toEqual(Array.from({ length: 10 }, (_, i) => `carol ${i}`));
    expect(receipts.slice(20).map((r) => toHex(r.recipient))).toEqual(Array.from({ length: 10 }, () => [toHex(carol.id), toHex(dave.id)]).flat());
    expect(c!.fed.fastFwds).toBe(41);
  });

  it('a2g list and a2g named reach members spread over relays, one FWD per next hop', async () => {
    const [a, b, c] = await relays(3);
    await link(a!, b!);
    await link(a!, c!);
    const alice = await peerOn(a!);
    const [b1, b2, c1] = [await peerOn(b!), await peerOn(b!), await peerOn(c!)];
    for (const p of [b1, b2, c1]) await routeKnown(a!, p!.id);
    const fwdBefore = b!.server.core.snapshot().framesIn;
    const res = await alice.client.send({ route: Route.A2G_LIST, to: [b1!.id, b2!.id, c1!.id] }, Buffer.from('list across'), { ack: true });
    expect(res).toMatchObject({ forwarded: 3, missed: [] });
    for (const p of [b1, b2, c1]) await p!.waitText('list across');
    expect(b!.server.core.snapshot().framesIn).toBe(fwdBefore); // links are not counted as client frames
    await alice.client.request({ op: Op.GROUP_CREATE, name: 'spread' });
    await alice.client.request({ op: Op.GROUP_ADD, name: 'spread', members: [b1!.id, c1!.id] });
    await alice.client.send({ route: Route.A2G_NAMED, group: 'spread' }, Buffer.from('named across'));
    await b1!.waitText('named across');
    await c1!.waitText('named across');
    await quiet();
    expect(b2!.texts()).not.toContain('named across');
  });

  it('a2n reaches every client of a cyclic mesh exactly once', async () => {
    // A square with a diagonal: A-B, B-C, C-D, D-A, A-C (several cycles).
    const [a, b, c, d] = await relays(4);
    await link(a!, b!);
    await link(b!, c!);
    await link(c!, d!);
    await link(d!, a!);
    await link(a!, c!);
    const peers = [await peerOn(a!), await peerOn(b!), await peerOn(c!), await peerOn(d!), await peerOn(d!)];
    const sent = await peers[1]!.client.send({ route: Route.A2N }, Buffer.from('to the whole mesh'), { ack: true });
    for (const p of peers) await p.waitText('to the whole mesh');
    await quiet(400);
    for (const p of peers) expect(p.count(sent.id)).toBe(1);
  });

  it('a2a reaches the same identity registered at two relays (redundancy) once per session', async () => {
    const [a, b] = await relays(2);
    await link(a!, b!);
    const me = generateIdentity();
    const onA = await peerOn(a!, me);
    const onB = await peerOn(b!, me);
    const other = await peerOn(b!);
    await routeKnown(b!, onA.id);
    const sent = await other.client.send({ route: Route.A2B, to: me.publicKey }, Buffer.from('to me wherever'), { ack: true });
    // b delivers to its local session; a copy is not also forwarded to a (no duplicate).
    expect(sent.delivered).toBe(1);
    await onB.waitText('to me wherever');
    await quiet();
    expect(onA.count(sent.id)).toBe(0);
  });
});

describe('federation: failures', () => {
  it('reroutes within seconds when a middle relay dies, and retries lose nothing', async () => {
    // A-B-D and A-C-D: two paths. Kill B mid-stream; traffic takes A-C-D.
    const [a, b, c, d] = await relays(4);
    await link(a!, b!);
    await link(b!, d!);
    await link(a!, c!);
    await link(c!, d!);
    const alice = await peerOn(a!);
    const dave = await peerOn(d!);
    await routeKnown(a!, dave.id);
    const total = 60;
    const delivered = new Set<string>();
    const ids: Buffer[] = [];
    for (let i = 0; i < total; i++) ids.push(randomBytes(16));
    const receipts = new Set<string>();
    alice.client.on('receipt', (r) => {
      if (r.status === ReceiptStatus.DELIVERED) receipts.add(toHex(r.msgId));
    });
    for (let i = 0; i < total; i++) {
      if (i === total / 2) await b!.close();
      await alice.client.send({ route: Route.A2B, to: dave.id }, Buffer.from(`m${i}`), { id: ids[i], ack: true }).catch(() => undefined);
      await quiet(10);
    }
    // The application retries what was not confirmed, with the same IDs: duplicates are dropped.
    const start = Date.now();
    while (receipts.size < total && Date.now() - start < 8000) {
      for (let i = 0; i < total; i++) {
        if (receipts.has(toHex(ids[i]!))) continue;
        await alice.client.send({ route: Route.A2B, to: dave.id }, Buffer.from(`m${i}`), { id: ids[i] }).catch(() => undefined);
      }
      await quiet(300);
    }
    for (const m of dave.got) delivered.add(Buffer.from(m.body).toString());
    expect(delivered.size).toBe(total);
    const route = await alice.client.request({ op: Op.ROUTE_OF, id: dave.id });
    expect(route.path.map((p) => toHex(p))).toEqual([d!.id, c!.id].map((x) => toHex(x)));
  });

  it('store-and-forward: an offline recipient gets its messages once, in order, after coming back', async () => {
    const [a, b] = await relays(2);
    await link(a!, b!);
    const bob = generateIdentity();
    const first = await peerOn(b!, bob);
    const alice = await peerOn(a!);
    await routeKnown(a!, bob.publicKey);
    await first.client.close();
    await waitFor(() => a!.fed.routes.best(idKey(bob.publicKey)) === null, 5000, 'withdraw');
    const receipts: ReceiptEvent[] = [];
    alice.client.on('receipt', (r) => receipts.push(r));
    for (let i = 0; i < 5; i++) {
      const res = await alice.client.send({ route: Route.A2B, to: bob.publicKey }, Buffer.from(`while away ${i}`), { ack: true, store: true });
      expect(res.forwarded).toBe(1); // towards bob's home relay b
    }
    await waitFor(() => receipts.filter((r) => r.status === ReceiptStatus.STORED).length === 5, 5000, 'stored receipts');
    // b restarts in between: nothing stored is lost.
    const dir = b!.dir;
    const identity = b!.identity;
    const port = b!.port;
    await b!.close();
    const b2 = await startFedRelay({ dir, identity, port });
    open.relays.push(b2);
    await waitFor(() => b2.fed.linkInfo().some((l) => l.up), 8000, 'a redials b');
    const back = await peerOn(b2, bob);
    await waitFor(() => back.got.length === 5, 5000, 'stored delivery');
    expect(back.texts()).toEqual([0, 1, 2, 3, 4].map((i) => `while away ${i}`));
    await waitFor(() => receipts.filter((r) => r.status === ReceiptStatus.DELIVERED).length === 5, 5000, 'delivered receipts');
    await quiet();
    expect(back.got.length).toBe(5);
  });

  it('refuses an untrusted relay, accepts a trusted one', async () => {
    const [closed] = await relays(1, { openFederation: false });
    const [stranger] = await relays(1);
    const d = await dialRelay({ url: closed!.url, identity: stranger!.identity, ctx: HandshakeContext.S2S }).catch((e: unknown) => e);
    expect(d).toMatchObject({ code: ErrorCode.UNTRUSTED_RELAY });
    closed!.fed.trust(stranger!.id);
    await link(stranger!, closed!);
  });

  it('a link added again with another pin is dialled with the new one', async () => {
    const [a, b] = await relays(2);
    const wrong = generateIdentity().publicKey;
    a!.fed.addPeer(b!.url, wrong);
    await waitFor(() => (a!.fed.linkInfo().find((l) => l.url === b!.url)?.lastError ?? null) !== null, 5000, 'the pinned dial to fail');
    expect(a!.fed.linkInfo().find((l) => l.url === b!.url)).toMatchObject({ up: false });
    a!.fed.addPeer(b!.url, b!.id);
    await waitFor(() => a!.fed.linkInfo().some((l) => l.url === b!.url && l.up && l.relayId.equals(b!.id)), 5000, 'the re-pinned link');
    expect(a!.store.links.links()).toEqual([expect.objectContaining({ url: b!.url, pinnedId: b!.id })]);
    // The same pin again changes nothing: the link stays up.
    a!.fed.addPeer(b!.url, b!.id);
    expect(a!.fed.linkInfo().filter((l) => l.url === b!.url).map((l) => l.up)).toEqual([true]);
  });

  it('a node that only dials out is reachable through its outbound link', async () => {
    const [hub] = await relays(1);
    // "behind NAT": this relay's own port is never dialled by anyone; it dials the hub.
    const [natted] = await relays(1, { openFederation: false });
    await link(natted!, hub!);
    const inside = await peerOn(natted!);
    const outside = await peerOn(hub!);
    await routeKnown(hub!, inside.id);
    await outside.client.send({ route: Route.A2B, to: inside.id }, Buffer.from('through your dial-out'));
    await inside.waitText('through your dial-out');
  });

  it('a relay announcing an ID registered elsewhere cannot hijack it', async () => {
    const [a, b] = await relays(2);
    await link(a!, b!);
    const victim = await peerOn(b!);
    const alice = await peerOn(a!);
    await routeKnown(a!, victim.id);
    // A rogue relay links to a and claims the victim is its local client, with a forged or replayed proof.
    const rogue = generateIdentity();
    const d = await dialRelay({ url: a!.url, identity: rogue, ctx: HandshakeContext.S2S });
    const errors: number[] = [];
    d.takeOver((data) => {
      const f = decodeFrame(data);
      if (f.ok && f.frame.type === FrameType.ERROR) errors.push(f.frame.code);
    });
    const forged = signHomeProof(rogue, rogue.publicKey, Date.now()); // signed by the rogue, not the victim
    d.ws.send(encodeFrame({ type: FrameType.ROUTE, action: RouteAction.ANNOUNCE, dest: victim.id, origin: rogue.publicKey, proofTimeMs: forged.timeMs, proofSig: forged.sig, path: [rogue.publicKey] }));
    // A shorter path with a genuine-looking proof for a different origin does not verify either.
    d.ws.send(encodeFrame({ type: FrameType.ROUTE, action: RouteAction.ANNOUNCE, dest: victim.id, origin: b!.id, proofTimeMs: forged.timeMs, proofSig: forged.sig, path: [b!.id, rogue.publicKey] }));
    await waitFor(() => errors.length === 2, 5000, 'route refusals');
    expect(errors).toEqual([ErrorCode.ROUTE_REJECTED, ErrorCode.ROUTE_REJECTED]);
    const route = await alice.client.request({ op: Op.ROUTE_OF, id: victim.id });
    expect(route.path.map((p) => toHex(p))).toEqual([toHex(b!.id)]);
    await alice.client.send({ route: Route.A2B, to: victim.id }, Buffer.from('still yours'));
    await victim.waitText('still yours');
    d.ws.close();
  });

  it('relay receipts reach the sender as events even for stored-then-delivered on the same relay', async () => {
    const [a] = await relays(1);
    const bob = generateIdentity();
    const first = await peerOn(a!, bob);
    await first.client.close();
    const alice = await peerOn(a!);
    const receipts: ReceiptEvent[] = [];
    alice.client.on('receipt', (r) => receipts.push(r));
    const res = await alice.client.send({ route: Route.A2B, to: bob.publicKey }, Buffer.from('kept here'), { ack: true, store: true });
    expect(res).toMatchObject({ delivered: 0, stored: 1, missed: [] });
    const back = await RelayClient.connect({ url: a!.url, identity: bob });
    const got: string[] = [];
    back.on('message', (m) => got.push(Buffer.from(m.body).toString()));
    await waitFor(() => got.length === 1 && receipts.some((r) => r.status === ReceiptStatus.DELIVERED), 5000, 'delivery');
    expect(got).toEqual(['kept here']);
    await back.close();
  });

  it('drops malformed and non-link frames on a link with coded errors and keeps routing', async () => {
    const [a, b] = await relays(2);
    await link(a!, b!);
    const rogue = generateIdentity();
    const d = await dialRelay({ url: a!.url, identity: rogue, ctx: HandshakeContext.S2S });
    const errors: number[] = [];
    d.takeOver((data) => {
      const f = decodeFrame(data);
      if (f.ok && f.frame.type === FrameType.ERROR) errors.push(f.frame.code);
    });
    d.ws.send(Buffer.from([FrameType.FWD, 1, 2, 3]));
    d.ws.send(encodeFrame({ type: FrameType.EVENT, kind: EventKind.NOTICE, text: 'not a link frame' }));
    await waitFor(() => errors.length === 2, 5000, 'errors');
    expect(errors).toEqual([ErrorCode.MALFORMED_FRAME, ErrorCode.UNEXPECTED_FRAME]);
    const x = await peerOn(a!);
    const y = await peerOn(b!);
    await routeKnown(a!, y.id);
    await x.client.send({ route: Route.A2B, to: y.id }, Buffer.from('still routing'));
    await y.waitText('still routing');
    d.ws.close();
    expect(WebSocket.OPEN).toBe(1);
  });
});
