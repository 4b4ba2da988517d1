// Child process that runs real w2w clients — RelayClient, with SecureChannel on top for encrypted
// traffic — as one end of a conversation through a relay: it sends with a credit window, or receives and
// sends credits back. Unlike the load generator it takes no shortcut, so that building, sealing, opening
// and parsing are paid, and timed, in the processes of the two ends that do them.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { RelayClient } from '../src-main/client/relay-client.js';
import { generateIdentity } from '../src-main/crypto/identity.js';
import { SecureChannel } from '../src-main/e2e/secure-channel.js';
import { Route } from '../src-shared/protocol/constants.js';
import type { ClientCommands, EndpointCounts, Target } from './commands.js';
import type { DataNode } from './transfer-ends.js';
import { measureE2eCrypto } from './e2e-crypto.js';
import { serveIpc } from './ipc.js';

/** First byte of the bench's payloads (not a PayloadKind of the app: nothing else reads them). */
const DATA = 0xb0;
const CREDIT = 0xb1;

function cpuUs(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

class Endpoint {
  sent = 0;
  received = 0;
  rejected = 0;
  gaps = 0;
  sendErrors = 0;
  firstProblem: string | null = null;
  /** the highest count the receiver has confirmed */
  private acked = 0;
  private running = false;
  private peer: Buffer | null = null;
  private body: Buffer | null = null;
  private window = 0;
  private creditEvery = 0;

  constructor(
    readonly client: RelayClient,
    readonly channel: SecureChannel | null,
  ) {
    if (channel) {
      channel.on('payload', (o) => this.onPayload(o.msg.from, o.payload));
      channel.on('rejected', (r) => {
        this.rejected++;
        this.firstProblem ??= `rejected: ${r.reason}`;
      });
      channel.on('gap', (g) => {
        this.gaps += g.skipped;
      });
    } else {
      client.on('message', (m) => this.onPayload(m.from, m.body));
    }
    client.on('close', (c) => {
      this.firstProblem ??= `connection closed (${c.code} ${c.reason})`;
    });
  }

  private onSendError = (err: unknown): void => {
    this.sendErrors++;
    this.firstProblem ??= `send failed: ${err instanceof Error ? err.message : String(err)}`;
  };

  private send(to: Buffer, payload: Uint8Array): void {
    const p = this.channel ? this.channel.send({ route: Route.A2B, to }, payload) : this.client.send({ route: Route.A2B, to }, payload);
    p.catch(this.onSendError);
  }

  private onPayload(from: Uint8Array, payload: Uint8Array): void {
    const kind = payload[0];
    if (kind === DATA) {
      this.received++;
      if (this.creditEvery > 0 && this.received % this.creditEvery === 0 && this.peer) {
        const credit = Buffer.alloc(5);
        credit[0] = CREDIT;
        credit.writeUInt32BE(this.received, 1);
        this.send(this.peer, credit);
      }
    } else if (kind === CREDIT && payload.byteLength === 5) {
      this.acked = Math.max(this.acked, Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).readUInt32BE(1));
      this.pump();
    } else {
      this.firstProblem ??= `unexpected ${payload.byteLength}-byte payload from ${Buffer.from(from).toString('hex').slice(0, 8)}`;
    }
  }

  receiveFrom(peer: Buffer, creditEvery: number): void {
    this.peer = peer;
    this.creditEvery = creditEvery;
  }

  startSending(peer: Buffer, bodyBytes: number, window: number): void {
    this.peer = peer;
    this.window = window;
    this.body = randomBytes(bodyBytes);
    this.body[0] = DATA;
    this.running = true;
    this.pump();
  }

  stopSending(): void {
    this.running = false;
  }

  /** Sends until `window` messages are out that the receiver has not credited yet. */
  private pump(): void {
    if (!this.running || !this.peer || !this.body) return;
    while (this.sent - this.acked < this.window) {
      this.sent++;
      this.send(this.peer, this.body);
    }
  }

  counts(): EndpointCounts {
    return {
      sent: this.sent,
      received: this.received,
      rejected: this.rejected,
      gaps: this.gaps,
      sendErrors: this.sendErrors,
      firstProblem: this.firstProblem,
      cpuUs: cpuUs(),
      atMs: performance.now(),
    };
  }
}

const endpoints = new Map<number, Endpoint>();
let nextEndpoint = 1;
const dataNodes = new Map<number, DataNode>();

function endpointOf(id: number): Endpoint {
  const e = endpoints.get(id);
  if (!e) throw new Error(`client-process: no endpoint ${id}; open one first`);
  return e;
}

function dataNodeOf(id: number): DataNode {
  const n = dataNodes.get(id);
  if (!n) throw new Error(`client-process: no data node ${id}; open one with data-open first`);
  return n;
}

async function openEndpoint(target: Target, secure: boolean): Promise<{ endpoint: number; idHex: string }> {
  const pin = target.relayIdHex ? Buffer.from(target.relayIdHex, 'hex') : undefined;
  const client = await RelayClient.connect({ url: target.url, identity: generateIdentity(), expectedRelayId: pin, publishHome: false });
  const channel = secure ? new SecureChannel(client) : null;
  const endpoint = nextEndpoint++;
  endpoints.set(endpoint, new Endpoint(client, channel));
  return { endpoint, idHex: client.id.toString('hex') };
}

// The orchestrator may go away without close-all (a failed section): never leave a file transfer's temp dirs behind.
process.on('exit', () => {
  for (const n of dataNodes.values()) fs.rmSync(n.dir, { recursive: true, force: true });
});

serveIpc<ClientCommands>('client-process', {
  open: ({ target, secure }) => openEndpoint(target, secure),
  async session({ endpoint, peerHex }) {
    const e = endpointOf(endpoint);
    if (!e.channel) throw new Error('client-process: session() needs a secure endpoint');
    await e.channel.sessions.sessionWith(Buffer.from(peerHex, 'hex'));
    return null;
  },
  receive({ endpoint, peerHex, creditEvery }) {
    endpointOf(endpoint).receiveFrom(Buffer.from(peerHex, 'hex'), creditEvery);
    return null;
  },
  'send-start'({ endpoint, peerHex, bodyBytes, window }) {
    endpointOf(endpoint).startSending(Buffer.from(peerHex, 'hex'), bodyBytes, window);
    return null;
  },
  'send-stop'({ endpoint }) {
    endpointOf(endpoint).stopSending();
    return null;
  },
  counts: ({ endpoint }) => endpointOf(endpoint).counts(),
  usage: () => ({ cpuUs: cpuUs(), atMs: performance.now() }),
  'e2e-crypto': (args) => measureE2eCrypto(args),
  async 'data-open'({ target }) {
    // Loaded here, not at start: the other sections must not depend on the data plane.
    const { DataNode } = await import('./transfer-ends.js');
    const node = nextEndpoint++;
    dataNodes.set(node, await DataNode.open(target));
    return { node };
  },
  'data-share': ({ node, bytes }) => dataNodeOf(node).share(bytes),
  'data-fetch': ({ node, holdingHex }) => dataNodeOf(node).fetch(holdingHex),
  async 'close-all'() {
    await Promise.all([...endpoints.values()].map((e) => e.client.close()));
    endpoints.clear();
    await Promise.all([...dataNodes.values()].map((n) => n.close()));
    dataNodes.clear();
    return null;
  },
});
