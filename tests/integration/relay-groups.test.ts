// Named groups on a live relay: create/add/remove/list/delete, a2g named delivery, and every refusal by code.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateIdentity } from '../../src-main/crypto/identity.js';
import { FrameType, Limits, Op, Route } from '../../src-shared/protocol/constants.js';
import { ErrorCode } from '../../src-shared/protocol/errors.js';
import { encodeFrame } from '../../src-shared/protocol/frames.js';
import { toHex } from '../../src-shared/ids.js';
import { barrier, closeAll, connectClient, expectRelayServesFreshPair, randomBody, type TestClient } from '../helpers/clients.js';
import { waitUntil } from '../helpers/inbox.js';
import { startRelay, type TestRelay } from '../helpers/relay.js';

let relay: TestRelay;
const open: TestClient[] = [];

beforeAll(async () => {
  relay = await startRelay();
});

afterAll(async () => {
  await relay.close();
});

afterEach(async () => {
  await closeAll(open.splice(0));
  await waitUntil(() => relay.server.core.onlineIds().length === 0, 3000, 'every client of the last test is offline');
});

async function clients(...labels: string[]): Promise<TestClient[]> {
  const out: TestClient[] = [];
  for (const label of labels) {
    const c = await connectClient(relay, { label });
    open.push(c);
    out.push(c);
  }
  return out;
}

const hexes = (ids: Uint8Array[]): string[] => ids.map(toHex).sort();

describe('named groups', () => {
  it('the owner creates, adds, lists; members receive a2g named; the store keeps it', async () => {
    const [owner, b, c, outsider] = await clients('owner', 'b', 'c', 'outsider');
    await owner!.client.request({ op: Op.GROUP_CREATE, name: 'team' });
    await owner!.client.request({ op: Op.GROUP_ADD, name: 'team', members: [b!.id, c!.id, b!.id] });

    const listed = await b!.client.request({ op: Op.GROUP_LIST });
    expect(listed.groups).toHaveLength(1);
    expect(listed.groups[0]!.name).toBe('team');
    expect(toHex(listed.groups[0]!.owner)).toBe(toHex(owner!.id));
    expect(hexes(listed.groups[0]!.members)).toEqual(hexes([owner!.id, b!.id, c!.id]));
    expect((await outsider!.client.request({ op: Op.GROUP_LIST })).groups).toEqual([]);

    const stored = relay.store.groups.get('team');
    expect(stored && toHex(stored.owner)).toBe(toHex(owner!.id));
    expect(hexes(stored!.members)).toEqual(hexes([owner!.id, b!.id, c!.id]));

    const body = randomBody();
    const res = await b!.client.send({ route: Route.A2G_NAMED, group: 'team' }, body, { ack: true });
    expect(res.delivered).toBe(3); // every member online, the sender included
    expect(res.missed).toEqual([]);
    for (const m of [owner!, b!, c!]) {
      const got = await m.messageWithBody(body);
      expect(got.route === Route.A2G_NAMED && got.group).toBe('team');
    }
    const [beforeOutsider] = await barrier(b!, [outsider!]);
    expect(beforeOutsider).toEqual([]);
  });

  it('offline members are not reported missing on a named group', async () => {
    const [owner, b] = await clients('owner', 'b');
    const absent = generateIdentity().publicKey;
    await owner!.client.request({ op: Op.GROUP_CREATE, name: 'sparse' });
    await owner!.client.request({ op: Op.GROUP_ADD, name: 'sparse', members: [b!.id, absent] });
    const res = await owner!.client.send({ route: Route.A2G_NAMED, group: 'sparse' }, randomBody(), { ack: true });
    expect(res.delivered).toBe(2);
    expect(res.missed).toEqual([]);
  });

  it('a non-member may not send (NOT_GROUP_MEMBER), and nobody receives it', async () => {
    const [owner, b, outsider] = await clients('owner', 'b', 'outsider');
    await owner!.client.request({ op: Op.GROUP_CREATE, name: 'closed' });
    await owner!.client.request({ op: Op.GROUP_ADD, name: 'closed', members: [b!.id] });
    await expect(outsider!.client.send({ route: Route.A2G_NAMED, group: 'closed' }, randomBody(), { ack: true })).rejects.toMatchObject({ code: ErrorCode.NOT_GROUP_MEMBER });
    const sent = await outsider!.client.send({ route: Route.A2G_NAMED, group: 'closed' }, randomBody());
    const err = await outsider!.nextError(ErrorCode.NOT_GROUP_MEMBER);
    expect(toHex(err.ref)).toBe(toHex(sent.id));
    expect(await barrier(outsider!, [owner!, b!])).toEqual([[], []]);
  });

  it('only the owner adds (NOT_GROUP_OWNER) or deletes; duplicate names are GROUP_EXISTS', async () => {
    const [owner, b, c] = await clients('owner', 'b', 'c');
    await owner!.client.request({ op: Op.GROUP_CREATE, name: 'owned' });
    await owner!.client.request({ op: Op.GROUP_ADD, name: 'owned', members: [b!.id] });
    await expect(b!.client.request({ op: Op.GROUP_ADD, name: 'owned', members: [c!.id] })).rejects.toMatchObject({ code: ErrorCode.NOT_GROUP_OWNER });
    await expect(c!.client.request({ op: Op.GROUP_ADD, name: 'owned', members: [c!.id] })).rejects.toMatchObject({ code: ErrorCode.NOT_GROUP_OWNER });
    await expect(b!.client.request({ op: Op.GROUP_DELETE, name: 'owned' })).rejects.toMatchObject({ code: ErrorCode.NOT_GROUP_OWNER });
    await expect(b!.client.request({ op: Op.GROUP_CREATE, name: 'owned' })).rejects.toMatchObject({ code: ErrorCode.GROUP_EXISTS });
    await expect(owner!.client.request({ op: Op.GROUP_CREATE, name: 'owned' })).rejects.toMatchObject({ code: ErrorCode.GROUP_EXISTS });
    // names are exact: another case is another group
    await b!.client.request({ op: Op.GROUP_CREATE, name: 'Owned' });
    expect(toHex(relay.store.groups.get('owned')!.owner)).toBe(toHex(owner!.id));
    expect(relay.store.groups.members('owned').map(toHex).sort()).toEqual(hexes([owner!.id, b!.id]));
  });

  it('a member leaves itself; the owner removes others but cannot be removed', async () => {
    const [owner, b, c] = await clients('owner', 'b', 'c');
    await owner!.client.request({ op: Op.GROUP_CREATE, name: 'club' });
    await owner!.client.request({ op: Op.GROUP_ADD, name: 'club', members: [b!.id, c!.id] });

    await expect(b!.client.request({ op: Op.GROUP_REMOVE, name: 'club', members: [c!.id] })).rejects.toMatchObject({ code: ErrorCode.NOT_GROUP_OWNER });
    await expect(b!.client.request({ op: Op.GROUP_REMOVE, name: 'club', members: [owner!.id] })).rejects.toMatchObject({ code: ErrorCode.NOT_GROUP_OWNER });
    await expect(owner!.client.request({ op: Op.GROUP_REMOVE, name: 'club', members: [owner!.id] })).rejects.toMatchObject({ code: ErrorCode.BAD_REQUEST });
    await expect(owner!.client.request({ op: Op.GROUP_REMOVE, name: 'club', members: [b!.id, owner!.id] })).rejects.toMatchObject({ code: ErrorCode.BAD_REQUEST });
    // nothing changed by the refusals
    expect(relay.store.groups.members('club').map(toHex).sort()).toEqual(hexes([owner!.id, b!.id, c!.id]));

    await b!.client.request({ op: Op.GROUP_REMOVE, name: 'club', members: [b!.id] });
    await expect(b!.client.send({ route: Route.A2G_NAMED, group: 'club' }, randomBody(), { ack: true })).rejects.toMatchObject({ code: ErrorCode.NOT_GROUP_MEMBER });
    expect((await b!.client.request({ op: Op.GROUP_LIST })).groups).toEqual([]);

    await owner!.client.request({ op: Op.GROUP_REMOVE, name: 'club', members: [c!.id] });
    expect(relay.store.groups.members('club').map(toHex)).toEqual([toHex(owner!.id)]);

    const body = randomBody();
    const res = await owner!.client.send({ route: Route.A2G_NAMED, group: 'club' }, body, { ack: true });
    expect(res.delivered).toBe(1);
    await owner!.messageWithBody(body);
    expect(await barrier(owner!, [b!, c!])).toEqual([[], []]);
  });

  it('delete: the group is gone for sending, changing and listing (UNKNOWN_GROUP)', async () => {
    const [owner, b] = await clients('owner', 'b');
    await owner!.client.request({ op: Op.GROUP_CREATE, name: 'temp' });
    await owner!.client.request({ op: Op.GROUP_ADD, name: 'temp', members: [b!.id] });
    await owner!.client.request({ op: Op.GROUP_DELETE, name: 'temp' });
    expect(relay.store.groups.get('temp')).toBeNull();
    await expect(b!.client.send({ route: Route.A2G_NAMED, group: 'temp' }, randomBody(), { ack: true })).rejects.toMatchObject({ code: ErrorCode.UNKNOWN_GROUP });
    await expect(owner!.client.request({ op: Op.GROUP_ADD, name: 'temp', members: [b!.id] })).rejects.toMatchObject({ code: ErrorCode.UNKNOWN_GROUP });
    await expect(owner!.client.request({ op: Op.GROUP_REMOVE, name: 'temp', members: [b!.id] })).rejects.toMatchObject({ code: ErrorCode.UNKNOWN_GROUP });
    await expect(owner!.client.request({ op: Op.GROUP_DELETE, name: 'temp' })).rejects.toMatchObject({ code: ErrorCode.UNKNOWN_GROUP });
    expect((await b!.client.request({ op: Op.GROUP_LIST })).groups).toEqual([]);
    // the name is free again
    await b!.client.request({ op: Op.GROUP_CREATE, name: 'temp' });
  });

  it('a malformed group request is refused as a frame (MALFORMED_FRAME) and the connection lives on', async () => {
    const [a] = await clients('a');
    // GROUP_CREATE with an empty name: the codec refuses it before the relay's group logic sees it
    a!.client.sendRaw(Buffer.concat([Buffer.from([FrameType.REQ, 0, 0, 0, 9, Op.GROUP_CREATE, 0])]));
    await a!.nextError(ErrorCode.MALFORMED_FRAME);
    a!.client.sendRaw(encodeFrame({ type: FrameType.REQ, reqId: 10, op: Op.GROUP_LIST }));
    expect((await a!.client.request({ op: Op.GROUP_LIST })).groups).toEqual([]);
  });
});

describe('after all of the above', () => {
  it('a fresh pair still exchanges a2b', async () => {
    await expectRelayServesFreshPair(relay);
  });
});

describe('groups one ID may own', () => {
  it(`at most ${Limits.MAX_GROUPS_PER_OWNER}: one more is BAD_REQUEST and stores nothing; deleting one frees a slot`, async () => {
    const [owner, other] = await clients('hoarder', 'other');
    const before = relay.store.groups.listAll().length;
    const names = Array.from({ length: Limits.MAX_GROUPS_PER_OWNER }, (_, i) => `hoard-${i}`);
    const answers = await Promise.all(names.map((name) => owner!.client.request({ op: Op.GROUP_CREATE, name }).then(() => 0, (e: { code: number }) => e.code)));
    expect(answers.filter((c) => c !== 0)).toEqual([]);
    await expect(owner!.client.request({ op: Op.GROUP_CREATE, name: 'one-too-many' })).rejects.toMatchObject({ code: ErrorCode.BAD_REQUEST });
    expect(relay.store.groups.listAll().length).toBe(before + names.length);
    expect(relay.server.core.groups.get('one-too-many')).toBeUndefined();
    // the cap is per owner: another ID creates as usual
    await other!.client.request({ op: Op.GROUP_CREATE, name: 'not-hoarded' });
    await owner!.client.request({ op: Op.GROUP_DELETE, name: 'hoard-0' });
    await owner!.client.request({ op: Op.GROUP_CREATE, name: 'one-too-many' });
    for (const name of [...names.slice(1), 'one-too-many']) await owner!.client.request({ op: Op.GROUP_DELETE, name });
    await other!.client.request({ op: Op.GROUP_DELETE, name: 'not-hoarded' });
  }, 30_000);
});
