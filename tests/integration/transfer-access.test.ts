// Who may fetch: a peers list, and a relay group checked with GROUP_LIST (the holder itself must be in
// the group, on the group's relay). Everyone else gets a DENY with a code and nothing of the file.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Op } from '../../src-shared/protocol/constants.js';
import { Access, type AccessRule } from '../../src-shared/protocol/declaration.js';
import { TransferCode } from '../../src-shared/protocol/transfer.js';
import { startFedRelay, type FedRelay } from '../helpers/federation.js';
import { randomFile, sameBytes, startNode, type TestNode } from './transfer-harness.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function nodes(n: number): Promise<{ r: FedRelay; all: TestNode[] }> {
  const r = await startFedRelay();
  cleanup.push(() => r.close());
  const all: TestNode[] = [];
  for (let i = 0; i < n; i++) {
    const x = await startNode(r.url);
    cleanup.push(() => x.close());
    all.push(x);
  }
  return { r, all };
}

async function shareWith(owner: TestNode, access: AccessRule): Promise<{ src: string; holding: Awaited<ReturnType<TestNode['plane']['share']>> }> {
  const src = path.join(owner.dir, `shared-${Math.random().toString(36).slice(2)}.bin`);
  await randomFile(src, 200_000);
  return { src, holding: await owner.plane.share(src, { access }) };
}

describe('access rules on the holder', () => {
  it('a peers list: listed peers fetch, anyone else is refused NOT_ALLOWED with nothing written', async () => {
    const { all } = await nodes(3);
    const [alice, bob, eve] = all as [TestNode, TestNode, TestNode];
    const { src, holding } = await shareWith(alice, { kind: Access.PEERS, peers: [bob.id] });
    const ok = path.join(bob.dir, 'f');
    await bob.plane.fetch(holding.core.contentHash, { from: [holding], out: ok });
    expect(await sameBytes(src, ok)).toBe(true);
    const denied = path.join(eve.dir, 'f');
    const err = await eve.plane.fetch(holding.core.contentHash, { from: [holding], out: denied }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: TransferCode.NOT_ALLOWED });
    expect(String(err)).toMatch(/did not share this data with you/);
    expect(fs.existsSync(denied)).toBe(false);
    // even the hash list was refused: eve never learnt the chunk hashes
    expect(eve.store.fetches.get(Buffer.from(holding.core.contentHash))?.chunkHashes).toBeNull();
    expect(alice.store.fetchReceipts.list(Buffer.from(holding.core.contentHash))).toHaveLength(1);
  });

  it('narrowing the access of a shared file applies at once: an earlier "allowed" is not reused', async () => {
    const { all } = await nodes(3);
    const [alice, bob, eve] = all as [TestNode, TestNode, TestNode];
    const src = path.join(alice.dir, 'oops.bin');
    await randomFile(src, 200_000);
    // shared with everyone by mistake: eve fetches it (the holder now knows eve may fetch it)
    const open = await alice.plane.share(src);
    await eve.plane.fetch(open.core.contentHash, { from: [open], out: path.join(eve.dir, 'first') });
    // alice shares the same file again, with bob only; eve asks again at once
    const narrow = await alice.plane.share(src, { access: { kind: Access.PEERS, peers: [bob.id] } });
    expect(Buffer.from(narrow.core.contentHash)).toEqual(Buffer.from(open.core.contentHash));
    const again = path.join(eve.dir, 'again');
    const err = await eve.plane.fetch(narrow.core.contentHash, { from: [narrow], out: again }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: TransferCode.NOT_ALLOWED });
    expect(fs.existsSync(again)).toBe(false);
    const ok = path.join(bob.dir, 'f');
    await bob.plane.fetch(narrow.core.contentHash, { from: [narrow], out: ok });
    expect(await sameBytes(src, ok)).toBe(true);
  });

  it('a group: members fetch, non-members are refused NOT_GROUP_MEMBER', async () => {
    const { r, all } = await nodes(3);
    const [alice, bob, eve] = all as [TestNode, TestNode, TestNode];
    await alice.client.request({ op: Op.GROUP_CREATE, name: 'team' });
    await alice.client.request({ op: Op.GROUP_ADD, name: 'team', members: [bob.id] });
    const { src, holding } = await shareWith(alice, { kind: Access.GROUP, group: 'team', groupRelay: r.id });
    const ok = path.join(bob.dir, 'f');
    await bob.plane.fetch(holding.core.contentHash, { from: [holding], out: ok });
    expect(await sameBytes(src, ok)).toBe(true);
    const err = await eve.plane.fetch(holding.core.contentHash, { from: [holding], out: path.join(eve.dir, 'f') }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: TransferCode.NOT_GROUP_MEMBER });
  });

  it('a group the holder is not in, or on another relay: the holder cannot check, so it refuses', async () => {
    const { r, all } = await nodes(3);
    const [alice, bob, dave] = all as [TestNode, TestNode, TestNode];
    // dave's group has bob but not alice: alice's relay will not show it to her
    await dave.client.request({ op: Op.GROUP_CREATE, name: 'club' });
    await dave.client.request({ op: Op.GROUP_ADD, name: 'club', members: [bob.id] });
    const notMine = await shareWith(alice, { kind: Access.GROUP, group: 'club', groupRelay: r.id });
    const e1 = await bob.plane.fetch(notMine.holding.core.contentHash, { from: [notMine.holding], out: path.join(bob.dir, 'a') }).catch((e: unknown) => e);
    expect(e1).toMatchObject({ code: TransferCode.NOT_GROUP_MEMBER });
    await alice.client.request({ op: Op.GROUP_CREATE, name: 'elsewhere' });
    await alice.client.request({ op: Op.GROUP_ADD, name: 'elsewhere', members: [bob.id] });
    const otherRelay = await shareWith(alice, { kind: Access.GROUP, group: 'elsewhere', groupRelay: Buffer.alloc(32, 9) });
    const e2 = await bob.plane.fetch(otherRelay.holding.core.contentHash, { from: [otherRelay.holding], out: path.join(bob.dir, 'b') }).catch((e: unknown) => e);
    expect(e2).toMatchObject({ code: TransferCode.NOT_GROUP_MEMBER });
  });
});
