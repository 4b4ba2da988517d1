// Child process that runs the server under test (the w2w relay or a raw ws forwarder) on its own event
// loop and core, and reports its CPU time, counters and memory to the bench orchestrator.
import type { Federation } from '../src-main/federation/federation.js';
import type { RelayCommands, RelayUsage, StartArgs } from './commands.js';
import { measureCryptoLimit } from './crypto-limit.js';
import { serveIpc } from './ipc.js';
import { startRawForwarder } from './raw-forwarder.js';
import { startW2wRelay, type W2wRelay } from './w2w-relay.js';

const HOST = '127.0.0.1';

let w2w: W2wRelay | null = null;
let closeServer: (() => Promise<void>) | null = null;

function cpuUs(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

async function start(args: StartArgs): Promise<{ url: string; relayIdHex: string | null; pid: number }> {
  if (closeServer) throw new Error('relay-process: start() was already called; fork a new process per server.');
  if (args.kind === 'w2w') {
    w2w = await startW2wRelay({ host: HOST, store: args.store, limits: args.limits, federation: args.federation ?? false });
    closeServer = () => (w2w as W2wRelay).close();
    return { url: w2w.server.url, relayIdHex: w2w.relayIdHex, pid: process.pid };
  }
  // Same payload cap as the w2w relay (ws closes anything larger before buffering it).
  const raw = await startRawForwarder({ batched: args.kind === 'raw-batched', host: HOST, maxPayload: 512 * 1024 });
  closeServer = () => raw.close();
  return { url: raw.url, relayIdHex: null, pid: process.pid };
}

function usage(): RelayUsage {
  const snap = w2w?.server.core.snapshot();
  return {
    cpuUs: cpuUs(),
    atMs: performance.now(),
    storeCalls: w2w?.counts.storeCalls ?? 0,
    verifies: w2w?.counts.verifies ?? 0,
    messagesRouted: snap?.messagesRouted ?? 0,
    deliveries: snap?.deliveries ?? 0,
    slowConsumers: snap?.slowConsumers ?? 0,
    errors: snap?.errors ?? {},
  };
}

async function mem(): Promise<{ rss: number; heapUsed: number; external: number; arrayBuffers: number }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('relay-process needs node --expose-gc to measure memory');
  // Several rounds with pauses: finalizers and freed socket buffers settle over a few cycles.
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 50));
  }
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers };
}

function federationOf(): Federation {
  const fed = w2w?.server.core.federation;
  if (!fed) throw new Error('relay-process: this relay runs without federation; start it with federation: true.');
  return fed;
}

/** Dials a peer relay and waits (up to 10 s) until this side sees the link up. */
async function link({ url, relayIdHex }: { url: string; relayIdHex: string }): Promise<null> {
  const fed = federationOf();
  const id = Buffer.from(relayIdHex, 'hex');
  fed.addPeer(url, id);
  const deadline = performance.now() + 10_000;
  while (!fed.linkInfo().some((l) => l.up && l.relayId.equals(id))) {
    if (performance.now() > deadline) throw new Error(`relay-process: the link to ${url} did not come up within 10 s: ${fed.linkInfo().find((l) => l.url === url)?.lastError ?? 'no error reported'}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return null;
}

serveIpc<RelayCommands>('relay-process', {
  start,
  link,
  'links-up': () => federationOf().linkInfo().filter((l) => l.up).length,
  crypto: ({ iterations }) => measureCryptoLimit(iterations),
  usage,
  mem,
  async stop() {
    await closeServer?.();
    closeServer = null;
    return null;
  },
});
