// Child process that generates load against the server under test: message flows (a2b pairs, a2n
// fan-out), round trips, and many idle registered clients. It runs on the other core, apart from the
// server, and does as little per message as it can (pre-built frames, header-only counting).
import { randomBytes } from 'node:crypto';
import { FrameType, Limits, Route } from '../src-shared/protocol/constants.js';
import { encodeFrame } from '../src-shared/protocol/frames.js';
import type { ConnectArgs, ConnectResult, FlowArgs, LoadCommands, Target } from './commands.js';
import { Flow } from './flow.js';
import { serveIpc } from './ipc.js';
import { awaitRoute, connectRaw, pool, prepareW2wClient, registerW2w, type Peer, type PreparedClient } from './peers.js';
import { BROADCAST } from './raw-forwarder.js';
import { pingPong } from './rtt.js';
import { maskedClientFrame, stampMsgId } from './wire.js';

/** Concurrent connection attempts while setting up a flow (not timed). */
const SETUP_CONCURRENCY = 64;

let nextRawIndex = 0;
const flows = new Map<number, Flow>();
let nextFlow = 1;
let held: Peer[] = [];
let prepared: PreparedClient[] = [];

function cpuUs(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

/** The message a peer sends: w2w MSG frames (a2b or a2n) or raw frames (u32 receiver + body). */
function payload(target: Target, from: Peer, to: Peer | 'all', body: Uint8Array): Uint8Array {
  if (target.kind !== 'w2w') {
    const out = Buffer.alloc(4 + body.byteLength);
    out.writeUInt32BE(to === 'all' ? BROADCAST : to.index, 0);
    out.set(body, 4);
    return out;
  }
  const common = { type: FrameType.MSG, flags: 0, hops: Limits.DEFAULT_HOPS, id: randomBytes(16), from: from.id as Buffer, body } as const;
  return to === 'all' ? encodeFrame({ ...common, route: Route.A2N }) : encodeFrame({ ...common, route: Route.A2B, to: to.id as Buffer });
}

const expectType = (target: Target): number | null => (target.kind === 'w2w' ? FrameType.MSG : null);

/** Opens `count` clients (raw) or registers them (w2w), in index order; throws if any fails. */
function openPeers(target: Target, count: number): Promise<Peer[]> {
  return openPeersOn(Array.from({ length: count }, () => target), false);
}

/**
 * Opens one client per entry of `places` on that server, in index order; throws if any fails. With
 * `publishHome` (federation), w2w clients publish a home proof so that linked relays route to them.
 */
async function openPeersOn(places: Target[], publishHome: boolean): Promise<Peer[]> {
  const count = places.length;
  const base = nextRawIndex;
  nextRawIndex += count;
  const pre = places.map((t) => (t.kind === 'w2w' ? prepareW2wClient(t) : null));
  const { ok, errors } = await pool(count, SETUP_CONCURRENCY, (i) => {
    const t = places[i] as Target;
    return t.kind === 'w2w' ? registerW2w(t, pre[i] as PreparedClient, base + i, publishHome) : connectRaw(t, base + i);
  });
  if (errors.length > 0) {
    for (const p of ok) p.ws.terminate();
    throw new Error(`${errors.length} of ${count} clients could not connect; first: ${errors[0]}`);
  }
  return ok.sort((x, y) => x.index - y.index);
}

function flowById(id: number): Flow {
  const flow = flows.get(id);
  if (!flow) throw new Error(`no flow ${id}: set it up with flow-setup first`);
  return flow;
}

async function flowSetup(args: FlowArgs): Promise<{ flow: number }> {
  let flow: Flow;
  const body = randomBytes(args.bodyBytes);
  const federated = args.federated ?? false;
  const others = args.receivers ?? [];
  const opts = federated ? { stampIds: true, receiptType: FrameType.EVENT, expectReceipts: args.shape === 'pairs' && (args.relays ?? 1) > 1 } : {};
  if (args.shape === 'pairs') {
    const places = Array.from({ length: args.lanes }, (_, i) => [args.target, others.length > 0 ? (others[i % others.length] as Target) : args.target]).flat();
    const peers = await openPeersOn(places, federated);
    const routes = [];
    for (let i = 0; i < args.lanes; i++) {
      const sender = peers[2 * i] as Peer;
      const receiver = peers[2 * i + 1] as Peer;
      if (federated) await awaitRoute(sender, receiver.id as Buffer, args.relays ?? 1);
      routes.push({ sender, frame: maskedClientFrame(payload(args.target, sender, receiver, body)), receivers: [receiver] });
    }
    flow = new Flow(routes, expectType(args.target), args.window, peers, opts);
  } else {
    const homes = [args.target, ...others];
    const peers = await openPeersOn(Array.from({ length: args.clients }, (_, i) => homes[i % homes.length] as Target), federated);
    const sender = peers[0] as Peer;
    flow = new Flow([{ sender, frame: maskedClientFrame(payload(args.target, sender, 'all', body)), receivers: peers }], expectType(args.target), args.window, peers, opts);
  }
  const id = nextFlow++;
  flows.set(id, flow);
  return { flow: id };
}

async function connect(args: ConnectArgs): Promise<ConnectResult> {
  const w2w = args.target.kind === 'w2w';
  if (w2w && prepared.length < args.count) throw new Error(`connect: only ${prepared.length} clients prepared, ${args.count} asked; call connect-prepare first.`);
  const pre = w2w ? prepared.splice(0, args.count) : [];
  const base = nextRawIndex;
  nextRawIndex += args.count;
  const t0 = performance.now();
  const { ok, errors } = await pool(args.count, args.concurrency, (i) =>
    w2w ? registerW2w(args.target, pre[i] as PreparedClient, base + i) : connectRaw(args.target, base + i),
  );
  const elapsedMs = performance.now() - t0;
  held.push(...ok);
  for (const p of ok) p.ws.on('error', () => {});
  return { ok: ok.length, failed: errors.length, elapsedMs, firstProblem: errors[0] ?? null, holding: held.length };
}

async function checkForwarding(target: Target): Promise<{ ok: boolean; detail: string }> {
  const [a, b] = await openPeers(target, 2);
  if (!a || !b) throw new Error('check-forwarding could not open two clients');
  try {
    const got: Buffer[] = [];
    b.ws.on('message', (d: Buffer) => got.push(d));
    const direct = payload(target, a, b, randomBytes(1024));
    const toAll = payload(target, a, 'all', randomBytes(64));
    a.ws.send(direct);
    a.ws.send(toAll);
    const deadline = performance.now() + 2000;
    while (got.length < 2 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    const same = got.length === 2 && got[0]?.equals(direct) === true && got[1]?.equals(toAll) === true;
    const what = target.kind === 'w2w' ? 'a2b (1 KiB) and a2n (64 B) MSG frames' : 'a direct (1 KiB) and a broadcast (64 B) message';
    return { ok: same, detail: same ? `${what} arrive byte for byte` : `${what}: got ${got.length} of 2, or changed bytes` };
  } finally {
    a.ws.terminate();
    b.ws.terminate();
  }
}

serveIpc<LoadCommands>('load-process', {
  'flow-setup': flowSetup,
  'flow-start': ({ flow }) => {
    flowById(flow).start();
    return null;
  },
  'flow-snapshot': ({ flow }) => flowById(flow).snapshot(),
  'flow-stop': ({ flow, drainMs }) => flowById(flow).stop(drainMs),
  'flow-close': ({ flow }) => {
    flowById(flow).close();
    flows.delete(flow);
    return null;
  },
  async rtt(args) {
    const federated = args.peerTarget !== undefined;
    const [a, b] = federated ? await openPeersOn([args.target, args.peerTarget as Target], true) : await openPeers(args.target, 2);
    if (!a || !b) throw new Error('rtt could not open two clients');
    try {
      if (federated) {
        await awaitRoute(a, b.id as Buffer, args.relays ?? 1);
        await awaitRoute(b, a.id as Buffer, args.relays ?? 1);
      }
      const body = randomBytes(args.bodyBytes);
      const frames = { aToB: maskedClientFrame(payload(args.target, a, b, body)), bToA: maskedClientFrame(payload(args.target, b, a, body)) };
      const fed = federated ? { receiptType: FrameType.EVENT, stamp: stampMsgId } : null;
      return { samplesUs: await pingPong(a, b, frames, expectType(args.target), args.warmup, args.count, fed) };
    } finally {
      a.ws.terminate();
      b.ws.terminate();
    }
  },
  'connect-prepare': ({ target, count }) => {
    if (target.kind === 'w2w') prepared = Array.from({ length: count }, () => prepareW2wClient(target));
    return null;
  },
  connect,
  'check-forwarding': ({ target }) => checkForwarding(target),
  usage: () => ({ cpuUs: cpuUs(), atMs: performance.now() }),
  async teardown() {
    for (const flow of flows.values()) flow.close();
    flows.clear();
    for (const p of held) p.ws.terminate();
    held = [];
    prepared = [];
    // Let the closes reach the server before the next measurement starts.
    await new Promise((r) => setTimeout(r, 100));
    return null;
  },
});
