// Registration edge: messages a relay sends right behind READY (stored ones, often in the same TCP read)
// must reach a RelayClient that subscribes once connect() resolves. A scripted relay makes the timing certain.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { MAX_UNHEARD_BYTES, RelayClient } from '../../src-main/client/relay-client.js';
import { HandshakeResponder } from '../../src-main/crypto/handshake.js';
import { generateIdentity } from '../../src-main/crypto/identity.js';
import { EventKind, FrameType, HandshakeContext, Op, PROTOCOL_VERSION, Route, SUBPROTOCOL } from '../../src-shared/protocol/constants.js';
import { decodeFrame, encodeFrame, type Frame } from '../../src-shared/protocol/frames.js';
import { ErrorCode } from '../../src-shared/protocol/errors.js';
import { sleep } from '../helpers/inbox.js';

interface Scripted {
  url: string;
  /** sends a frame to every connected client now */
  push(frame: Frame): void;
  close(): Promise<void>;
}

/** A minimal relay that registers one client, then writes READY and `after(clientId)` in one corked write. */
async function scriptedRelay(after: (clientId: Uint8Array) => Frame[]): Promise<Scripted> {
  const identity = generateIdentity();
  const server = http.createServer();
  const wss = new WebSocketServer({ server, handleProtocols: () => SUBPROTOCOL });
  wss.on('connection', (ws: WebSocket) => {
    const responder = new HandshakeResponder({ ctx: HandshakeContext.C2S, identity, acceptBinding: () => true });
    let clientId: Uint8Array | null = null;
    ws.send(encodeFrame({
      type: FrameType.HELLO, version: PROTOCOL_VERSION, relayId: identity.publicKey, timeMs: Date.now(), maxFrameBytes: 131072,
      maxRecipients: 64, ratePerSec: 1000, rateBurst: 2000, pingIntervalMs: 30000, handshakeTimeoutMs: 10000,
    }));
    ws.on('message', (data: Buffer) => {
      const d = decodeFrame(data);
      if (!d.ok) return;
      if (d.frame.type === FrameType.HS1) {
        const step = responder.respond(d.frame);
        if (!step.ok) return;
        clientId = Buffer.from(d.frame.idA);
        ws.send(encodeFrame({ type: FrameType.HS2, ...step.value }));
      } else if (d.frame.type === FrameType.REQ) {
        // RelayClient publishes its home proof right after READY; accept it like a relay without links
        ws.send(encodeFrame({ type: FrameType.RES, reqId: d.frame.reqId, op: Op.PUBLISH_HOME, status: 0 }));
      } else if (d.frame.type === FrameType.HS3 && clientId) {
        const step = responder.finish(d.frame);
        if (!step.ok) return;
        const socket = (ws as unknown as { _socket: Socket })._socket;
        socket.cork();
        ws.send(encodeFrame({ type: FrameType.READY, transcriptHash: step.value.transcriptHash, timeMs: Date.now() }));
        for (const f of after(clientId)) ws.send(encodeFrame(f));
        process.nextTick(() => socket.uncork());
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    push(frame) {
      for (const ws of wss.clients) ws.send(encodeFrame(frame));
    },
    async close() {
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

let relay: Scripted | null = null;
afterEach(async () => {
  await relay?.close();
  relay = null;
});

describe('messages right behind READY', () => {
  const msg = (me: Uint8Array, n: number): Frame => ({
    type: FrameType.MSG, route: Route.A2B, flags: 0, hops: 8, id: new Uint8Array(16).fill(n), from: new Uint8Array(32).fill(7), to: me, body: new Uint8Array([n]),
  });

  it.each([
    ['publishing the home proof (default)', true],
    ['without the home proof', false],
  ])('reach a listener attached once connect() resolves, in order (%s)', async (_name, publishHome) => {
    relay = await scriptedRelay((me) => [msg(me, 1), msg(me, 2), msg(me, 3)]);
    const client = await RelayClient.connect({ url: relay.url, identity: generateIdentity(), handshakeTimeoutMs: 3000, publishHome });
    const seen: number[] = [];
    client.on('message', (m) => seen.push(m.body[0] as number));
    relay.push(msg(client.id, 4));
    await sleep(100);
    expect(seen).toEqual([1, 2, 3, 4]);
    await client.close();
  });

  it('later frames flow normally after the early ones', async () => {
    relay = await scriptedRelay((me) => [msg(me, 1)]);
    const client = await RelayClient.connect({ url: relay.url, identity: generateIdentity(), handshakeTimeoutMs: 3000 });
    const seen: string[] = [];
    client.on('message', (m) => seen.push(`message ${m.body[0]}`));
    client.on('notice', (t) => seen.push(`notice ${t}`));
    await sleep(30);
    relay.push({ type: FrameType.EVENT, kind: EventKind.NOTICE, text: 'late' });
    relay.push(msg(client.id, 2));
    await sleep(50);
    expect(seen).toEqual(['message 1', 'notice late', 'message 2']);
    await client.close();
  });

  it('keeps at most MAX_UNHEARD_BYTES of them for a late listener (fix: a relay could park 10000 frames of 256 KiB)', async () => {
    const size = 250 * 1024;
    const count = Math.ceil(MAX_UNHEARD_BYTES / size) + 20;
    const big = (me: Uint8Array, n: number): Frame => ({
      type: FrameType.MSG, route: Route.A2B, flags: 0, hops: 8, id: new Uint8Array(16).fill(n & 0xff), from: new Uint8Array(32).fill(7), to: me, body: new Uint8Array(size).fill(n & 0xff),
    });
    relay = await scriptedRelay((me) => Array.from({ length: count }, (_, i) => big(me, i)));
    const client = await RelayClient.connect({ url: relay.url, identity: generateIdentity(), handshakeTimeoutMs: 10000 });
    let heard = 0;
    let heardBytes = 0;
    client.on('message', (m) => {
      heard++;
      heardBytes += m.body.byteLength;
    });
    await sleep(200);
    expect(heard).toBeGreaterThan(0);
    expect(heard).toBeLessThan(count);
    expect(heardBytes).toBeLessThanOrEqual(MAX_UNHEARD_BYTES);
    // Once someone listens, frames flow again.
    relay.push(msg(client.id, 9));
    const t0 = Date.now();
    while (heard === 0 || heardBytes % size === 0) {
      if (Date.now() - t0 > 3000) throw new Error('the frame after the listener never came');
      await sleep(10);
    }
    await client.close();
  });

  it('a listener that throws is reported as an INTERNAL error event, and later frames still arrive (fix: it was an uncaught exception)', async () => {
    relay = await scriptedRelay(() => []);
    const client = await RelayClient.connect({ url: relay.url, identity: generateIdentity(), handshakeTimeoutMs: 3000 });
    const errors: number[] = [];
    client.on('error', (e) => errors.push(e.code));
    const seen: number[] = [];
    client.on('message', (m) => {
      seen.push(m.body[0] as number);
      if (m.body[0] === 1) throw new Error('the history could not be written');
    });
    relay.push(msg(client.id, 1));
    relay.push(msg(client.id, 2));
    const t0 = Date.now();
    while (seen.length < 2 && Date.now() - t0 < 3000) await sleep(10);
    expect(seen).toEqual([1, 2]);
    expect(errors).toEqual([ErrorCode.INTERNAL]);
    await client.close();
  });

  it('a RES for another op than the request asked is an UNEXPECTED_FRAME error (fix: the caller got another op\'s result and read undefined fields)', async () => {
    // This scripted relay answers every REQ as if it were PUBLISH_HOME.
    relay = await scriptedRelay(() => []);
    const client = await RelayClient.connect({ url: relay.url, identity: generateIdentity(), handshakeTimeoutMs: 3000 });
    const err = await client.request({ op: Op.GROUP_LIST }, 3000).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: ErrorCode.UNEXPECTED_FRAME });
    await client.close();
  });
});
