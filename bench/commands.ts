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
  /**
   * w2w only: run with federation (links and stored messages in SQLite, whatever `store` says; inbound
   * links from any relay accepted). The relay is then linked to others with the `link` command.
   */
  federation?: boolean;
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
  /** federation: dials the relay at `url` (pinned to its ID) and resolves once this side sees the link up */
  link: { args: { url: string; relayIdHex: string }; result: null };
  /** federation: how many links are up, as this relay sees them */
  'links-up': { args: null; result: number };
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
  /** where the senders register */
  target: Target;
  /**
   * Federation: other relays where receivers register. Pairs: lane i's receiver on receivers[i % n].
   * Fan-out: client i (the sender is client 0) on [target, ...receivers][i % (n + 1)]. Unset: all on target.
   */
  receivers?: Target[];
  /**
   * Federation flows: clients publish a home proof, the flow waits until the senders' relay has a route
   * to every receiver, every message gets its own ID (relays drop repeats), and senders count the
   * RECEIPT events the receivers' relays send back instead of treating them as unexpected.
   */
  federated?: boolean;
  /** federated pairs: relays on each sender's path to its receiver (1: the same relay); setup waits for those routes */
  relays?: number;
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
  /** federated flows: RECEIPT events the senders got (one per message handed over on another relay) */
  receipts: number;
}

export interface FlowFinal extends FlowSnapshot {
  /** expected deliveries (sent x receivers per message) minus deliveries counted after draining */
  lost: number;
  /** federated a2b across relays: messages sent minus RECEIPT events back at the senders, after draining */
  missingReceipts: number;
  firstProblem: string | null;
}

export interface RttArgs {
  /** where A registers */
  target: Target;
  /** federation: where B registers (default: target); both publish home proofs and every message gets its own ID */
  peerTarget?: Target;
  /** with peerTarget: relays on the path between A and B (1: the same relay); setup waits for those routes */
  relays?: number;
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

/** One end of a real-client conversation in a client process (RelayClient, with SecureChannel when secure). */
export interface EndpointRef {
  endpoint: number;
}

export interface EndpointCounts extends Usage {
  /** data messages handed to the client to send */
  sent: number;
  /** data messages that arrived and were opened (secure) or read (plain) */
  received: number;
  /** secure: messages SecureChannel refused, and counters skipped (messages lost on the way) */
  rejected: number;
  gaps: number;
  /** sends that failed (their promise rejected) */
  sendErrors: number;
  firstProblem: string | null;
}

/** What one end-to-end handshake and the crypto under it cost, measured in one process. */
export interface E2eCryptoFigures {
  signUs: number;
  verifyUs: number;
  scalarmultBaseUs: number;
  scalarmultUs: number;
  /** 3 sign + 3 verify + 2 scalarmult_base + 2 scalarmult: the primitives of one handshake, both sides */
  primitivesUs: number;
  /** 1e6 / primitivesUs */
  limitPerSec: number;
  /** one whole handshake, initiator and responder (HandshakeInitiator/Responder, ctx E2E) */
  handshakeUs: number;
  handshakesPerSec: number;
  aead: { bytes: number; sealMBps: number; openMBps: number; sealUs: number; openUs: number }[];
}

export interface ShareFigures {
  /** the holding (declaration + holder countersignature), encoded, as the fetcher is given it */
  holdingHex: string;
  size: number;
  chunkSize: number;
}

export interface FetchFigures {
  /** DataPlane.fetch() from call to the verified file in place */
  elapsedMs: number;
  /** when the last chunk was verified and written (progress reached the size): the rest is the final check, fsync and rename */
  chunksDoneMs: number | null;
  /** bytes of the file written */
  size: number;
  chunksFetched: number;
  corruptChunks: number;
}

export interface ClientCommands {
  /** connects (and registers) a RelayClient, with a SecureChannel on it when `secure` */
  open: { args: { target: Target; secure: boolean }; result: EndpointRef & { idHex: string } };
  /** secure: runs the e2e handshake with the peer now, so that no send waits for it later */
  session: { args: EndpointRef & { peerHex: string }; result: null };
  /** answers data from `peerHex` with a credit message every `creditEvery` messages */
  receive: { args: EndpointRef & { peerHex: string; creditEvery: number }; result: null };
  /** sends `bodyBytes` payloads to `peerHex`, at most `window` of them not yet credited */
  'send-start': { args: EndpointRef & { peerHex: string; bodyBytes: number; window: number }; result: null };
  'send-stop': { args: EndpointRef; result: null };
  counts: { args: EndpointRef; result: EndpointCounts };
  usage: { args: null; result: Usage };
  /** handshakes, the primitives under them and AEAD, timed in this process while it does nothing else */
  'e2e-crypto': { args: { handshakes: number; rounds: number; aeadBytes: number }; result: E2eCryptoFigures };
  /** a data node (RelayClient + SecureChannel + DataPlane over SQLite in a temp dir); loads the data plane on first use */
  'data-open': { args: { target: Target }; result: { node: number } };
  /** writes a random file of `bytes` and shares it */
  'data-share': { args: { node: number; bytes: number }; result: ShareFigures };
  'data-fetch': { args: { node: number; holdingHex: string }; result: FetchFigures };
  /** closes every endpoint and data node (and deletes the data nodes' temp dirs) */
  'close-all': { args: null; result: null };
}
