// Routing through a live relay with real sockets: replyBack HELLO, a2a, a2b, a2g list, a2n, ACKs,
// unknown and offline recipients, spoofed senders, hop limits, c2s LIST_PEERS/WATCH and presence.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateIdentity } from '../../src-main/crypto/identity.js';
import { randomBytes } from '../../src-main/crypto/random.js';
import { idKey } from '../../src-main/relay/id-key.js';
import { FrameType, Limits, Op, Route } from '../../src-shared/protocol/constants.js';
import { ErrorCode, errorName } from '../../src-shared/protocol/errors.js';
import { encodeFrame, type MsgFrame } from '../../src-shared/protocol/frames.js';
import { bytesEqual, toHex } from '../../src-shared/ids.js';
import { barrier, closeAll, connectClient, expectRelayServesFreshPair, randomBody, type TestClient } from '../helpers/clients.js';
import { waitUntil } from '../helpers/inbox.js';
import { startRelay, type TestRelay } from '../helpers/relay.js';

let relay: TestRelay;
const open: TestClient[] = [];

beforeAll(async () => {
  relay = await startRelay();
});

afterAll(async () => {
  await relay.close();
});

afterEach(async () => {
  await closeAll(open.splice(0));
  // a2n and ACK counts depend on who is online: start each test with nobody.
  await waitUntil(() => relay.server.core.onlineIds().length === 0, 3000, 'every client of the last test is offline');
});

async function client(label: string, identity = generateIdentity()): Promise<TestClient> {
  const c = await connectClient(relay, { label, identity });
  open.push(c);
  return c;
}

async function clients(...labels: string[]): Promise<TestClient[]> {
  const out: TestClient[] = [];
  for (const l of labels) out.push(await client(l));
  return out;
}

/** Registers an ID, then disconnects it: the relay knows it but it is offline. */
async function offlineId(): Promise<Buffer> {
  const c = await connectClient(relay, { label: 'gone' });
  await c.close();
  await waitUntil(() => !relay.server.core.isOnline(idKey(c.id)), 3000, 'the closed client is offline');
  return c.id;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return bytesEqual(a, b);
}

function expectNoErrors(...cs: TestClient[]): void {
  for (const c of cs) expect(c.events.peek((e) => e.kind === 'error').map((e) => (e.kind === 'error' ? errorName(e.error.code) : ''))).toEqual([]);
}

describe('registration (replyBack)', () => {
  it('HELLO names the relay, its time and its limits; READY confirms the transcript', async () => {
    const [a] = await clients('a');
    const hello = a!.client.hello;
    expect(toHex(hello.relayId)).toBe(toHex(relay.id));
    expect(Math.abs(hello.timeMs - Date.now())).toBeLessThan(5000);
    expect(hello.version).toBe(1);
    const lim = relay.server.limits;
    expect(hello).toMatchObject({
      maxFrameBytes: lim.maxFrameBytes,
      maxRecipients: lim.maxRecipients,
      ratePerSec: lim.ratePerSec,
      rateBurst: lim.rateBurst,
      pingIntervalMs: lim.pingIntervalMs,
      handshakeTimeoutMs: lim.handshakeTimeoutMs,
    });
    expect(hello.maxFrameBytes).toBeLessThanOrEqual(Limits.MAX_FRAME_BYTES);
    expect(a!.client.transcriptHash.byteLength).toBe(32);
    expect(relay.store.nodeList.has(a!.id)).toBe(true);
    expect(relay.server.core.isOnline(idKey(a!.id))).toBe(true);
  });
});

describe('a2a: to self', () => {
  it('reaches every session of the sender ID (including the sending one), once each, and nobody else', async () => {
    const [a1, b, c] = await clients('a1', 'b', 'c');
    const a2 = await client('a2', a1!.identity);
    const body = randomBody();
    const res = await a1!.client.send({ route: Route.A2A }, body, { ack: true });
    expect(res.delivered).toBe(1);
    expect(res.missed).toEqual([]);
    const marker = randomBody();
    await a1!.client.send({ route: Route.A2A }, marker);
    for (const s of [a1!, a2]) {
      const first = await s.nextMessage();
      const second = await s.nextMessage();
      expect(first.route).toBe(Route.A2A);
      expect(sameBytes(first.body, body)).toBe(true);
      expect(sameBytes(first.from, a1!.id)).toBe(true);
      expect(sameBytes(second.body, marker)).toBe(true);
      expect(s.drainMessages()).toEqual([]);
    }
    const [beforeB, beforeC] = await barrier(a1!, [b!, c!]);
    expect(beforeB).toEqual([]);
    expect(beforeC).toEqual([]);
    expectNoErrors(a1!, a2, b!, c!);
  });
});

describe('a2b: to one', () => {
  it('only the addressee gets it, with the sender ID and body unchanged', async () => {
    const [a, b, c] = await clients('a', 'b', 'c');
    const body = randomBody(1000);
    const res = await a!.client.send({ route: Route.A2B, to: b!.id }, body, { ack: true });
    // a relay without links forwards and stores nothing
    expect(res).toMatchObject({ delivered: 1, forwarded: 0, stored: 0, missed: [] });
    const got = await b!.messageWithBody(body);
    expect(got.route).toBe(Route.A2B);
    expect(got.route === Route.A2B && sameBytes(got.to, b!.id)).toBe(true);
    expect(sameBytes(got.from, a!.id)).toBe(true);
    expect(sameBytes(got.id, res.id)).toBe(true);
    expect(got.flags & 1).toBe(1);
    const [beforeC] = await barrier(a!, [c!]);
    expect(beforeC).toEqual([]);
    expect(a!.drainMessages()).toEqual([]);
    expect(b!.drainMessages()).toEqual([]);
  });

  it('reaches both sessions of the addressee', async () => {
    const [a, b1] = await clients('a', 'b1');
    const b2 = await client('b2', b1!.identity);
    const body = randomBody();
    const res = await a!.client.send({ route: Route.A2B, to: b1!.id }, body, { ack: true });
    expect(res.delivered).toBe(1);
    await b1!.messageWithBody(body);
    await b2.messageWithBody(body);
  });

  it('an unknown ID: ACK.missed UNKNOWN_RECIPIENT, or an ERROR naming the message', async () => {
    const [a] = await clients('a');
    const stranger = generateIdentity().publicKey;
    const res = await a!.client.send({ route: Route.A2B, to: stranger }, randomBody(), { ack: true });
    expect(res.delivered).toBe(0);
    expect(res.missed!.map((m) => [toHex(m.id), errorName(m.code)])).toEqual([[toHex(stranger), 'UNKNOWN_RECIPIENT']]);
    const sent = await a!.client.send({ route: Route.A2B, to: stranger }, randomBody());
    const err = await a!.nextError(ErrorCode.UNKNOWN_RECIPIENT);
    expect(toHex(err.ref)).toBe(toHex(sent.id));
  });

  it('an offline ID that registered before: RECIPIENT_OFFLINE', async () => {
    const gone = await offlineId();
    const [a] = await clients('a');
    const res = await a!.client.send({ route: Route.A2B, to: gone }, randomBody(), { ack: true });
    expect(res.delivered).toBe(0);
    expect(res.missed!.map((m) => errorName(m.code))).toEqual(['RECIPIENT_OFFLINE']);
    const sent = await a!.client.send({ route: Route.A2B, to: gone }, randomBody());
    const err = await a!.nextError(ErrorCode.RECIPIENT_OFFLINE);
    expect(toHex(err.ref)).toBe(toHex(sent.id));
  });
});

describe('a2g list: to several', () => {
  it('reaches exactly the listed (once each); offline and unknown ones come back in ACK.missed', async () => {
    const gone = await offlineId();
    const stranger = generateIdentity().publicKey;
    const [a, b, c, d] = await clients('a', 'b', 'c', 'd');
    const body = randomBody();
    const res = await a!.client.send({ route: Route.A2G_LIST, to: [b!.id, gone, c!.id, stranger, b!.id] }, body, { ack: true });
    expect(res.delivered).toBe(2);
    expect(res.missed!.map((m) => [toHex(m.id), errorName(m.code)])).toEqual([
      [toHex(gone), 'RECIPIENT_OFFLINE'],
      [toHex(stranger), 'UNKNOWN_RECIPIENT'],
    ]);
    for (const r of [b!, c!]) {
      const got = await r.messageWithBody(body);
      expect(got.route).toBe(Route.A2G_LIST);
    }
    const [beforeB, beforeC, beforeD] = await barrier(a!, [b!, c!, d!]);
    expect(beforeB).toEqual([]); // the duplicate listing did not produce a second copy
    expect(beforeC).toEqual([]);
    expect(beforeD).toEqual([]);
    expect(a!.drainMessages()).toEqual([]);
  });

  it('without ack: one ERROR per missing recipient, naming the message; the rest is delivered', async () => {
    const gone = await offlineId();
    const stranger = generateIdentity().publicKey;
    const [a, b] = await clients('a', 'b');
    const body = randomBody();
    const sent = await a!.client.send({ route: Route.A2G_LIST, to: [gone, b!.id, stranger] }, body);
    await b!.messageWithBody(body);
    const offline = await a!.nextError(ErrorCode.RECIPIENT_OFFLINE);
    const unknown = await a!.nextError(ErrorCode.UNKNOWN_RECIPIENT);
    expect(toHex(offline.ref)).toBe(toHex(sent.id));
    expect(toHex(unknown.ref)).toBe(toHex(sent.id));
    await barrier(a!, [b!]);
    expect(a!.events.peek((e) => e.kind === 'error')).toEqual([]);
  });

  it('the sender gets a copy only if it lists itself', async () => {
    const [a, b] = await clients('a', 'b');
    const body = randomBody();
    const res = await a!.client.send({ route: Route.A2G_LIST, to: [a!.id, b!.id] }, body, { ack: true });
    expect(res.delivered).toBe(2);
    await a!.messageWithBody(body);
    await b!.messageWithBody(body);
  });
});

describe('a2n: to all', () => {
  it('every registered client, the sender included, gets exactly one copy', async () => {
    const cs = await clients('a', 'b', 'c', 'd');
    const a2 = await client('a2', cs[0]!.identity);
    const body = randomBody();
    const res = await cs[0]!.client.send({ route: Route.A2N }, body, { ack: true });
    expect(res.delivered).toBe(4); // IDs, not sessions
    expect(res.missed).toEqual([]);
    for (const c of [...cs, a2]) {
      const got = await c.messageWithBody(body);
      expect(got.route).toBe(Route.A2N);
      expect(sameBytes(got.from, cs[0]!.id)).toBe(true);
    }
    // a second a2n acts as the barrier: nobody may see the first one twice
    const marker = randomBody();
    await cs[0]!.client.send({ route: Route.A2N }, marker);
    for (const c of [...cs, a2]) {
      await c.messageWithBody(marker);
      expect(c.drainMessages()).toEqual([]);
    }
    expectNoErrors(...cs, a2);
  });
});

describe('refused messages reach nobody', () => {
  function rawMsg(from: Uint8Array, target: { route: typeof Route.A2B; to: Uint8Array } | { route: typeof Route.A2N }, hops = 8): { id: Buffer; bytes: Uint8Array } {
    const id = randomBytes(16);
    return { id, bytes: encodeFrame({ type: FrameType.MSG, flags: 0, hops, id, from, body: randomBody(), ...target } as MsgFrame) };
  }

  it('a spoofed "from" is SPOOFED_SENDER, naming the message, and is not forwarded', async () => {
    const [a, b, c] = await clients('a', 'b', 'c');
    const toC = rawMsg(b!.id, { route: Route.A2B, to: c!.id });
    a!.client.sendRaw(toC.bytes);
    const e1 = await a!.nextError(ErrorCode.SPOOFED_SENDER);
    expect(toHex(e1.ref)).toBe(toHex(toC.id));
    const toAll = rawMsg(b!.id, { route: Route.A2N });
    a!.client.sendRaw(toAll.bytes);
    const e2 = await a!.nextError(ErrorCode.SPOOFED_SENDER);
    expect(toHex(e2.ref)).toBe(toHex(toAll.id));
    const before = await barrier(a!, [b!, c!]);
    expect(before).toEqual([[], []]);
    expect(a!.drainMessages()).toEqual([]);
  });

  it('hops outside 1..16 is BAD_HOPS; the limits themselves pass', async () => {
    const [a, b] = await clients('a', 'b');
    for (const hops of [0, Limits.MAX_HOPS + 1, 255]) {
      await expect(a!.client.send({ route: Route.A2B, to: b!.id }, randomBody(), { ack: true, hops })).rejects.toMatchObject({ code: ErrorCode.BAD_HOPS });
    }
    const [before] = await barrier(a!, [b!]);
    expect(before).toEqual([]);
    for (const hops of [1, Limits.MAX_HOPS]) {
      const body = randomBody();
      const res = await a!.client.send({ route: Route.A2B, to: b!.id }, body, { ack: true, hops });
      expect(res.delivered).toBe(1);
      expect((await b!.messageWithBody(body)).hops).toBe(hops);
    }
  });
});

describe('c2s requests and s2c presence', () => {
  it('LIST_PEERS lists every ID that registered, with online flags and last-seen times', async () => {
    const gone = await offlineId();
    const [a, b] = await clients('a', 'b');
    const res = await a!.client.request({ op: Op.LIST_PEERS });
    const byId = new Map(res.peers.map((p) => [toHex(p.id), p]));
    expect(byId.get(toHex(a!.id))?.online).toBe(true);
    expect(byId.get(toHex(b!.id))?.online).toBe(true);
    expect(byId.get(toHex(gone))?.online).toBe(false);
    for (const p of res.peers) expect(p.lastSeenMs).toBeLessThanOrEqual(Date.now());
    expect(Math.abs(byId.get(toHex(b!.id))!.lastSeenMs - Date.now())).toBeLessThan(5000);
    // most recently seen first
    const times = res.peers.map((p) => p.lastSeenMs);
    expect([...times].sort((x, y) => y - x)).toEqual(times);
  });

  it('WATCH answers current presence and then pushes online/offline events', async () => {
    const [a, b] = await clients('a', 'b');
    const later = generateIdentity();
    const res = await a!.client.request({ op: Op.WATCH, ids: [b!.id, later.publicKey] });
    expect(res.presence.map((p) => [toHex(p.id), p.online])).toEqual([
      [toHex(b!.id), true],
      [toHex(later.publicKey), false],
    ]);
    const x = await client('later', later);
    const on = await a!.nextPresence(later.publicKey, true);
    expect(Math.abs(on.timeMs - Date.now())).toBeLessThan(5000);
    await x.close();
    await a!.nextPresence(later.publicKey, false);
    await b!.close();
    await a!.nextPresence(b!.id, false);
  });

  it('presence goes to group co-members (offline and back online) and to a2b contacts, not to strangers', async () => {
    const [a, b, c, d] = await clients('a', 'b', 'c', 'd');
    await a!.client.request({ op: Op.GROUP_CREATE, name: 'presence-team' });
    await a!.client.request({ op: Op.GROUP_ADD, name: 'presence-team', members: [b!.id] });
    await b!.close();
    await a!.nextPresence(b!.id, false);
    const b2 = await client('b again', b!.identity);
    await a!.nextPresence(b!.id, true);

    await a!.client.send({ route: Route.A2B, to: c!.id }, randomBody(), { ack: true });
    await c!.close();
    await a!.nextPresence(c!.id, false);

    // d shares no group with anyone and messaged nobody: it hears of nobody
    await barrier(a!, [d!]);
    expect(d!.events.peek((e) => e.kind === 'presence')).toEqual([]);
    // and the group link works both ways: a's offline goes to b
    await a!.close();
    await b2.nextPresence(a!.id, false);
  });

  it('an explicit close is an offline event for watchers', async () => {
    const [a, b] = await clients('a', 'b');
    await a!.client.request({ op: Op.WATCH, ids: [b!.id] });
    await b!.client.close();
    const ev = await a!.nextPresence(b!.id, false);
    expect(ev.online).toBe(false);
  });
});

describe('after all of the above', () => {
  it('a fresh pair still exchanges a2b', async () => {
    await expectRelayServesFreshPair(relay);
  });
});
