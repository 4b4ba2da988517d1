// The whole UI's state, built once per page over one transport: every feature's rune class, the event
// subscriptions that keep them current, and a reload of everything after the connection comes back.
import { untrack } from 'svelte';
import type { ErrorView } from '../../../../src-shared/api/contract.js';
import type { I18n, KeyValueStorage } from '../i18n/i18n.svelte.js';
import type { ConnectionState, Transport } from '../api/transport.js';
import { DeletesState } from './deletes.svelte.js';
import { GroupsState } from './groups.svelte.js';
import { MessagesState, type ThreadKey } from './messages.svelte.js';
import { NavState } from './nav.svelte.js';
import { NodeState } from './node.svelte.js';
import { PeersState } from './peers.svelte.js';
import { SharedState } from './shared.svelte.js';
import { SettingsState } from './settings.svelte.js';
import { ToastsState } from './toasts.svelte.js';

export interface AppOptions {
  transport: Transport;
  i18n: I18n;
  initialHash: string;
  setHash: (hash: string) => void;
  /** the page's localStorage (names of shared contents are remembered there); none in tests */
  storage?: KeyValueStorage | null;
}

export class AppState {
  readonly transport: Transport;
  readonly i18n: I18n;
  readonly nav: NavState;
  readonly node: NodeState;
  readonly peers: PeersState;
  readonly groups: GroupsState;
  readonly messages: MessagesState;
  readonly shared: SharedState;
  readonly deletes: DeletesState;
  readonly settings: SettingsState;
  readonly toasts = new ToastsState();
  connection = $state<ConnectionState>('connecting');
  readonly #off: (() => void)[] = [];

  constructor(opts: AppOptions) {
    this.transport = opts.transport;
    this.i18n = opts.i18n;
    this.nav = new NavState(opts.initialHash, opts.setHash);
    this.node = new NodeState(opts.transport);
    this.peers = new PeersState(opts.transport);
    this.groups = new GroupsState(opts.transport);
    this.messages = new MessagesState(opts.transport);
    this.shared = new SharedState(opts.transport, opts.storage ?? null);
    this.deletes = new DeletesState(opts.transport);
    this.settings = new SettingsState(opts.transport);
    this.connection = opts.transport.state;
  }

  /** Subscribes to the node's events and loads the first data; call once. */
  start(): void {
    const t = this.transport;
    this.#off.push(
      t.on('message', (m) => this.messages.apply(m)),
      t.on('message.status', (s) => this.messages.applyStatus(s)),
      t.on('presence', (p) => this.peers.applyPresence(p)),
      t.on('notice', (n) => this.toasts.push('info', n.text)),
      t.on('transfer.progress', (p) => this.shared.applyProgress(p)),
      t.on('delete.status', (d) => this.deletes.applyStatus(d)),
      t.on('data.deleted', (d) => {
        this.shared.applyDeleted(d);
        const name = this.shared.nameOf(d.contentHash);
        this.toasts.push('info', this.i18n.t('shared.deletedNotice', { name: name ?? d.contentHash.slice(0, 12) }));
      }),
      t.on('relaying', (v) => {
        this.node.applyRelaying(v);
        if (this.settings.view) {
          this.settings.view = { ...this.settings.view, relaying: v };
          // A change ends a --relay-for/--paused override of this run: read which flags still hold.
          if (this.settings.view.relayingFlags.policy !== null || this.settings.view.relayingFlags.paused) void this.settings.load();
        }
      }),
      t.onState((s) => {
        const reopened = s === 'open' && this.connection !== 'open';
        this.connection = s;
        if (reopened) void this.refresh();
      }),
    );
    void this.refresh();
  }

  stop(): void {
    for (const off of this.#off.splice(0)) off();
    this.transport.close();
  }

  /** Reloads what every view shows (on start and after a reconnect: events may have been missed). */
  async refresh(): Promise<void> {
    const errors = await Promise.all([
      this.node.loadIdentity(),
      this.peers.load(),
      this.groups.load(),
      this.messages.loadRecent(),
      this.shared.loadMine(),
      this.shared.loadDownloads(),
      this.deletes.load(),
    ]);
    this.messages.myId = this.node.myId;
    errors.push(await this.loadDeclarations());
    const active = this.messages.active;
    if (active) errors.push(await this.messages.load(active));
    const first = errors.find((e): e is ErrorView => e !== null);
    if (first && first.name !== 'NOT_CONNECTED') this.report(first);
  }

  /** Peers' declarations: what each peer in the address book holds. */
  loadDeclarations(): Promise<ErrorView | null> {
    return this.shared.loadDeclarations(this.peers.list.map((p) => p.id));
  }

  /**
   * A view shows a thread: it becomes the active one (its incoming messages count as read) and its
   * history loads. Returns the cleanup for the view's $effect. Untracked, so the caller's effect
   * re-runs only when the thread key changes.
   */
  openThread(key: ThreadKey): () => void {
    return untrack(() => {
      this.messages.active = key;
      this.messages.markRead(key);
      void this.messages.load(key).then((e) => e && e.name !== 'NOT_CONNECTED' && this.report(e));
      return () => {
        if (this.messages.active === key) this.messages.active = null;
      };
    });
  }

  /** Shows an error from the node as a toast. */
  report(error: ErrorView): void {
    this.toasts.push('error', this.i18n.t('common.error', { message: `${error.name}: ${error.message}` }));
  }
}
