// Starts the real w2w relay (RelayServer) for the bench, with its stores wrapped so every store call is
// counted, and Ed25519 verification counted too: the bench checks that forwarding uses neither. With
// federation, the links and store-and-forward repositories come from a real SQLite store, counted too.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sodium from 'sodium-native';
import { generateIdentity } from '../src-main/crypto/identity.js';
import type { GroupStore, NodeListStore } from '../src-main/relay/ports.js';
import { RelayServer, type RelayServerOptions } from '../src-main/relay/server.js';
import { openStore, type Store } from '../src-main/store/db.js';
import type { BenchLimits } from './commands.js';
import { memoryGroupStore, memoryNodeListStore } from './memory-stores.js';

export interface W2wRelay {
  server: RelayServer;
  relayIdHex: string;
  counts: { storeCalls: number; verifies: number };
  close(): Promise<void>;
}

/** Wraps every method of a store so that each call bumps `counts.storeCalls`. */
function counted<T extends object>(store: T, counts: { storeCalls: number }): T {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        counts.storeCalls++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

export async function startW2wRelay(opts: { host: string; store: 'sqlite' | 'memory'; limits: BenchLimits; federation?: boolean }): Promise<W2wRelay> {
  const counts = { storeCalls: 0, verifies: 0 };
  // The relay reaches libsodium through src-main/crypto, which looks the function up on this same
  // module object at each call; counting here sees every verification the relay does.
  const verify = sodium.crypto_sign_verify_detached;
  sodium.crypto_sign_verify_detached = (sig, m, pk) => {
    counts.verifies++;
    return verify(sig, m, pk);
  };

  let dir: string | null = null;
  let nodeList: NodeListStore;
  let groups: GroupStore;
  let closeStore = (): void => {};
  let store: Store | null = null;
  if (opts.store === 'sqlite' || opts.federation) {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'w2w-bench-'));
    const opened = openStore(dir);
    store = opened;
    closeStore = () => opened.close();
  }
  if (opts.store === 'sqlite' && store) {
    nodeList = store.nodeList;
    groups = store.groups;
  } else {
    nodeList = memoryNodeListStore();
    groups = memoryGroupStore();
  }
  const federation: RelayServerOptions['federation'] =
    opts.federation && store ? { links: counted(store.links, counts), stored: counted(store.storedMessages, counts), openFederation: true } : undefined;

  const identity = generateIdentity();
  const server = new RelayServer({
    identity,
    stores: { nodeList: counted(nodeList, counts), groups: counted(groups, counts) },
    host: opts.host,
    port: 0,
    limits: { ...opts.limits },
    federation,
  });
  await server.start();
  return {
    server,
    relayIdHex: identity.publicKey.toString('hex'),
    counts,
    async close() {
      await server.close();
      closeStore();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
