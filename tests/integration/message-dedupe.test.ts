// Recipients deduplicate by (sender, message ID), as PROTOCOL §9.6 and §9.8 require, and so do relays
// that keep messages for offline recipients: someone who learns another sender's message ID (a
// co-recipient of a list message, say) cannot suppress that message by getting a message of their own
// with the same ID in first. Real node, real relay sockets, real e2e sessions and boxes, SQLite files.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageView, NodeApi } from '../../src-shared/api/contract.js';
import { Route } from '../../src-shared/protocol/constants.js';
import { PayloadKind } from '../../src-shared/protocol/e2e.js';
import { idToText } from '../../src-shared/ids.js';
import { Messenger } from '../../src-main/client/messenger.js';
import { RelayClient } from '../../src-main/client/relay-client.js';
import { generateIdentity, type Identity } from '../../src-main/crypto/identity.js';
import { randomBytes } from '../../src-main/crypto/random.js';
import { SecureChannel } from '../../src-main/e2e/secure-channel.js';
import { createNodeApi } from '../../src-main/node/api.js';
import { W2wNode } from '../../src-main/node/node.js';
import { openStore, type Store } from '../../src-main/store/db.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'w2w-dedupe-'));
const stores: Store[] = [];
const clients: RelayClient[] = [];

interface Sender {
  id: Buffer;
  /** sends TEXT `text` with the message ID `id` to `to`, as the messenger would (ack, store) */
  send(to: Uint8Array, id: Uint8Array, text: string): Promise<unknown>;
}

async function sender(url: string, name: string): Promise<Sender> {
  const identity = generateIdentity();
  const store = openStore(path.join(tmp, name));
  stores.push(store);
  const client = await RelayClient.connect({ url, identity });
  clients.push(client);
  const secure = new SecureChannel(client, { keyStore: store.e2eSessions });
  return {
    id: identity.publicKey,
    send: (to, id, text) => secure.send({ route: Route.A2B, to }, Buffer.concat([Buffer.of(PayloadKind.TEXT), Buffer.from(text)]), { ack: true, store: true, id }),
  };
}

async function until<T>(probe: () => T | undefined, what: string): Promise<T> {
  const end = Date.now() + 10_000;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('deduplication by (sender, message ID)', () => {
  let node: W2wNode;
  let api: NodeApi;

  beforeAll(async () => {
    node = await W2wNode.start({ dataDir: path.join(tmp, 'node'), host: '127.0.0.1', port: 0 });
    api = createNodeApi(node);
  });

  afterAll(async () => {
    for (const c of clients) await c.close();
    for (const s of stores) s.close();
    await node.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('an online recipient shows both senders’ messages under one ID, and each sender’s once', async () => {
    const [ann, bob] = [await sender(node.url, 'ann'), await sender(node.url, 'bob')];
    const got: MessageView[] = [];
    const off = api.on('message', (m) => got.push(m));
    const id = randomBytes(16);
    await bob.send(node.identity.publicKey, id, 'decoy with the same ID');
    await ann.send(node.identity.publicKey, id, 'the real message');
    await ann.send(node.identity.publicKey, id, 'a replay of it');
    await until(() => (got.length >= 2 ? true : undefined), 'both messages');
    await new Promise((r) => setTimeout(r, 200));
    off();
    expect(got.map((m) => [m.peer, m.text])).toEqual([
      [idToText(bob.id), 'decoy with the same ID'],
      [idToText(ann.id), 'the real message'],
    ]);
    const history = await api.call('messages.history', { peer: idToText(ann.id) });
    expect(history.ok && history.value.map((m) => m.text)).toEqual(['the real message']);
  });

  it('a relay keeps both senders’ messages under one ID for an offline recipient', async () => {
    // Carol registers once (the relay then knows her), goes offline, and gets what was kept on return.
    const carolId: Identity = generateIdentity();
    const carolStore = openStore(path.join(tmp, 'carol'));
    stores.push(carolStore);
    const first = await RelayClient.connect({ url: node.url, identity: carolId });
    await first.close();
    const [ann, bob] = [await sender(node.url, 'ann2'), await sender(node.url, 'bob2')];
    const id = randomBytes(16);
    const decoy = (await bob.send(carolId.publicKey, id, 'decoy kept first')) as { stored: number };
    const real = (await ann.send(carolId.publicKey, id, 'real, kept too')) as { stored: number };
    expect([decoy.stored, real.stored]).toEqual([1, 1]);
    expect(node.store.storedMessages.countFor(carolId.publicKey)).toBe(2);

    const back = await RelayClient.connect({ url: node.url, identity: carolId });
    clients.push(back);
    const carol = new Messenger(back, carolStore);
    const texts: string[] = [];
    carol.on('message', (m) => texts.push(`${m.peer === idToText(ann.id) ? 'ann' : 'bob'}: ${m.text}`));
    await until(() => (texts.length >= 2 ? true : undefined), 'the kept messages');
    expect(texts).toEqual(['bob: decoy kept first', 'ann: real, kept too']);
  });
});
