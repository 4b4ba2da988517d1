// Test fixtures: one valid frame of every type, route, op, RES shape, event kind and DECL action, with recognisable bytes.
import { DeclQueryBy, EventKind, FrameType, HandshakeContext, Limits, MsgFlag, Op, PROTOCOL_VERSION, ReceiptStatus, Route, RouteAction } from '../../src-shared/protocol/constants.js';
import { ErrorCode } from '../../src-shared/protocol/errors.js';
import { RouteKind, encodeFrame, type Frame, type MsgFrame } from '../../src-shared/protocol/frames.js';

/** n bytes all equal to `fill`: easy to spot in a hex dump. */
export function filled(n: number, fill: number): Uint8Array {
  return new Uint8Array(n).fill(fill);
}

export const ID_A = filled(32, 0xa1);
export const ID_B = filled(32, 0xb2);
export const ID_C = filled(32, 0xc3);
export const MSG_ID = filled(16, 0x4d);
export const RELAY_A = filled(32, 0x1a);
export const RELAY_B = filled(32, 0x1b);
export const CONTENT_HASH = filled(32, 0xc4);
/** Stands in for an encoded holding: the frame codec carries holdings as opaque bytes (declaration.ts decodes them). */
export const HOLDING = filled(300, 0x4b);

export interface NamedFrame {
  name: string;
  frame: Frame;
}

/** Every frame shape of protocol v1; `from` defaults to ID_A (pass a registered ID to make MSGs routable). */
export function sampleFrames(from: Uint8Array = ID_A): NamedFrame[] {
  const body = new Uint8Array([1, 2, 3, 4, 5]);
  const msg = { type: FrameType.MSG, flags: MsgFlag.ACK, hops: Limits.DEFAULT_HOPS, id: MSG_ID, from, body } as const;
  const inner: MsgFrame = { ...msg, hops: 7, route: Route.A2B, to: ID_B };
  return [
    {
      name: 'HELLO',
      frame: {
        type: FrameType.HELLO, version: PROTOCOL_VERSION, relayId: ID_B, timeMs: 1_700_000_000_000,
        maxFrameBytes: 131072, maxRecipients: 64, ratePerSec: 1000, rateBurst: 2000, pingIntervalMs: 30000, handshakeTimeoutMs: 10000,
      },
    },
    {
      name: 'HS1',
      frame: {
        type: FrameType.HS1, ctx: HandshakeContext.C2S, idA: ID_A, ephA: filled(32, 0xe1), nonceA: filled(32, 0x11),
        expectedIdB: ID_B, binding: 'ws://127.0.0.1:8080/', sigA: filled(64, 0x5a),
      },
    },
    { name: 'HS1 s2s', frame: { type: FrameType.HS1, ctx: HandshakeContext.S2S, idA: ID_A, ephA: filled(32, 1), nonceA: filled(32, 2), expectedIdB: ID_B, binding: '', sigA: filled(64, 3) } },
    { name: 'HS1 e2e', frame: { type: FrameType.HS1, ctx: HandshakeContext.E2E, idA: ID_A, ephA: filled(32, 1), nonceA: filled(32, 2), expectedIdB: ID_B, binding: 'e2e', sigA: filled(64, 3) } },
    { name: 'HS2', frame: { type: FrameType.HS2, idB: ID_B, ephB: filled(32, 0xe2), nonceB: filled(32, 0x22), sigB: filled(64, 0x5b) } },
    { name: 'HS3', frame: { type: FrameType.HS3, sigC: filled(64, 0x5c) } },
    { name: 'READY', frame: { type: FrameType.READY, transcriptHash: filled(32, 0x7e), timeMs: 1_700_000_000_001 } },
    { name: 'MSG a2a', frame: { ...msg, route: Route.A2A } },
    { name: 'MSG a2b', frame: { ...msg, route: Route.A2B, to: ID_B } },
    { name: 'MSG a2g list', frame: { ...msg, route: Route.A2G_LIST, to: [ID_B, ID_C] } },
    { name: 'MSG a2g named', frame: { ...msg, route: Route.A2G_NAMED, group: 'team' } },
    { name: 'MSG a2n', frame: { ...msg, flags: 0, route: Route.A2N } },
    { name: 'MSG a2b store', frame: { ...msg, flags: MsgFlag.ACK | MsgFlag.STORE, route: Route.A2B, to: ID_B } },
    { name: 'MSG empty body', frame: { ...msg, route: Route.A2A, body: new Uint8Array(0) } },
    { name: 'ACK', frame: { type: FrameType.ACK, id: MSG_ID, delivered: 2, forwarded: 0, stored: 0, missed: [] } },
    {
      name: 'ACK with missed',
      frame: {
        type: FrameType.ACK, id: MSG_ID, delivered: 0, forwarded: 3, stored: 1,
        missed: [{ id: ID_B, code: ErrorCode.RECIPIENT_OFFLINE }, { id: ID_C, code: ErrorCode.UNKNOWN_RECIPIENT }],
      },
    },
    { name: 'REQ LIST_PEERS', frame: { type: FrameType.REQ, reqId: 1, op: Op.LIST_PEERS } },
    { name: 'REQ GROUP_CREATE', frame: { type: FrameType.REQ, reqId: 2, op: Op.GROUP_CREATE, name: 'team' } },
    { name: 'REQ GROUP_ADD', frame: { type: FrameType.REQ, reqId: 3, op: Op.GROUP_ADD, name: 'team', members: [ID_B, ID_C] } },
    { name: 'REQ GROUP_REMOVE', frame: { type: FrameType.REQ, reqId: 4, op: Op.GROUP_REMOVE, name: 'team', members: [ID_C] } },
    { name: 'REQ GROUP_LIST', frame: { type: FrameType.REQ, reqId: 5, op: Op.GROUP_LIST } },
    { name: 'REQ GROUP_DELETE', frame: { type: FrameType.REQ, reqId: 6, op: Op.GROUP_DELETE, name: 'team' } },
    { name: 'REQ WATCH', frame: { type: FrameType.REQ, reqId: 7, op: Op.WATCH, ids: [ID_B, ID_C] } },
    { name: 'REQ WATCH none', frame: { type: FrameType.REQ, reqId: 0xffff_ffff, op: Op.WATCH, ids: [] } },
    { name: 'REQ PUBLISH_HOME', frame: { type: FrameType.REQ, reqId: 8, op: Op.PUBLISH_HOME, timeMs: 1_700_000_000_002, sig: filled(64, 0x68) } },
    { name: 'REQ LINKS', frame: { type: FrameType.REQ, reqId: 9, op: Op.LINKS } },
    { name: 'REQ ROUTE_OF', frame: { type: FrameType.REQ, reqId: 10, op: Op.ROUTE_OF, id: ID_C } },
    { name: 'REQ DECL_PUBLISH', frame: { type: FrameType.REQ, reqId: 12, op: Op.DECL_PUBLISH, holding: HOLDING } },
    { name: 'REQ DECL_WITHDRAW', frame: { type: FrameType.REQ, reqId: 13, op: Op.DECL_WITHDRAW, contentHash: CONTENT_HASH, timeMs: 1_700_000_000_004, sig: filled(64, 0x77) } },
    { name: 'REQ DECL_QUERY by hash', frame: { type: FrameType.REQ, reqId: 14, op: Op.DECL_QUERY, by: DeclQueryBy.HASH, key: CONTENT_HASH } },
    { name: 'REQ DECL_QUERY by holder', frame: { type: FrameType.REQ, reqId: 15, op: Op.DECL_QUERY, by: DeclQueryBy.HOLDER, key: ID_B } },
    { name: 'REQ DECL_QUERY by owner', frame: { type: FrameType.REQ, reqId: 16, op: Op.DECL_QUERY, by: DeclQueryBy.OWNER, key: ID_A } },
    {
      name: 'RES LIST_PEERS',
      frame: { type: FrameType.RES, reqId: 1, op: Op.LIST_PEERS, status: 0, peers: [{ id: ID_A, online: true, lastSeenMs: 5 }, { id: ID_B, online: false, lastSeenMs: 2 ** 53 - 1 }] },
    },
    { name: 'RES GROUP_CREATE', frame: { type: FrameType.RES, reqId: 2, op: Op.GROUP_CREATE, status: 0 } },
    { name: 'RES GROUP_ADD', frame: { type: FrameType.RES, reqId: 3, op: Op.GROUP_ADD, status: 0 } },
    { name: 'RES GROUP_REMOVE', frame: { type: FrameType.RES, reqId: 4, op: Op.GROUP_REMOVE, status: 0 } },
    {
      name: 'RES GROUP_LIST',
      frame: { type: FrameType.RES, reqId: 5, op: Op.GROUP_LIST, status: 0, groups: [{ name: 'team', owner: ID_A, members: [ID_A, ID_B] }, { name: 'ünïcode ✓', owner: ID_B, members: [ID_B] }] },
    },
    { name: 'RES GROUP_DELETE', frame: { type: FrameType.RES, reqId: 6, op: Op.GROUP_DELETE, status: 0 } },
    { name: 'RES WATCH', frame: { type: FrameType.RES, reqId: 7, op: Op.WATCH, status: 0, presence: [{ id: ID_B, online: true }, { id: ID_C, online: false }] } },
    { name: 'RES PUBLISH_HOME', frame: { type: FrameType.RES, reqId: 8, op: Op.PUBLISH_HOME, status: 0 } },
    {
      name: 'RES LINKS',
      frame: {
        type: FrameType.RES, reqId: 9, op: Op.LINKS, status: 0,
        links: [
          { relayId: RELAY_A, outbound: true, up: true, rttMs: 12, routes: 40, url: 'wss://relay-a.example:443/' },
          { relayId: RELAY_B, outbound: false, up: false, rttMs: 0, routes: 0, url: '' },
        ],
      },
    },
    { name: 'RES ROUTE_OF', frame: { type: FrameType.RES, reqId: 10, op: Op.ROUTE_OF, status: 0, kind: RouteKind.REMOTE, path: [RELAY_B, RELAY_A] } },
    { name: 'RES DECL_PUBLISH', frame: { type: FrameType.RES, reqId: 12, op: Op.DECL_PUBLISH, status: 0 } },
    { name: 'RES DECL_WITHDRAW', frame: { type: FrameType.RES, reqId: 13, op: Op.DECL_WITHDRAW, status: 0 } },
    { name: 'RES DECL_QUERY', frame: { type: FrameType.RES, reqId: 14, op: Op.DECL_QUERY, status: 0, holdings: [HOLDING, filled(2, 0xff)] } },
    { name: 'RES DECL_QUERY none', frame: { type: FrameType.RES, reqId: 15, op: Op.DECL_QUERY, status: 0, holdings: [] } },
    { name: 'RES ROUTE_OF none', frame: { type: FrameType.RES, reqId: 11, op: Op.ROUTE_OF, status: 0, kind: RouteKind.NONE, path: [] } },
    { name: 'RES error', frame: { type: FrameType.RES, reqId: 8, op: Op.GROUP_ADD, status: ErrorCode.NOT_GROUP_OWNER, message: 'only the owner may change it' } },
    { name: 'EVENT presence', frame: { type: FrameType.EVENT, kind: EventKind.PRESENCE, id: ID_C, online: true, timeMs: 42 } },
    { name: 'EVENT notice', frame: { type: FrameType.EVENT, kind: EventKind.NOTICE, text: 'relay is shutting down' } },
    { name: 'EVENT receipt', frame: { type: FrameType.EVENT, kind: EventKind.RECEIPT, msgId: MSG_ID, recipient: ID_B, status: ReceiptStatus.STORED } },
    {
      name: 'ROUTE announce',
      frame: { type: FrameType.ROUTE, action: RouteAction.ANNOUNCE, dest: ID_C, origin: RELAY_A, proofTimeMs: 1_700_000_000_003, proofSig: filled(64, 0x70), path: [RELAY_A, RELAY_B] },
    },
    { name: 'ROUTE withdraw', frame: { type: FrameType.ROUTE, action: RouteAction.WITHDRAW, dest: ID_C } },
    { name: 'FWD', frame: { type: FrameType.FWD, originRelay: RELAY_A, targets: [ID_B], msg: encodeFrame(inner), inner } },
    { name: 'FWD flood', frame: { type: FrameType.FWD, originRelay: RELAY_A, targets: [], msg: encodeFrame({ ...inner, route: Route.A2N }), inner: { ...msg, hops: 7, route: Route.A2N } } },
    {
      name: 'RECEIPT',
      frame: { type: FrameType.RECEIPT, toRelay: RELAY_A, hops: 3, sender: ID_A, msgId: MSG_ID, recipient: ID_B, status: ErrorCode.RECIPIENT_OFFLINE },
    },
    { name: 'DECL publish', frame: { type: FrameType.DECL, action: 1, holding: HOLDING } },
    { name: 'DECL withdraw', frame: { type: FrameType.DECL, action: 2, contentHash: CONTENT_HASH, holder: ID_B, timeMs: 1_700_000_000_005, sig: filled(64, 0x78) } },
    { name: 'ERROR', frame: { type: FrameType.ERROR, code: ErrorCode.RECIPIENT_OFFLINE, ref: MSG_ID, message: 'w2w1… is offline' } },
  ];
}
