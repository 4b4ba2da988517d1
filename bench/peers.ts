// Client connections for the load generators: plain ws clients for the raw forwarders, and w2w clients
// that register with the full signed handshake. The w2w side precomputes HS1 (identity, ephemeral key,
// sigA) before the clock starts and, as a load generator that trusts its own relay, skips checking
// sigB and the X25519 step, so the relay's crypto, not the client's, limits registrations.
import type { Socket } from 'node:net';
import WebSocket from 'ws';
import { FrameType, HandshakeContext, Limits, Op, SUBPROTOCOL } from '../src-shared/protocol/constants.js';
import { errorName } from '../src-shared/protocol/errors.js';
import { RouteKind, decodeFrame, encodeFrame, frameTypeName, type Hs2Frame, type ReqArgs, type ResResult } from '../src-shared/protocol/frames.js';
import { HandshakeInitiator, PROTOCOL_LABEL, computeH1, computeH2, type HandshakeM1 } from '../src-main/crypto/handshake.js';
import { transcriptHash } from '../src-main/crypto/hash.js';
import { generateIdentity, sign, type Identity } from '../src-main/crypto/identity.js';
import { signHomeProof } from '../src-main/federation/home-proof.js';
import type { Target } from './commands.js';

/** Label of sigC, as in src-main/crypto/handshake.ts (which does not export it). */
const LABEL_C = Buffer.from(`${PROTOCOL_LABEL}|C`);

export interface Peer {
  /** raw forwarders: the u32 the client named itself with; w2w: its position in the load process */
  index: number;
  /** w2w: the registered ID */
  id: Buffer | null;
  ws: WebSocket;
  socket: Socket;
}

function socketOf(ws: WebSocket): Socket {
  return (ws as unknown as { _socket: Socket })._socket;
}

export function connectRaw(target: Target, index: number): Promise<Peer> {
  const ws = new WebSocket(`${target.url}?id=${index}`, { perMessageDeflate: false });
  ws.binaryType = 'nodebuffer';
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ index, id: null, ws, socket: socketOf(ws) }));
    ws.on('error', (err) => reject(err));
    ws.once('close', (code) => reject(new Error(`raw forwarder closed connection ${index} (${code})`)));
  });
}

/** Everything a client needs before it dials: HS1 is signed ahead of time. */
export interface PreparedClient {
  identity: Identity;
  m1: HandshakeM1;
  hs1: Uint8Array;
  h1: Buffer;
}

export function prepareW2wClient(target: Target): PreparedClient {
  if (!target.relayIdHex) throw new Error('prepareW2wClient needs the relay ID of a w2w target.');
  const identity = generateIdentity();
  const initiator = new HandshakeInitiator(HandshakeContext.C2S, identity, Buffer.from(target.relayIdHex, 'hex'), target.url);
  const m1 = initiator.start();
  return { identity, m1, hs1: encodeFrame({ type: FrameType.HS1, ...m1 }), h1: computeH1(m1) };
}

/** The initiator's answer to HS2 (sigC) and the transcript hash READY must confirm. */
function answerHs2(pre: PreparedClient, m2: Hs2Frame): { hs3: Uint8Array; th: Buffer } {
  const h2 = computeH2(pre.h1, pre.m1.sigA, m2);
  const h3 = transcriptHash(h2, m2.sigB);
  const sigC = sign(pre.identity, Buffer.concat([LABEL_C, h3]));
  return { hs3: encodeFrame({ type: FrameType.HS3, sigC }), th: transcriptHash(h3, sigC) };
}

/**
 * Registers a prepared client. With `publishHome` (federation), it then publishes a home proof signed
 * with the relay's clock from HELLO, as RelayClient.connect does, and resolves once the relay took it.
 */
export function registerW2w(target: Target, pre: PreparedClient, index: number, publishHome = false): Promise<Peer> {
  const ws = new WebSocket(target.url, SUBPROTOCOL, { perMessageDeflate: false, maxPayload: Limits.MAX_FRAME_BYTES });
  ws.binaryType = 'nodebuffer';
  return new Promise((resolve, reject) => {
    let stage: 'hello' | 'hs2' | 'ready' | 'home' | 'done' = 'hello';
    let th: Buffer | null = null;
    let relayTimeMs = 0;
    const fail = (why: string): void => {
      if (stage === 'done') return;
      stage = 'done';
      ws.terminate();
      reject(new Error(why));
    };
    const onMessage = (data: Buffer): void => {
      const d = decodeFrame(data);
      if (!d.ok) return fail(`undecodable frame from relay: ${d.error.message}`);
      const f = d.frame;
      if (f.type === FrameType.ERROR) return fail(`relay refused registration: ${errorName(f.code)} ${f.message}`);
      if (stage === 'hello' && f.type === FrameType.HELLO) {
        stage = 'hs2';
        relayTimeMs = f.timeMs;
        ws.send(pre.hs1);
      } else if (stage === 'hs2' && f.type === FrameType.HS2) {
        const answer = answerHs2(pre, f);
        th = answer.th;
        stage = 'ready';
        ws.send(answer.hs3);
      } else if (stage === 'ready' && f.type === FrameType.READY) {
        if (!th || !th.equals(f.transcriptHash)) return fail('READY confirms a different transcript hash');
        if (publishHome) {
          stage = 'home';
          const proof = signHomeProof(pre.identity, Buffer.from(target.relayIdHex as string, 'hex'), relayTimeMs);
          ws.send(encodeFrame({ type: FrameType.REQ, reqId: 1, op: Op.PUBLISH_HOME, timeMs: proof.timeMs, sig: proof.sig }));
          return;
        }
        stage = 'done';
        ws.off('message', onMessage);
        resolve({ index, id: pre.identity.publicKey, ws, socket: socketOf(ws) });
      } else if (stage === 'home' && f.type === FrameType.RES && f.reqId === 1) {
        if (f.status !== 0) return fail(`relay refused the home proof: ${errorName(f.status)} ${f.message}`);
        stage = 'done';
        ws.off('message', onMessage);
        resolve({ index, id: pre.identity.publicKey, ws, socket: socketOf(ws) });
      } else {
        fail(`unexpected ${frameTypeName(f.type)} while waiting for ${stage}`);
      }
    };
    ws.on('message', onMessage);
    ws.on('error', (err) => fail(err.message));
    ws.once('close', (code, reason) => fail(`relay closed the connection during registration (${code} ${reason.toString()})`));
  });
}

let nextReqId = 2;

/** One c2s request on a registered peer whose socket ws still reads (before a flow takes it over). */
export function request<A extends ReqArgs>(peer: Peer, args: A, timeoutMs = 5000): Promise<Extract<ResResult, { op: A['op'] }>> {
  const reqId = nextReqId++;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`no answer to request op ${args.op} within ${timeoutMs} ms`)), timeoutMs);
    const onMessage = (data: Buffer): void => {
      const d = decodeFrame(data);
      if (!d.ok || d.frame.type !== FrameType.RES || d.frame.reqId !== reqId) return;
      const f = d.frame;
      if (f.status !== 0) finish(new Error(`relay refused request op ${args.op}: ${errorName(f.status)} ${f.message}`));
      else finish(null, f as unknown as Extract<ResResult, { op: A['op'] }>);
    };
    function finish(err: Error | null, value?: Extract<ResResult, { op: A['op'] }>): void {
      clearTimeout(timer);
      peer.ws.off('message', onMessage);
      if (err) reject(err);
      else resolve(value as Extract<ResResult, { op: A['op'] }>);
    }
    peer.ws.on('message', onMessage);
    peer.ws.send(encodeFrame({ type: FrameType.REQ, reqId, ...args }));
  });
}

/**
 * Waits until `from`'s relay routes to `to` over a path of `relays` relays (1: `to` is registered
 * there), asking with ROUTE_OF as `w2w route` does: home proofs spread over the links in the background.
 */
export async function awaitRoute(from: Peer, to: Buffer, relays: number, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const r = await request(from, { op: Op.ROUTE_OF, id: to });
    // ROUTE_OF answers a remote route with its path from the origin to the neighbour: every relay but this one.
    if (relays === 1 ? r.kind === RouteKind.LOCAL : r.kind === RouteKind.REMOTE && r.path.length === relays - 1) return;
    if (performance.now() > deadline) throw new Error(`no ${relays}-relay route to a receiver within ${timeoutMs} ms (route kind ${r.kind}, path of ${r.path.length})`);
    await new Promise((res) => setTimeout(res, 20));
  }
}

/** Takes the socket away from ws: from now on `onData` sees every byte the server sends. */
export function detach(peer: Peer, onData: (chunk: Buffer) => void): void {
  peer.socket.removeAllListeners('data');
  peer.socket.on('data', onData);
}

/** Runs `task(i)` for i in 0..count-1 with at most `concurrency` at once; never rejects. */
export async function pool<T>(count: number, concurrency: number, task: (i: number) => Promise<T>): Promise<{ ok: T[]; errors: string[] }> {
  const ok: T[] = [];
  const errors: string[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      try {
        ok.push(await task(i));
      } catch (err) {
        errors.push(err instanceof Error ? err.message : String(err));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return { ok, errors };
}
