// Test helper: federated relays on 127.0.0.1 (real sockets, real SQLite stores in temp dirs) and
// clients that collect what they receive.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RelayClient } from '../../src-main/client/relay-client.js';
import { generateIdentity, type Identity } from '../../src-main/crypto/identity.js';
import type { Federation } from '../../src-main/federation/federation.js';
import type { RelayLimits } from '../../src-main/relay/relay-core.js';
import { RelayServer } from '../../src-main/relay/server.js';
import { openStore, type Store } from '../../src-main/store/db.js';
import type { MsgFrame } from '../../src-shared/protocol/frames.js';
import { toHex } from '../../src-shared/ids.js';

export interface FedRelay {
  server: RelayServer;
  identity: Identity;
  id: Buffer;
  url: string;
  port: number;
  store: Store;
  dir: string;
  fed: Federation;
  close(): Promise<void>;
}

export interface FedRelayOptions {
  openFederation?: boolean;
  identity?: Identity;
  dir?: string;
  port?: number;
  limits?: Partial<RelayLimits>;
}

const FAST_LIMITS: Partial<RelayLimits> = { pingIntervalMs: 500, pingTimeoutMs: 1000 };

export async function startFedRelay(opts: FedRelayOptions = {}): Promise<FedRelay> {
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'w2w-fed-'));
  const store = openStore(dir);
  const identity = opts.identity ?? generateIdentity();
  const server = new RelayServer({
    identity,
    stores: { nodeList: store.nodeList, groups: store.groups, directory: store.directory },
    host: '127.0.0.1',
    port: opts.port ?? 0,
    limits: { ...FAST_LIMITS, ...opts.limits },
    federation: { links: store.links, stored: store.storedMessages, openFederation: opts.openFederation ?? true },
  });
  await server.start();
  let closed = false;
  return {
    server,
    identity,
    id: identity.publicKey,
    url: server.url,
    port: server.port,
    store,
    dir,
    fed: server.core.federation as Federation,
    async close() {
      if (closed) return;
      closed = true;
      await server.close();
      store.close();
    },
  };
}

/** Links a -> b (a dials b) and waits until both sides see the link. */
export async function link(a: FedRelay, b: FedRelay): Promise<void> {
  a.fed.addPeer(b.url, b.id);
  await waitFor(() => a.fed.linkInfo().some((l) => l.up && l.relayId.equals(b.id)) && b.fed.linkInfo().some((l) => l.up && l.relayId.equals(a.id)), 5000, 'link up');
}

export async function waitFor(test: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const start = Date.now();
  while (!test()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A client that records every message it receives (by message ID, to check exactly-once). */
export class Peer {
  readonly got: MsgFrame[] = [];
  private constructor(readonly client: RelayClient) {
    client.on('message', (m) => this.got.push({ ...m, body: Buffer.from(m.body), id: Buffer.from(m.id), from: Buffer.from(m.from) }));
  }

  static async connect(relay: FedRelay, identity: Identity = generateIdentity()): Promise<Peer> {
    return new Peer(await RelayClient.connect({ url: relay.url, identity }));
  }

  get id(): Buffer {
    return this.client.id;
  }

  texts(): string[] {
    return this.got.map((m) => Buffer.from(m.body).toString());
  }

  count(msgId: Uint8Array): number {
    const hex = toHex(msgId);
    return this.got.filter((m) => toHex(m.id) === hex).length;
  }

  async waitText(text: string, timeoutMs = 5000): Promise<void> {
    await waitFor(() => this.texts().includes(text), timeoutMs, `"${text}" at ${this.client.url}`);
  }
}

export async function routeKnown(relay: FedRelay, id: Uint8Array): Promise<void> {
  const { idKey } = await import('../../src-main/relay/id-key.js');
  await waitFor(() => {
    const best = relay.fed.routes.best(idKey(id));
    return best !== null;
  }, 5000, 'route');
}
