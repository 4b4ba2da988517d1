// A w2w node: one data dir (SQLite), one identity, a relay listening for clients, and the node's own
// client registered on that relay. The CLI's `w2w node`, the web bridge and Electron all run this.
import { EventEmitter } from 'node:events';
import path from 'node:path';
import type { ApiEvents, RelayPolicyView } from '../../src-shared/api/contract.js';
import { idToText } from '../../src-shared/ids.js';
import { RelayClient } from '../client/relay-client.js';
import { Messenger } from '../client/messenger.js';
import { DataPlane } from '../data/data-plane.js';
import type { Identity } from '../crypto/identity.js';
import type { RelayLimits } from '../relay/relay-core.js';
import { RelayServer } from '../relay/server.js';
import { openStore, type Store } from '../store/db.js';
import { loadOrCreateIdentity, type KeyProtector } from './identity.js';
import { isLoopbackHost } from './transport-policy.js';
import { DEFAULT_HOST, DEFAULT_PORT, NodeSettings } from './node-settings.js';
import { Relaying } from './relaying.js';
import { removeUnsharedUploads, uploadsDir } from './data-dirs.js';
import type { Federation } from '../federation/federation.js';

export interface NodeOptions {
  dataDir: string;
  /** overrides the saved listen host (Settings); default 127.0.0.1 */
  host?: string;
  /** overrides the saved listen port (Settings); default 7070 */
  port?: number;
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** allow plain ws:// on a non-loopback address */
  insecure?: boolean;
  publicUrls?: string[];
  limits?: Partial<RelayLimits>;
  /** relays to link to (persisted in the data dir); a pinned ID must answer at that URL */
  peers?: { url: string; pinnedId: Buffer | null }[];
  /** relays allowed to link in (persisted) */
  trust?: Buffer[];
  /** accept links from any relay */
  openFederation?: boolean;
  /** extra CA for wss:// peers */
  ca?: string | Buffer;
  /** overrides the saved relaying policy for this run (--relay-for); a change in the UI replaces it */
  relayPolicy?: RelayPolicyView;
  /** starts with relaying paused for this run (--paused), whatever was saved; resuming saves as usual */
  paused?: boolean;
  /** encrypts the secret key at rest (Electron's safeStorage); plain when absent */
  keyProtector?: KeyProtector;
  log?: (line: string) => void;
}

export type NodeEvents = { [E in keyof ApiEvents]: [ApiEvents[E]] };

/** Where the relay listens this run, and whether a flag (not the saved setting) chose it. */
export interface ListenInfo {
  host: string;
  port: number;
  /** TLS or --insecure this run: a non-loopback address may be saved for the next start */
  mayLeaveLoopback: boolean;
  hostFromFlag: boolean;
  portFromFlag: boolean;
}

export class W2wNode extends EventEmitter<NodeEvents> {
  readonly startedMs = Date.now();
  readonly settings: NodeSettings;
  readonly relaying: Relaying;

  private constructor(
    readonly store: Store,
    readonly identity: Identity,
    readonly relay: RelayServer,
    readonly messenger: Messenger,
    /** shared data: declarations this node serves for good, fetches, remote deletes */
    readonly data: DataPlane,
    readonly listen: ListenInfo,
    settings: NodeSettings,
    relaying: Relaying,
  ) {
    super();
    this.settings = settings;
    this.relaying = relaying;
    relaying.on('change', (v) => this.emit('relaying', v));
    data.on('progress', (p) => this.emit('transfer.progress', p));
    data.on('status', (s) => this.emit('delete.status', s));
    data.on('deleted', (d) => this.emit('data.deleted', { contentHash: d.contentHash, owner: d.owner }));
    messenger.on('message', (m) => this.emit('message', m));
    messenger.on('status', (s) => this.emit('message.status', s));
    messenger.client.on('presence', (p) => this.emit('presence', { id: idToText(p.id), online: p.online, timeMs: p.timeMs }));
    messenger.client.on('notice', (text) => this.emit('notice', { text }));
  }

  get dataDir(): string {
    return path.dirname(this.store.path);
  }

  get id(): string {
    return idToText(this.identity.publicKey);
  }

  get url(): string {
    return this.relay.url;
  }

  get client(): RelayClient {
    return this.messenger.client;
  }

  static async start(opts: NodeOptions): Promise<W2wNode> {
    const store = openStore(opts.dataDir);
    let relay: RelayServer | null = null;
    try {
      const settings = new NodeSettings(store.settings);
      settings.overrideForRun({ policy: opts.relayPolicy, paused: opts.paused });
      // A flag beats the saved setting, which beats the default.
      const host = opts.host ?? settings.savedHost ?? DEFAULT_HOST;
      const port = opts.port ?? settings.savedPort ?? DEFAULT_PORT;
      if (!opts.tls && !opts.insecure && !isLoopbackHost(host)) {
        throw new Error(`Listening on ${host} with plain ws:// would expose unencrypted traffic; give --tls-cert and --tls-key, or --insecure if a TLS proxy sits in front.`);
      }
      const identity = loadOrCreateIdentity(store, opts.keyProtector);
      relay = new RelayServer({
        identity,
        stores: { nodeList: store.nodeList, groups: store.groups, directory: store.directory },
        host,
        port,
        tls: opts.tls,
        limits: opts.limits,
        publicUrls: opts.publicUrls,
        federation: { links: store.links, stored: store.storedMessages, openFederation: opts.openFederation ?? false, ca: opts.ca },
        log: opts.log,
      });
      const federation = relay.core.federation as Federation;
      for (const id of opts.trust ?? []) federation.trust(id);
      // Admission is decided before the first client can register.
      const relaying = new Relaying(relay.core, settings, store.peers, identity.publicKey);
      await relay.start();
      for (const p of opts.peers ?? []) federation.addPeer(p.url, p.pinnedId);
      // The node's own client dials its relay on loopback; the relay is pinned by its Ed25519 ID, so the
      // certificate's host name (made for the public name) need not match 127.0.0.1.
      const loopHost = isLoopbackHost(host) ? host : host.includes(':') ? '::1' : '127.0.0.1';
      const h = loopHost.includes(':') ? `[${loopHost}]` : loopHost;
      const localUrl = `${opts.tls ? 'wss' : 'ws'}://${h}:${relay.port}/`;
      const client = await RelayClient.connect({
        url: localUrl,
        identity,
        expectedRelayId: identity.publicKey,
        rejectUnauthorized: false,
        // With --public-url the relay accepts only bindings naming a public URL, and the loopback one is not.
        binding: opts.publicUrls?.[0] ?? localUrl,
      });
      const messenger = new Messenger(client, store);
      // Same tick as the messenger's secure channel, so requests kept for this node reach the data plane.
      const data = new DataPlane(messenger.secure, store, { publish: true });
      const swept = removeUnsharedUploads(opts.dataDir, store.servedFiles.list().map((f) => f.path));
      if (swept.removed > 0) opts.log?.(`removed ${swept.removed} staged upload(s) that no shared file uses`);
      if (swept.failed > 0) opts.log?.(`could not remove ${swept.failed} staged upload(s) that no shared file uses (see ${uploadsDir(opts.dataDir)})`);
      const listen: ListenInfo = { host, port: relay.port, mayLeaveLoopback: Boolean(opts.tls) || Boolean(opts.insecure), hostFromFlag: opts.host !== undefined, portFromFlag: opts.port !== undefined };
      return new W2wNode(store, identity, relay, messenger, data, listen, settings, relaying);
    } catch (err) {
      await relay?.close();
      store.close();
      throw err;
    }
  }

  async stop(): Promise<void> {
    this.data.close();
    await this.messenger.client.close();
    await this.relay.close();
    this.store.close();
  }
}
