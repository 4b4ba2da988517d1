// Wire constants of w2w protocol v1: frame types with their byte layouts, routes, flags and limits.
// docs/PROTOCOL.md is the normative text; every layout comment here mirrors a table there.
//
// Protocol flow (one WebSocket, subprotocol "w2w.v1", binary messages only):
//
//   relay  -> client  HELLO      replyBack: relay ID, time, limits
//   client -> relay   HS1        sigA over h1 (client ID, ephemeral, nonce, expected relay ID, URL)
//   relay  -> client  HS2        sigB over h2 = H(h1, sigA, relay ID, ephemeral, nonce)
//   client -> relay   HS3        sigC over h3 = H(h2, sigB)
//   relay  -> client  READY      transcript hash th = H(h3, sigC); the ID is now in the node list
//   then, in any order:
//   client -> relay   MSG        a2a / a2b / a2g (list or named) / a2n
//   relay  -> client  MSG        the same bytes, forwarded to each recipient
//   relay  -> client  ACK        when the sender set FLAG_ACK
//   client -> relay   REQ        c2s: a request to the relay itself
//   relay  -> client  RES        s2c: the answer to a REQ
//   relay  -> client  EVENT      s2c: presence changes and relay notices
//   relay  -> client  ERROR      a coded error; fatal ones are followed by a close (clients send none in v1)

export const PROTOCOL_VERSION = 1;
/** WebSocket subprotocol token; a future v2 adds "w2w.v2" and the server picks the highest it speaks. */
export const SUBPROTOCOL = 'w2w.v1';

export const FrameType = {
  /** u8 type | u8 version | 32 relayId | u64 timeMs | u32 maxFrameBytes | u16 maxRecipients | u32 ratePerSec | u32 rateBurst | u32 pingIntervalMs | u32 handshakeTimeoutMs */
  HELLO: 0x01,
  /** u8 type | u8 ctx | 32 idA | 32 ephA | 32 nonceA | 32 expectedIdB | str16 binding | 64 sigA */
  HS1: 0x02,
  /** u8 type | 32 idB | 32 ephB | 32 nonceB | 64 sigB */
  HS2: 0x03,
  /** u8 type | 64 sigC */
  HS3: 0x04,
  /** u8 type | 32 transcriptHash | u64 timeMs */
  READY: 0x05,
  /** u8 type | u8 route | u8 flags | u8 hops | 16 id | 32 from | target (by route) | u32 bodyLen | body */
  MSG: 0x10,
  /** u8 type | 16 id | u32 delivered | u32 forwarded | u32 stored | u8 n | n x (32 id | u16 code) — the recipients that were missed */
  ACK: 0x11,
  /** u8 type | u32 reqId | u8 op | args (by op) */
  REQ: 0x20,
  /** u8 type | u32 reqId | u8 op | u16 status | status == 0 ? result (by op) : str16 message */
  RES: 0x21,
  /** u8 type | u8 kind | payload (by kind) */
  EVENT: 0x22,
  /** s2s only. u8 type | u8 action | 32 dest | action == ANNOUNCE ? (32 origin | u64 proofTimeMs | 64 proofSig | u8 n | n x 32 path) : () */
  ROUTE: 0x30,
  /** s2s only. u8 type | 32 originRelay | u8 n | n x 32 targets (n = 0: flood to all) | MSG frame bytes (rest) */
  FWD: 0x31,
  /** s2s only. u8 type | 32 toRelay | u8 hops | 32 sender | 16 msgId | 32 recipient | u16 status */
  RECEIPT: 0x32,
  /** s2s only. u8 type | u8 action | action == PUBLISH ? (u32 len | holding) : (32 contentHash | 32 holder | u64 timeMs | 64 sig) */
  DECL: 0x33,
  /** u8 type | u16 code | 16 ref | str16 message */
  ERROR: 0x7f,
} as const;
export type FrameType = (typeof FrameType)[keyof typeof FrameType];

/** Handshake context tags: the same three-message handshake serves every kind of link. */
export const HandshakeContext = {
  C2S: 1,
  S2S: 2,
  E2E: 3,
} as const;
export type HandshakeContext = (typeof HandshakeContext)[keyof typeof HandshakeContext];
export const HANDSHAKE_CONTEXT_LABEL: Readonly<Record<HandshakeContext, string>> = {
  1: 'c2s',
  2: 's2s',
  3: 'e2e',
};

export const Route = {
  /** to self: every session of the sender's own ID. Target: none. */
  A2A: 1,
  /** to one ID. Target: 32 to. */
  A2B: 2,
  /** to an ad-hoc list of IDs. Target: u8 n (1..maxRecipients) | n x 32. */
  A2G_LIST: 3,
  /** to a named group kept by the relay; the sender must be a member. Target: str8 group. */
  A2G_NAMED: 4,
  /** to every registered client of the relay. Target: none. */
  A2N: 5,
} as const;
export type Route = (typeof Route)[keyof typeof Route];

/** MSG flags; bits not listed here must be zero. */
export const MsgFlag = {
  /** the sender wants an ACK frame once the relay has handed the message to the recipients' sockets */
  ACK: 0x01,
  /** keep the message for an offline recipient (store-and-forward) instead of reporting it missed */
  STORE: 0x02,
} as const;
export const MSG_FLAGS_MASK = 0x03;

/** ROUTE actions (s2s). */
export const RouteAction = {
  ANNOUNCE: 1,
  WITHDRAW: 2,
} as const;
export type RouteAction = (typeof RouteAction)[keyof typeof RouteAction];

/** Delivery states in RECEIPT frames and RECEIPT events; any other value is an ErrorCode (the recipient was missed). */
export const ReceiptStatus = {
  DELIVERED: 0,
  STORED: 1,
} as const;

/** c2s request operations (REQ/RES). */
export const Op = {
  /** args: none. result: u16 n | n x (32 id | u8 online | u64 lastSeenMs) */
  LIST_PEERS: 1,
  /** args: str8 name. result: none */
  GROUP_CREATE: 2,
  /** args: str8 name | u8 n | n x 32. result: none */
  GROUP_ADD: 3,
  /** args: str8 name | u8 n | n x 32. result: none */
  GROUP_REMOVE: 4,
  /** args: none. result: u16 n | n x (str8 name | 32 owner | u16 m | m x 32) */
  GROUP_LIST: 5,
  /** args: str8 name. result: none */
  GROUP_DELETE: 6,
  /** args: u8 n | n x 32. result: u8 n | n x (32 id | u8 online). Subscribes to their presence. */
  WATCH: 7,
  /** args: u64 timeMs | 64 sig (the home proof). result: none. Makes this ID reachable across federated relays. */
  PUBLISH_HOME: 8,
  /** args: none. result: u8 n | n x (32 relayId | u8 outbound | u8 up | u32 rttMs | u32 routes | str16 url) */
  LINKS: 9,
  /** args: 32 id. result: u8 kind (0 none, 1 local, 2 remote, 3 home only) | u8 n | n x 32 path (origin first) */
  ROUTE_OF: 10,
  /** args: u32 len | a holding (declaration.ts). result: none. Publishes "I hold this data" to the directory. */
  DECL_PUBLISH: 11,
  /** args: 32 contentHash | u64 timeMs | 64 sig = Sign(holder, "w2w/1 withdraw" ‖ contentHash ‖ u64 timeMs). result: none */
  DECL_WITHDRAW: 12,
  /** args: u8 by (1 content hash, 2 holder, 3 owner) | 32 key. result: u16 n | n x (u32 len | holding) */
  DECL_QUERY: 13,
} as const;

/** What DECL_QUERY looks up by. */
export const DeclQueryBy = {
  HASH: 1,
  HOLDER: 2,
  OWNER: 3,
} as const;
export type DeclQueryBy = (typeof DeclQueryBy)[keyof typeof DeclQueryBy];
export type Op = (typeof Op)[keyof typeof Op];

/** s2c event kinds (EVENT). */
export const EventKind = {
  /** 32 id | u8 online | u64 timeMs */
  PRESENCE: 1,
  /** str16 text: a notice from the relay operator or the relay itself (e.g. shutting down) */
  NOTICE: 2,
  /** 16 msgId | 32 recipient | u16 status (ReceiptStatus or an ErrorCode): how a message you sent fared */
  RECEIPT: 3,
} as const;
export type EventKind = (typeof EventKind)[keyof typeof EventKind];

export const ID_BYTES = 32;
export const MSG_ID_BYTES = 16;
export const NONCE_BYTES = 32;
export const EPHEMERAL_BYTES = 32;
export const SIGNATURE_BYTES = 64;
export const HASH_BYTES = 32;

/** Fixed protocol limits; a relay may advertise lower values in HELLO, never higher. */
export const Limits = {
  /** largest WebSocket message either side accepts (bytes) */
  MAX_FRAME_BYTES: 256 * 1024,
  /** recipients of one a2g list message */
  MAX_RECIPIENTS: 64,
  /** named group name, UTF-8 bytes */
  MAX_GROUP_NAME_BYTES: 64,
  /** members of one named group */
  MAX_GROUP_MEMBERS: 1024,
  /** named groups one ID may own at a relay: every group costs relay memory, disk and presence work */
  MAX_GROUPS_PER_OWNER: 256,
  /** handshake binding string (the relay URL), UTF-8 bytes */
  MAX_BINDING_BYTES: 1024,
  /** ERROR / NOTICE text, UTF-8 bytes */
  MAX_TEXT_BYTES: 4096,
  /** hop limit a client may set on a MSG */
  MAX_HOPS: 16,
  DEFAULT_HOPS: 8,
  /** IDs in one WATCH request */
  MAX_WATCH: 255,
  /** relay links reported in one LINKS answer */
  MAX_LINKS: 255,
} as const;

/** Defaults of a relay's tunable limits (all advertised in HELLO). */
export const RelayDefaults = {
  maxFrameBytes: 128 * 1024,
  ratePerSec: 1000,
  rateBurst: 2000,
  pingIntervalMs: 30_000,
  pingTimeoutMs: 10_000,
  handshakeTimeoutMs: 10_000,
  maxConnections: 20_000,
  /** bytes queued to one socket before it counts as a slow consumer and is cut */
  maxBufferedBytes: 8 * 1024 * 1024,
  /** rate-limit violations in a row before the connection is closed */
  maxRateViolations: 100,
} as const;
