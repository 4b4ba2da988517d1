// Resource limits at a live relay: handshake deadline, connection cap, rate limit, slow consumers and
// ping timeouts. Each cuts only the offender with its close code; the relay keeps serving everyone else.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { generateIdentity } from '../../src-main/crypto/identity.js';
import { randomBytes } from '../../src-main/crypto/random.js';
import { HandshakeInitiator } from '../../src-main/crypto/handshake.js';
import { Connection } from '../../src-main/relay/connection.js';
import { idKey } from '../../src-main/relay/id-key.js';
import { RelayClient } from '../../src-main/client/relay-client.js';
import { FrameType, HandshakeContext, Op, Route } from '../../src-shared/protocol/constants.js';
import { CloseCode, ErrorCode, errorName } from '../../src-shared/protocol/errors.js';
import { encodeFrame, type MsgFrame } from '../../src-shared/protocol/frames.js';
import { toHex } from '../../src-shared/ids.js';
import { closeAll, connectClient, connectClients, expectRelayServesFreshPair, randomBody, type TestClient } from '../helpers/clients.js';
import { sleep, waitUntil } from '../helpers/inbox.js';
import { RawPeer, connectRaw } from '../helpers/raw-peer.js';
import { startRelay, type TestRelay } from '../helpers/relay.js';

function a2a(from: Uint8Array): MsgFrame {
  return { type: FrameType.MSG, route: Route.A2A, flags: 0, hops: 8, id: randomBytes(16), from, body: randomBytes(8) };
}

/** Records the close codes the relay chose for its connections (the peer may not see them if it does not read). */
function spyOnRelayCloses(): { codes: () => number[]; restore: () => void } {
  const spy = vi.spyOn(Connection.prototype, 'close');
  return { codes: () => spy.mock.calls.map((c) => c[0]), restore: () => spy.mockRestore() };
}

/** No internal error was logged, and nothing reached a client it was not sent to. */
async function expectHealthy(relay: TestRelay, bystander?: TestClient): Promise<void> {
  await expectRelayServesFreshPair(relay);
  if (bystander) {
    expect(bystander.drainMessages()).toEqual([]);
    expect(bystander.events.peek((e) => e.kind === 'error' || e.kind === 'close')).toEqual([]);
  }
  expect(relay.logLines.filter((l) => l.includes('internal error'))).toEqual([]);
}

describe('handshake deadline', () => {
  let relay: TestRelay;
  let bystander: TestClient;
  beforeAll(async () => {
    relay = await startRelay({ limits: { handshakeTimeoutMs: 300 } });
    bystander = await connectClient(relay, { label: 'bystander' });
  });
  afterEach(async () => {
    await expectHealthy(relay, bystander);
  });
  afterAll(async () => {
    await bystander.close();
    await relay.close();
  });

  it('silence after HELLO: HANDSHAKE_TIMEOUT then close 4002, within the deadline', async () => {
    const started = Date.now();
    const p = await RawPeer.open(relay.url);
    const hello = await p.hello();
    expect(hello.handshakeTimeoutMs).toBe(300);
    const err = await p.nextError(ErrorCode.HANDSHAKE_TIMEOUT, 2000);
    expect(err.type).toBe(FrameType.ERROR);
    expect((await p.nextClose(2000)).code).toBe(CloseCode.HANDSHAKE_TIMEOUT);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(2000);
  });

  it('HS1 but never HS3: HANDSHAKE_TIMEOUT and close 4002; the ID is not registered', async () => {
    const id = generateIdentity();
    const p = await RawPeer.open(relay.url);
    const hello = await p.hello();
    p.send({ type: FrameType.HS1, ...new HandshakeInitiator(HandshakeContext.C2S, id, hello.relayId, relay.url).start() });
    expect((await p.next()).type).toBe(FrameType.HS2);
    await p.nextError(ErrorCode.HANDSHAKE_TIMEOUT, 2000);
    expect((await p.nextClose(2000)).code).toBe(CloseCode.HANDSHAKE_TIMEOUT);
    expect(relay.store.nodeList.has(id.publicKey)).toBe(false);
  });

  it('a registered client outlives the deadline', async () => {
    const [a, b] = (await connectClients(relay, 2)) as [TestClient, TestClient];
    await sleep(450);
    const res = await a.client.send({ route: Route.A2B, to: b.id }, randomBody(), { ack: true });
    expect(res.delivered).toBe(1);
    await closeAll([a, b]);
  });
});

describe('connection cap', () => {
  let relay: TestRelay;
  beforeAll(async () => {
    relay = await startRelay({ limits: { maxConnections: 3 } });
  });
  afterEach(async () => {
    await expectHealthy(relay);
  });
  afterAll(async () => {
    await relay.close();
  });

  it('the 4th connection gets TOO_MANY_CONNECTIONS and close 1013; a slot frees up when one leaves', async () => {
    const three = await connectClients(relay, 2, 'cap');
    const third = await RawPeer.open(relay.url, {}, 'unregistered'); // unregistered connections count too
    await third.hello();

    const fourth = await RawPeer.open(relay.url, {}, 'fourth');
    const err = await fourth.next();
    expect(err.type === FrameType.ERROR && errorName(err.code)).toBe('TOO_MANY_CONNECTIONS');
    expect((await fourth.nextClose()).code).toBe(CloseCode.TRY_AGAIN_LATER);
    const id = generateIdentity();
    await expect(RelayClient.connect({ url: relay.url, identity: id, handshakeTimeoutMs: 3000 })).rejects.toMatchObject({ code: ErrorCode.TOO_MANY_CONNECTIONS });
    expect(relay.store.nodeList.has(id.publicKey)).toBe(false);

    // the refused connections did not take a slot, and the others work on
    const res = await three[0]!.client.send({ route: Route.A2B, to: three[1]!.id }, randomBody(), { ack: true });
    expect(res.delivered).toBe(1);
    await three[1]!.nextMessage();

    await third.close();
    await waitUntil(() => relay.server.core.connectionCount === 2, 2000, 'the relay counts 2 connections');
    const late = await connectClient(relay, { label: 'late' });
    await expect(RelayClient.connect({ url: relay.url, identity: generateIdentity(), handshakeTimeoutMs: 3000 })).rejects.toMatchObject({ code: ErrorCode.TOO_MANY_CONNECTIONS });
    // nothing reached a client it was not sent to
    for (const c of [...three, late]) expect(c.drainMessages()).toEqual([]);
    await closeAll([...three, late]);
    await waitUntil(() => relay.server.core.connectionCount === 0, 2000, 'the relay counts no connections');
  });
});

describe('rate limit', () => {
  const RATE = 20;
  const BURST = 10;
  const MAX_VIOLATIONS = 20;
  let relay: TestRelay;
  let bystander: TestClient;
  beforeAll(async () => {
    relay = await startRelay({ limits: { ratePerSec: RATE, rateBurst: BURST, maxRateViolations: MAX_VIOLATIONS } });
    bystander = await connectClient(relay, { label: 'bystander' });
  });
  afterEach(async () => {
    await expectHealthy(relay, bystander);
  });
  afterAll(async () => {
    await bystander.close();
    await relay.close();
  });

  it('one RATE_LIMITED per burst of dropped frames, close 4004 after too many in a row; others unaffected', async () => {
    const [b, c] = (await connectClients(relay, 2, 'calm')) as [TestClient, TestClient];
    const id = generateIdentity();
    const flooder = await connectRaw(relay.url, id, 'flooder');
    await sleep((BURST / RATE) * 1000 + 50); // bucket full again after the handshake's two frames

    const first = Array.from({ length: BURST + 8 }, () => a2a(id.publicKey));
    for (const m of first) flooder.send(m);
    const err = await flooder.nextError(ErrorCode.RATE_LIMITED);
    // the error names the first dropped message (whether a token trickled in meanwhile decides which one)
    expect(first.slice(BURST - 1, BURST + 1).map((m) => toHex(m.id))).toContain(toHex(err.ref));
    // The frames that got a token come back (a2a); the ones after them were dropped.
    await sleep(100);
    const echoed = flooder.drainFrames().filter((f) => f.type === FrameType.MSG).length;
    expect(echoed).toBeGreaterThanOrEqual(BURST);
    expect(echoed).toBeLessThanOrEqual(BURST + 3);
    expect(flooder.inbox.peek((r) => r.decoded.ok && r.decoded.frame.type === FrameType.ERROR)).toEqual([]);

    // a calm client on the same relay is not slowed down
    const res = await b.client.send({ route: Route.A2B, to: c.id }, randomBody(), { ack: true });
    expect(res.delivered).toBe(1);

    // after a refill, a new burst of violations gets one new error
    await sleep(300);
    for (let i = 0; i < 12; i++) flooder.send(a2a(id.publicKey));
    await flooder.nextError(ErrorCode.RATE_LIMITED);
    await sleep(100);
    expect(flooder.drainFrames().filter((f) => f.type === FrameType.ERROR)).toEqual([]);
    expect(flooder.isClosed).toBe(false);

    // more than maxRateViolations in a row: cut with 4004
    for (let i = 0; i < MAX_VIOLATIONS + BURST + 10; i++) flooder.send(a2a(id.publicKey));
    expect((await flooder.nextClose()).code).toBe(CloseCode.RATE_LIMITED);
    await waitUntil(() => !relay.server.core.isOnline(idKey(id.publicKey)), 2000, 'the flooder is offline');
    expect(relay.server.core.snapshot().errors[ErrorCode.RATE_LIMITED]).toBeGreaterThan(MAX_VIOLATIONS);

    const res2 = await c.client.send({ route: Route.A2B, to: b.id }, randomBody(), { ack: true });
    expect(res2.delivered).toBe(1);
    expect(b.events.peek((e) => e.kind === 'error' || e.kind === 'close')).toEqual([]);
    expect(c.events.peek((e) => e.kind === 'error' || e.kind === 'close')).toEqual([]);
    expect(b.drainMessages()).toHaveLength(1);
    expect(c.drainMessages()).toHaveLength(1);
    await closeAll([b, c]);
  });
});

describe('slow consumer', () => {
  let relay: TestRelay;
  let bystander: TestClient;
  beforeAll(async () => {
    relay = await startRelay({ limits: { maxBufferedBytes: 256 * 1024 } });
    bystander = await connectClient(relay, { label: 'bystander' });
  });
  afterEach(async () => {
    await expectHealthy(relay, bystander);
  });
  afterAll(async () => {
    await bystander.close();
    await relay.close();
  });

  it('a client that stops reading is cut with 4003 once its queue passes the limit; the relay serves on', async () => {
    const closes = spyOnRelayCloses();
    try {
      const victimId = generateIdentity();
      const victim = await connectRaw(relay.url, victimId, 'victim');
      const [sender, watcher] = (await connectClients(relay, 2, 'slow')) as [TestClient, TestClient];
      await watcher.client.request({ op: Op.WATCH, ids: [victimId.publicKey] });
      victim.pause();

      const body = new Uint8Array(100 * 1024);
      let sent = 0;
      for (; sent < 600; sent++) {
        // The ACK comes once the relay has queued the copy, so this loop cannot outrun it.
        const res = await sender.client.send({ route: Route.A2B, to: victimId.publicKey }, body, { ack: true });
        if (res.delivered === 0) {
          expect(res.missed!.map((m) => errorName(m.code))).toEqual(['RECIPIENT_OFFLINE']);
          break;
        }
      }
      expect(sent).toBeLessThan(600);
      expect(closes.codes()).toContain(CloseCode.SLOW_CONSUMER);
      expect(relay.server.core.snapshot().slowConsumers).toBe(1);
      expect(relay.server.core.isOnline(idKey(victimId.publicKey))).toBe(false);
      await watcher.nextPresence(victimId.publicKey, false);

      // the sender and everybody else carry on
      const res = await sender.client.send({ route: Route.A2B, to: watcher.id }, randomBody(), { ack: true });
      expect(res.delivered).toBe(1);

      // Reading again, the victim gets its backlog and then the close: 4003 if the close frame made it
      // before the relay's hard cut (1 s later), else an abnormal close.
      victim.resume();
      const closed = await victim.nextClose(5000);
      expect([CloseCode.SLOW_CONSUMER, 1006]).toContain(closed.code);
      expect(watcher.drainMessages()).toHaveLength(1);
      expect(sender.drainMessages()).toEqual([]);
      await closeAll([sender, watcher]);
    } finally {
      closes.restore();
    }
  });
});

describe('ping timeout', () => {
  let relay: TestRelay;
  let bystander: TestClient;
  beforeAll(async () => {
    relay = await startRelay({ limits: { pingIntervalMs: 150, pingTimeoutMs: 150 } });
    bystander = await connectClient(relay, { label: 'bystander' });
  });
  afterEach(async () => {
    await expectHealthy(relay, bystander);
  });
  afterAll(async () => {
    await bystander.close();
    await relay.close();
  });

  it('a client that does not answer pings is dropped with 4005 and goes offline; live ones stay', async () => {
    const closes = spyOnRelayCloses();
    try {
      const victimId = generateIdentity();
      const victim = await connectRaw(relay.url, victimId, 'silent');
      const watcher = await connectClient(relay, { label: 'watcher' });
      await watcher.client.request({ op: Op.WATCH, ids: [victimId.publicKey] });
      victim.pause();
      const started = Date.now();
      await watcher.nextPresence(victimId.publicKey, false, 3000);
      expect(Date.now() - started).toBeLessThan(1500);
      expect(closes.codes()).toContain(CloseCode.PING_TIMEOUT);
      expect(relay.server.core.snapshot().errors[ErrorCode.PING_TIMEOUT]).toBeGreaterThanOrEqual(1);
      expect(relay.server.core.isOnline(idKey(victimId.publicKey))).toBe(false);
      victim.resume();
      expect([CloseCode.PING_TIMEOUT, 1006]).toContain((await victim.nextClose(3000)).code);

      // clients that answer pings stay through several ping periods
      await sleep(500);
      expect(relay.server.core.isOnline(idKey(bystander.id))).toBe(true);
      expect(relay.server.core.isOnline(idKey(watcher.id))).toBe(true);
      expect(closes.codes().filter((c) => c === CloseCode.PING_TIMEOUT)).toHaveLength(1);
      await watcher.close();
    } finally {
      closes.restore();
    }
  });

  it('an explicit close is an offline event too', async () => {
    const [a, b] = (await connectClients(relay, 2, 'bye')) as [TestClient, TestClient];
    await a.client.request({ op: Op.WATCH, ids: [b.id] });
    await b.close();
    await a.nextPresence(b.id, false);
    await a.close();
  });
});

describe('raw sends keep to the relay limits', () => {
  it('a frame encoded for a bigger relay is refused by the client before it is sent', async () => {
    const relay = await startRelay({ limits: { maxFrameBytes: 2048 } });
    try {
      const [a, b] = (await connectClients(relay, 2)) as [TestClient, TestClient];
      await expect(a.client.send({ route: Route.A2B, to: b.id }, new Uint8Array(4096))).rejects.toMatchObject({ code: ErrorCode.FRAME_TOO_LARGE });
      a.client.sendRaw(encodeFrame({ ...a2a(a.id), body: new Uint8Array(3000) }));
      await a.nextError(ErrorCode.FRAME_TOO_LARGE);
      expect(b.drainMessages()).toEqual([]);
      await closeAll([a, b]);
      await expectHealthy(relay);
    } finally {
      await relay.close();
    }
  });
});

describe('shutdown', () => {
  it('tells clients (NOTICE, then close 1001) and is not held up by a client that stopped reading', async () => {
    const relay = await startRelay();
    const listener = await connectClient(relay, { label: 'listener' });
    const stuck = await connectRaw(relay.url, generateIdentity(), 'stuck');
    stuck.pause();
    const started = Date.now();
    await relay.close();
    expect(Date.now() - started).toBeLessThan(2500);
    const notice = await listener.events.take((e) => e.kind === 'notice');
    expect(notice.kind === 'notice' && notice.text).toMatch(/shutting down/);
    expect((await listener.nextClose()).code).toBe(CloseCode.GOING_AWAY);
    stuck.resume();
    await stuck.nextClose();
  });
});
