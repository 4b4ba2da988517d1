// End-to-end protection against a malicious relay: a tampering proxy in the path flips, drops,
// reorders, replays, re-addresses and injects frames; every case is detected, and nothing the relay
// path carried contains plaintext.
import fs from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FrameType, Op, Route } from '../../src-shared/protocol/constants.js';
import { E2eKind, decodeE2e, encodeE2e, envelopeAd } from '../../src-shared/protocol/e2e.js';
import { ErrorCode, W2wError } from '../../src-shared/protocol/errors.js';
import { decodeFrame, encodeFrame, type MsgFrame } from '../../src-shared/protocol/frames.js';
import { RelayClient } from '../../src-main/client/relay-client.js';
import { generateIdentity } from '../../src-main/crypto/identity.js';
import { REJECT_BURST, REJECTS_PER_SEC, SecureChannel, type OpenedMessage, type RejectedMessage } from '../../src-main/e2e/secure-channel.js';
import { makeTempDir, startRelay, type TestRelay } from '../helpers/relay.js';
import { openStore } from '../../src-main/store/db.js';
import { sealBox } from '../../src-main/e2e/box.js';
import { startFedRelay } from '../helpers/federation.js';
import { startTamperProxy, type TamperProxy } from '../helpers/tamper-proxy.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

interface End {
  channel: SecureChannel;
  opened: OpenedMessage[];
  rejected: RejectedMessage[];
  gaps: number[];
}

async function end(url: string): Promise<End> {
  const client = await RelayClient.connect({ url, identity: generateIdentity() });
  cleanup.push(() => client.close());
  const channel = new SecureChannel(client, { handshakeTimeoutMs: 3000 });
  const e: End = { channel, opened: [], rejected: [], gaps: [] };
  channel.on('payload', (o) => e.opened.push(o));
  channel.on('rejected', (r) => e.rejected.push(r));
  channel.on('gap', (g) => e.gaps.push(g.skipped));
  return e;
}

async function setup(): Promise<{ relay: TestRelay; proxy: TamperProxy; alice: End; bob: End }> {
  const relay = await startRelay();
  cleanup.push(() => relay.close());
  const proxy = await startTamperProxy(relay.url);
  cleanup.push(() => proxy.close());
  const alice = await end(relay.url);
  const bob = await end(proxy.url); // everything bob receives passes the malicious relay path
  return { relay, proxy, alice, bob };
}

async function until(test: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const t0 = Date.now();
  while (!test()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const isSealed = (f: Buffer): MsgFrame | null => {
  const d = decodeFrame(f);
  if (!d.ok || d.frame.type !== FrameType.MSG) return null;
  const b = decodeE2e(d.frame.body);
  return b.ok && b.body.kind === E2eKind.SEALED ? d.frame : null;
};

const text = (s: string): Buffer => Buffer.concat([Buffer.of(1), Buffer.from(s)]);
const texts = (e: End): string[] => e.opened.map((o) => o.payload.subarray(1).toString());

describe('end-to-end protection against a malicious relay', () => {
  it('delivers sealed a2b both ways, and the relay path never carries the plaintext', async () => {
    const { proxy, alice, bob } = await setup();
    const secret = 'the eagle lands at dawn';
    await alice.channel.send({ route: Route.A2B, to: bob.channel.me }, text(secret), { ack: true });
    await until(() => texts(bob).includes(secret), 'bob opens it');
    await bob.channel.send({ route: Route.A2B, to: alice.channel.me }, text(`re: ${secret}`), { ack: true });
    await until(() => texts(alice).includes(`re: ${secret}`), 'alice opens the reply');
    expect(bob.opened[0]!.mode).toBe('session');
    const all = Buffer.concat(proxy.seen);
    expect(all.includes(Buffer.from('eagle'))).toBe(false);
    expect(proxy.seen.length).toBeGreaterThan(6);
  });

  it('detects a flipped bit in a ciphertext', async () => {
    const { proxy, alice, bob } = await setup();
    await alice.channel.send({ route: Route.A2B, to: bob.channel.me }, text('warm up'), { ack: true });
    await until(() => bob.opened.length === 1, 'warm up');
    proxy.tamper = (f) => {
      if (!isSealed(f)) return [f];
      const copy = Buffer.from(f);
      copy[copy.length - 5] = (copy[copy.length - 5] as number) ^ 0x01;
      return [copy];
    };
    await alice.channel.send({ route: Route.A2B, to: bob.channel.me }, text('pay 100'), { ack: true });
    await until(() => bob.rejected.length === 1, 'rejection');
    expect(bob.rejected[0]!.code).toBe(ErrorCode.BAD_SIGNATURE);
    expect(texts(bob)).toEqual(['warm up']);
  });

  it('detects a replayed frame', async () => {
    const { proxy, alice, bob } = await setup();
    proxy.tamper = (f) => (isSealed(f) ? [f, f] : [f]);
    await alice.channel.send({ route: Route.A2B, to: bob.channel.me }, text('once only'), { ack: true });
    await until(() => bob.rejected.length === 1, 'replay rejection');
    expect(texts(bob)).toEqual(['once only']);
    expect(bob.rejected[0]!.code).toBe(ErrorCode.BAD_SIGNATURE);
  });

  it('detects re-addressing: a changed envelope does not authenticate, another recipient cannot open it', async () => {
    const { proxy, alice, bob } = await setup();
    const carol = await end(proxy.url);
    await alice.channel.send({ route: Route.A2B, to: bob.channel.me }, text('warm up'), { ack: true });
    await until(() => bob.opened.length === 1, 'warm up');
    // 1. the relay rewrites the envelope's message ID (part of what the ciphertext is bound to)
    proxy.tamper = (f) => {
      const m = isSealed(f);
      if (!m) return [f];
      return [Buffer.from(encodeFrame({ ...m, id: Buffer.alloc(16, 7) }))];
    };
    await alice.channel.send({ route: Route.A2B, to: bob.channel.me }, text('for bob'), { ack: true });
    await until(() => bob.rejected.length === 1, 'envelope change detected');
    // 2. the relay hands bob's message to carol instead
    let stolen: Buffer | null = null;
    proxy.tamper = (f) => {
      if (isSealed(f) && !stolen) {
        stolen = f;
        return [];
      }
      return [f];
    };
    await alice.channel.send({ route: Route.A2B, to: bob.channel.me }, text('for bob only'), { ack: true });
    await until(() => stolen !== null, 'theft');
    const m = isSealed(stolen!) as MsgFrame;
    const readdressed = encodeFrame({ ...m, to: carol.channel.me } as MsgFrame);
    // inject into carol's connection through her own proxy path
    proxy.tamper = (f) => [f];
    (carol.channel.client as unknown as { emit: (e: string, m: MsgFrame) => void }).emit('message', decodeFrame(readdressed).ok ? (decodeFrame(readdressed) as { frame: MsgFrame }).frame : m);
    await until(() => carol.rejected.length === 1, 'carol cannot open it');
    expect(texts(carol)).toEqual([]);
    expect(texts(bob)).toEqual(['warm up']);
  });

  it('reports dropped messages as a gap, accepts reordering within the window, refuses a forged sender', async () => {
    const { proxy, alice, bob } = await setup();
    await alice.channel.send({ route: Route.A2B, to: bob.channel.me }, text('m0'), { ack: true });
    await until(() => bob.opened.length === 1, 'm0');
    let held: Buffer | null = null;
    let dropped = 0;
    proxy.tamper = (f) => {
      if (!isSealed(f)) return [f];
      if (dropped < 2) {
        dropped++;
        return [];
      }
      if (!held) {
        held = f;
        return [];
      }
      return [f, held];
    };
    for (const t of ['m1', 'm2', 'm3', 'm4']) await alice.channel.send({ route: Route.A2B, to: bob.channel.me }, text(t), { ack: true });
    await until(() => bob.opened.length === 3, 'm4 then m3');
    expect(texts(bob)).toEqual(['m0', 'm4', 'm3']);
    expect(bob.gaps.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(2);
    // A relay forging the sender: the session belongs to alice, the envelope now says someone else.
    proxy.tamper = (f) => {
      const m = isSealed(f);
      return m ? [Buffer.from(encodeFrame({ ...m, from: generateIdentity().publicKey }))] : [f];
    };
    await alice.channel.send({ route: Route.A2B, to: bob.channel.me }, text('forged?'), { ack: true });
    await until(() => bob.rejected.length === 1, 'forged sender refused');
    expect(texts(bob)).not.toContain('forged?');
  });

  it('refuses plaintext bodies and signed broadcasts that do not verify', async () => {
    const { proxy, alice, bob } = await setup();
    await alice.channel.client.send({ route: Route.A2B, to: bob.channel.me }, Buffer.from('plain text body'), { ack: true });
    await until(() => bob.rejected.length === 1, 'plaintext refused');
    proxy.tamper = (f) => {
      const d = decodeFrame(f);
      if (!d.ok || d.frame.type !== FrameType.MSG || d.frame.route !== Route.A2N) return [f];
      const body = Buffer.from(d.frame.body);
      body[body.length - 1] = (body[body.length - 1] as number) ^ 0xff;
      return [Buffer.from(encodeFrame({ ...d.frame, body }))];
    };
    await alice.channel.send({ route: Route.A2N }, text('public notice'), { ack: true });
    await until(() => bob.rejected.length === 2, 'bad signature refused');
    expect(texts(bob)).toEqual([]);
    expect(bob.rejected.map((r) => r.code)).toEqual([ErrorCode.MALFORMED_FRAME, ErrorCode.BAD_SIGNATURE]);
  });

  it('refuses an a2a message from another ID, which a relay passed on against §9.5 (fix: it opened, as a note to oneself)', async () => {
    const { proxy, alice, bob } = await setup();
    // alice boxes to bob for route a2a (she can: any ID can box to any other), sends it a2b; the relay
    // path turns the envelope into the a2a she sealed it for.
    const id = Buffer.alloc(16, 0xa2);
    const ad = envelopeAd({ route: Route.A2A }, id, alice.channel.me);
    const box = sealBox(alice.channel.client.identity, bob.channel.me, id, ad, text('I am you'));
    proxy.tamper = (f) => {
      const d = decodeFrame(f);
      if (!d.ok || d.frame.type !== FrameType.MSG || !Buffer.from(d.frame.id).equals(id)) return [f];
      const { to: _to, ...rest } = d.frame as MsgFrame & { to: Uint8Array };
      return [Buffer.from(encodeFrame({ ...rest, route: Route.A2A } as MsgFrame))];
    };
    await alice.channel.client.send({ route: Route.A2B, to: bob.channel.me }, encodeE2e({ kind: E2eKind.BOX, ...box }), { ack: true, id });
    await until(() => bob.rejected.length + bob.opened.length === 1, 'bob handles it');
    expect(bob.opened).toEqual([]);
    expect(bob.rejected[0]).toMatchObject({ code: ErrorCode.BAD_REQUEST });
    expect(bob.rejected[0]?.msg.route).toBe(Route.A2A);
  });

  it('boxes messages for an offline recipient; they open after it comes back in a new process', async () => {
    const relay = await startFedRelay();
    cleanup.push(() => relay.close());
    const alice = await end(relay.url);
    const bobId = generateIdentity();
    const first = await RelayClient.connect({ url: relay.url, identity: bobId });
    await first.close();
    const res = await alice.channel.send({ route: Route.A2B, to: bobId.publicKey }, text('while you were out'), { ack: true, store: true });
    expect(res).toMatchObject({ mode: 'box', stored: 1 });
    const bobClient = await RelayClient.connect({ url: relay.url, identity: bobId });
    cleanup.push(() => bobClient.close());
    const bob = new SecureChannel(bobClient);
    const got: string[] = [];
    bob.on('payload', (o) => got.push(o.payload.subarray(1).toString()));
    await until(() => got.length === 1, 'box opened');
    expect(got).toEqual(['while you were out']);
  });
});

describe('a failing store on the receiving side', () => {
  it('becomes an INTERNAL rejection, never an uncaught exception (fix: a closed or full SQLite database ended the process)', async () => {
    const relay = await startRelay();
    cleanup.push(() => relay.close());
    const alice = await end(relay.url);
    const dir = makeTempDir('w2w-e2e-store-');
    const store = openStore(dir);
    cleanup.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
    const client = await RelayClient.connect({ url: relay.url, identity: generateIdentity() });
    cleanup.push(() => client.close());
    const bob = new SecureChannel(client, { handshakeTimeoutMs: 3000, keyStore: store.e2eSessions });
    const opened: string[] = [];
    const rejected: ErrorCode[] = [];
    bob.on('payload', (o) => opened.push(o.payload.subarray(1).toString()));
    bob.on('rejected', (r) => rejected.push(r.code));
    store.close(); // every key-store call now throws, as SQLite does with a full disk or a closed file
    await alice.channel.send({ route: Route.A2B, to: client.id }, text('still readable'), { ack: true });
    await until(() => opened.length === 1, 'bob opens it from the session in memory');
    expect(opened).toEqual(['still readable']);
    expect(rejected).toContain(ErrorCode.INTERNAL); // the HS3 whose key could not be saved
    // A throwing application listener is reported the same way.
    bob.on('payload', () => {
      throw new Error('listener failed');
    });
    await alice.channel.send({ route: Route.A2B, to: client.id }, text('again'), { ack: true });
    await until(() => opened.length === 2 && rejected.filter((c) => c === ErrorCode.INTERNAL).length === 2, 'second message');
  });
});

describe('RelayClient: one message ID waits for one ACK', () => {
  it('refuses a second send with an ID still waiting for its ACK (fix: it took the first one\'s ACK, and the first reported no ACK)', async () => {
    const relay = await startRelay();
    cleanup.push(() => relay.close());
    const alice = await end(relay.url);
    const bob = await end(relay.url);
    const id = Buffer.alloc(16, 0x1d);
    const target = { route: Route.A2B, to: bob.channel.me } as const;
    const first = alice.channel.client.send(target, Buffer.from([0x01]), { ack: true, id, ackTimeoutMs: 1500 });
    const second = await alice.channel.client.send(target, Buffer.from([0x02]), { ack: true, id, ackTimeoutMs: 1500 }).catch((e: unknown) => e);
    expect(second).toBeInstanceOf(Error);
    expect(String((second as Error).message)).toMatch(/still waiting for its ACK/);
    expect(await first).toMatchObject({ delivered: 1 });
  });
});

describe('REJECT under a flood of SEALED bodies naming unknown sessions', () => {
  it('answers at most REJECT_BURST at once and REJECTS_PER_SEC after (fix: one REJECT per bogus SEALED spent our own rate budget)', async () => {
    const relay = await startRelay();
    cleanup.push(() => relay.close());
    const mallory = await end(relay.url);
    const bob = await end(relay.url);
    const rejects: number[] = [];
    mallory.channel.client.on('message', (m) => {
      if (m.body[0] === E2eKind.REJECT) rejects.push(Date.now());
    });
    const flood = 200;
    const t0 = Date.now();
    for (let i = 0; i < flood; i++) {
      const sessionId = generateIdentity().publicKey.subarray(0, 16);
      const body = Buffer.concat([Buffer.of(E2eKind.SEALED), sessionId, Buffer.alloc(8), Buffer.alloc(16 + 4)]);
      void mallory.channel.client.send({ route: Route.A2B, to: bob.channel.me }, body);
    }
    await until(() => bob.rejected.length === flood, 'bob refuses every bogus SEALED');
    await new Promise((r) => setTimeout(r, 200));
    const elapsedS = (Date.now() - t0) / 1000;
    expect(bob.rejected.every((r) => r.code === ErrorCode.BAD_REQUEST)).toBe(true);
    expect(rejects.length).toBeGreaterThanOrEqual(REJECT_BURST);
    expect(rejects.length).toBeLessThanOrEqual(REJECT_BURST + Math.ceil(elapsedS * REJECTS_PER_SEC));
    expect(rejects.length).toBeLessThan(flood);
  });
});

describe('group messages and the size of one SEALED_MULTI', () => {
  it('a named group with more than 64 other members is refused TOO_MANY_RECIPIENTS before any handshake; 64 pass that check', async () => {
    const relay = await startRelay();
    cleanup.push(() => relay.close());
    const alice = await end(relay.url);
    const bob = await end(relay.url);
    const client = alice.channel.client;
    const others = (n: number): Uint8Array[] => Array.from({ length: n }, () => generateIdentity().publicKey);
    await client.request({ op: Op.GROUP_CREATE, name: 'big' });
    // bob and 63 offline IDs: 64 members besides alice
    await client.request({ op: Op.GROUP_ADD, name: 'big', members: [bob.channel.client.id, ...others(63)] });
    const sent = await alice.channel.send({ route: Route.A2G_NAMED, group: 'big' }, Buffer.from([0x01, 0x68, 0x69]));
    expect(sent.unreachable).toHaveLength(63);
    await until(() => bob.opened.length === 1, 'bob opens his part');
    expect(bob.opened[0]?.payload.toString('hex')).toBe('016869');
    // one more: 65 besides alice
    await client.request({ op: Op.GROUP_ADD, name: 'big', members: others(1) });
    const sends = vi.spyOn(client, 'send');
    const err = await alice.channel.send({ route: Route.A2G_NAMED, group: 'big' }, Buffer.from([0x01, 0x68])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(W2wError);
    expect(err).toMatchObject({ code: ErrorCode.TOO_MANY_RECIPIENTS });
    expect(String((err as Error).message)).toMatch(/at most 64 members besides the sender.*has 65/);
    // nothing went out: no handshake to the new member, no partial group message
    expect(sends).not.toHaveBeenCalled();
    sends.mockRestore();
    expect(bob.opened).toHaveLength(1);
  }, 30_000);
});
