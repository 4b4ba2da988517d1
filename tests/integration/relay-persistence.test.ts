// A relay restarted on the same data dir (the real SQLite store) keeps its node list and named groups.
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { generateIdentity } from '../../src-main/crypto/identity.js';
import { Op, Route } from '../../src-shared/protocol/constants.js';
import { toHex } from '../../src-shared/ids.js';
import { closeAll, connectClient, randomBody } from '../helpers/clients.js';
import { makeTempDir, startRelay } from '../helpers/relay.js';

const dataDir = makeTempDir();

afterAll(() => {
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('relay restart', () => {
  it('keeps the node list (offline, not unknown) and the named groups with their members', async () => {
    const relayIdentity = generateIdentity();
    const alice = generateIdentity();
    const bob = generateIdentity();
    const carol = generateIdentity();

    const first = await startRelay({ dataDir, identity: relayIdentity });
    try {
      const [a, b, c] = [
        await connectClient(first, { identity: alice, label: 'alice' }),
        await connectClient(first, { identity: bob, label: 'bob' }),
        await connectClient(first, { identity: carol, label: 'carol' }),
      ];
      await a.client.request({ op: Op.GROUP_CREATE, name: 'kept' });
      await a.client.request({ op: Op.GROUP_ADD, name: 'kept', members: [bob.publicKey, carol.publicKey] });
      await c.client.request({ op: Op.GROUP_REMOVE, name: 'kept', members: [carol.publicKey] });
      await closeAll([a, b, c]);
    } finally {
      await first.close();
    }

    const second = await startRelay({ dataDir, identity: relayIdentity });
    try {
      expect(second.url).not.toBe('');
      const a = await connectClient(second, { identity: alice, label: 'alice again' });
      // bob has not come back yet: known to this relay, so offline rather than unknown
      const peers = await a.client.request({ op: Op.LIST_PEERS });
      const online = new Map(peers.peers.map((p) => [toHex(p.id), p.online]));
      expect(online.get(toHex(bob.publicKey))).toBe(false);
      expect(online.get(toHex(carol.publicKey))).toBe(false);
      expect(online.get(toHex(alice.publicKey))).toBe(true);
      const missed = await a.client.send({ route: Route.A2B, to: bob.publicKey }, randomBody(), { ack: true });
      expect(missed.missed!.map((m) => m.code)).toEqual([301]);

      const groups = await a.client.request({ op: Op.GROUP_LIST });
      expect(groups.groups.map((g) => [g.name, toHex(g.owner), g.members.map(toHex).sort()])).toEqual([
        ['kept', toHex(alice.publicKey), [alice.publicKey, bob.publicKey].map(toHex).sort()],
      ]);

      const b = await connectClient(second, { identity: bob, label: 'bob again' });
      const body = randomBody();
      const res = await a.client.send({ route: Route.A2G_NAMED, group: 'kept' }, body, { ack: true });
      expect(res.delivered).toBe(2);
      await b.messageWithBody(body);
      await closeAll([a, b]);
    } finally {
      await second.close();
    }
  });
});
