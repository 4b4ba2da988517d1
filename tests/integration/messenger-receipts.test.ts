// The messenger turns relay receipts into status events for the messages it sent, and only for those:
// a receipt for a message some other part of this ID sent through the same client (the data plane's
// frames) is no message of the history and makes no event. Real relays linked over loopback.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Route } from '../../src-shared/protocol/constants.js';
import { idToText } from '../../src-shared/ids.js';
import { Messenger } from '../../src-main/client/messenger.js';
import type { ReceiptEvent } from '../../src-main/client/relay-client.js';
import { openStore, type Store } from '../../src-main/store/db.js';
import { link, Peer, routeKnown, startFedRelay, waitFor, type FedRelay } from '../helpers/federation.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'w2w-msgr-receipts-'));
const open: { relays: FedRelay[]; peers: Peer[]; stores: Store[] } = { relays: [], peers: [], stores: [] };

afterAll(async () => {
  for (const p of open.peers) await p.client.close();
  for (const s of open.stores) s.close();
  for (const r of open.relays) await r.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('messenger status events from receipts', () => {
  it('follow its own messages, not other frames of the same client', async () => {
    const [a, b] = [await startFedRelay(), await startFedRelay()];
    open.relays.push(a, b);
    await link(a, b);
    const [alice, bob] = [await Peer.connect(a), await Peer.connect(b)];
    open.peers.push(alice, bob);
    await routeKnown(a, bob.id);
    const store = openStore(path.join(tmp, 'alice'));
    open.stores.push(store);
    const messenger = new Messenger(alice.client, store);
    const bobStore = openStore(path.join(tmp, 'bob'));
    open.stores.push(bobStore);
    new Messenger(bob.client, bobStore); // answers the end-to-end handshake
    const statuses: { msgId: string; status: string }[] = [];
    messenger.on('status', (s) => statuses.push(s));
    const receipts: ReceiptEvent[] = [];
    alice.client.on('receipt', (r) => receipts.push(r));

    // A frame the messenger did not send (as the data plane sends through the same channel): its
    // DELIVERED receipt from relay B arrives, and no status event follows.
    // (The handshake's own messages get receipts too, and make no event either.)
    const other = await messenger.secure.send({ route: Route.A2B, to: bob.id }, Buffer.from([0x10, 1, 2, 3]), { ack: true });
    await waitFor(() => receipts.some((r) => Buffer.from(r.msgId).equals(Buffer.from(other.id))), 5000, 'the receipt of the other frame');
    // A text the messenger sent: sent at the ACK, delivered at its receipt.
    const sent = await messenger.send({ kind: 'peer', id: idToText(bob.id) }, 'hello over a link');
    await waitFor(() => statuses.some((s) => s.msgId === sent.msgId && s.status === 'delivered'), 5000, 'delivered');
    expect(receipts.length).toBeGreaterThanOrEqual(2);
    expect(statuses.map((s) => [s.msgId, s.status])).toEqual([
      [sent.msgId, 'sent'],
      [sent.msgId, 'delivered'],
    ]);
  });
});
