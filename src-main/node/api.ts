// The node's implementation of the API contract: validates every parameter (they may come from a
// renderer or a browser), dispatches to the node, and wraps every outcome in the Result envelope.
import {
  API_METHODS,
  type ApiEvent,
  type ApiEvents,
  type ApiMethod,
  type ApiMethods,
  type ApiResult,
  type AccessView,
  type DeclarationView,
  type GroupView,
  type LinkView,
  type MessageTargetView,
  type NodeApi,
  type PeerView,
  type SettingsView,
} from '../../src-shared/api/contract.js';
import { isPort, isRelayPolicy, listenHostProblem } from './node-settings.js';
import fs from 'node:fs';
import path from 'node:path';
import { DeclQueryBy, Op } from '../../src-shared/protocol/constants.js';
import { Access, DeclFlag, decodeHolding, type AccessRule, type Holding } from '../../src-shared/protocol/declaration.js';
import { verifyHolding } from '../data/declare.js';
import { findHoldings } from '../data/directory-client.js';
import { TransferError } from '../data/transfer-error.js';
import { PART_SUFFIX } from '../data/fetch-job.js';
import { isSafeFileName } from '../../src-shared/file-name.js';
import { TransferCode, transferCodeName } from '../../src-shared/protocol/transfer.js';
import { ErrorCode, W2wError, errorName } from '../../src-shared/protocol/errors.js';
import { groupNameProblem } from '../../src-shared/protocol/frames.js';
import type { GroupEntry } from '../../src-shared/protocol/frames.js';
import { bytesEqual, fromHex, idToText, parseRelayAddress, toHex } from '../../src-shared/ids.js';
import { messageView, requireId } from '../client/messenger.js';
import { idKey } from '../relay/id-key.js';
import type { W2wNode } from './node.js';
import type { Federation } from '../federation/federation.js';
import { isLoopbackHost, plainTransportProblem } from './transport-policy.js';
import { downloadsDir, isStagedUpload } from './data-dirs.js';
import { listDownloads } from './downloads.js';

type Handlers = { [M in ApiMethod]: (params: unknown) => Promise<ApiMethods[M][1]> | ApiMethods[M][1] };

const MAX_TEXT_CHARS = 60_000;

function bad(message: string): W2wError {
  return new W2wError(ErrorCode.BAD_REQUEST, message);
}

function record(params: unknown): Record<string, unknown> {
  if (params === undefined || params === null) return {};
  if (typeof params !== 'object' || Array.isArray(params)) throw bad('parameters must be an object');
  return params as Record<string, unknown>;
}

function str(p: Record<string, unknown>, key: string, max = 1024): string {
  const v = p[key];
  if (typeof v !== 'string' || v.length === 0 || v.length > max) throw bad(`"${key}" must be a non-empty string of at most ${max} characters`);
  return v;
}

/** An optional integer parameter within [min, max], `fallback` when absent. */
function intIn(p: Record<string, unknown>, key: string, fallback: number, min: number, max: number): number {
  const v = p[key] ?? fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw bad(`"${key}" must be an integer ${min}..${max}`);
  return v;
}

function strList(p: Record<string, unknown>, key: string, maxItems: number): string[] {
  const v = p[key];
  if (!Array.isArray(v) || v.length === 0 || v.length > maxItems || !v.every((x) => typeof x === 'string')) {
    throw bad(`"${key}" must be a list of 1..${maxItems} strings`);
  }
  return v as string[];
}

function groupName(p: Record<string, unknown>): string {
  const name = str(p, 'name', 64);
  const problem = groupNameProblem(name);
  if (problem) throw bad(problem);
  return name;
}

function target(v: unknown): MessageTargetView {
  const t = record(v);
  switch (t.kind) {
    case 'self':
    case 'all':
      return { kind: t.kind };
    case 'peer':
      return { kind: 'peer', id: str(t, 'id', 100) };
    case 'list':
      return { kind: 'list', ids: strList(t, 'ids', 64) };
    case 'group':
      return { kind: 'group', name: groupName(t) };
    default:
      throw bad('"to.kind" must be one of self, peer, list, group, all');
  }
}

function hashParam(v: unknown): Buffer {
  const h = typeof v === 'string' ? fromHex(v) : null;
  if (!h || h.byteLength !== 32) throw bad('"hash" must be 64 hex digits');
  return Buffer.from(h);
}

function accessRule(v: unknown, relayId: Uint8Array): AccessRule {
  const a = record(v);
  switch (a.kind) {
    case 'public':
      return { kind: Access.PUBLIC };
    case 'peers':
      return { kind: Access.PEERS, peers: strList(a, 'peers', 64).map(requireId) };
    case 'group':
      return { kind: Access.GROUP, group: groupName({ name: a.group }), groupRelay: relayId };
    default:
      throw bad('"access.kind" must be public, peers or group');
  }
}

function accessView(a: AccessRule): AccessView {
  if (a.kind === Access.PUBLIC) return { kind: 'public' };
  if (a.kind === Access.PEERS) return { kind: 'peers', peers: a.peers.map(idToText) };
  return { kind: 'group', group: a.group };
}

function declarationView(h: Holding): DeclarationView {
  const c = h.core;
  return {
    contentHash: toHex(c.contentHash),
    name: c.name,
    mime: c.mime,
    size: c.size,
    owner: idToText(c.owner),
    holder: idToText(h.holder),
    access: accessView(c.access),
    reshare: (c.flags & DeclFlag.RESHARE) !== 0,
    createdMs: c.createdMs,
  };
}

/** Two holdings of one owner's declaration with one chunk layout (what a resumed fetch may continue with). */
function sameDeclaration(a: Holding, b: Holding): boolean {
  const x = a.core;
  const y = b.core;
  return bytesEqual(x.owner, y.owner) && bytesEqual(x.treeRoot, y.treeRoot) && x.size === y.size && x.chunkSize === y.chunkSize;
}

function groupView(g: GroupEntry): GroupView {
  return { name: g.name, owner: idToText(g.owner), members: g.members.map(idToText) };
}

export function createNodeApi(node: W2wNode): NodeApi {
  const store = node.store;
  const client = () => node.client;
  const core = node.relay.core;

  const peerView = (id: Buffer): PeerView => {
    const p = store.peers.get(id);
    return { id: idToText(id), nickname: p?.nickname ?? null, online: core.isReachable(idKey(id)), lastSeenMs: p?.lastSeenMs ?? null };
  };

  const federation = (): Federation => {
    if (!core.federation) throw new W2wError(ErrorCode.BAD_REQUEST, 'this node runs without federation');
    return core.federation;
  };
  const linkViews = (): LinkView[] =>
    federation().linkInfo().map((l) => ({
      relayId: l.relayId.some((b) => b !== 0) ? idToText(l.relayId) : null,
      url: l.url,
      outbound: l.outbound,
      up: l.up,
      rttMs: l.rttMs,
      routes: l.routes,
      lastError: l.lastError,
    }));

  const settingsView = (): SettingsView => ({
    listen: { host: node.listen.host, port: node.listen.port, hostFromFlag: node.listen.hostFromFlag, portFromFlag: node.listen.portFromFlag, savedHost: node.settings.savedHost, savedPort: node.settings.savedPort },
    relaying: node.relaying.view,
    relayingFlags: { policy: node.settings.policyFromFlag, paused: node.settings.pausedFromFlag },
    savedRelaying: { policy: node.settings.savedPolicy, paused: node.settings.savedPaused },
    links: store.links.links().map((l) => ({ url: l.url, relayId: l.pinnedId ? idToText(l.pinnedId) : null })),
    trusted: store.links.trusted().map(idToText),
    openFederation: core.federation?.openFederation ?? false,
  });

  const listGroups = async (): Promise<GroupView[]> => (await client().request({ op: Op.GROUP_LIST })).groups.map(groupView);
  const findGroup = async (name: string): Promise<GroupView | null> => (await listGroups()).find((g) => g.name === name) ?? null;

  // One fetch per content at a time: a second one (a double click, another window) is the caller's mistake.
  // One fetch per output path too: two contents fetched under one name would share one part file.
  const fetchingInto = new Set<string>();
  const fetchOnce = async (hash: Buffer, out: string, from?: Holding[], owner?: Buffer): Promise<{ path: string; size: number }> => {
    const busy = (): W2wError => bad('that content is being fetched already');
    if (node.data.fetcher.isFetching(hash)) throw busy();
    if (fetchingInto.has(out)) throw bad(`another download is being saved as "${path.basename(out)}"; wait for it or fetch under another name`);
    fetchingInto.add(out);
    try {
      const res = await node.data.fetch(hash, { out, from, owner });
      return { path: res.path, size: res.size };
    } catch (err) {
      // The data plane refuses a second job with a plain Error; a job running now tells that case apart.
      if (!(err instanceof TransferError) && node.data.fetcher.isFetching(hash)) throw busy();
      throw err;
    } finally {
      fetchingInto.delete(out);
    }
  };

  const handlers: Handlers = {
    'identity.get': () => ({ id: node.id }),
    'node.status': () => {
      const s = core.snapshot();
      return {
        id: node.id,
        relayUrl: node.url,
        startedMs: node.startedMs,
        connections: s.connections,
        registered: s.registered,
        messagesRouted: s.messagesRouted,
        deliveries: s.deliveries,
        bytesForwarded: s.bytesForwarded,
        linksUp: core.federation ? core.federation.linkInfo().filter((l) => l.up).length : 0,
        relaying: node.relaying.view,
        errors: s.errors,
      };
    },
    'node.usage': () => {
      const own = node.identity.publicKey;
      // PeerUsage is PeerUsageView with a binary ID and without the two facts only the node knows.
      return core.usage().map((u) => ({ ...u, id: idToText(u.id), self: u.id.equals(own), friend: store.peers.get(u.id) !== null }));
    },
    'relaying.set': (params) => {
      const paused = record(params).paused;
      if (typeof paused !== 'boolean') throw bad('"paused" must be a boolean');
      return node.relaying.setPaused(paused);
    },
    'settings.get': () => settingsView(),
    'settings.set': (params) => {
      const p = record(params);
      for (const k of Object.keys(p)) if (k !== 'listenHost' && k !== 'listenPort' && k !== 'relayPolicy') throw bad(`unknown setting "${k.slice(0, 40)}"`);
      const host = p.listenHost;
      if (host !== undefined && host !== null) {
        if (typeof host !== 'string' || host.length === 0 || host.length > 255) throw bad('"listenHost" must be a host name or IP address (at most 255 characters), or null');
        const problem = listenHostProblem(host);
        if (problem) throw bad(problem);
        // Saving it would make the next start refuse to run (plain ws:// off loopback), locking the owner out.
        if (!isLoopbackHost(host) && !node.listen.mayLeaveLoopback) {
          throw bad(`listening on ${host} needs TLS (--tls-cert and --tls-key) or --insecure behind a TLS proxy; this node runs without either`);
        }
      }
      const port = p.listenPort;
      if (port !== undefined && port !== null && !isPort(port)) throw bad('"listenPort" must be an integer 0..65535, or null');
      if (p.relayPolicy !== undefined && !isRelayPolicy(p.relayPolicy)) throw bad('"relayPolicy" must be anyone, friends or self');
      node.settings.setListen(host as string | null | undefined, port as number | null | undefined);
      if (p.relayPolicy !== undefined) node.relaying.setPolicy(p.relayPolicy);
      return settingsView();
    },
    'trust.add': (params) => {
      federation().trust(requireId(str(record(params), 'relayId', 100)));
      return settingsView();
    },
    'trust.remove': (params) => {
      federation().untrust(requireId(str(record(params), 'relayId', 100)));
      return settingsView();
    },
    'peers.list': () => store.peers.list().map((p) => peerView(p.id)),
    'peers.add': async (params) => {
      const p = record(params);
      const id = requireId(str(p, 'id', 100));
      const nick = p.nickname;
      if (nick !== undefined && nick !== null && (typeof nick !== 'string' || nick.length > 64)) throw bad('"nickname" must be a string of at most 64 characters');
      store.peers.upsert(id, { nickname: nick === undefined ? undefined : (nick as string | null) });
      await client().request({ op: Op.WATCH, ids: [id] });
      return peerView(id);
    },
    'peers.remove': (params) => {
      const removed = store.peers.remove(requireId(str(record(params), 'id', 100)));
      if (removed) node.relaying.friendRemoved();
      return removed;
    },
    'messages.send': async (params) => {
      const p = record(params);
      const text = p.text;
      if (typeof text !== 'string' || text.length === 0 || text.length > MAX_TEXT_CHARS) throw bad(`"text" must be 1..${MAX_TEXT_CHARS} characters`);
      if (p.store !== undefined && typeof p.store !== 'boolean') throw bad('"store" must be a boolean');
      return node.messenger.send(target(p.to), text, { store: p.store as boolean | undefined });
    },
    'messages.history': (params) => {
      const p = record(params);
      const limit = intIn(p, 'limit', 100, 1, 1000);
      if (p.peer !== undefined) return store.messages.conversation(requireId(str(p, 'peer', 100)), { limit }).map(messageView);
      if (p.group !== undefined) return store.messages.group(groupName({ name: p.group }), { limit }).map(messageView);
      return store.messages.recent(limit).map(messageView);
    },
    'groups.list': () => listGroups(),
    'groups.create': async (params) => {
      const name = groupName(record(params));
      await client().request({ op: Op.GROUP_CREATE, name });
      return { name, owner: node.id, members: [node.id] };
    },
    'groups.add': async (params) => {
      const p = record(params);
      const name = groupName(p);
      await client().request({ op: Op.GROUP_ADD, name, members: strList(p, 'members', 64).map(requireId) });
      return (await findGroup(name)) as GroupView;
    },
    'groups.remove': async (params) => {
      const p = record(params);
      const name = groupName(p);
      await client().request({ op: Op.GROUP_REMOVE, name, members: strList(p, 'members', 64).map(requireId) });
      return findGroup(name);
    },
    'groups.delete': async (params) => {
      await client().request({ op: Op.GROUP_DELETE, name: groupName(record(params)) });
      return true;
    },
    'links.list': () => linkViews(),
    'links.add': (params) => {
      const p = record(params);
      // The URL may carry the pin itself ("URL#RELAY_ID", as --peer takes it); then relayId must agree.
      const address = parseRelayAddress(str(p, 'url', 1024));
      if (!address.ok) throw bad(`the relay ID after "#" is not valid: ${address.reason}`);
      const problem = plainTransportProblem(address.url, false);
      if (problem) throw bad(problem);
      const given = p.relayId === undefined || p.relayId === null ? null : requireId(str(p, 'relayId', 100));
      if (given && address.pinned && !bytesEqual(given, address.pinned)) throw bad('the URL and relayId name two different relay IDs');
      federation().addPeer(address.url, given ?? (address.pinned && Buffer.from(address.pinned)));
      return linkViews();
    },
    'links.remove': (params) => {
      const url = str(record(params), 'url', 1024);
      if (!federation().removePeer(url)) throw bad(`no relay link to ${url.slice(0, 200)} is configured`);
      return linkViews();
    },
    'data.share': async (params) => {
      const p = record(params);
      const file = str(p, 'path', 4096);
      if (!path.isAbsolute(file)) throw bad('"path" must be an absolute path on this node');
      const reshare = p.reshare === undefined ? false : p.reshare;
      if (typeof reshare !== 'boolean') throw bad('"reshare" must be a boolean');
      const name = p.name === undefined ? undefined : str(p, 'name', 255);
      try {
        const holding = await node.data.share(file, { access: accessRule(p.access, node.client.relayId), reshare, name });
        return declarationView(holding);
      } catch (err) {
        // A copy the browser uploaded only to be shared is of no use to anyone once sharing failed.
        if (isStagedUpload(node.dataDir, file) && !node.data.list().some((f) => f.path === path.resolve(file))) await fs.promises.rm(file, { force: true });
        throw err;
      }
    },
    'data.shared': () => node.data.list(),
    'data.declarations': async (params) => {
      const p = record(params);
      const by = p.hash !== undefined ? DeclQueryBy.HASH : DeclQueryBy.HOLDER;
      const key = p.hash !== undefined ? hashParam(p.hash) : p.peer !== undefined ? requireId(str(p, 'peer', 100)) : node.identity.publicKey;
      const { holdings } = await client().request({ op: Op.DECL_QUERY, by, key });
      return holdings.flatMap((b) => {
        const d = decodeHolding(b);
        return d.ok && verifyHolding(d.holding).ok ? [declarationView(d.holding)] : [];
      });
    },
    'data.fetch': async (params) => {
      const p = record(params);
      const name = str(p, 'out', 255);
      // A browser or renderer names the file, never a path: downloads land in the data dir.
      if (!isSafeFileName(name)) throw bad('"out" must be a bare file name (no directories, control or reserved characters)');
      const dir = downloadsDir(node.dataDir);
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      const out = path.join(dir, name);
      const hash = hashParam(p.hash);
      const owner = p.owner === undefined ? undefined : requireId(str(p, 'owner', 100));
      const holder = p.from === undefined ? undefined : requireId(str(p, 'from', 100));
      // The caller's choice of name, not the node's fault: say so before any transfer starts.
      if (fs.existsSync(out)) throw bad(`a file named "${name}" is already in the downloads; remove it or fetch under another name`);
      // The part file of an interrupted fetch of other content under that name: fetching into it would
      // destroy what that fetch verified (its own content's part file is resumed from, as usual).
      if (fs.existsSync(out + PART_SUFFIX) && store.fetches.get(hash)?.outPath !== out) {
        throw bad(`an interrupted download of other content is saved as "${name}"; resume or remove it, or fetch under another name`);
      }
      if (!holder) return fetchOnce(hash, out, undefined, owner);
      // Only from that holder, as the CLI's --from: an empty list would make the data plane ask anyone.
      const from = (await findHoldings(client(), hash)).filter((h) => bytesEqual(h.holder, holder));
      if (from.length === 0) throw new TransferError(TransferCode.NO_HOLDER, `the directory lists no holding of that content by ${idToText(holder)}`);
      return fetchOnce(hash, out, from, owner);
    },
    'data.downloads': () => listDownloads(store.fetches, node.dataDir, (h) => node.data.fetcher.isFetching(h)),
    'data.resume': async (params) => {
      const hash = hashParam(record(params).hash);
      const rec = store.fetches.get(hash);
      if (!rec || rec.state !== 'partial') throw bad('there is no interrupted fetch of that content to resume');
      const d = decodeHolding(rec.holding);
      // The directory names today's holders; the holding the fetch began with is the fallback. Only holders
      // of the declaration it began with: another one (anyone may declare a known hash) would make it
      // start over under a stranger's declaration, who could then delete the copy.
      const began = d.ok ? d.holding : null;
      const listed = began ? (await findHoldings(client(), hash)).filter((h) => sameDeclaration(h, began)) : [];
      const from = listed.length > 0 ? listed : began ? [began] : [];
      return fetchOnce(hash, rec.outPath, from, began ? Buffer.from(began.core.owner) : undefined);
    },
    'data.discard': async (params) => {
      const hash = hashParam(record(params).hash);
      const rec = store.fetches.get(hash);
      // A finished copy is the user's file, and remote deletes find it through this record: it stays.
      if (!rec || rec.state !== 'partial') throw bad('there is no interrupted fetch of that content to discard');
      if (node.data.fetcher.isFetching(hash) || fetchingInto.has(rec.outPath)) throw bad('that content is being fetched; wait until it ends');
      // The record first: a part file without one is never resumed from, only refused as a name clash.
      store.fetches.remove(hash);
      await fs.promises.rm(rec.outPath + PART_SUFFIX, { force: true });
      return listDownloads(store.fetches, node.dataDir, (h) => node.data.fetcher.isFetching(h));
    },
    'data.delete': async (params) => {
      const p = record(params);
      const waitMs = intIn(p, 'waitMs', 3000, 0, 60_000);
      const hash = hashParam(p.hash);
      const served = node.data.list().find((f) => f.contentHash === toHex(hash));
      const statuses = await node.data.delete(hash, { waitMs });
      // The node stops serving it: a copy uploaded by the UI (never the user's own file) goes too.
      if (served && isStagedUpload(node.dataDir, served.path)) await fs.promises.rm(served.path, { force: true });
      return statuses;
    },
    'data.deleteStatus': (params) => node.data.deleteStatus(hashParam(record(params).hash)),
    'data.deletes': (params) => {
      return node.data.deleteRequests(intIn(record(params), 'limit', 100, 1, 500));
    },
    'routes.get': (params) => {
      const id = requireId(str(record(params), 'id', 100));
      const key = idKey(id);
      if (core.isOnline(key)) return { kind: 'local', path: [node.id] };
      const best = federation().routes.best(key);
      if (best && best.via !== 'local') return { kind: 'remote', path: best.advert.path.map(idToText) };
      const home = federation().routes.lastHome(key);
      return home ? { kind: 'home-only', path: [idToText(home)] } : { kind: 'none', path: [] };
    },
  };

  return {
    async call<M extends ApiMethod>(method: M, params: ApiMethods[M][0]): Promise<ApiResult<ApiMethods[M][1]>> {
      if (!API_METHODS.includes(method)) {
        return { ok: false, error: { code: ErrorCode.BAD_REQUEST, name: errorName(ErrorCode.BAD_REQUEST), message: `unknown method "${String(method).slice(0, 60)}"` } };
      }
      try {
        const value = await (handlers[method] as (p: unknown) => Promise<ApiMethods[M][1]>)(params);
        return { ok: true, value };
      } catch (err) {
        // A refused or failed transfer is not the node's fault: it gets its own code and keeps the reason
        // (not allowed, holder gone, file vanished…) for the UI.
        if (err instanceof TransferError) {
          return { ok: false, error: { code: ErrorCode.TRANSFER_FAILED, name: errorName(ErrorCode.TRANSFER_FAILED), message: err.message, transfer: transferCodeName(err.code) } };
        }
        const e = err instanceof W2wError ? err : new W2wError(ErrorCode.INTERNAL, err instanceof Error ? err.message : String(err));
        return { ok: false, error: { code: e.code, name: errorName(e.code), message: e.message } };
      }
    },
    on<E extends ApiEvent>(event: E, listener: (payload: ApiEvents[E]) => void): () => void {
      const l = listener as (payload: never) => void;
      node.on(event, l as never);
      return () => node.off(event, l as never);
    },
  };
}
