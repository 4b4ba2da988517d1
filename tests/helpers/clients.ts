// Test helper: registered RelayClients with fresh identities whose every event lands in an Inbox to await.
import { expect } from 'vitest';
import { generateIdentity, type Identity } from '../../src-main/crypto/identity.js';
import { randomBytes } from '../../src-main/crypto/random.js';
import { RelayClient, type CloseInfo, type PresenceEvent, type RelayClientOptions } from '../../src-main/client/relay-client.js';
import { Route } from '../../src-shared/protocol/constants.js';
import { errorName, type ErrorCode, type W2wError } from '../../src-shared/protocol/errors.js';
import type { MsgFrame } from '../../src-shared/protocol/frames.js';
import { bytesEqual, shortId, toHex } from '../../src-shared/ids.js';
import { Inbox } from './inbox.js';
import type { TestRelay } from './relay.js';

export type ClientEvent =
  | { kind: 'message'; frame: MsgFrame }
  | { kind: 'presence'; event: PresenceEvent }
  | { kind: 'error'; error: W2wError; ref: Uint8Array }
  | { kind: 'notice'; text: string }
  | { kind: 'close'; info: CloseInfo };

function describeEvent(e: ClientEvent): string {
  switch (e.kind) {
    case 'message':
      return `message route ${e.frame.route} from ${shortId(e.frame.from)} body ${toHex(e.frame.body).slice(0, 32)}`;
    case 'presence':
      return `presence ${shortId(e.event.id)} ${e.event.online ? 'online' : 'offline'}`;
    case 'error':
      return `error ${errorName(e.error.code)}`;
    case 'notice':
      return `notice "${e.text}"`;
    case 'close':
      return `close ${e.info.code}`;
  }
}

/** Default wait for one event: generous for a loaded 2-core machine, short enough to fail fast. */
export const EVENT_TIMEOUT_MS = 3000;

export class TestClient {
  readonly events: Inbox<ClientEvent>;

  constructor(
    readonly client: RelayClient,
    readonly label: string,
  ) {
    this.events = new Inbox<ClientEvent>(label, describeEvent);
    client.on('message', (frame) => this.events.push({ kind: 'message', frame }));
    client.on('presence', (event) => this.events.push({ kind: 'presence', event }));
    client.on('error', (error, ref) => this.events.push({ kind: 'error', error, ref }));
    client.on('notice', (text) => this.events.push({ kind: 'notice', text }));
    client.on('close', (info) => this.events.push({ kind: 'close', info }));
  }

  get id(): Buffer {
    return this.client.id;
  }

  get identity(): Identity {
    return this.client.identity;
  }

  async nextMessage(match: (f: MsgFrame) => boolean = () => true, timeoutMs = EVENT_TIMEOUT_MS): Promise<MsgFrame> {
    const e = await this.events.take((x) => x.kind === 'message' && match(x.frame), timeoutMs, 'message');
    return (e as Extract<ClientEvent, { kind: 'message' }>).frame;
  }

  /** The message carrying exactly this body. */
  messageWithBody(body: Uint8Array, timeoutMs = EVENT_TIMEOUT_MS): Promise<MsgFrame> {
    return this.nextMessage((f) => bytesEqual(f.body, body), timeoutMs);
  }

  async nextPresence(id: Uint8Array, online: boolean, timeoutMs = EVENT_TIMEOUT_MS): Promise<PresenceEvent> {
    const e = await this.events.take(
      (x) => x.kind === 'presence' && x.event.online === online && bytesEqual(x.event.id, id),
      timeoutMs,
      `presence ${shortId(id)} ${online ? 'online' : 'offline'}`,
    );
    return (e as Extract<ClientEvent, { kind: 'presence' }>).event;
  }

  async nextError(code: ErrorCode, timeoutMs = EVENT_TIMEOUT_MS): Promise<{ error: W2wError; ref: Uint8Array }> {
    const e = await this.events.take((x) => x.kind === 'error' && x.error.code === code, timeoutMs, `error ${errorName(code)}`);
    return e as Extract<ClientEvent, { kind: 'error' }>;
  }

  async nextClose(timeoutMs = EVENT_TIMEOUT_MS): Promise<CloseInfo> {
    const e = await this.events.take((x) => x.kind === 'close', timeoutMs, 'close');
    return (e as Extract<ClientEvent, { kind: 'close' }>).info;
  }

  /** Removes and returns the messages queued so far. */
  drainMessages(): MsgFrame[] {
    return this.events.drain((x) => x.kind === 'message').map((x) => (x as Extract<ClientEvent, { kind: 'message' }>).frame);
  }

  /** Removes and returns every event queued so far. */
  drain(): ClientEvent[] {
    return this.events.drain();
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

export interface ConnectOptions extends Partial<Omit<RelayClientOptions, 'url'>> {
  label?: string;
  url?: string;
}

let counter = 0;

/** Connects and registers one client (a fresh identity unless one is given). */
export async function connectClient(relay: TestRelay, opts: ConnectOptions = {}): Promise<TestClient> {
  const { label, url, ...rest } = opts;
  const client = await RelayClient.connect({ url: url ?? relay.url, identity: opts.identity ?? generateIdentity(), handshakeTimeoutMs: 5000, ...rest });
  return new TestClient(client, label ?? `client${++counter}`);
}

/** Connects n clients with fresh identities, one after another (registration order is then known). */
export async function connectClients(relay: TestRelay, n: number, labelPrefix = 'c'): Promise<TestClient[]> {
  const out: TestClient[] = [];
  for (let i = 0; i < n; i++) out.push(await connectClient(relay, { label: `${labelPrefix}${i}` }));
  return out;
}

export async function closeAll(clients: readonly TestClient[]): Promise<void> {
  await Promise.all(clients.map((c) => c.close()));
}

export function randomBody(n = 24): Buffer {
  return randomBytes(n);
}

/**
 * Delivery barrier: `from` sends a marker a2b to each of `to`, and each must receive it. The relay handles
 * one connection's frames in order and forwards synchronously, so anything `from` sent earlier that was
 * going to reach them has arrived by then. Returns what each received before its marker (markers removed).
 */
export async function barrier(from: TestClient, to: readonly TestClient[]): Promise<MsgFrame[][]> {
  const marker = Buffer.concat([Buffer.from('barrier:'), randomBytes(8)]);
  for (const c of to) await from.client.send({ route: Route.A2B, to: c.id }, marker);
  const out: MsgFrame[][] = [];
  for (const c of to) {
    await c.messageWithBody(marker);
    out.push(c.drainMessages());
  }
  return out;
}

/** Asserts that a fresh pair of clients registers and exchanges a2b both ways, and receives nothing else. */
export async function expectRelayServesFreshPair(relay: TestRelay): Promise<void> {
  const [a, b] = (await connectClients(relay, 2, 'fresh')) as [TestClient, TestClient];
  try {
    for (const [from, to] of [
      [a, b],
      [b, a],
    ] as const) {
      const body = randomBody();
      const res = await from.client.send({ route: Route.A2B, to: to.id }, body, { ack: true, ackTimeoutMs: EVENT_TIMEOUT_MS });
      expect(res.delivered).toBe(1);
      expect(res.missed).toEqual([]);
      const got = await to.messageWithBody(body);
      expect(bytesEqual(got.from, from.id)).toBe(true);
    }
    // nothing else arrived on either side
    expect(await barrier(a, [b])).toEqual([[]]);
    expect(await barrier(b, [a])).toEqual([[]]);
    expect(a.events.peek((e) => e.kind === 'error')).toEqual([]);
    expect(b.events.peek((e) => e.kind === 'error')).toEqual([]);
  } finally {
    await closeAll([a, b]);
  }
}
