// PathVectorRouteTable: the receiver's checks on every announcement (path shape, loops, home proof),
// best-route selection, withdraw, link loss and the remembered last home (docs/PROTOCOL.md §9.4).
import { describe, expect, it } from 'vitest';
import { identityFromSeed, type Identity } from '../../src-main/crypto/identity.js';
import { signHomeProof, verifyHomeProof } from '../../src-main/federation/home-proof.js';
import { PathVectorRouteTable, type RouteAdvert, type RouteChange } from '../../src-main/federation/route-table.js';
import { idKey } from '../../src-main/relay/id-key.js';
import { Limits } from '../../src-shared/protocol/constants.js';
import { toHex } from '../../src-shared/ids.js';

const T0 = 1_767_225_600_000;
const who = (n: number): Identity => identityFromSeed(Buffer.alloc(32, n));

// Relays: SELF is the table's owner; N1..N3 are neighbours; O and M are relays further away.
const SELF = who(1);
const N1 = who(2);
const N2 = who(3);
const N3 = who(4);
const O = who(5);
const M = who(6);
// Clients.
const ALICE = who(10);
const BOB = who(11);

const id = (x: Identity): Buffer => x.publicKey;
const hexes = (path: Uint8Array[]): string[] => path.map((p) => toHex(p));

function advert(dest: Identity, origin: Identity, path: Identity[], timeMs = T0): RouteAdvert {
  return { dest: id(dest), proof: signHomeProof(dest, id(origin), timeMs), path: path.map(id) };
}

function table(): PathVectorRouteTable {
  return new PathVectorRouteTable(id(SELF));
}

function learnOk(t: PathVectorRouteTable, link: number, neighbour: Identity, a: RouteAdvert): RouteChange[] {
  const r = t.learn(link, id(neighbour), a);
  if (!r.ok) throw new Error(`refused: ${r.reason}`);
  return r.changes;
}

function refusal(t: PathVectorRouteTable, link: number, neighbour: Identity, a: RouteAdvert): string {
  const r = t.learn(link, id(neighbour), a);
  return r.ok ? 'accepted' : r.reason;
}

function bestVia(t: PathVectorRouteTable, dest: Identity): number | 'local' | null {
  return t.best(idKey(id(dest)))?.via ?? null;
}

describe('home proofs', () => {
  it('verify under the client ID for the relay and time they name, and nothing else', () => {
    const p = signHomeProof(ALICE, id(O), T0);
    expect(verifyHomeProof(id(ALICE), p)).toBe(true);
    expect(verifyHomeProof(id(BOB), p)).toBe(false);
    expect(verifyHomeProof(id(ALICE), { ...p, origin: id(M) })).toBe(false);
    expect(verifyHomeProof(id(ALICE), { ...p, timeMs: T0 + 1 })).toBe(false);
    expect(verifyHomeProof(id(ALICE), { ...p, timeMs: -1 })).toBe(false);
    expect(verifyHomeProof(id(ALICE), { ...p, timeMs: 2 ** 53 })).toBe(false);
    expect(verifyHomeProof(id(ALICE), { ...p, sig: p.sig.subarray(0, 63) })).toBe(false);
  });
});

describe('PathVectorRouteTable: checks on an announcement', () => {
  it('accepts a one-hop route from the origin itself and a longer one ending at the neighbour', () => {
    const t = table();
    learnOk(t, 1, N1, advert(ALICE, N1, [N1]));
    learnOk(t, 2, N2, advert(BOB, O, [O, M, N2]));
    expect(hexes(t.best(idKey(id(BOB)))!.advert.path)).toEqual(hexes([id(O), id(M), id(N2)]));
    expect(t.size).toBe(2);
  });

  it('refuses a path through itself (a loop) and a path that repeats a relay', () => {
    const t = table();
    expect(refusal(t, 1, N1, advert(ALICE, O, [O, SELF, N1]))).toMatch(/loop/);
    expect(refusal(t, 1, N1, advert(ALICE, SELF, [SELF, N1]))).toMatch(/loop/);
    expect(refusal(t, 1, N1, advert(ALICE, O, [O, M, O, N1]))).toMatch(/repeats/);
    expect(refusal(t, 1, N1, advert(ALICE, O, [O, N1, N1]))).toMatch(/repeats/);
    expect(t.size).toBe(0);
  });

  it('refuses paths of length 0 and over 16', () => {
    const t = table();
    expect(refusal(t, 1, N1, advert(ALICE, O, []))).toMatch(/path length 0/);
    const relays = Array.from({ length: Limits.MAX_HOPS + 1 }, (_, i) => who(100 + i));
    relays[relays.length - 1] = N1;
    expect(refusal(t, 1, N1, advert(ALICE, relays[0]!, relays))).toMatch(/path length 17/);
    const sixteen = relays.slice(1);
    learnOk(t, 1, N1, advert(ALICE, sixteen[0]!, sixteen));
  });

  it('refuses a path that does not end at the neighbour that sent it, or does not start at the proof origin', () => {
    const t = table();
    expect(refusal(t, 1, N1, advert(ALICE, O, [O, M]))).toMatch(/announcing neighbour/);
    const a = advert(ALICE, O, [O, N1]);
    expect(refusal(t, 1, N1, { ...a, path: [id(M), id(N1)] })).toMatch(/proof origin/);
  });

  it('refuses a proof signed by another key, for another relay, for another time or another ID', () => {
    const t = table();
    const good = advert(ALICE, O, [O, N1]);
    const forged: RouteAdvert = { ...good, proof: signHomeProof(N1, id(O), T0) };
    expect(refusal(t, 1, N1, forged)).toMatch(/does not verify/);
    expect(refusal(t, 1, N1, { ...good, proof: { ...good.proof, timeMs: T0 + 1 } })).toMatch(/does not verify/);
    expect(refusal(t, 1, N1, { ...good, dest: id(BOB) })).toMatch(/does not verify/);
    const elsewhere = advert(ALICE, M, [M, N1]);
    expect(refusal(t, 1, N1, { ...elsewhere, proof: { ...elsewhere.proof, origin: id(O) }, path: [id(O), id(N1)] })).toMatch(/does not verify/);
  });

  it('does not let a verified proof vouch for another ID, origin or time (the verify cache keys the whole statement)', () => {
    const t = table();
    const good = advert(ALICE, O, [O, N1]);
    learnOk(t, 1, N1, good);
    // The same signature bytes, reused by a neighbour that saw them, for Bob or for itself as home.
    expect(refusal(t, 2, N2, { dest: id(BOB), proof: good.proof, path: [id(O), id(N2)] })).toMatch(/does not verify/);
    expect(refusal(t, 2, N2, { dest: id(ALICE), proof: { ...good.proof, origin: id(N2) }, path: [id(N2)] })).toMatch(/does not verify/);
    expect(refusal(t, 2, N2, { dest: id(ALICE), proof: { ...good.proof, timeMs: T0 + 60_000 }, path: [id(O), id(N2)] })).toMatch(/does not verify/);
    // The genuine proof over another path is fine.
    learnOk(t, 2, N2, { ...good, path: [id(O), id(N2)] });
  });

  it('accepts an old proof: announcements carry no freshness requirement', () => {
    const t = table();
    learnOk(t, 1, N1, advert(ALICE, O, [O, N1], 1_000));
    expect(bestVia(t, ALICE)).toBe(1);
  });
});

describe('PathVectorRouteTable: best route', () => {
  it('prefers a local route over any learned one', () => {
    const t = table();
    learnOk(t, 1, N1, advert(ALICE, N1, [N1], T0 + 1000));
    const changes = t.setLocal(id(ALICE), signHomeProof(ALICE, id(SELF), T0));
    expect(changes).toHaveLength(1);
    expect(bestVia(t, ALICE)).toBe('local');
    expect(hexes(t.best(idKey(id(ALICE)))!.advert.path)).toEqual(hexes([id(SELF)]));
    // Back to the learned route when the local one goes.
    expect(t.clearLocal(id(ALICE))[0]?.best?.via).toBe(1);
    expect(t.clearLocal(id(ALICE))).toEqual([]);
  });

  it('prefers the shorter path, even with an older proof and a higher link number', () => {
    const t = table();
    learnOk(t, 1, N1, advert(ALICE, O, [O, M, N1], T0 + 5000));
    learnOk(t, 2, N2, advert(ALICE, O, [O, N2], T0));
    expect(bestVia(t, ALICE)).toBe(2);
  });

  it('breaks a length tie by the newer proof, then by the lower link number', () => {
    const t = table();
    learnOk(t, 2, N2, advert(ALICE, O, [O, N2], T0));
    learnOk(t, 3, N3, advert(ALICE, M, [M, N3], T0 + 1));
    expect(bestVia(t, ALICE)).toBe(3);
    const u = table();
    learnOk(u, 3, N3, advert(ALICE, O, [O, N3]));
    learnOk(u, 2, N2, advert(ALICE, O, [O, N2]));
    expect(bestVia(u, ALICE)).toBe(2);
  });

  it('reports a change only when the best route changes', () => {
    const t = table();
    expect(learnOk(t, 1, N1, advert(ALICE, O, [O, N1]))).toHaveLength(1);
    // A worse alternative changes nothing.
    expect(learnOk(t, 2, N2, advert(ALICE, O, [O, M, N2]))).toEqual([]);
    // A better one does.
    const changes = learnOk(t, 3, N3, advert(ALICE, N3, [N3]));
    expect(changes).toHaveLength(1);
    expect(changes[0]!.best?.via).toBe(3);
    expect(changes[0]!.dest).toBe(idKey(id(ALICE)));
    // The same neighbour re-announcing (a new proof) replaces its route and is a change.
    expect(learnOk(t, 3, N3, advert(ALICE, N3, [N3], T0 + 1))).toHaveLength(1);
  });
});

describe('PathVectorRouteTable: withdraw and link loss', () => {
  it('forget() withdraws one link\'s route and falls back to the next best', () => {
    const t = table();
    learnOk(t, 1, N1, advert(ALICE, O, [O, N1]));
    learnOk(t, 2, N2, advert(ALICE, O, [O, M, N2]));
    const changes = t.forget(1, id(ALICE));
    expect(changes).toHaveLength(1);
    expect(changes[0]!.best?.via).toBe(2);
    // Withdrawing the non-best route, or a route the link never gave, changes nothing.
    learnOk(t, 1, N1, advert(ALICE, O, [O, N1]));
    expect(t.forget(2, id(ALICE))).toEqual([]);
    expect(t.forget(3, id(ALICE))).toEqual([]);
    expect(t.forget(1, id(BOB))).toEqual([]);
    expect(t.forget(1, id(ALICE))).toEqual([{ dest: idKey(id(ALICE)), best: null, alt: null, bestChanged: true }]);
    expect(t.best(idKey(id(ALICE)))).toBeNull();
    expect(t.size).toBe(0);
  });

  it('dropLink() removes every route learned over the link, reporting each changed destination', () => {
    const t = table();
    learnOk(t, 1, N1, advert(ALICE, O, [O, N1]));
    learnOk(t, 1, N1, advert(BOB, N1, [N1]));
    learnOk(t, 2, N2, advert(BOB, O, [O, M, N2]));
    const changes = t.dropLink(1);
    const byDest = new Map(changes.map((c) => [c.dest, c.best?.via ?? null]));
    expect(byDest).toEqual(new Map([[idKey(id(ALICE)), null], [idKey(id(BOB)), 2]]));
    expect(t.dropLink(1)).toEqual([]);
    expect(t.size).toBe(1);
  });

  it('remembers the last home of an ID after its routes are gone', () => {
    const t = table();
    expect(t.lastHome(idKey(id(ALICE)))).toBeNull();
    learnOk(t, 1, N1, advert(ALICE, O, [O, N1]));
    t.dropLink(1);
    expect(t.best(idKey(id(ALICE)))).toBeNull();
    expect(toHex(t.lastHome(idKey(id(ALICE)))!)).toBe(toHex(id(O)));
    // A new best route moves the home.
    learnOk(t, 2, N2, advert(ALICE, M, [M, N2]));
    t.forget(2, id(ALICE));
    expect(toHex(t.lastHome(idKey(id(ALICE)))!)).toBe(toHex(id(M)));
    // A local route makes this relay the home.
    t.setLocal(id(ALICE), signHomeProof(ALICE, id(SELF), T0));
    t.clearLocal(id(ALICE));
    expect(toHex(t.lastHome(idKey(id(ALICE)))!)).toBe(toHex(id(SELF)));
  });

  it('bests() lists local and learned routes', () => {
    const t = table();
    t.setLocal(id(SELF), signHomeProof(SELF, id(SELF), T0));
    learnOk(t, 1, N1, advert(ALICE, N1, [N1]));
    const all = new Map([...t.bests()].map(([k, b]) => [k, b.via]));
    expect(all).toEqual(new Map<string, number | 'local'>([[idKey(id(SELF)), 'local'], [idKey(id(ALICE)), 1]]));
  });
});

describe('PathVectorRouteTable: the alternative towards another home (a2a, §9.4)', () => {
  it('is the best route to another origin over another link whose path avoids the best route\'s neighbour', () => {
    const t = table();
    learnOk(t, 1, N1, advert(ALICE, O, [O, N1]));
    expect(t.alternative(idKey(id(ALICE)))).toBeNull();
    expect(t.hasLearned(idKey(id(ALICE)))).toBe(true);
    expect(t.hasLearned(idKey(id(BOB)))).toBe(false);
    // The same origin over another link is no other home.
    expect(learnOk(t, 2, N2, advert(ALICE, O, [O, M, N2]))).toEqual([]);
    expect(t.alternative(idKey(id(ALICE)))).toBeNull();
    // A path through the best route's neighbour would be refused by it as a loop.
    expect(learnOk(t, 3, N3, advert(ALICE, M, [M, N1, N3]))).toEqual([]);
    expect(t.alternative(idKey(id(ALICE)))).toBeNull();
    // Another home: only the alternative changes, and the change says so.
    const changes = learnOk(t, 3, N3, advert(ALICE, M, [M, N3]));
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ bestChanged: false, alt: { via: 3 } });
    expect(changes[0]!.best?.via).toBe(1);
    // The same alternative again (same advert object) is no change; a new one is.
    expect(learnOk(t, 3, N3, advert(ALICE, M, [M, N3], T0 + 1))).toHaveLength(1);
  });

  it('follows the best route: none while the route is local, re-chosen when the best moves', () => {
    const t = table();
    learnOk(t, 1, N1, advert(ALICE, O, [O, N1]));
    learnOk(t, 2, N2, advert(ALICE, M, [M, N2]));
    // Equal length, same proof time: the older link wins; the alternative is the other home.
    expect(bestVia(t, ALICE)).toBe(1);
    expect(t.alternative(idKey(id(ALICE)))?.via).toBe(2);
    t.setLocal(id(ALICE), signHomeProof(ALICE, id(SELF), T0));
    expect(t.alternative(idKey(id(ALICE)))).toBeNull();
    t.clearLocal(id(ALICE));
    const changes = t.forget(1, id(ALICE));
    expect(changes).toMatchObject([{ bestChanged: true, alt: null }]);
    expect(bestVia(t, ALICE)).toBe(2);
    expect(t.dropLink(2)).toMatchObject([{ best: null, alt: null, bestChanged: true }]);
    expect(t.hasLearned(idKey(id(ALICE)))).toBe(false);
  });
});
