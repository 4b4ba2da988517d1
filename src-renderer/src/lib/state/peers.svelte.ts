// The address book: peers with nickname and presence (peers.list, then presence events).
import type { ApiResult, ErrorView, NodeApi, PeerView, PresenceView } from '../../../../src-shared/api/contract.js';
import { shortId } from '../format/format.js';

export class PeersState {
  list = $state<PeerView[]>([]);
  loaded = $state(false);
  /** online first, then by name */
  readonly sorted: PeerView[] = $derived(
    [...this.list].sort((a, b) => Number(b.online) - Number(a.online) || this.label(a.id).localeCompare(this.label(b.id))),
  );

  readonly #api: NodeApi;

  constructor(api: NodeApi) {
    this.#api = api;
  }

  get(id: string): PeerView | undefined {
    return this.list.find((p) => p.id === id);
  }

  /** The nickname, else the short ID. */
  label(id: string): string {
    return this.get(id)?.nickname || shortId(id);
  }

  async load(): Promise<ErrorView | null> {
    const r = await this.#api.call('peers.list', {});
    if (!r.ok) return r.error;
    this.list = r.value;
    this.loaded = true;
    return null;
  }

  /** Adds a peer (or sets the nickname of a known one). */
  async add(id: string, nickname: string | null): Promise<ApiResult<PeerView>> {
    const r = await this.#api.call('peers.add', { id, nickname });
    if (r.ok) this.#upsert(r.value);
    return r;
  }

  async remove(id: string): Promise<ApiResult<boolean>> {
    const r = await this.#api.call('peers.remove', { id });
    if (r.ok) this.list = this.list.filter((p) => p.id !== id);
    return r;
  }

  applyPresence(p: PresenceView): void {
    const peer = this.get(p.id);
    if (!peer) return;
    peer.online = p.online;
    if (!p.online) peer.lastSeenMs = p.timeMs;
  }

  #upsert(peer: PeerView): void {
    const i = this.list.findIndex((p) => p.id === peer.id);
    if (i >= 0) this.list[i] = peer;
    else this.list.push(peer);
  }
}
