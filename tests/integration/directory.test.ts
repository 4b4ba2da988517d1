// The relay's data directory over real sockets: publish, query by hash/holder/owner, visibility of
// restricted declarations, refusals (bad signature, someone else's holding), signed withdrawal, and
// replication to linked relays (also to a relay that links later).
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { DeclQueryBy, FrameType, HandshakeContext, Op } from '../../src-shared/protocol/constants.js';
import { Access, decodeHolding, encodeCore, encodeHolding, type AccessRule } from '../../src-shared/protocol/declaration.js';
import { ErrorCode } from '../../src-shared/protocol/errors.js';
import { toHex } from '../../src-shared/ids.js';
import { decodeFrame, encodeFrame } from '../../src-shared/protocol/frames.js';
import { dialRelay } from '../../src-main/client/dial.js';
import { RelayClient } from '../../src-main/client/relay-client.js';
import { blake2b256 } from '../../src-main/crypto/hash.js';
import { generateIdentity, sign, type Identity } from '../../src-main/crypto/identity.js';
import { withdrawMessage } from '../../src-main/relay/directory.js';
import { link, startFedRelay, waitFor, type FedRelay } from '../helpers/federation.js';

const open: { relays: FedRelay[]; clients: RelayClient[] } = { relays: [], clients: [] };
afterEach(async () => {
  for (const c of open.clients.splice(0)) await c.close();
  for (const r of open.relays.splice(0)) await r.close();
});

function u64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
}

/** A holding signed the way declaration.ts specifies (owner core signature, holder countersignature). */
function holding(owner: Identity, holder: Identity, content: string, access: AccessRule = { kind: Access.PUBLIC }): Uint8Array {
  const data = Buffer.from(content);
  const chunkHash = blake2b256(data);
  const coreBytes = encodeCore({
    contentHash: blake2b256(data), treeRoot: blake2b256(chunkHash), size: data.length, chunkSize: 65536,
    name: `${content}.txt`, mime: 'text/plain', createdMs: Date.now(), owner: owner.publicKey, access, flags: 0,
  });
  const ownerSig = sign(owner, Buffer.concat([Buffer.from('w2w/1 decl'), coreBytes]));
  const heldSinceMs = Date.now();
  const holderSig = sign(holder, Buffer.concat([Buffer.from('w2w/1 hold'), coreBytes, ownerSig, holder.publicKey, u64(heldSinceMs)]));
  const d = decodeHolding(Buffer.concat([coreBytes, ownerSig, holder.publicKey, u64(heldSinceMs), holderSig]));
  if (!d.ok) throw d.error;
  return encodeHolding(d.holding);
}

async function client(r: FedRelay, identity = generateIdentity()): Promise<RelayClient> {
  const c = await RelayClient.connect({ url: r.url, identity });
  open.clients.push(c);
  return c;
}

const hashOf = (h: Uint8Array): Buffer => {
  const d = decodeHolding(h);
  if (!d.ok) throw d.error;
  return Buffer.from(d.holding.core.contentHash);
};

describe('data directory', () => {
  it('publishes, answers queries by hash, holder and owner, and withdraws on the holder\'s signature', async () => {
    const [r] = [await startFedRelay()];
    open.relays.push(r!);
    const alice = generateIdentity();
    const a = await client(r!, alice);
    const other = await client(r!);
    const h = holding(alice, alice, 'report');
    await a.request({ op: Op.DECL_PUBLISH, holding: h });
    for (const [by, key] of [[DeclQueryBy.HASH, hashOf(h)], [DeclQueryBy.HOLDER, alice.publicKey], [DeclQueryBy.OWNER, alice.publicKey]] as const) {
      const res = await other.request({ op: Op.DECL_QUERY, by, key });
      expect(res.holdings.map(toHex)).toEqual([toHex(h)]);
    }
    const t = Date.now();
    const sig = sign(alice, withdrawMessage(hashOf(h), t));
    await expect(other.request({ op: Op.DECL_WITHDRAW, contentHash: hashOf(h), timeMs: t, sig })).rejects.toMatchObject({ code: ErrorCode.BAD_SIGNATURE });
    await a.request({ op: Op.DECL_WITHDRAW, contentHash: hashOf(h), timeMs: t, sig });
    const gone = await other.request({ op: Op.DECL_QUERY, by: DeclQueryBy.HASH, key: hashOf(h) });
    expect(gone.holdings).toEqual([]);
  });

  it('refuses forged or foreign holdings and hides restricted ones from others', async () => {
    const r = await startFedRelay();
    open.relays.push(r);
    const alice = generateIdentity();
    const bob = generateIdentity();
    const a = await client(r, alice);
    const b = await client(r, bob);
    const eve = await client(r);
    // eve publishes a holding signed by alice as holder: not hers to publish
    await expect(eve.request({ op: Op.DECL_PUBLISH, holding: holding(alice, alice, 'x') })).rejects.toMatchObject({ code: ErrorCode.SPOOFED_SENDER });
    const tampered = Buffer.from(holding(alice, alice, 'y'));
    tampered[40] = (tampered[40] as number) ^ 1;
    await expect(a.request({ op: Op.DECL_PUBLISH, holding: tampered })).rejects.toMatchObject({ code: ErrorCode.BAD_SIGNATURE });
    await expect(a.request({ op: Op.DECL_PUBLISH, holding: Buffer.from([1, 2, 3]) })).rejects.toMatchObject({ code: ErrorCode.BAD_REQUEST });
    const secret = holding(alice, alice, 'for bob', { kind: Access.PEERS, peers: [bob.publicKey] });
    await a.request({ op: Op.DECL_PUBLISH, holding: secret });
    expect((await b.request({ op: Op.DECL_QUERY, by: DeclQueryBy.OWNER, key: alice.publicKey })).holdings).toHaveLength(1);
    expect((await eve.request({ op: Op.DECL_QUERY, by: DeclQueryBy.OWNER, key: alice.publicKey })).holdings).toHaveLength(0);
  });

  it('replicates to linked relays, including one that links later', async () => {
    const [a, b] = [await startFedRelay(), await startFedRelay()];
    open.relays.push(a, b);
    await link(a, b);
    const alice = generateIdentity();
    const ca = await client(a, alice);
    const h = holding(alice, alice, 'shared across');
    await ca.request({ op: Op.DECL_PUBLISH, holding: h });
    const cb = await client(b);
    await waitFor(() => b.store.directory.byHash(hashOf(h), 10).length === 1, 5000, 'replicated to b');
    expect((await cb.request({ op: Op.DECL_QUERY, by: DeclQueryBy.HASH, key: hashOf(h) })).holdings).toHaveLength(1);
    const c = await startFedRelay();
    open.relays.push(c);
    await link(c, b);
    await waitFor(() => c.store.directory.byHash(hashOf(h), 10).length === 1, 5000, 'snapshot to c');
    const t = Date.now();
    await ca.request({ op: Op.DECL_WITHDRAW, contentHash: hashOf(h), timeMs: t, sig: sign(alice, withdrawMessage(hashOf(h), t)) });
    await waitFor(() => c.store.directory.byHash(hashOf(h), 10).length === 0, 5000, 'withdrawn everywhere');
  });
});

describe('a DECL from a link that fails inside the relay', () => {
  it('a store locked by another process: counted as INTERNAL, not blamed on the peer, and the same DECL is applied when it comes again', async () => {
    const b = await startFedRelay();
    open.relays.push(b);
    const peer = await dialRelay({ url: b.url, identity: generateIdentity(), ctx: HandshakeContext.S2S });
    const codes: number[] = [];
    peer.takeOver((data) => {
      const d = decodeFrame(data);
      if (d.ok && d.frame.type === FrameType.ERROR) codes.push(d.frame.code);
    });
    const owner = generateIdentity();
    const h = holding(owner, owner, 'locked-out');
    const decl = encodeFrame({ type: FrameType.DECL, action: 1, holding: h });

    b.store.db.pragma('busy_timeout = 100');
    const other = new Database(b.store.path);
    try {
      other.exec('BEGIN IMMEDIATE');
      peer.ws.send(decl);
      await waitFor(() => Object.keys(b.server.core.snapshot().errors).length > 0, 5000, 'b fails the DECL');
      other.exec('ROLLBACK');
    } finally {
      other.close();
    }
    expect(b.server.core.snapshot().errors).toEqual({ [ErrorCode.INTERNAL]: 1 });
    // the peer sent a good frame: it is not told it was malformed
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(codes).not.toContain(ErrorCode.MALFORMED_FRAME);

    // the relay did not remember the DECL as handled: when it comes again (from this or another link) it is applied
    peer.ws.send(decl);
    await waitFor(() => b.store.directory.byHash(hashOf(h), 10).length === 1, 5000, 'the DECL is applied');
    peer.ws.close();
  }, 20_000);

  it('a directory bigger than a fresh link may queue at once is sent paced: the link stays up and gets all of it', async () => {
    // A link may queue 8 x maxBufferedBytes = 32 KiB here; 200 DECLs of about 450 bytes are about 90 KiB.
    const limits = { maxBufferedBytes: 4 * 1024 };
    const [a, b] = [await startFedRelay({ limits }), await startFedRelay({ limits })];
    open.relays.push(a, b);
    const holder = generateIdentity();
    const hashes: Buffer[] = [];
    for (let i = 0; i < 200; i++) {
      const h = holding(holder, holder, `paced directory entry ${i}`);
      a.server.core.directory!.publish(h, null);
      hashes.push(hashOf(h));
    }
    await link(b, a);
    const asker = generateIdentity().publicKey;
    await waitFor(() => hashes.every((h) => b.server.core.directory!.byHash(h, asker).length === 1), 10_000, 'B lists every holding of A');
    // one link from B to A all along: it was never cut and redialled
    expect(b.fed.linkInfo().filter((l) => l.outbound).map((l) => l.lastError)).toEqual([null]);
  }, 30_000);
});
