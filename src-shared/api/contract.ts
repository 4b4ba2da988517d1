// The one typed API of a w2w node (methods + events). The CLI, the Electron IPC and the web bridge
// all reach the node through this contract; values are plain JSON (IDs in their text form).

export interface ErrorView {
  /** stable numeric code from src-shared/protocol/errors.ts */
  code: number;
  /** its name, e.g. "RECIPIENT_OFFLINE" */
  name: string;
  message: string;
  /** with code TRANSFER_FAILED (600): the TransferCode's name (src-shared/protocol/transfer.ts), e.g. "NOT_ALLOWED" */
  transfer?: string;
}

/** Every method answers with this envelope; transports never throw across the boundary. */
export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: ErrorView };

export interface IdentityView {
  /** this node's ID (text form) */
  id: string;
}

export interface NodeStatusView {
  id: string;
  relayUrl: string;
  startedMs: number;
  connections: number;
  registered: number;
  messagesRouted: number;
  deliveries: number;
  bytesForwarded: number;
  /** relay links that are up */
  linksUp: number;
  relaying: RelayingView;
  errors: Record<string, number>;
}

/**
 * Who may register on this node's relay: anyone, the owner's friends (IDs in its peers list), or only
 * the node itself. Links between relays are governed by the trusted relays instead.
 */
export type RelayPolicyView = 'anyone' | 'friends' | 'self';

export interface RelayingView {
  policy: RelayPolicyView;
  /** while paused only this node's own ID is relayed, whatever the policy */
  paused: boolean;
}

/** How one ID uses this node's relay (sessions now, plus the totals of sessions that closed). */
export interface PeerUsageView {
  id: string;
  online: boolean;
  sessions: number;
  connectedSinceMs: number | null;
  lastSeenMs: number | null;
  /** messages (and their bytes) this ID sent through the relay */
  msgsIn: number;
  bytesIn: number;
  /** messages (and their bytes) the relay delivered to this ID */
  msgsOut: number;
  bytesOut: number;
  /** this node's own ID */
  self: boolean;
  /** in this node's peers list */
  friend: boolean;
}

export interface SettingsView {
  listen: {
    /** where the relay listens now */
    host: string;
    port: number;
    /** what the next start uses unless a flag overrides it; null: the default */
    savedHost: string | null;
    savedPort: number | null;
    /** given on the command line this time (--host / --port): a flag beats the saved value */
    hostFromFlag: boolean;
    portFromFlag: boolean;
  };
  relaying: RelayingView;
  /**
   * Set on the command line for this run (--relay-for, --paused) and not changed since: such a flag
   * beats the saved value until the owner changes the setting here, which saves it and applies it.
   */
  relayingFlags: { policy: RelayPolicyView | null; paused: boolean };
  /** what the next start uses without those flags */
  savedRelaying: RelayingView;
  /** relays this node dials (saved; the live state is links.list) */
  links: { url: string; relayId: string | null }[];
  /** relays allowed to link in */
  trusted: string[];
  /** any relay may link in (--open-federation), so the trust list is not consulted */
  openFederation: boolean;
}

export interface SettingsChange {
  /** null forgets the saved value */
  listenHost?: string | null;
  listenPort?: number | null;
  relayPolicy?: RelayPolicyView;
}

export interface PeerView {
  id: string;
  nickname: string | null;
  online: boolean;
  lastSeenMs: number | null;
}

export type MessageTargetView =
  | { kind: 'self' }
  | { kind: 'peer'; id: string }
  | { kind: 'list'; ids: string[] }
  | { kind: 'group'; name: string }
  | { kind: 'all' };

export type MessageStatusView = 'pending' | 'sent' | 'stored' | 'delivered' | 'failed' | 'received';

export interface MessageView {
  /** 32 hex digits */
  msgId: string;
  direction: 'in' | 'out';
  route: 'a2a' | 'a2b' | 'a2g' | 'group' | 'a2n';
  /** sender for incoming, addressee of a direct message for outgoing */
  peer: string | null;
  group: string | null;
  recipients: string[] | null;
  text: string;
  status: MessageStatusView;
  errorCode: number | null;
  createdMs: number;
}

export interface SendResultView {
  msgId: string;
  status: MessageStatusView;
  /** recipients reached on the first relay */
  delivered: number;
  /** recipients passed on to other relays (status updates follow as message.status events) */
  forwarded: number;
  /** offline recipients whose copy a relay keeps until they return */
  stored: number;
  missed: { id: string; code: number; name: string }[];
}

export interface GroupView {
  name: string;
  owner: string;
  members: string[];
}

export interface PresenceView {
  id: string;
  online: boolean;
  timeMs: number;
}

export interface LinkView {
  /** the other relay's ID; null until a dialled link has connected once */
  relayId: string | null;
  url: string;
  outbound: boolean;
  up: boolean;
  rttMs: number;
  routes: number;
  lastError: string | null;
}

export interface RouteView {
  kind: 'none' | 'local' | 'remote' | 'home-only';
  /** relay IDs from the destination's home relay to this node's neighbour */
  path: string[];
}

export type AccessView = { kind: 'public' } | { kind: 'peers'; peers: string[] } | { kind: 'group'; group: string };

/** A verified declaration: who holds what, owned by whom, fetchable by whom. */
export interface DeclarationView {
  contentHash: string;
  name: string;
  mime: string;
  size: number;
  owner: string;
  holder: string;
  access: AccessView;
  reshare: boolean;
  createdMs: number;
}

export interface SharedFileView {
  contentHash: string;
  name: string;
  mime: string;
  size: number;
  path: string;
  owner: string;
  access: 'public' | 'peers' | 'group';
  reshare: boolean;
  state: 'serving' | 'stopped';
  stopReason: string | null;
  fetchers: number;
}

export interface TransferProgressView {
  contentHash: string;
  bytes: number;
  total: number;
  bytesPerSec: number;
  etaMs: number | null;
}

/**
 * A fetch this node made or began (data.downloads): finished copies, and interrupted fetches whose
 * verified chunks are kept so that data.resume goes on where they stopped.
 */
export interface DownloadView {
  contentHash: string;
  /** the name the owner declared it under */
  name: string;
  /** the file's name on this node (in the downloads dir when `inDownloads`) */
  fileName: string;
  /** where the node writes (or wrote) it */
  path: string;
  size: number;
  mime: string;
  owner: string;
  /** fetching: running now; partial: interrupted, resumable; complete: finished */
  state: 'fetching' | 'partial' | 'complete';
  /** verified bytes so far (the size once complete) */
  bytes: number;
  /** the file (for a partial fetch: its part file) is still on disk */
  onDisk: boolean;
  /** in the node's downloads dir, so the headless UI can offer it for saving (GET /files/download) */
  inDownloads: boolean;
  startedMs: number;
  /** when it finished; null while not complete */
  finishedMs: number | null;
}

export interface DeleteStatusView {
  holder: string;
  status: 'pending' | 'deleted' | 'refused' | 'not-held';
  error: string | null;
}

/** One content this node asked its holders to delete, with each holder's answer so far. */
export interface DeleteRequestView {
  contentHash: string;
  /** when the latest request went out */
  requestedMs: number;
  holders: DeleteStatusView[];
}

export interface HistoryQuery {
  peer?: string;
  group?: string;
  limit?: number;
}

/** Method name -> [params, result]. */
export interface ApiMethods {
  'identity.get': [Record<string, never>, IdentityView];
  'node.status': [Record<string, never>, NodeStatusView];
  'node.usage': [Record<string, never>, PeerUsageView[]];
  'relaying.set': [{ paused: boolean }, RelayingView];
  'settings.get': [Record<string, never>, SettingsView];
  'settings.set': [SettingsChange, SettingsView];
  'trust.add': [{ relayId: string }, SettingsView];
  'trust.remove': [{ relayId: string }, SettingsView];
  'peers.list': [Record<string, never>, PeerView[]];
  'peers.add': [{ id: string; nickname?: string | null }, PeerView];
  'peers.remove': [{ id: string }, boolean];
  'messages.send': [{ to: MessageTargetView; text: string; store?: boolean }, SendResultView];
  'messages.history': [HistoryQuery, MessageView[]];
  'groups.list': [Record<string, never>, GroupView[]];
  'groups.create': [{ name: string }, GroupView];
  'groups.add': [{ name: string; members: string[] }, GroupView];
  'groups.remove': [{ name: string; members: string[] }, GroupView | null];
  'groups.delete': [{ name: string }, boolean];
  'links.list': [Record<string, never>, LinkView[]];
  /** url may pin the relay itself ("URL#RELAY_ID", as `--peer` takes it); a relayId given too must name the same relay */
  'links.add': [{ url: string; relayId?: string | null }, LinkView[]];
  'links.remove': [{ url: string }, LinkView[]];
  'routes.get': [{ id: string }, RouteView];
  'data.share': [{ path: string; access: AccessView; reshare?: boolean; name?: string }, DeclarationView];
  'data.shared': [Record<string, never>, SharedFileView[]];
  'data.declarations': [{ peer?: string; hash?: string }, DeclarationView[]];
  /**
   * owner: fetch only that owner's declaration of the content (the one the user picked): anyone may declare
   * a known content hash under its own name, and the declaration fetched is the one allowed to delete the copy.
   * from: fetch only from that holder (an ID), as the CLI's --from
   */
  'data.fetch': [{ hash: string; out: string; from?: string; owner?: string }, { path: string; size: number }];
  'data.downloads': [Record<string, never>, DownloadView[]];
  'data.resume': [{ hash: string }, { path: string; size: number }];
  /** forgets an interrupted fetch (not a running or finished one) and removes its part file; answers with data.downloads */
  'data.discard': [{ hash: string }, DownloadView[]];
  'data.delete': [{ hash: string; waitMs?: number }, DeleteStatusView[]];
  'data.deleteStatus': [{ hash: string }, DeleteStatusView[]];
  'data.deletes': [{ limit?: number }, DeleteRequestView[]];
}

export type ApiMethod = keyof ApiMethods;
export type ApiParams<M extends ApiMethod> = ApiMethods[M][0];
export type ApiReturn<M extends ApiMethod> = ApiMethods[M][1];

/** Event name -> payload. */
export interface ApiEvents {
  message: MessageView;
  'message.status': { msgId: string; status: MessageStatusView; errorCode: number | null };
  presence: PresenceView;
  notice: { text: string };
  'transfer.progress': TransferProgressView;
  'delete.status': { contentHash: string; holder: string; status: DeleteStatusView['status']; error: string | null };
  /** this node deleted its copy of someone's content at the owner's signed request */
  'data.deleted': { contentHash: string; owner: string };
  /** the relaying policy or pause switch changed (from any window, the tray or the CLI) */
  relaying: RelayingView;
}

export type ApiEvent = keyof ApiEvents;

/** What a transport (IPC, web bridge) needs from the node: call by name, subscribe to all events. */
export interface NodeApi {
  call<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResult<ApiReturn<M>>>;
  on<E extends ApiEvent>(event: E, listener: (payload: ApiEvents[E]) => void): () => void;
}

export const API_METHODS: readonly ApiMethod[] = [
  'identity.get',
  'node.status',
  'node.usage',
  'relaying.set',
  'settings.get',
  'settings.set',
  'trust.add',
  'trust.remove',
  'peers.list',
  'peers.add',
  'peers.remove',
  'messages.send',
  'messages.history',
  'groups.list',
  'groups.create',
  'groups.add',
  'groups.remove',
  'groups.delete',
  'links.list',
  'links.add',
  'links.remove',
  'routes.get',
  'data.share',
  'data.shared',
  'data.declarations',
  'data.fetch',
  'data.downloads',
  'data.resume',
  'data.discard',
  'data.delete',
  'data.deleteStatus',
  'data.deletes',
];
