// Test helper: a RelayServer on 127.0.0.1 (a free port) backed by the real SQLite store in a temp dir.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateIdentity, type Identity } from '../../src-main/crypto/identity.js';
import type { RelayLimits } from '../../src-main/relay/relay-core.js';
import { RelayServer } from '../../src-main/relay/server.js';
import { openStore, type Store } from '../../src-main/store/db.js';

export interface StartRelayOptions {
  limits?: Partial<RelayLimits>;
  tls?: { cert: string | Buffer; key: string | Buffer };
  publicUrls?: string[];
  /** the relay's own key pair; fresh by default */
  identity?: Identity;
  /** reuse a data dir (restart tests); by default a fresh temp dir that close() deletes */
  dataDir?: string;
  /** collect the relay's log lines (internal errors land here) */
  log?: (line: string) => void;
}

export interface TestRelay {
  readonly server: RelayServer;
  readonly identity: Identity;
  /** the relay ID (its public key) */
  readonly id: Buffer;
  /** ws:// or wss:// URL clients dial */
  readonly url: string;
  readonly store: Store;
  readonly dataDir: string;
  /** log lines the relay wrote; internal errors show up here */
  readonly logLines: string[];
  /** Stops the relay and closes the store; deletes the data dir unless it was passed in. */
  close(): Promise<void>;
}

export function makeTempDir(prefix = 'w2w-relay-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export async function startRelay(opts: StartRelayOptions = {}): Promise<TestRelay> {
  const ownDir = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? makeTempDir();
  const store = openStore(dataDir);
  const identity = opts.identity ?? generateIdentity();
  const logLines: string[] = [];
  const server = new RelayServer({
    identity,
    stores: { nodeList: store.nodeList, groups: store.groups },
    host: '127.0.0.1',
    port: 0,
    tls: opts.tls,
    limits: opts.limits,
    publicUrls: opts.publicUrls,
    log: (line) => {
      logLines.push(line);
      opts.log?.(line);
    },
  });
  try {
    await server.start();
  } catch (err) {
    store.close();
    if (ownDir) fs.rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  let closed = false;
  return {
    server,
    identity,
    id: identity.publicKey,
    url: server.url,
    store,
    dataDir,
    logLines,
    async close() {
      if (closed) return;
      closed = true;
      await server.close();
      store.close();
      if (ownDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
