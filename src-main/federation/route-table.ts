// Where each ID can be reached: a path-vector route table. Every route names its origin relay (with
// the ID's signed home proof) and the relay path from that origin to the neighbour that announced
// it; a path that contains this relay is a loop and is refused. The best route is local first, then
// the shortest path, then the newest proof. For a destination with several homes it also keeps the
// alternative: the best route to another home, which is announced towards the best route's link so
// that every home learns of the others (a2a, docs/PROTOCOL.md §9.4). Routing code depends only on the RouteTable interface,
// so a sharded directory (docs/SHARDING.md) can replace this full-table implementation.
import { Limits } from '../../src-shared/protocol/constants.js';
import { idKey, type IdKey } from '../relay/id-key.js';
import { verifyHomeProof, type HomeProof } from './home-proof.js';

export type LinkId = number;

export interface RouteAdvert {
  dest: Uint8Array;
  proof: HomeProof;
  /** relay IDs from the origin (first) to the announcing neighbour (last) */
  path: Uint8Array[];
}

export interface BestRoute {
  advert: RouteAdvert;
  /** the link it was learned over, or 'local' when the ID is registered here */
  via: LinkId | 'local';
}

/** A change of the best route (or of its alternative) for one destination: what neighbours must be told. */
export interface RouteChange {
  dest: IdKey;
  /** null: no route any more (withdraw) */
  best: BestRoute | null;
  /**
   * the best route learned over another link than the best route's, to another home (origin) than
   * the best route's, whose path does not hold the best route's neighbour; null if none
   */
  alt: BestRoute | null;
  /** false when only the alternative changed: then only the best route's link needs to hear */
  bestChanged: boolean;
}

export type LearnResult = { ok: true; changes: RouteChange[] } | { ok: false; reason: string };

export interface RouteTable {
  setLocal(dest: Uint8Array, proof: HomeProof): RouteChange[];
  clearLocal(dest: Uint8Array): RouteChange[];
  learn(link: LinkId, neighbour: Uint8Array, advert: RouteAdvert): LearnResult;
  forget(link: LinkId, dest: Uint8Array): RouteChange[];
  dropLink(link: LinkId): RouteChange[];
  best(dest: IdKey): BestRoute | null;
  /** every destination's best route (the snapshot a fresh link receives) */
  bests(): IterableIterator<[IdKey, BestRoute]>;
  /** the alternative of the best route (RouteChange.alt) */
  alternative(dest: IdKey): BestRoute | null;
  /** whether a route to the ID was learned over any link: then it has a home other than this relay (a2a) */
  hasLearned(dest: IdKey): boolean;
  /** the last origin relay seen for an ID, even after its routes were withdrawn (store-and-forward) */
  lastHome(dest: IdKey): Uint8Array | null;
  readonly size: number;
}

/** Tombstones kept for store-and-forward to an offline ID's home relay. */
const MAX_HOMES = 100_000;
/** Routes one link may hold in this table, so a neighbour cannot grow our memory without bound. */
export const MAX_ROUTES_PER_LINK = 200_000;

function better(a: BestRoute, b: BestRoute): boolean {
  if (a.via === 'local') return b.via !== 'local';
  if (b.via === 'local') return false;
  if (a.advert.path.length !== b.advert.path.length) return a.advert.path.length < b.advert.path.length;
  if (a.advert.proof.timeMs !== b.advert.proof.timeMs) return a.advert.proof.timeMs > b.advert.proof.timeMs;
  return a.via < b.via;
}

function sameBest(a: BestRoute | null, b: BestRoute | null): boolean {
  if (a === null || b === null) return a === b;
  return a.via === b.via && a.advert === b.advert;
}

export class PathVectorRouteTable implements RouteTable {
  private readonly local = new Map<IdKey, RouteAdvert>();
  private readonly learned = new Map<IdKey, Map<LinkId, RouteAdvert>>();
  private readonly bestOf = new Map<IdKey, BestRoute>();
  private readonly altOf = new Map<IdKey, BestRoute>();
  private readonly homes = new Map<IdKey, Uint8Array>();
  /** proof signatures already verified, so the same proof arriving over several links costs one verify */
  private readonly verified = new Set<string>();
  private readonly perLink = new Map<LinkId, number>();

  constructor(
    private readonly self: Uint8Array,
    private readonly maxRoutesPerLink = MAX_ROUTES_PER_LINK,
  ) {}

  get size(): number {
    return this.bestOf.size;
  }

  best(dest: IdKey): BestRoute | null {
    return this.bestOf.get(dest) ?? null;
  }

  bests(): IterableIterator<[IdKey, BestRoute]> {
    return this.bestOf.entries();
  }

  alternative(dest: IdKey): BestRoute | null {
    return this.altOf.get(dest) ?? null;
  }

  hasLearned(dest: IdKey): boolean {
    return this.learned.has(dest);
  }

  lastHome(dest: IdKey): Uint8Array | null {
    return this.homes.get(dest) ?? null;
  }

  private rememberHome(dest: IdKey, origin: Uint8Array): void {
    this.homes.delete(dest);
    this.homes.set(dest, origin);
    if (this.homes.size > MAX_HOMES) this.homes.delete(this.homes.keys().next().value as IdKey);
  }

  private recompute(dest: IdKey): RouteChange[] {
    let best: BestRoute | null = null;
    const mine = this.local.get(dest);
    if (mine) best = { advert: mine, via: 'local' };
    for (const [link, advert] of this.learned.get(dest) ?? []) {
      const candidate: BestRoute = { advert, via: link };
      if (!best || better(candidate, best)) best = candidate;
    }
    const alt = this.alternativeTo(dest, best);
    const before = this.bestOf.get(dest) ?? null;
    const bestChanged = !sameBest(before, best);
    if (!bestChanged && sameBest(this.altOf.get(dest) ?? null, alt)) return [];
    if (alt) this.altOf.set(dest, alt);
    else this.altOf.delete(dest);
    if (!bestChanged) return [{ dest, best, alt, bestChanged }];
    if (best) {
      this.bestOf.set(dest, best);
      this.rememberHome(dest, best.advert.proof.origin);
    } else {
      this.bestOf.delete(dest);
    }
    return [{ dest, best, alt, bestChanged }];
  }

  /**
   * The route the best route's neighbour hears from us instead of a withdraw: towards another home, so
   * that it (and, passed on the same way, the home at the end of its best route) learns that the ID has
   * more than one home. Its path must not hold that neighbour (it would refuse it as a loop).
   */
  private alternativeTo(dest: IdKey, best: BestRoute | null): BestRoute | null {
    if (!best || best.via === 'local') return null;
    const byLink = this.learned.get(dest);
    if (!byLink || byLink.size < 2) return null;
    const neighbour = idKey(best.advert.path[best.advert.path.length - 1] as Uint8Array);
    const origin = idKey(best.advert.proof.origin);
    let alt: BestRoute | null = null;
    for (const [link, advert] of byLink) {
      if (link === best.via || idKey(advert.proof.origin) === origin) continue;
      if (advert.path.some((p) => idKey(p) === neighbour)) continue;
      const candidate: BestRoute = { advert, via: link };
      if (!alt || better(candidate, alt)) alt = candidate;
    }
    return alt;
  }

  setLocal(dest: Uint8Array, proof: HomeProof): RouteChange[] {
    const key = idKey(dest);
    this.local.set(key, { dest: Buffer.from(dest), proof, path: [Buffer.from(this.self)] });
    return this.recompute(key);
  }

  clearLocal(dest: Uint8Array): RouteChange[] {
    const key = idKey(dest);
    if (!this.local.delete(key)) return [];
    return this.recompute(key);
  }

  learn(link: LinkId, neighbour: Uint8Array, advert: RouteAdvert): LearnResult {
    const { path, proof } = advert;
    if (path.length < 1 || path.length > Limits.MAX_HOPS) return { ok: false, reason: `path length ${path.length} outside 1..${Limits.MAX_HOPS}` };
    const selfKey = idKey(this.self);
    const keys = path.map(idKey);
    if (keys.includes(selfKey)) return { ok: false, reason: 'path contains this relay (loop)' };
    if (new Set(keys).size !== keys.length) return { ok: false, reason: 'path repeats a relay' };
    if (keys[keys.length - 1] !== idKey(neighbour)) return { ok: false, reason: 'path does not end at the announcing neighbour' };
    if (keys[0] !== idKey(proof.origin)) return { ok: false, reason: 'path does not start at the proof origin' };
    // Keyed by the whole signed statement: a signature verified for one (dest, origin, time) must
    // not vouch for another, or any relay could reuse a proof it saw to announce a different ID.
    const sigKey = `${idKey(advert.dest)}${idKey(proof.origin)}${proof.timeMs}:${Buffer.from(proof.sig).toString('latin1')}`;
    if (!this.verified.has(sigKey)) {
      if (!verifyHomeProof(advert.dest, proof)) return { ok: false, reason: 'home proof does not verify under the destination ID' };
      this.verified.add(sigKey);
      if (this.verified.size > MAX_HOMES) this.verified.delete(this.verified.values().next().value as string);
    }
    const dest = idKey(advert.dest);
    let byLink = this.learned.get(dest);
    const isNew = !byLink?.has(link);
    if (isNew && (this.perLink.get(link) ?? 0) >= this.maxRoutesPerLink) {
      return { ok: false, reason: `this link already holds ${this.maxRoutesPerLink} routes` };
    }
    if (!byLink) {
      byLink = new Map();
      this.learned.set(dest, byLink);
    }
    byLink.set(link, advert);
    if (isNew) this.perLink.set(link, (this.perLink.get(link) ?? 0) + 1);
    return { ok: true, changes: this.recompute(dest) };
  }

  forget(link: LinkId, dest: Uint8Array): RouteChange[] {
    const key = idKey(dest);
    const byLink = this.learned.get(key);
    if (!byLink?.delete(link)) return [];
    this.perLink.set(link, (this.perLink.get(link) ?? 1) - 1);
    if (byLink.size === 0) this.learned.delete(key);
    return this.recompute(key);
  }

  dropLink(link: LinkId): RouteChange[] {
    this.perLink.delete(link);
    const changes: RouteChange[] = [];
    for (const [key, byLink] of this.learned) {
      if (!byLink.delete(link)) continue;
      if (byLink.size === 0) this.learned.delete(key);
      changes.push(...this.recompute(key));
    }
    return changes;
  }
}

