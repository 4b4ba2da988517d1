// The relay's state and routing: registered sessions, the node list, named groups, presence, and
// the c2s requests. Forwarding reuses the sender's bytes unchanged (zero copy): the relay checks the
// envelope, never the body, and never verifies a signature or touches SQLite per forwarded message.
import { DeclQueryBy, EventKind, FrameType, ID_BYTES, Limits, MsgFlag, Op, Route } from '../../src-shared/protocol/constants.js';
import { ErrorCode, W2wError } from '../../src-shared/protocol/errors.js';
import { MsgAt, RouteKind, frameTypeName, isWellFormedA2b, truncateUtf8, type Frame, type GroupEntry, type MissedRecipient, type MsgFrame, type ReqFrame, type ResResult } from '../../src-shared/protocol/frames.js';
import { idToText } from '../../src-shared/ids.js';
import type { Identity } from '../crypto/identity.js';
import type { Connection } from './connection.js';
import type { Federation, LocalRelay } from '../federation/federation.js';
import { Groups } from './groups.js';
import { Directory } from './directory.js';
import type { DirectoryRepo } from '../store/directory-repo.js';
import { idEqualAt, idFromKey, idKey, type IdKey } from './id-key.js';
import { NodeList } from './node-list.js';
import type { GroupStore, NodeListStore } from './ports.js';
import { SocketBatcher } from './socket-batcher.js';
import { RelayUsage, type PeerUsage } from './usage.js';

export interface RelayLimits {
  maxFrameBytes: number;
  maxRecipients: number;
  ratePerSec: number;
  rateBurst: number;
  pingIntervalMs: number;
  pingTimeoutMs: number;
  handshakeTimeoutMs: number;
  maxConnections: number;
  maxBufferedBytes: number;
  maxRateViolations: number;
}

export interface RelayCounters {
  connections: number;
  registered: number;
  framesIn: number;
  messagesRouted: number;
  deliveries: number;
  bytesForwarded: number;
  slowConsumers: number;
  errors: Record<string, number>;
}

/** Contacts remembered per ID for presence notices ("has messaged"); older ones are forgotten. */
const MAX_CONTACTS_PER_ID = 256;
/** IDs whose contacts are remembered at all. */
const MAX_CONTACT_OWNERS = 100_000;
/** Presence subscriptions per connection (WATCH), so one client cannot grow relay memory without bound. */
const MAX_WATCHED_PER_CONNECTION = 4096;
/** u8 type | u32 reqId | u8 op | u16 status */
const RES_HEADER_BYTES = 8;
/** LIST_PEERS entries (32 id | u8 online | u64 lastSeenMs) that fit in one frame after the header and u16 count: 6393. */
const MAX_PEERS_PER_RES = Math.floor((Limits.MAX_FRAME_BYTES - RES_HEADER_BYTES - 2) / (ID_BYTES + 1 + 8));

export class RelayCore implements LocalRelay {
  readonly nodeList: NodeList;
  readonly groups: Groups;
  readonly directory: Directory | null;
  private readonly sessions = new Map<IdKey, Set<Connection>>();
  private readonly contacts = new Map<IdKey, Set<IdKey>>();
  private readonly watchers = new Map<IdKey, Set<Connection>>();
  private readonly counters: Omit<RelayCounters, 'connections' | 'registered' | 'errors'> & { slowConsumers: number } = {
    framesIn: 0,
    messagesRouted: 0,
    deliveries: 0,
    bytesForwarded: 0,
    slowConsumers: 0,
  };
  private readonly errors = new Map<number, number>();
  /** bumped whenever a contact is forgotten: a connection's cached "already remembered" is then stale */
  private contactEvictions = 0;
  connectionCount = 0;
  /** IDs announced online: a session here or a route over a link (network-wide presence, §8.8) */
  private readonly reachable = new Set<IdKey>();
  private readonly usageLog = new RelayUsage();
  /** the owner's relaying policy; null admits every ID (see node/relaying.ts) */
  admission: ((id: Buffer) => W2wError | null) | null = null;

  constructor(
    readonly identity: Identity,
    readonly limits: RelayLimits,
    stores: { nodeList: NodeListStore; groups: GroupStore; directory?: DirectoryRepo },
    private readonly bindingCheck: (binding: string) => boolean,
    private readonly log: (line: string) => void = () => {},
    readonly federation: Federation | null = null,
    readonly batcher: SocketBatcher = new SocketBatcher(),
  ) {
    this.nodeList = new NodeList(stores.nodeList);
    this.groups = new Groups(stores.groups);
    this.directory = stores.directory ? new Directory(stores.directory) : null;
    federation?.attach(this);
  }

  acceptsBinding(binding: string): boolean {
    return this.bindingCheck(binding);
  }

  count(name: 'slowConsumers'): void {
    this.counters[name]++;
  }

  countError(code: ErrorCode): void {
    this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
  }

  onInternalError(err: unknown): void {
    this.countError(ErrorCode.INTERNAL);
    this.log(`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  }

  snapshot(): RelayCounters {
    const errors: Record<string, number> = {};
    for (const [code, n] of this.errors) errors[code] = n;
    return { ...this.counters, connections: this.connectionCount, registered: this.sessions.size, errors };
  }

  isOnline(key: IdKey): boolean {
    return this.sessions.has(key);
  }

  /** Online anywhere this relay can see: a session here or a route over a link. */
  isReachable(key: IdKey): boolean {
    return this.reachable.has(key);
  }

  registrationRefusal(id: Buffer): W2wError | null {
    return this.admission?.(id) ?? null;
  }

  /** Closes every session the admission check now refuses (the owner paused or narrowed relaying). */
  closeRefused(code: number, reason: string): number {
    let n = 0;
    for (const set of [...this.sessions.values()]) {
      for (const c of [...set]) {
        if (!this.registrationRefusal(c.id as Buffer)) continue;
        c.close(code, reason);
        n++;
      }
    }
    return n;
  }

  /** Per-ID relay usage: live sessions and the kept totals of IDs that left. */
  usage(): PeerUsage[] {
    return this.usageLog.list(this.sessions);
  }

  onlineIds(): IdKey[] {
    return [...this.sessions.keys()];
  }

  // --- lifecycle --------------------------------------------------------------------------------

  onRegistered(conn: Connection): void {
    const key = conn.key as IdKey;
    let set = this.sessions.get(key);
    const firstSession = !set;
    if (!set) {
      set = new Set();
      this.sessions.set(key, set);
    }
    set.add(conn);
    if (firstSession) {
      this.presenceCheck(key);
      this.federation?.localJoined(key);
    }
  }

  onClosed(conn: Connection, wasReady: boolean): void {
    this.connectionCount--;
    for (const watched of conn.watching) {
      const w = this.watchers.get(watched);
      w?.delete(conn);
      if (w && w.size === 0) this.watchers.delete(watched);
    }
    if (!wasReady || !conn.key) return;
    const set = this.sessions.get(conn.key);
    if (!set) return;
    set.delete(conn);
    this.usageLog.fold(conn.key, conn, Date.now());
    if (set.size > 0) return;
    this.sessions.delete(conn.key);
    this.nodeList.recordLeave(conn.id as Buffer, Date.now());
    // Withdrawing the local route first: if the ID is still reachable over a link, nobody hears "offline".
    this.federation?.localLeft(conn.key);
    this.presenceCheck(conn.key);
  }

  /**
   * Announces the ID's presence when it changed: online while it has a session here or a route over a
   * link. Called on local session changes and by federation on route changes.
   */
  presenceCheck(key: IdKey): void {
    const online = this.sessions.has(key) || (this.federation?.routes.best(key) ?? null) !== null;
    if (online === this.reachable.has(key)) return;
    if (online) this.reachable.add(key);
    else this.reachable.delete(key);
    this.announcePresence(key, online);
  }

  private requireDirectory(): Directory {
    if (!this.directory) throw new W2wError(ErrorCode.BAD_REQUEST, 'this relay keeps no data directory');
    return this.directory;
  }

  // --- LocalRelay: what federation calls back into -------------------------------------------------

  deliverLocal(key: IdKey, msg: Uint8Array): boolean {
    const set = this.sessions.get(key);
    if (!set) return false;
    let reached = false;
    for (const c of set) {
      if (c.send(msg)) {
        reached = true;
        c.msgsOut++;
        c.bytesOut += msg.byteLength;
        this.counters.deliveries++;
        this.counters.bytesForwarded += msg.byteLength;
      }
    }
    return reached;
  }

  hasRoomFor(key: IdKey, bytes: number): boolean {
    // Half the slow-consumer limit; an empty queue always takes one message, however large.
    const room = this.limits.maxBufferedBytes / 2;
    for (const c of this.sessions.get(key) ?? []) {
      const queued = c.ws.bufferedAmount;
      if (queued > 0 && queued + bytes > room) return false;
    }
    return true;
  }

  deliverToAll(msg: Uint8Array): number {
    let n = 0;
    for (const key of this.sessions.keys()) if (this.deliverLocal(key, msg)) n++;
    return n;
  }

  knows(key: IdKey): boolean {
    return this.nodeList.has(key);
  }

  receiptToSender(sender: IdKey, msgId: Uint8Array, recipient: Uint8Array, status: number): void {
    const set = this.sessions.get(sender);
    if (!set) return;
    const frame: Frame = { type: FrameType.EVENT, kind: EventKind.RECEIPT, msgId, recipient, status };
    for (const c of set) c.sendFrame(frame);
  }

  receiptEventToSender(sender: IdKey, event: Uint8Array): void {
    const set = this.sessions.get(sender);
    if (!set) return;
    for (const c of set) c.send(event);
  }

  /** Tell everyone who watches `key`, shares a group with it, or has messaged it. */
  private announcePresence(key: IdKey, online: boolean): void {
    const targets = new Set<Connection>();
    const addSessions = (k: IdKey): void => {
      for (const c of this.sessions.get(k) ?? []) targets.add(c);
    };
    for (const c of this.watchers.get(key) ?? []) targets.add(c);
    for (const k of this.groups.coMembers(key)) addSessions(k);
    for (const k of this.contacts.get(key) ?? []) addSessions(k);
    if (targets.size === 0) return;
    const event: Frame = { type: FrameType.EVENT, kind: EventKind.PRESENCE, id: idFromKey(key), online, timeMs: Date.now() };
    for (const c of targets) if (c.key !== key) c.sendFrame(event);
  }

  // Runs for every a2b message: no allocation once both IDs know each other.
  private remember(a: IdKey, b: IdKey): void {
    if (a === b) return;
    this.addContact(a, b);
    this.addContact(b, a);
  }

  private addContact(x: IdKey, y: IdKey): void {
    let set = this.contacts.get(x);
    if (!set) {
      set = new Set();
      this.contacts.set(x, set);
      // Contacts outlive a session (so a contact also hears "online" again); the oldest IDs are forgotten.
      if (this.contacts.size > MAX_CONTACT_OWNERS) {
        this.contacts.delete(this.contacts.keys().next().value as IdKey);
        this.contactEvictions++;
      }
    }
    if (set.has(y)) return;
    if (set.size >= MAX_CONTACTS_PER_ID) {
      const oldest = set.values().next().value;
      if (oldest !== undefined) set.delete(oldest);
      this.contactEvictions++;
    }
    set.add(y);
  }

  /** Sends a notice to every registered session (e.g. before shutdown). */
  broadcastNotice(text: string): void {
    const frame: Frame = { type: FrameType.EVENT, kind: EventKind.NOTICE, text };
    for (const set of this.sessions.values()) for (const c of set) c.sendFrame(frame);
  }

  // --- registered frames ------------------------------------------------------------------------

  onFrame(conn: Connection, frame: Frame, raw: Buffer): void {
    this.counters.framesIn++;
    switch (frame.type) {
      case FrameType.MSG:
        this.route(conn, frame, raw);
        return;
      case FrameType.REQ:
        this.request(conn, frame);
        return;
      default:
        conn.sendError(ErrorCode.UNEXPECTED_FRAME, `a client may not send ${frameTypeName(frame.type)} after registration`);
    }
  }

  /**
   * The a2b hot path, on the received bytes in place: no decoded frame, no views, no arrays. It takes
   * only a well-formed a2b (exactly what the strict decoder accepts as one) from its registered sender,
   * within the hop limit, to an ID with a session here that took it, or with a route over an up link
   * (Federation.forwardOne). Anything else returns false having done nothing, and goes the general way
   * (decodeFrame, route), which gives the same result or the precise error.
   */
  forwardA2b(conn: Connection, raw: Buffer): boolean {
    if (!isWellFormedA2b(raw)) return false;
    const hops = raw[MsgAt.HOPS] as number;
    if (hops < 1 || hops > Limits.MAX_HOPS || !idEqualAt(raw, MsgAt.FROM, conn.id as Buffer)) return false;
    const to = conn.destinationKeyAt(raw, MsgAt.TO);
    const local = this.deliverLocal(to, raw);
    if (!local && !this.federation?.forwardOne(raw, to)) return false;
    this.counters.framesIn++;
    this.counters.messagesRouted++;
    conn.msgsIn++;
    conn.bytesIn += raw.byteLength;
    // A conversation sends to the same ID again and again: remember the pair once, until a contact is
    // forgotten anywhere (then remember() may have to put it back).
    if (local && (conn.rememberedTo !== to || conn.rememberedAt !== this.contactEvictions)) {
      this.remember(conn.key as IdKey, to);
      conn.rememberedTo = to;
      conn.rememberedAt = this.contactEvictions;
    }
    if (((raw[2] as number) & MsgFlag.ACK) !== 0) {
      const delivered = local ? 1 : 0;
      conn.sendFrame({ type: FrameType.ACK, id: raw.subarray(MsgAt.ID, MsgAt.FROM), delivered, forwarded: 1 - delivered, stored: 0, missed: [] });
    }
    return true;
  }

  private route(conn: Connection, msg: MsgFrame, raw: Buffer): void {
    const senderKey = conn.key as IdKey;
    if (!(conn.id as Buffer).equals(msg.from)) {
      conn.sendError(ErrorCode.SPOOFED_SENDER, `"from" must be your registered ID ${idToText(conn.id as Buffer)}`, msg.id);
      return;
    }
    if (msg.hops < 1 || msg.hops > Limits.MAX_HOPS) {
      conn.sendError(ErrorCode.BAD_HOPS, `hops must be 1..${Limits.MAX_HOPS}, got ${msg.hops}`, msg.id);
      return;
    }
    let recipients: IdKey[];
    switch (msg.route) {
      case Route.A2A:
        recipients = [senderKey];
        break;
      case Route.A2B:
        recipients = [conn.destinationKey(msg.to)];
        break;
      case Route.A2G_LIST:
        if (msg.to.length > this.limits.maxRecipients) {
          conn.sendError(ErrorCode.TOO_MANY_RECIPIENTS, `at most ${this.limits.maxRecipients} recipients per message`, msg.id);
          return;
        }
        recipients = [...new Set(msg.to.map(idKey))];
        break;
      case Route.A2G_NAMED: {
        const g = this.groups.get(msg.group);
        if (!g) {
          conn.sendError(ErrorCode.UNKNOWN_GROUP, `no group "${msg.group}" on this relay`, msg.id);
          return;
        }
        if (!g.members.has(senderKey)) {
          conn.sendError(ErrorCode.NOT_GROUP_MEMBER, `you are not a member of "${msg.group}"`, msg.id);
          return;
        }
        recipients = [...g.members];
        break;
      }
      case Route.A2N:
        recipients = [...this.sessions.keys()];
        break;
    }
    this.counters.messagesRouted++;
    conn.msgsIn++;
    conn.bytesIn += raw.byteLength;
    // Only addressed routes report unreachable recipients; a named group's offline members are normal.
    const reportMissing = msg.route === Route.A2B || msg.route === Route.A2G_LIST;
    const wantAck = (msg.flags & MsgFlag.ACK) !== 0;
    const missed: MissedRecipient[] = [];
    const elsewhere: IdKey[] = [];
    let delivered = 0;
    for (const key of recipients) {
      if (this.deliverLocal(key, raw)) {
        delivered++;
        if (msg.route === Route.A2B) this.remember(senderKey, key);
      } else {
        elsewhere.push(key);
      }
    }
    let forwarded = 0;
    let stored = 0;
    const fed = this.federation;
    if (fed) {
      // Only a message that leaves this relay can come back over a cycle: the seen-cache (a cost on
      // the hot path) is paid for those alone.
      if (msg.route === Route.A2N) {
        fed.markSeen(raw);
        fed.flood(msg, raw, this.identity.publicKey, null);
      } else if (msg.route === Route.A2A) {
        // The sender's other homes (devices, or its own second registration) get it over links, once.
        if (fed.floodSelf(msg, raw) > 0) forwarded = 1;
      } else if (elsewhere.length > 0) {
        fed.markSeen(raw);
        const res = fed.dispatch(msg, raw, elsewhere, this.identity.publicKey);
        forwarded = res.forwarded;
        stored = res.stored;
        if (reportMissing) for (const m of res.missed) missed.push({ id: idFromKey(m.key), code: m.code });
      }
    } else if (reportMissing) {
      for (const key of elsewhere) {
        missed.push({ id: idFromKey(key), code: this.nodeList.has(key) ? ErrorCode.RECIPIENT_OFFLINE : ErrorCode.UNKNOWN_RECIPIENT });
      }
    }
    if (wantAck) {
      conn.sendFrame({ type: FrameType.ACK, id: msg.id, delivered, forwarded, stored, missed });
      return;
    }
    for (const m of missed) conn.sendError(m.code, `${idToText(m.id)} ${missedText(m.code)}`, msg.id);
  }

  private request(conn: Connection, req: ReqFrame): void {
    try {
      const result = this.handle(conn, req);
      conn.sendFrame({ type: FrameType.RES, reqId: req.reqId, status: 0, ...result });
    } catch (err) {
      if (!(err instanceof W2wError)) throw err;
      this.countError(err.code);
      conn.sendFrame({ type: FrameType.RES, reqId: req.reqId, op: req.op, status: err.code, message: err.message });
    }
  }

  private handle(conn: Connection, req: ReqFrame): ResResult {
    const me = conn.id as Buffer;
    const now = Date.now();
    switch (req.op) {
      case Op.LIST_PEERS: {
        const peers = this.nodeList
          .list()
          .slice(0, MAX_PEERS_PER_RES)
          .map((r) => ({ id: r.id, online: this.sessions.has(idKey(r.id)), lastSeenMs: r.lastSeenMs }));
        return { op: req.op, peers };
      }
      case Op.GROUP_CREATE:
        this.groups.create(req.name, me, now);
        return { op: req.op };
      case Op.GROUP_ADD:
        this.groups.addMembers(req.name, me, req.members.map((m) => Buffer.from(m)), now);
        return { op: req.op };
      case Op.GROUP_REMOVE:
        this.groups.removeMembers(req.name, me, req.members.map((m) => Buffer.from(m)));
        return { op: req.op };
      case Op.GROUP_DELETE:
        this.groups.delete(req.name, me);
        return { op: req.op };
      case Op.GROUP_LIST: {
        // The answer must fit in one frame (receivers refuse more than Limits.MAX_FRAME_BYTES): list groups until it would not.
        let size = RES_HEADER_BYTES + 2;
        const groups: GroupEntry[] = [];
        for (const g of this.groups.listForMember(conn.key as IdKey)) {
          size += 1 + Buffer.byteLength(g.name) + ID_BYTES + 2 + ID_BYTES * g.members.size;
          if (size > Limits.MAX_FRAME_BYTES || groups.length === 0xffff) break;
          groups.push({ name: g.name, owner: idFromKey(g.owner), members: [...g.members].map(idFromKey) });
        }
        return { op: req.op, groups };
      }
      case Op.PUBLISH_HOME:
        // Without federation there is nobody to announce to; the proof is still checked when there is.
        this.federation?.publishHome(me, req.timeMs, req.sig);
        return { op: req.op };
      case Op.LINKS: {
        const links = (this.federation?.linkInfo() ?? []).slice(0, Limits.MAX_LINKS).map((l) => ({
          relayId: l.relayId,
          outbound: l.outbound,
          up: l.up,
          rttMs: l.rttMs,
          routes: l.routes,
          url: truncateUtf8(l.url, Limits.MAX_BINDING_BYTES),
        }));
        return { op: req.op, links };
      }
      case Op.ROUTE_OF: {
        const key = idKey(req.id);
        if (this.sessions.has(key)) return { op: req.op, kind: RouteKind.LOCAL, path: [this.identity.publicKey] };
        const best = this.federation?.routes.best(key);
        if (best && best.via !== 'local') return { op: req.op, kind: RouteKind.REMOTE, path: [...best.advert.path] };
        const home = this.federation?.routes.lastHome(key);
        if (home) return { op: req.op, kind: RouteKind.HOME_ONLY, path: [home] };
        return { op: req.op, kind: RouteKind.NONE, path: [] };
      }
      case Op.DECL_PUBLISH: {
        const dir = this.requireDirectory();
        if (dir.publish(req.holding, me)) this.federation?.floodDecl({ type: FrameType.DECL, action: 1, holding: req.holding }, null);
        return { op: req.op };
      }
      case Op.DECL_WITHDRAW: {
        const dir = this.requireDirectory();
        if (dir.withdraw(req.contentHash, me, req.timeMs, req.sig)) {
          this.federation?.floodDecl({ type: FrameType.DECL, action: 2, contentHash: req.contentHash, holder: me, timeMs: req.timeMs, sig: req.sig }, null);
        }
        return { op: req.op };
      }
      case Op.DECL_QUERY: {
        const dir = this.requireDirectory();
        const entries = req.by === DeclQueryBy.HASH ? dir.byHash(req.key, me) : req.by === DeclQueryBy.HOLDER ? dir.byHolder(req.key, me) : dir.byOwner(req.key, me);
        return { op: req.op, holdings: entries.map((e) => e.holding) };
      }
      case Op.WATCH: {
        if (conn.watching.size + req.ids.length > MAX_WATCHED_PER_CONNECTION) {
          throw new W2wError(ErrorCode.BAD_REQUEST, `a connection may watch at most ${MAX_WATCHED_PER_CONNECTION} IDs`);
        }
        const presence = req.ids.map((id) => {
          const key = idKey(id);
          if (!conn.watching.has(key)) {
            conn.watching.add(key);
            let set = this.watchers.get(key);
            if (!set) {
              set = new Set();
              this.watchers.set(key, set);
            }
            set.add(conn);
          }
          return { id, online: this.reachable.has(key) };
        });
        return { op: req.op, presence };
      }
    }
  }
}


function missedText(code: ErrorCode): string {
  switch (code) {
    case ErrorCode.RECIPIENT_OFFLINE:
      return 'is offline';
    case ErrorCode.UNKNOWN_RECIPIENT:
      return 'has never registered with this relay or any relay linked to it';
    case ErrorCode.HOP_LIMIT:
      return 'is more relay hops away than the message allows';
    case ErrorCode.STORE_FULL:
      return 'is offline and has too many messages waiting';
    default:
      return 'could not be reached';
  }
}
