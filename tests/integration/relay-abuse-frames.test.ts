// Bad input at a live relay, frame by frame and handshake step by step: every refusal carries its error
// code (and close code where fatal), registered connections survive non-fatal errors, and afterwards the
// relay still serves a fresh pair and has delivered nothing to a bystander.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HandshakeInitiator, computeH1 } from '../../src-main/crypto/handshake.js';
import { generateIdentity, sign, type Identity } from '../../src-main/crypto/identity.js';
import { randomBytes } from '../../src-main/crypto/random.js';
import { idKey } from '../../src-main/relay/id-key.js';
import { RelayClient } from '../../src-main/client/relay-client.js';
import { FrameType, HandshakeContext, MsgFlag, Op, Route, SUBPROTOCOL } from '../../src-shared/protocol/constants.js';
import { CloseCode, ErrorCode, errorName } from '../../src-shared/protocol/errors.js';
import { decodeFrame, encodeFrame, type Frame, type MsgFrame } from '../../src-shared/protocol/frames.js';
import { toHex } from '../../src-shared/ids.js';
import { connectClient, expectRelayServesFreshPair, type TestClient } from '../helpers/clients.js';
import { sampleFrames } from '../helpers/frames.js';
import { waitUntil } from '../helpers/inbox.js';
import { RawPeer, connectRaw } from '../helpers/raw-peer.js';
import { rawUpgrade } from '../helpers/raw-upgrade.js';
import { startRelay, type TestRelay } from '../helpers/relay.js';

const MAX_FRAME = 4096;
const SAMPLES = new Map(sampleFrames().map((s) => [s.name, s.frame]));
const HS1_SAMPLE = encodeFrame(SAMPLES.get('HS1')!);

let relay: TestRelay;
let bystander: TestClient;
const peers: RawPeer[] = [];

beforeAll(async () => {
  relay = await startRelay({ limits: { maxFrameBytes: MAX_FRAME } });
  bystander = await connectClient(relay, { label: 'bystander' });
});

afterAll(async () => {
  await bystander.close();
  await relay.close();
});

afterEach(async () => {
  await Promise.all(peers.splice(0).map((p) => p.close()));
  await expectRelayServesFreshPair(relay);
  // Nothing in these tests is addressed to the bystander; it must have received nothing at all.
  expect(bystander.drainMessages()).toEqual([]);
  expect(bystander.events.peek((e) => e.kind === 'error' || e.kind === 'close')).toEqual([]);
  expect(relay.logLines.filter((l) => l.includes('internal error'))).toEqual([]);
});

async function raw(label = 'raw', protocols?: string[]): Promise<RawPeer> {
  const p = await RawPeer.open(relay.url, protocols ? { protocols } : {}, label);
  peers.push(p);
  return p;
}

async function registered(label = 'reg', identity: Identity = generateIdentity()): Promise<RawPeer> {
  const p = await connectRaw(relay.url, identity, label);
  peers.push(p);
  return p;
}

function a2a(from: Uint8Array, body: Uint8Array = randomBytes(8)): MsgFrame {
  return { type: FrameType.MSG, route: Route.A2A, flags: 0, hops: 8, id: randomBytes(16), from, body };
}

/** The connection still works: an a2a comes back. */
async function expectAlive(p: RawPeer, id: Uint8Array): Promise<void> {
  const m = a2a(id);
  p.send(m);
  const got = await p.nextOfType(FrameType.MSG);
  expect(toHex(got.id)).toBe(toHex(m.id));
}

/** Fatal refusal before registration: ERROR with the code, then the close code. */
async function expectFatal(p: RawPeer, code: ErrorCode, closeCode: number): Promise<void> {
  const err = await p.nextOfType(FrameType.ERROR);
  expect(errorName(err.code)).toBe(errorName(code));
  expect((await p.nextClose()).code).toBe(closeCode);
}

describe('frame size', () => {
  it('over the advertised limit: FRAME_TOO_LARGE naming the message; the connection survives', async () => {
    const id = generateIdentity();
    const p = await registered('big', id);
    const msg = a2a(id.publicKey, new Uint8Array(MAX_FRAME));
    p.send(msg);
    const err = await p.nextError(ErrorCode.FRAME_TOO_LARGE);
    expect(toHex(err.ref)).toBe(toHex(msg.id));
    await expectAlive(p, id.publicKey);
  });

  it('far over the limit: the WebSocket layer closes with 1009', async () => {
    const id = generateIdentity();
    const p = await registered('huge', id);
    p.send(encodeFrame(a2a(id.publicKey, new Uint8Array(MAX_FRAME * 3))));
    expect((await p.nextClose()).code).toBe(CloseCode.TOO_BIG);
    await waitUntil(() => !relay.server.core.isOnline(idKey(id.publicKey)), 2000, 'the cut client is offline');
  });

  it('over the limit before registration: FRAME_TOO_LARGE and close 1002', async () => {
    const p = await raw();
    await p.hello();
    p.send(new Uint8Array(MAX_FRAME + 1).fill(FrameType.HS1));
    await expectFatal(p, ErrorCode.FRAME_TOO_LARGE, CloseCode.PROTOCOL_ERROR);
  });
});

describe('frames that are not w2w frames', () => {
  it('a text message before registration: TEXT_FRAME and close 1002', async () => {
    const p = await raw();
    await p.hello();
    p.send('{"hello":"relay"}');
    await expectFatal(p, ErrorCode.TEXT_FRAME, CloseCode.PROTOCOL_ERROR);
  });

  it('a text message after registration: TEXT_FRAME; the connection keeps working', async () => {
    const id = generateIdentity();
    const p = await registered('text', id);
    p.send('not binary');
    await p.nextError(ErrorCode.TEXT_FRAME);
    await expectAlive(p, id.publicKey);
  });

  it.each([
    ['empty', new Uint8Array(0), ErrorCode.MALFORMED_FRAME],
    ['truncated HS1', HS1_SAMPLE.subarray(0, 50), ErrorCode.MALFORMED_FRAME],
    ['HS1 with a trailing byte', Buffer.concat([HS1_SAMPLE, Buffer.from([0])]), ErrorCode.MALFORMED_FRAME],
    ['random bytes of type HS1', Buffer.concat([Buffer.from([FrameType.HS1]), Buffer.alloc(40, 0xee)]), ErrorCode.MALFORMED_FRAME],
    ['unknown frame type 0x55', Buffer.from([0x55, 1, 2, 3]), ErrorCode.UNKNOWN_FRAME_TYPE],
    ['unknown frame type 0x00', Buffer.from([0x00]), ErrorCode.UNKNOWN_FRAME_TYPE],
  ])('before registration, %s: ERROR then close 1002', async (_name, bytes, code) => {
    const p = await raw();
    await p.hello();
    p.send(bytes);
    await expectFatal(p, code, CloseCode.PROTOCOL_ERROR);
  });

  it('after registration, malformed and unknown frames each get an ERROR; the connection keeps working', async () => {
    const id = generateIdentity();
    const p = await registered('bad-after', id);
    const good = encodeFrame(a2a(id.publicKey));
    const cases: [Uint8Array, ErrorCode][] = [
      [new Uint8Array(0), ErrorCode.MALFORMED_FRAME],
      [good.subarray(0, good.byteLength - 1), ErrorCode.MALFORMED_FRAME],
      [Buffer.concat([good, Buffer.from([1])]), ErrorCode.MALFORMED_FRAME],
      [Buffer.from([0x55]), ErrorCode.UNKNOWN_FRAME_TYPE],
      [Buffer.from([0xfe, 0xff]), ErrorCode.UNKNOWN_FRAME_TYPE],
      [Buffer.from([FrameType.REQ, 0, 0, 0, 1, 99]), ErrorCode.MALFORMED_FRAME],
    ];
    for (const [bytes, code] of cases) {
      p.send(bytes);
      const err = await p.next();
      expect(err.type === FrameType.ERROR && errorName(err.code)).toBe(errorName(code));
    }
    // a malformed MSG long enough to carry an id is answered with that id
    const bad = Uint8Array.from(good);
    bad[2] = 0x80; // unknown flag
    p.send(bad);
    const err = await p.nextError(ErrorCode.MALFORMED_FRAME);
    expect(toHex(err.ref)).toBe(toHex(bad.subarray(4, 20)));
    await expectAlive(p, id.publicKey);
  });
});

describe('handshake frames out of order', () => {
  const hs3: Frame = { type: FrameType.HS3, sigC: new Uint8Array(64) };
  const samples = SAMPLES;

  it.each([
    ['HS3 first', hs3],
    ['HELLO from the client', samples.get('HELLO')!],
    ['READY from the client', samples.get('READY')!],
    ['HS2 from the client', samples.get('HS2')!],
    ['ACK from the client', samples.get('ACK')!],
    ['ERROR from the client', samples.get('ERROR')!],
    ['ROUTE (relay links only)', samples.get('ROUTE announce')!],
    ['FWD (relay links only)', samples.get('FWD')!],
    ['RECEIPT (relay links only)', samples.get('RECEIPT')!],
  ])('%s: UNEXPECTED_FRAME and close 1002', async (_name, frame) => {
    const p = await raw();
    await p.hello();
    p.send(frame);
    await expectFatal(p, ErrorCode.UNEXPECTED_FRAME, CloseCode.PROTOCOL_ERROR);
  });

  it('a second HS1 instead of HS3: UNEXPECTED_FRAME and close 1002; the ID is not registered', async () => {
    const p = await raw();
    const hello = await p.hello();
    const id = generateIdentity();
    const m1 = new HandshakeInitiator(HandshakeContext.C2S, id, hello.relayId, relay.url).start();
    p.send({ type: FrameType.HS1, ...m1 });
    expect((await p.next()).type).toBe(FrameType.HS2);
    p.send({ type: FrameType.HS1, ...m1 });
    await expectFatal(p, ErrorCode.UNEXPECTED_FRAME, CloseCode.PROTOCOL_ERROR);
    expect(relay.store.nodeList.has(id.publicKey)).toBe(false);
  });

  it.each([
    ['MSG', (from: Uint8Array): Frame => a2a(from)],
    ['REQ', (): Frame => ({ type: FrameType.REQ, reqId: 1, op: Op.LIST_PEERS })],
  ])('%s before registration: NOT_REGISTERED and close 1002 (before HS1 and between HS1 and HS3)', async (_name, make) => {
    const id = generateIdentity();
    const p1 = await raw('early');
    await p1.hello();
    p1.send(make(id.publicKey));
    await expectFatal(p1, ErrorCode.NOT_REGISTERED, CloseCode.PROTOCOL_ERROR);

    const p2 = await raw('midway');
    const hello = await p2.hello();
    p2.send({ type: FrameType.HS1, ...new HandshakeInitiator(HandshakeContext.C2S, id, hello.relayId, relay.url).start() });
    expect((await p2.next()).type).toBe(FrameType.HS2);
    p2.send(make(id.publicKey));
    await expectFatal(p2, ErrorCode.NOT_REGISTERED, CloseCode.PROTOCOL_ERROR);
    expect(relay.store.nodeList.has(id.publicKey)).toBe(false);
  });

  it('MSG pipelined right behind HS3 (before READY, which waits for the node-list commit): NOT_REGISTERED and close 1002', async () => {
    const id = generateIdentity();
    const p = await raw('pipelined');
    const hello = await p.hello();
    const init = new HandshakeInitiator(HandshakeContext.C2S, id, hello.relayId, relay.url);
    p.send({ type: FrameType.HS1, ...init.start() });
    const hs2 = await p.next();
    if (hs2.type !== FrameType.HS2) throw new Error(`expected HS2, got ${hs2.type}`);
    const step = init.finish(hs2);
    if (!step.ok) throw step.error;
    // one write: the relay reads both in the same turn, before the commit READY waits for
    p.socket.cork();
    p.send({ type: FrameType.HS3, sigC: step.value.m3.sigC });
    p.send(a2a(id.publicKey));
    p.socket.uncork();
    await expectFatal(p, ErrorCode.NOT_REGISTERED, CloseCode.PROTOCOL_ERROR);
    // the handshake itself was valid: the ID made it into the node list, but never online
    await waitUntil(() => relay.store.nodeList.has(id.publicKey), 2000, 'node-list row');
    expect(relay.server.core.isOnline(idKey(id.publicKey))).toBe(false);
  });

  it('after registration, handshake and relay-only frames are UNEXPECTED_FRAME; the connection keeps working', async () => {
    const id = generateIdentity();
    const p = await registered('late-hs', id);
    const names = ['HELLO', 'HS1', 'HS2', 'HS3', 'READY', 'ACK', 'RES GROUP_ADD', 'EVENT presence', 'EVENT receipt', 'ERROR', 'ROUTE announce', 'ROUTE withdraw', 'FWD', 'FWD flood', 'RECEIPT'];
    for (const name of names) {
      p.send(samples.get(name)!);
      const err = await p.next();
      expect(err.type === FrameType.ERROR && errorName(err.code)).toBe('UNEXPECTED_FRAME');
    }
    await expectAlive(p, id.publicKey);
  });
});

describe('handshake forgery', () => {
  async function startHandshake(p: RawPeer, identity: Identity, opts: { expected?: Uint8Array; binding?: string } = {}) {
    const hello = await p.hello();
    const init = new HandshakeInitiator(HandshakeContext.C2S, identity, opts.expected ?? hello.relayId, opts.binding ?? relay.url);
    return { init, m1: init.start(), hello };
  }

  it('a bad signature in HS1: BAD_SIGNATURE, close 4001, and the ID is not in the node list', async () => {
    const id = generateIdentity();
    const p = await raw();
    const { m1 } = await startHandshake(p, id);
    const sigA = Buffer.from(m1.sigA);
    sigA[0] = (sigA[0] as number) ^ 1;
    p.send({ type: FrameType.HS1, ...m1, sigA });
    await expectFatal(p, ErrorCode.BAD_SIGNATURE, CloseCode.HANDSHAKE_FAILED);
    expect(relay.store.nodeList.has(id.publicKey)).toBe(false);
    expect(relay.server.core.nodeList.has(idKey(id.publicKey))).toBe(false);
  });

  it('a bad signature in HS3: BAD_SIGNATURE, close 4001, and the ID is not in the node list', async () => {
    const id = generateIdentity();
    const p = await raw();
    // register() reads the ERROR where it wanted READY; the close follows
    await expect(p.register(id, { tamperSigC: (s) => Buffer.from(s).fill(0, 0, 4) })).rejects.toThrow(/expected READY, got ERROR BAD_SIGNATURE/);
    expect((await p.nextClose()).code).toBe(CloseCode.HANDSHAKE_FAILED);
    expect(relay.store.nodeList.has(id.publicKey)).toBe(false);
    expect(relay.server.core.isOnline(idKey(id.publicKey))).toBe(false);
  });

  it("claiming someone else's key without its secret fails, and the victim is not registered", async () => {
    const victim = generateIdentity();
    const attacker = generateIdentity();
    // 1: the attacker's HS1 names the victim's key but is signed with the attacker's own
    const p1 = await raw('claim');
    const { m1 } = await startHandshake(p1, attacker);
    const forged = { ...m1, idA: victim.publicKey };
    const sigA = sign(attacker, Buffer.concat([Buffer.from('w2w/1|A'), computeH1(forged)]));
    p1.send({ type: FrameType.HS1, ...forged, sigA });
    await expectFatal(p1, ErrorCode.BAD_SIGNATURE, CloseCode.HANDSHAKE_FAILED);

    // 2: the attacker replays an HS1 the victim really signed (captured), then cannot produce sigC
    const victimConn = await raw('victim');
    const { m1: genuine } = await startHandshake(victimConn, victim);
    const p2 = await raw('replay');
    await p2.hello();
    p2.send({ type: FrameType.HS1, ...genuine });
    const hs2 = await p2.next();
    expect(hs2.type).toBe(FrameType.HS2);
    p2.send({ type: FrameType.HS3, sigC: sign(attacker, randomBytes(32)) });
    await expectFatal(p2, ErrorCode.BAD_SIGNATURE, CloseCode.HANDSHAKE_FAILED);

    expect(relay.store.nodeList.has(victim.publicKey)).toBe(false);
    expect(relay.server.core.isOnline(idKey(victim.publicKey))).toBe(false);
  });

  it('an HS1 addressed to another relay: WRONG_PEER and close 4001', async () => {
    const id = generateIdentity();
    const p = await raw();
    const { m1 } = await startHandshake(p, id, { expected: generateIdentity().publicKey });
    p.send({ type: FrameType.HS1, ...m1 });
    await expectFatal(p, ErrorCode.WRONG_PEER, CloseCode.HANDSHAKE_FAILED);
    expect(relay.store.nodeList.has(id.publicKey)).toBe(false);
  });

  it('a client pinned to another relay ID refuses to register (WRONG_PEER)', async () => {
    const id = generateIdentity();
    await expect(RelayClient.connect({ url: relay.url, identity: id, expectedRelayId: generateIdentity().publicKey, handshakeTimeoutMs: 3000 })).rejects.toMatchObject({ code: ErrorCode.WRONG_PEER });
    expect(relay.store.nodeList.has(id.publicKey)).toBe(false);
  });

  it('an HS1 of another context: WRONG_CONTEXT and close 4001', async () => {
    const id = generateIdentity();
    const p = await raw();
    const hello = await p.hello();
    const m1 = new HandshakeInitiator(HandshakeContext.S2S, id, hello.relayId, relay.url).start();
    p.send({ type: FrameType.HS1, ...m1 });
    await expectFatal(p, ErrorCode.WRONG_CONTEXT, CloseCode.HANDSHAKE_FAILED);
  });

  it('a binding that is not a ws:// or wss:// URL: WRONG_BINDING and close 4001', async () => {
    const id = generateIdentity();
    const p = await raw();
    const { m1 } = await startHandshake(p, id, { binding: 'https://example.org/' });
    p.send({ type: FrameType.HS1, ...m1 });
    await expectFatal(p, ErrorCode.WRONG_BINDING, CloseCode.HANDSHAKE_FAILED);
  });
});

describe('subprotocol', () => {
  it('no subprotocol offered: UNSUPPORTED_VERSION and close 1002', async () => {
    const p = await raw('no-proto', []);
    await expectFatal(p, ErrorCode.UNSUPPORTED_VERSION, CloseCode.PROTOCOL_ERROR);
  });

  it('only an unknown subprotocol offered: none is chosen, then UNSUPPORTED_VERSION and close 1002', async () => {
    const reply = await rawUpgrade(relay.url, ['w2w.v0', 'chat']);
    expect(reply.status).toBe(101);
    expect(reply.protocol).toBeUndefined();
    expect(reply.binary).toHaveLength(1);
    const d = decodeFrame(reply.binary[0]!);
    expect(d.ok && d.frame.type === FrameType.ERROR && errorName(d.frame.code)).toBe('UNSUPPORTED_VERSION');
    expect(reply.closeCode).toBe(CloseCode.PROTOCOL_ERROR);
  });

  it('a real client offering only another subprotocol fails to connect', async () => {
    await expect(RawPeer.open(relay.url, { protocols: ['w2w.v0'] })).rejects.toThrow(/subprotocol/);
  });

  it('w2w.v1 among other offers is chosen', async () => {
    const reply = await rawUpgrade(relay.url, ['w2w.v0', SUBPROTOCOL, 'w2w.v2'], { stopAfterBinary: 1 });
    expect(reply.protocol).toBe(SUBPROTOCOL);
    const hello = decodeFrame(reply.binary[0]!);
    expect(hello.ok && hello.frame.type).toBe(FrameType.HELLO);
    const p = await RawPeer.open(relay.url, { protocols: ['w2w.v9', SUBPROTOCOL] });
    peers.push(p);
    await p.register(generateIdentity());
  });

  it('plain HTTP gets 426 and no registration', async () => {
    const res = await fetch(relay.url.replace('ws://', 'http://'));
    expect(res.status).toBe(426);
    expect(await res.text()).toMatch(/w2w/);
  });
});

describe('messages with the ACK flag from a refused sender', () => {
  it('a spoofed MSG with the ACK flag gets an ERROR, not an ACK', async () => {
    const id = generateIdentity();
    const p = await registered('spoof-ack', id);
    const m: MsgFrame = { ...a2a(bystander.id), flags: MsgFlag.ACK };
    p.send(m);
    const err = await p.next();
    expect(err.type === FrameType.ERROR && errorName(err.code)).toBe('SPOOFED_SENDER');
    await expectAlive(p, id.publicKey);
  });
});
