// Relay federation: the set of links to other relays, route propagation over them (incremental
// announce/withdraw, a snapshot for a fresh link), and the multi-hop delivery of messages and receipts
// with a seen-cache so that cycles never loop or duplicate. Store-and-forward keeps messages for
// offline recipients that call this relay home.
import { FrameType, Limits, MsgFlag, ReceiptStatus, Route, RouteAction } from '../../src-shared/protocol/constants.js';
import { CloseCode, ErrorCode, W2wError } from '../../src-shared/protocol/errors.js';
import { FwdOneAt, MsgAt, ReceiptAt, decodeFrame, encodeFwd, encodeReceipt, frameTypeName, isWellFormedFwdA2b, isWellFormedReceipt, receiptEventOf, type DeclFrame, type FwdFrame, type MsgFrame, type RouteFrame } from '../../src-shared/protocol/frames.js';
import { bytesEqual, idToText, shortId } from '../../src-shared/ids.js';
import type { Identity } from '../crypto/identity.js';
import { idEqualAt, idFromKey, idKey, type IdKey } from '../relay/id-key.js';
import type { SocketBatcher } from '../relay/socket-batcher.js';
import type { Directory } from '../relay/directory.js';
import type { LinksRepo } from '../store/links-repo.js';
import type { StoredMessagesRepo } from '../store/stored-messages-repo.js';
import { signHomeProof, verifyHomeProof, type HomeProof } from './home-proof.js';
import { Link, type LinkOptions } from './link.js';
import { LinkDialer } from './link-dialer.js';
import { PathVectorRouteTable, type BestRoute, type LinkId, type RouteChange, type RouteTable } from './route-table.js';
import { MessageSeenCache } from './message-seen-cache.js';
import { SeenCache } from './seen-cache.js';
import type WebSocket from 'ws';

/** What federation needs from the relay it belongs to. */
export interface LocalRelay {
  /** hands the MSG bytes to every session of the ID; false if it has none */
  deliverLocal(key: IdKey, msg: Uint8Array): boolean;
  /**
   * whether every session of the ID can queue `bytes` more without nearing the slow-consumer limit:
   * kept messages are handed over at the pace the recipient reads, never so fast that it is cut
   */
  hasRoomFor(key: IdKey, bytes: number): boolean;
  /** hands the MSG bytes to every registered session (a2n); returns how many IDs got it */
  deliverToAll(msg: Uint8Array): number;
  /** whether the ID ever registered here (it calls this relay home) */
  knows(key: IdKey): boolean;
  /** tells the sender's local sessions how a message fared (EVENT RECEIPT) */
  receiptToSender(sender: IdKey, msgId: Uint8Array, recipient: Uint8Array, status: number): void;
  /** the same, with the EVENT RECEIPT frame already built */
  receiptEventToSender(sender: IdKey, event: Uint8Array): void;
  countError(code: ErrorCode): void;
  /** the best route of an ID changed: re-derive its network-wide presence (§8.8) */
  presenceCheck(key: IdKey): void;
  /** the relay's data directory, when it keeps one */
  readonly directory: Directory | null;
}

export interface FederationOptions {
  identity: Identity;
  links: LinksRepo;
  stored: StoredMessagesRepo;
  batcher: SocketBatcher;
  link: LinkOptions;
  /** accept inbound links from any relay, not only trusted ones */
  openFederation: boolean;
  /** extra CA for dialling wss:// peers */
  ca?: string | Buffer;
  /** max messages kept per offline recipient */
  maxStoredPerRecipient?: number;
  /** max MSG bytes kept for all offline recipients together (default 1 GiB) */
  maxStoredBytes?: number;
  storeTtlMs?: number;
  log?: (line: string) => void;
}

export interface DispatchResult {
  forwarded: number;
  stored: number;
  missed: { key: IdKey; code: ErrorCode }[];
}

export interface LinkInfo {
  relayId: Buffer;
  outbound: boolean;
  up: boolean;
  rttMs: number;
  routes: number;
  url: string;
  lastError: string | null;
  /** frames sent on the link since it came up */
  framesOut: number;
}

/** Kept messages read per query: a paced hand-over sends only a few MiB per turn, so reading 500 blobs of up to 256 KiB each time would be mostly wasted. */
const STORE_BATCH = 64;
/** ...and at most this many bytes of them (always at least one message): 64 large frames would be 16 MiB. */
const STORE_BATCH_BYTES = 2 * 1024 * 1024;
/** Default cap on the bytes of all kept messages: the per-recipient count alone lets any client fill the disk. */
export const DEFAULT_MAX_STORED_BYTES = 1024 ** 3;
/** How often paused route announcements (a fresh link's snapshot, a burst of changes) look again whether the link has drained. */
const SNAPSHOT_RETRY_MS = 20;
/** How often a paused hand-over of kept messages looks again whether the recipient has read enough. */
const HAND_OVER_RETRY_MS = 20;

/** Per-message link frames are fully written: no zero-fill, and small ones come from Node's pool. */
const alloc = (n: number): Uint8Array => Buffer.allocUnsafe(n);

function onPath(path: Uint8Array[], relay: Uint8Array): boolean {
  return path.some((p) => bytesEqual(p, relay));
}

export class Federation {
  readonly routes: RouteTable;
  private readonly links = new Map<LinkId, Link>();
  private readonly dialers = new Map<string, { dialer: LinkDialer; pinned: Buffer | null; link: Link | null }>();
  private readonly trusted = new Set<IdKey>();
  /** directory changes (DECL), by signature */
  private readonly seen = new SeenCache();
  /** messages, by (id, from) */
  private readonly seenMessages = new MessageSeenCache();
  private readonly homeProofs = new Map<IdKey, HomeProof>();
  /** the MSG bytes kept now (stored_messages), tracked so the cap costs no scan per message */
  private storedBytes: number;
  /** per link, destinations whose route state it still has to hear (propagate()) */
  private readonly routeOutbox = new Map<LinkId, { dests: Set<IdKey>; waiting: boolean }>();
  /** recipients whose hand-over of kept messages waits for their send queue to drain */
  private readonly handOverWaits = new Set<IdKey>();
  private readonly selfKey: IdKey;
  private local: LocalRelay | null = null;
  private readonly log: (line: string) => void;
  private stopped = false;
  /** false while the owner paused relaying: routes learned over links are not passed on and transit FWDs end here (§8.11) */
  private transit = true;
  /** FWDs that onFwdA2b() delivered in place (tests read it to see the fast path was taken) */
  fastFwds = 0;
  /** FWDs that onFwdA2b() passed on as received, hops lowered in place (likewise for tests) */
  fastTransits = 0;
  /** keyAt()'s two last IDs with their keys (at first the zero ID's, correct too), and which it replaces next */
  private readonly recentKeys = [0, 1].map(() => ({ id: Buffer.alloc(32), key: idKey(Buffer.alloc(32)) }));
  private recentNext = 0;

  constructor(private readonly opts: FederationOptions) {
    this.selfKey = idKey(opts.identity.publicKey);
    this.routes = new PathVectorRouteTable(opts.identity.publicKey);
    this.log = opts.log ?? (() => {});
    for (const id of opts.links.trusted()) this.trusted.add(idKey(id));
    this.storedBytes = opts.stored.totalBytes();
    // Relays are destinations too: receipts and store-and-forward travel to relay IDs.
    this.routes.setLocal(opts.identity.publicKey, signHomeProof(opts.identity, opts.identity.publicKey, Date.now()));
  }

  attach(local: LocalRelay): void {
    this.local = local;
  }

  private get core(): LocalRelay {
    if (!this.local) throw new Error('Federation.attach() must be called before use.');
    return this.local;
  }

  // --- configuration -------------------------------------------------------------------------

  trust(id: Buffer): void {
    this.opts.links.trust(id, Date.now());
    this.trusted.add(idKey(id));
  }

  /**
   * Pauses (false) or resumes transit: neighbours get a withdraw, or the announce again, for every
   * route this relay learned over a link, so they route around it while it is paused.
   */
  setTransit(on: boolean): void {
    if (this.transit === on) return;
    this.transit = on;
    const changes: RouteChange[] = [];
    for (const [dest, best] of this.routes.bests()) if (best.via !== 'local') changes.push({ dest, best, alt: this.routes.alternative(dest), bestChanged: true });
    this.propagate(changes);
  }

  /** Removes a relay from the trust list (persisted) and closes its inbound links, unless federation is open. */
  untrust(id: Buffer): boolean {
    const had = this.opts.links.untrust(id);
    this.trusted.delete(idKey(id));
    if (this.opts.openFederation) return had;
    for (const link of [...this.links.values()]) {
      if (!link.outbound && bytesEqual(link.peerId, id)) link.close(CloseCode.HANDSHAKE_FAILED, 'UNTRUSTED_RELAY: no longer trusted here');
    }
    return had;
  }

  trustedIds(): Buffer[] {
    return this.opts.links.trusted();
  }

  get openFederation(): boolean {
    return this.opts.openFederation;
  }

  /** Stops dialling a saved link (persisted) and closes it; false when no such URL was configured. */
  removePeer(url: string): boolean {
    const removed = this.opts.links.removeLink(url);
    return this.stopDialer(url, 'link removed by the operator') || removed;
  }

  /** Stops dialling `url` and closes its link; false if it was not being dialled. */
  private stopDialer(url: string, reason: string): boolean {
    const entry = this.dialers.get(url);
    if (!entry) return false;
    this.dialers.delete(url);
    entry.dialer.stop();
    if (entry.link) {
      entry.link.close(CloseCode.NORMAL, reason);
      // Its routes go now, not when the close handshake ends (linkDown runs once).
      this.linkDown(entry.link);
    }
    return true;
  }

  isTrusted(id: Uint8Array): boolean {
    return this.opts.openFederation || this.trusted.has(idKey(id));
  }

  /** Adds a peer to dial (persisted) and dials it now. */
  addPeer(url: string, pinnedId: Buffer | null): void {
    this.opts.links.saveLink(url, pinnedId, Date.now());
    // Added again with another pin (or none): the running dialer holds the old one, so it starts over.
    const running = this.dialers.get(url);
    if (running && !(running.pinned === null ? pinnedId === null : pinnedId !== null && running.pinned.equals(pinnedId))) {
      this.stopDialer(url, 'link re-pinned by the operator');
    }
    this.startDialer(url, pinnedId);
  }

  /** Dials every link saved in the store. */
  startSavedLinks(): void {
    for (const l of this.opts.links.links()) this.startDialer(l.url, l.pinnedId);
  }

  private startDialer(url: string, pinned: Buffer | null): void {
    if (this.dialers.has(url) || this.stopped) return;
    const entry: { dialer: LinkDialer; pinned: Buffer | null; link: Link | null } = { dialer: null as unknown as LinkDialer, pinned, link: null };
    entry.dialer = new LinkDialer({
      url,
      identity: this.opts.identity,
      pinnedId: pinned,
      ca: this.opts.ca,
      onUp: (d) => {
        const link = this.linkUp(d.ws, Buffer.from(d.hello.relayId), true, url);
        entry.link = link;
        d.takeOver((data) => this.onRaw(link, data));
        d.ws.on('error', () => {});
        d.ws.on('close', () => {
          this.linkDown(link);
          entry.link = null;
          entry.dialer.linkDown(Date.now() - link.connectedMs);
        });
      },
      onFailure: (err) => this.log(`link to ${url}: ${err.message}`),
    });
    this.dialers.set(url, entry);
    entry.dialer.start();
  }

  /** Why an inbound link from this relay is refused, or null when it is trusted. */
  refusal(peerId: Uint8Array): W2wError | null {
    if (this.isTrusted(peerId)) return null;
    return new W2wError(ErrorCode.UNTRUSTED_RELAY, `relay ${idToText(peerId)} is not trusted here (the operator adds it with --trust)`);
  }

  /** An inbound s2s handshake finished (and READY was sent): the link is up. */
  acceptInbound(ws: WebSocket, peerId: Buffer, remote: string): Link {
    return this.linkUp(ws, peerId, false, remote);
  }

  private linkUp(ws: WebSocket, peerId: Buffer, outbound: boolean, url: string): Link {
    const link = new Link(ws, peerId, outbound, url, this.opts.batcher, this.opts.link);
    this.links.set(link.id, link);
    this.log(`link ${outbound ? 'to' : 'from'} ${shortId(peerId)} (${url}) is up`);
    this.sendSnapshot(link);
    return link;
  }

  /**
   * A fresh link gets every best route we have (except those it gave us itself), then the directory.
   * Both go out at the pace the link drains: sent in one loop, a big table (a neighbour may give us
   * 200000 routes; a directory may hold tens of MB of holdings) would pass the link's queue limit and
   * cut it, and every redial would fail the same way. Each route is read when it is sent, so a change
   * since the link came up (already sent to it incrementally) is never overwritten by a stale entry;
   * the directory is read once the routes are out.
   */
  private sendSnapshot(link: Link): void {
    const dests = [...this.routes.bests()].map(([dest]) => dest);
    this.paced(link, dests, 0, (dest) => {
      const best = this.routes.best(dest);
      if (!best || best.via === link.id || (!this.transit && best.via !== 'local')) return;
      const path = this.pathVia(best);
      if (path && !onPath(path, link.peerId)) link.sendFrame(this.announceFrame(dest, best.advert.proof, path));
    }, () => {
      const entries = this.local?.directory?.snapshot() ?? [];
      this.paced(link, entries, 0, (e) => link.sendFrame({ type: FrameType.DECL, action: 1, holding: e.holding }));
    });
  }

  /** Sends `items` from `from` on while the link has room, going on when it has drained; then `done`. */
  private paced<T>(link: Link, items: readonly T[], from: number, send: (item: T) => void, done?: () => void): void {
    for (let i = from; i < items.length; i++) {
      if (!link.isUp || this.stopped) return;
      if (!link.hasRoom) {
        setTimeout(() => this.paced(link, items, i, send, done), SNAPSHOT_RETRY_MS).unref();
        return;
      }
      send(items[i] as T);
    }
    if (link.isUp && !this.stopped) done?.();
  }

  /** The link's socket is gone: forget its routes and tell the other links what changed. */
  linkDown(link: Link): void {
    if (!this.links.delete(link.id)) return;
    this.routeOutbox.delete(link.id);
    link.dispose();
    this.log(`link with ${shortId(link.peerId)} is down`);
    this.propagate(this.routes.dropLink(link.id));
  }

  // --- routes --------------------------------------------------------------------------------

  /** The path neighbours learn from us: the best route's path with this relay appended; null if too long. */
  private pathVia(best: BestRoute): Uint8Array[] | null {
    const path = best.via === 'local' ? [this.opts.identity.publicKey] : [...best.advert.path, this.opts.identity.publicKey];
    return path.length > Limits.MAX_HOPS ? null : path;
  }

  private announceFrame(dest: IdKey, proof: HomeProof, path: Uint8Array[]): RouteFrame {
    return { type: FrameType.ROUTE, action: RouteAction.ANNOUNCE, dest: idFromKey(dest), origin: proof.origin, proofTimeMs: proof.timeMs, proofSig: proof.sig, path };
  }

  /**
   * Tells the links what changed. Each link gets, per destination, a frame for the route state as it
   * is when the frame goes out; frames go at once while the link has room, and at the pace it drains
   * otherwise. Sent in one loop, a burst of changes (a link with 200000 best routes going down, so all
   * of them move to another link) would pass every other link's queue limit and cut them all.
   */
  private propagate(changes: RouteChange[]): void {
    const touched = new Set<Link>();
    const queue = (link: Link, dest: IdKey): void => {
      let box = this.routeOutbox.get(link.id);
      if (!box) {
        box = { dests: new Set(), waiting: false };
        this.routeOutbox.set(link.id, box);
      }
      box.dests.add(dest);
      touched.add(link);
    };
    for (const change of changes) {
      if (!change.bestChanged) {
        // Only the alternative changed: the best route's link alone hears it.
        const link = change.best && change.best.via !== 'local' ? this.links.get(change.best.via) : undefined;
        if (link) queue(link, change.dest);
        continue;
      }
      this.local?.presenceCheck(change.dest);
      for (const link of this.links.values()) queue(link, change.dest);
    }
    for (const link of touched) this.flushRoutes(link);
  }

  /** Sends a link the route state of its queued destinations while it has room (see propagate()). */
  private flushRoutes(link: Link): void {
    const box = this.routeOutbox.get(link.id);
    if (!box || box.waiting) return;
    for (const dest of box.dests) {
      if (!link.isUp || this.stopped) break;
      if (!link.hasRoom) {
        box.waiting = true;
        setTimeout(() => {
          box.waiting = false;
          this.flushRoutes(link);
        }, SNAPSHOT_RETRY_MS).unref();
        return;
      }
      box.dests.delete(dest);
      this.sendRouteState(link, dest);
    }
    this.routeOutbox.delete(link.id);
  }

  /** The frame `link` must hear for `dest` now (§9.4, "Telling the neighbours"). */
  private sendRouteState(link: Link, dest: IdKey): void {
    const best = this.routes.best(dest);
    if (!best) {
      link.sendFrame({ type: FrameType.ROUTE, action: RouteAction.WITHDRAW, dest: idFromKey(dest) });
      return;
    }
    if (best.via === link.id) {
      this.sendTowardsBest(link, dest, this.routes.alternative(dest));
      return;
    }
    const path = this.pathVia(best);
    // A neighbour already on the path would refuse it as a loop: tell it the route is not via us.
    // A paused relay carries no transit: neighbours must route around it.
    if (!path || onPath(path, link.peerId) || (!this.transit && best.via !== 'local')) {
      link.sendFrame({ type: FrameType.ROUTE, action: RouteAction.WITHDRAW, dest: idFromKey(dest) });
      return;
    }
    link.sendFrame(this.announceFrame(dest, best.advert.proof, path));
  }

  /**
   * What the link our best route uses hears: never that route (it must not route back through us), but
   * the alternative towards another home of the ID if there is one, else a withdraw. The alternative is
   * always longer than the neighbour's own best route, so it never becomes its best (§9.4).
   */
  private sendTowardsBest(link: Link, dest: IdKey, alt: BestRoute | null): void {
    const path = alt && this.transit ? this.pathVia(alt) : null;
    if (alt && path && !onPath(path, link.peerId)) {
      link.sendFrame(this.announceFrame(dest, alt.advert.proof, path));
      return;
    }
    link.sendFrame({ type: FrameType.ROUTE, action: RouteAction.WITHDRAW, dest: idFromKey(dest) });
  }

  /** A local client proved its home here (PUBLISH_HOME): announce it. */
  publishHome(clientId: Buffer, timeMs: number, sig: Uint8Array): void {
    const proof: HomeProof = { origin: this.opts.identity.publicKey, timeMs, sig: Buffer.from(sig) };
    if (Math.abs(Date.now() - timeMs) > 10 * 60_000) {
      throw new W2wError(ErrorCode.BAD_HOME_PROOF, 'home proof time is more than 10 minutes from the relay clock');
    }
    if (!verifyHomeProof(clientId, proof)) throw new W2wError(ErrorCode.BAD_HOME_PROOF, 'home proof does not verify under your ID for this relay');
    const key = idKey(clientId);
    this.homeProofs.set(key, proof);
    this.propagate(this.routes.setLocal(clientId, proof));
    this.deliverStored(key);
  }

  /** The last session of a local client left. */
  localLeft(key: IdKey): void {
    if (key === this.selfKey) return;
    if (!this.homeProofs.delete(key)) return;
    this.propagate(this.routes.clearLocal(idFromKey(key)));
  }

  /** A local client (re)registered: hand over what was kept for it. */
  localJoined(key: IdKey): void {
    this.deliverStored(key);
  }

  // --- frames from links -----------------------------------------------------------------------

  onRaw(link: Link, data: Buffer): void {
    // Link frames arrive straight from ws's 'message' event: anything thrown here (a store the CLI or
    // a backup holds locked, a full disk, a bug) would be an uncaught exception that ends the relay.
    // The frame is lost (receipts are best effort); the relay and the link live on.
    try {
      this.handleRaw(link, data);
    } catch (err) {
      this.core.countError(ErrorCode.INTERNAL);
      this.log(`internal error on the link with ${shortId(link.peerId)}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
  }

  private handleRaw(link: Link, data: Buffer): void {
    // Every message a sender here sent across the federation comes back as a RECEIPT: one addressed to
    // this relay becomes the sender's EVENT straight from its bytes (a RECEIPT is all fixed-size fields,
    // so this is exactly the RECEIPT the strict decoder accepts).
    // (Every RECEIPT the strict decoder accepts is handled here: decodeFrame below never yields one.)
    if (isWellFormedReceipt(data)) {
      if (idEqualAt(data, ReceiptAt.TO_RELAY, this.opts.identity.publicKey)) {
        this.core.receiptEventToSender(data.toString('latin1', ReceiptAt.SENDER, ReceiptAt.MSG_ID) as IdKey, receiptEventOf(data, alloc));
        return;
      }
      // Passed on as onReceipt() would: its hops byte lowered in the received bytes, the rest as is.
      const hops = data[ReceiptAt.HOPS] as number;
      if (hops <= 1) return;
      data[ReceiptAt.HOPS] = hops - 1;
      this.linkTowards(data.toString('latin1', ReceiptAt.TO_RELAY, ReceiptAt.HOPS) as IdKey)?.send(data);
      return;
    }
    if (isWellFormedFwdA2b(data) && data.byteLength <= Limits.MAX_FRAME_BYTES) {
      this.onFwdA2b(data);
      return;
    }
    const d = decodeFrame(data);
    if (!d.ok) {
      this.core.countError(d.error.code);
      link.sendFrame({ type: FrameType.ERROR, code: d.error.code, ref: new Uint8Array(16), message: d.error.message });
      return;
    }
    const f = d.frame;
    switch (f.type) {
      case FrameType.ROUTE:
        this.onRoute(link, f);
        return;
      case FrameType.FWD:
        this.onFwd(link, f);
        return;
      case FrameType.DECL:
        this.onDecl(link, f);
        return;
      case FrameType.ERROR:
        this.log(`link ${shortId(link.peerId)} reports ${f.code}: ${f.message}`);
        return;
      default:
        this.core.countError(ErrorCode.UNEXPECTED_FRAME);
        link.sendFrame({ type: FrameType.ERROR, code: ErrorCode.UNEXPECTED_FRAME, ref: new Uint8Array(16), message: `${frameTypeName(f.type)} is not a link frame` });
    }
  }

  private onRoute(link: Link, f: RouteFrame): void {
    if (f.action === RouteAction.WITHDRAW) {
      this.propagate(this.routes.forget(link.id, f.dest));
      return;
    }
    const res = this.routes.learn(link.id, link.peerId, {
      dest: Buffer.from(f.dest),
      proof: { origin: Buffer.from(f.origin), timeMs: f.proofTimeMs, sig: Buffer.from(f.proofSig) },
      path: f.path.map((p) => Buffer.from(p)),
    });
    if (!res.ok) {
      this.core.countError(ErrorCode.ROUTE_REJECTED);
      // A refused announcement must not leave an older route from the same link in place.
      this.propagate(this.routes.forget(link.id, f.dest));
      link.sendFrame({ type: FrameType.ERROR, code: ErrorCode.ROUTE_REJECTED, ref: new Uint8Array(16), message: `route to ${shortId(f.dest)} refused: ${res.reason}` });
      return;
    }
    this.propagate(res.changes);
  }

  private onFwd(link: Link, f: FwdFrame): void {
    const inner = f.inner;
    if (!this.seenMessages.add(f.msg)) return;
    if (inner.route === Route.A2A) {
      // An a2a flood (§9.5): only the sender's own sessions get it, whatever the targets say.
      if (this.core.deliverLocal(idKey(inner.from), f.msg)) this.sendReceipt(f.originRelay, inner.from, inner.id, inner.from, ReceiptStatus.DELIVERED);
      if (this.transit) this.flood(inner, f.msg, f.originRelay, link.id);
      return;
    }
    if (f.targets.length === 0) {
      this.core.deliverToAll(f.msg);
      if (this.transit) this.flood(inner, f.msg, f.originRelay, link.id);
      return;
    }
    const rest: IdKey[] = [];
    for (const t of f.targets) {
      const key = idKey(t);
      if (this.core.deliverLocal(key, f.msg)) this.sendReceipt(f.originRelay, inner.from, inner.id, t, ReceiptStatus.DELIVERED);
      else rest.push(key);
    }
    this.onFwdRest(inner, f.msg, rest, f.originRelay);
  }

  /** The targets of a FWD that no session here took: passed on, or refused while transit is paused. */
  private onFwdRest(inner: MsgFrame, msg: Uint8Array, rest: IdKey[], originRelay: Uint8Array): void {
    if (rest.length === 0) return;
    if (!this.transit) {
      for (const key of rest) this.sendReceipt(originRelay, inner.from, inner.id, idFromKey(key), ErrorCode.RELAYING_PAUSED);
      return;
    }
    const res = this.dispatch(inner, msg, rest, originRelay);
    for (const m of res.missed) this.sendReceipt(originRelay, inner.from, inner.id, idFromKey(m.key), m.code);
  }

  /**
   * onFwd() for a FWD with one target carrying an a2b MSG, read in place: the same steps in the same
   * order. At the last hop of a route the MSG is handed on as a view of the received bytes; at a relay
   * in the middle the FWD itself is passed on, its MSG's hops lowered in the received bytes, which is
   * byte for byte the FWD dispatch() would build (same origin relay, same one target, same MSG with
   * hops - 1). Only what neither takes is decoded, for the general rules of onFwdRest().
   */
  private onFwdA2b(data: Buffer): void {
    const msg = data.subarray(FwdOneAt.MSG);
    if (!this.seenMessages.add(msg)) return;
    const key = this.keyAt(data, FwdOneAt.TARGET);
    if (this.core.deliverLocal(key, msg)) {
      this.fastFwds++;
      if (idEqualAt(data, FwdOneAt.ORIGIN, this.opts.identity.publicKey)) {
        this.sendReceipt(data.subarray(FwdOneAt.ORIGIN, FwdOneAt.COUNT), msg.subarray(MsgAt.FROM, MsgAt.TO), msg.subarray(MsgAt.ID, MsgAt.FROM), data.subarray(FwdOneAt.TARGET, FwdOneAt.MSG), ReceiptStatus.DELIVERED);
        return;
      }
      // sendReceipt() without its ID comparison and key copy: both read from the received bytes
      const link = this.linkTowards(this.keyAt(data, FwdOneAt.ORIGIN));
      link?.send(encodeReceipt(data.subarray(FwdOneAt.ORIGIN, FwdOneAt.COUNT), Limits.MAX_HOPS, msg.subarray(MsgAt.FROM, MsgAt.TO), msg.subarray(MsgAt.ID, MsgAt.FROM), data.subarray(FwdOneAt.TARGET, FwdOneAt.MSG), ReceiptStatus.DELIVERED, alloc));
      return;
    }
    if (this.passOn(data, key)) return;
    // isWellFormedFwdA2b() vouched for the MSG, so the decoder takes it (the fuzz test holds both to that)
    const d = decodeFrame(msg);
    if (d.ok && d.frame.type === FrameType.MSG) this.onFwdRest(d.frame, msg, [key], data.subarray(FwdOneAt.ORIGIN, FwdOneAt.COUNT));
  }

  /**
   * dispatch()'s common case for the one target of an a2b FWD that no session here took, without
   * decoding it: transit allowed, a hop to spare and an up link on the best route. Returns false having
   * changed nothing otherwise, or if the link refused the frame (and closed: the general way then finds
   * no link and reports the recipient, as dispatch() does).
   */
  private passOn(data: Buffer, key: IdKey): boolean {
    if (!this.transit) return false;
    const at = FwdOneAt.MSG + MsgAt.HOPS;
    const hops = (data[at] as number) - 1;
    if (hops < 1) return false;
    const link = this.linkTowards(key);
    if (!link) return false;
    data[at] = hops;
    if (!link.send(data)) {
      data[at] = hops + 1;
      return false;
    }
    this.fastTransits++;
    return true;
  }

  /**
   * The key of the ID at `at` in `frame`. A stream of FWDs names the same origin and recipient again
   * and again: the last two keys are kept, so most messages compare bytes instead of copying a string.
   */
  private keyAt(frame: Buffer, at: number): IdKey {
    for (const k of this.recentKeys) if (idEqualAt(frame, at, k.id)) return k.key;
    const key = frame.toString('latin1', at, at + 32) as IdKey;
    const old = this.recentKeys[this.recentNext] as { id: Buffer; key: IdKey };
    frame.copy(old.id, 0, at, at + 32);
    old.key = key;
    this.recentNext ^= 1;
    return key;
  }

  /** Passes a directory change to every link but the one it came from (each relay applies it once). */
  floodDecl(f: DeclFrame, except: LinkId | null): void {
    const sig = f.action === 1 ? f.holding.subarray(f.holding.byteLength - 64) : f.sig;
    this.seen.add(`decl:${Buffer.from(sig).toString('latin1')}`);
    for (const link of this.links.values()) if (link.id !== except) link.sendFrame(f);
  }

  private onDecl(link: Link, f: DeclFrame): void {
    const sig = f.action === 1 ? f.holding.subarray(f.holding.byteLength - 64) : f.sig;
    const key = `decl:${Buffer.from(sig).toString('latin1')}`;
    if (!this.seen.add(key)) return;
    const dir = this.core.directory;
    if (!dir) return;
    try {
      const changed = f.action === 1 ? dir.publish(f.holding, null) : dir.withdraw(f.contentHash, Buffer.from(f.holder), f.timeMs, f.sig);
      if (changed) this.floodDecl(f, link.id);
    } catch (err) {
      if (!(err instanceof W2wError)) {
        // Our failure (a store locked by another process, a full disk), not the peer's: the change is
        // not blamed on it, and not remembered as handled, so that it is applied when it comes again.
        this.seen.forget(key);
        throw err;
      }
      this.core.countError(err.code);
      link.sendFrame({ type: FrameType.ERROR, code: err.code, ref: new Uint8Array(16), message: `directory change refused: ${err.message}` });
    }
  }

  private toRelay(relayId: Uint8Array): Link | null {
    return this.linkTowards(idKey(relayId));
  }

  private linkTowards(relay: IdKey): Link | null {
    const best = this.routes.best(relay);
    if (!best || best.via === 'local') return null;
    const link = this.links.get(best.via);
    return link?.isUp ? link : null;
  }

  sendReceipt(toRelay: Uint8Array, sender: Uint8Array, msgId: Uint8Array, recipient: Uint8Array, status: number): void {
    if (bytesEqual(toRelay, this.opts.identity.publicKey)) {
      this.core.receiptToSender(idKey(sender), msgId, recipient, status);
      return;
    }
    this.toRelay(toRelay)?.send(encodeReceipt(toRelay, Limits.MAX_HOPS, sender, msgId, recipient, status, alloc));
  }

  // --- forwarding -----------------------------------------------------------------------------

  /** Remembers a message this relay originated so an echo over a cycle is dropped. */
  markSeen(msg: Uint8Array): void {
    this.seenMessages.add(msg);
  }

  /**
   * What route() and dispatch() do for an a2b from a client here whose recipient has no session here,
   * in the common case, read in place: a route over an up link and a hop to spare. It marks the message
   * seen and sends one FWD; otherwise it returns false having done nothing. If the link refuses the FWD
   * (and closes), it returns false too: the general way then finds no link and reports the recipient.
   */
  forwardOne(raw: Buffer, to: IdKey): boolean {
    const hops = (raw[MsgAt.HOPS] as number) - 1;
    if (hops < 1) return false;
    const link = this.linkTowards(to);
    if (!link) return false;
    this.seenMessages.add(raw);
    return link.send(encodeFwd(this.opts.identity.publicKey, [raw.subarray(MsgAt.TO, MsgAt.TO + 32)], raw, hops, alloc));
  }

  /**
   * An a2a from a client here: passed on only when a route to the sender's own ID was learned over a
   * link, i.e. it has another home (§9.4 keeps every home told of another one), and then flooded, so
   * that every home of the ID in the connected federation gets it once. Returns the links it went on.
   */
  floodSelf(msg: MsgFrame, raw: Uint8Array): number {
    if (!this.routes.hasLearned(idKey(msg.from))) return 0;
    this.seenMessages.add(raw);
    return this.flood(msg, raw, this.opts.identity.publicKey, null);
  }

  /** Sends an a2n message (no targets) or an a2a one (the sender as the one target) to every link except the one it came from. */
  flood(msg: MsgFrame, raw: Uint8Array, originRelay: Uint8Array, except: LinkId | null): number {
    const hops = msg.hops - 1;
    if (hops < 1) return 0;
    const fwd = encodeFwd(originRelay, msg.route === Route.A2A ? [msg.from] : [], raw, hops, alloc);
    let n = 0;
    for (const link of this.links.values()) {
      if (link.id === except) continue;
      if (link.send(fwd)) n++;
    }
    return n;
  }

  /**
   * Routes a message to recipients without a session here: one FWD per next hop carrying just the
   * recipients that hop is responsible for; offline recipients are stored here (their home) or sent
   * towards their home relay when the sender asked for store-and-forward.
   */
  dispatch(msg: MsgFrame, raw: Uint8Array, targets: IdKey[], originRelay: Uint8Array): DispatchResult {
    const result: DispatchResult = { forwarded: 0, stored: 0, missed: [] };
    const byLink = new Map<LinkId, IdKey[]>();
    const wantStore = (msg.flags & MsgFlag.STORE) !== 0;
    const via = (key: IdKey): LinkId | null => {
      const best = this.routes.best(key);
      if (!best || best.via === 'local') return null;
      return this.links.get(best.via)?.isUp ? best.via : null;
    };
    for (const key of targets) {
      let hop = via(key);
      if (hop === null && wantStore) {
        if (this.core.knows(key)) {
          const code = this.store(key, msg, raw, originRelay);
          if (code === null) {
            result.stored++;
            if (!bytesEqual(originRelay, this.opts.identity.publicKey)) {
              this.sendReceipt(originRelay, msg.from, msg.id, idFromKey(key), ReceiptStatus.STORED);
            }
          } else {
            result.missed.push({ key, code });
          }
          continue;
        }
        const home = this.routes.lastHome(key);
        if (home && !bytesEqual(home, this.opts.identity.publicKey)) hop = via(idKey(home));
      }
      if (hop === null) {
        const known = this.core.knows(key) || this.routes.lastHome(key) !== null;
        result.missed.push({ key, code: known ? ErrorCode.RECIPIENT_OFFLINE : ErrorCode.UNKNOWN_RECIPIENT });
        continue;
      }
      let list = byLink.get(hop);
      if (!list) {
        list = [];
        byLink.set(hop, list);
      }
      list.push(key);
    }
    if (byLink.size === 0) return result;
    const hops = msg.hops - 1;
    if (hops < 1) {
      for (const keys of byLink.values()) for (const key of keys) result.missed.push({ key, code: ErrorCode.HOP_LIMIT });
      return result;
    }
    for (const [linkId, keys] of byLink) {
      const link = this.links.get(linkId) as Link;
      for (let i = 0; i < keys.length; i += Limits.MAX_RECIPIENTS) {
        const chunk = keys.slice(i, i + Limits.MAX_RECIPIENTS);
        const sent = link.send(encodeFwd(originRelay, chunk.map(idFromKey), raw, hops, alloc));
        if (sent) result.forwarded += chunk.length;
        else for (const key of chunk) result.missed.push({ key, code: ErrorCode.RECIPIENT_OFFLINE });
      }
    }
    return result;
  }

  // --- store-and-forward -----------------------------------------------------------------------

  private store(key: IdKey, msg: MsgFrame, raw: Uint8Array, originRelay: Uint8Array): ErrorCode | null {
    const recipient = idFromKey(key);
    const max = this.opts.maxStoredPerRecipient ?? 1000;
    // Expired copies must not count against the recipient's quota.
    this.expireStored();
    if (this.opts.stored.countFor(recipient) >= max) return ErrorCode.STORE_FULL;
    // 1000 messages of up to 256 KiB for every ID that ever registered here would be unbounded disk:
    // the relay-wide byte cap refuses what does not fit (the message is then missed as STORE_FULL).
    if (this.storedBytes + raw.byteLength > (this.opts.maxStoredBytes ?? DEFAULT_MAX_STORED_BYTES)) return ErrorCode.STORE_FULL;
    if (this.opts.stored.put(recipient, Buffer.from(originRelay), Buffer.from(msg.from), Buffer.from(msg.id), Buffer.from(raw), Date.now(), this.opts.storeTtlMs ?? 7 * 24 * 3600_000)) {
      this.storedBytes += raw.byteLength;
    }
    return null;
  }

  private expireStored(): void {
    if (this.opts.stored.expire(Date.now()) > 0) this.storedBytes = this.opts.stored.totalBytes();
  }

  private deliverStored(key: IdKey): void {
    // A retry while the recipient still has not read costs no SQL.
    if (!this.core.hasRoomFor(key, 0)) {
      this.handOverLater(key);
      return;
    }
    const recipient = idFromKey(key);
    this.expireStored();
    for (;;) {
      const batch = this.opts.stored.takeBatch(recipient, STORE_BATCH, STORE_BATCH_BYTES);
      if (batch.length === 0) return;
      for (const m of batch) {
        if (!this.core.hasRoomFor(key, m.msg.byteLength)) {
          this.handOverLater(key);
          return;
        }
        if (!this.core.deliverLocal(key, m.msg)) return;
        this.opts.stored.remove(m.seq);
        this.storedBytes -= m.msg.byteLength;
        const d = decodeFrame(m.msg);
        if (d.ok && d.frame.type === FrameType.MSG) {
          this.sendReceipt(m.originRelay, d.frame.from, d.frame.id, recipient, ReceiptStatus.DELIVERED);
        }
      }
      // A short batch may be the byte budget, not the end: the next query, empty, ends the hand-over.
    }
  }

  /** Resumes a hand-over once the recipient has read its queue down; it ends when the ID goes offline. */
  private handOverLater(key: IdKey): void {
    if (this.handOverWaits.has(key) || this.stopped) return;
    this.handOverWaits.add(key);
    setTimeout(() => {
      this.handOverWaits.delete(key);
      if (!this.stopped) this.deliverStored(key);
    }, HAND_OVER_RETRY_MS).unref();
  }

  // --- views and shutdown ------------------------------------------------------------------------

  linkInfo(): LinkInfo[] {
    const out: LinkInfo[] = [];
    const counts = new Map<LinkId, number>();
    for (const [, best] of this.routes.bests()) if (best.via !== 'local') counts.set(best.via, (counts.get(best.via) ?? 0) + 1);
    const dialled = new Set<Link>();
    for (const [url, d] of this.dialers) {
      if (d.link) dialled.add(d.link);
      out.push({
        relayId: d.link?.peerId ?? d.pinned ?? Buffer.alloc(32),
        outbound: true,
        up: d.link?.isUp ?? false,
        rttMs: d.link?.rttMs ?? 0,
        routes: d.link ? (counts.get(d.link.id) ?? 0) : 0,
        url,
        lastError: d.dialer.lastError,
        framesOut: d.link?.framesOut ?? 0,
      });
    }
    for (const link of this.links.values()) {
      if (dialled.has(link)) continue;
      out.push({ relayId: link.peerId, outbound: link.outbound, up: link.isUp, rttMs: link.rttMs, routes: counts.get(link.id) ?? 0, url: link.url, lastError: null, framesOut: link.framesOut });
    }
    return out;
  }

  get linkCount(): number {
    return this.links.size;
  }

  stop(): void {
    this.stopped = true;
    for (const d of this.dialers.values()) d.dialer.stop();
    for (const link of this.links.values()) link.close(CloseCode.GOING_AWAY, 'relay shutting down');
  }
}
