// The commands the bench orchestrator sends to its child processes, with their arguments and results.
// Both sides import these types; the IPC channel itself is in ipc.ts.

/** What a relay child runs: the w2w relay, or one of the two raw ws forwarders used as baselines. */
export type ServerKind = 'w2w' | 'raw-naive' | 'raw-batched';

export const SERVER_KINDS: readonly ServerKind[] = ['raw-naive', 'raw-batched', 'w2w'];

export interface BenchLimits {
  ratePerSec: number;
  rateBurst: number;
  maxBufferedBytes: number;
  pingIntervalMs: number;
}

export interface StartArgs {
  kind: ServerKind;
  /** w2w only: the SQLite store from src-main/store in a temp dir, or small in-memory maps */
  store: 'sqlite' | 'memory';
  limits: BenchLimits;
}

export interface StartResult {
  url: string;
  /** w2w only: the relay's ID (hex), which clients sign into their handshake */
  relayIdHex: string | null;
  pid: number;
}

export interface Usage {
  /** CPU time this process used so far, in microseconds (user + system) */
  cpuUs: number;
  /** performance.now() when the usage was read (ms) */
  atMs: number;
}

export interface RelayUsage extends Usage {
  /** w2w only: calls into the node-list and group stores (SQLite writes and reads) since start */
  storeCalls: number;
  /** w2w only: Ed25519 signature verifications since start */
  verifies: number;
  /** w2w only: RelayCore.snapshot() counters */
  messagesRouted: number;
  deliveries: number;
  slowConsumers: number;
  errors: Record<string, number>;
}

export interface Memory {
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

/** The Ed25519 ceiling measured on the relay's own core (see crypto-limit.ts). */
export interface CryptoLimit {
  signUs: number;
  verifyUs: number;
  /** sign + 2 verify: the relay's Ed25519 work per registration */
  perRegistrationUs: number;
  /** 1e6 / perRegistrationUs: registrations/s one core could do if it did nothing else */
  registrationsPerSec: number;
  /** HandshakeResponder construction + respond() + finish(), as the relay runs them */
  responderUs: number;
}

export interface RelayCommands {
  start: { args: StartArgs; result: StartResult };
  /** times Ed25519 (and the whole responder handshake) on this process's core, before load starts */
  crypto: { args: { iterations: number }; result: CryptoLimit };
  usage: { args: null; result: RelayUsage };
  /** memory after forced garbage collection */
  mem: { args: null; result: Memory };
  stop: { args: null; result: null };
}

/** Where a load child finds the server under test. */
export interface Target {
  kind: ServerKind;
  url: string;
  relayIdHex: string | null;
}

export interface FlowArgs {
  target: Target;
  /** 'pairs': `lanes` sender -> receiver pairs (a2b). 'fanout': one sender to `clients` clients (a2n). */
  shape: 'pairs' | 'fanout';
  lanes: number;
  clients: number;
  bodyBytes: number;
  /** messages in flight per lane (credit window) */
  window: number;
}

export interface FlowSnapshot extends Usage {
  sent: number;
  /** messages delivered to receivers (each delivery counts once) */
  delivered: number;
  /** frames a client got that were not the expected message (e.g. ERROR frames) */
  unexpected: number;
}

export interface FlowFinal extends FlowSnapshot {
  /** expected deliveries (sent x receivers per message) minus deliveries counted after draining */
  lost: number;
  firstProblem: string | null;
}

export interface RttArgs {
  target: Target;
  bodyBytes: number;
  warmup: number;
  count: number;
}

export interface RttResult {
  /** round-trip times in microseconds, in the order measured */
  samplesUs: number[];
}

export interface ConnectArgs {
  target: Target;
  count: number;
  concurrency: number;
}

export interface ConnectResult {
  ok: number;
  failed: number;
  elapsedMs: number;
  firstProblem: string | null;
  /** connections now held open by the load process */
  holding: number;
}

export interface FlowRef {
  flow: number;
}

export interface LoadCommands {
  /** connects the flow's clients; flows stay set up (and can run again) until flow-close or teardown */
  'flow-setup': { args: FlowArgs; result: FlowRef };
  'flow-start': { args: FlowRef; result: null };
  'flow-snapshot': { args: FlowRef; result: FlowSnapshot };
  /** stops sending and waits for every message in flight to arrive */
  'flow-stop': { args: FlowRef & { drainMs: number }; result: FlowFinal };
  'flow-close': { args: FlowRef; result: null };
  rtt: { args: RttArgs; result: RttResult };
  /** precomputes what `connect` needs (identities, HS1 signatures) so that it is not timed */
  'connect-prepare': { args: ConnectArgs; result: null };
  /** opens (raw) or registers (w2w) `count` idle clients and keeps them open */
  connect: { args: ConnectArgs; result: ConnectResult };
  /** sends one message of each kind and checks it arrives byte for byte */
  'check-forwarding': { args: { target: Target }; result: { ok: boolean; detail: string } };
  usage: { args: null; result: Usage };
  /** closes every connection the load process holds */
  teardown: { args: null; result: null };
}
