// This node: its ID, its relay's counters and per-peer usage, the relaying switch, its links to other
// relays, and route lookups.
import type { ApiResult, ErrorView, LinkView, NodeApi, NodeStatusView, PeerUsageView, RelayingView, RouteView } from '../../../../src-shared/api/contract.js';

export class NodeState {
  myId = $state<string | null>(null);
  status = $state<NodeStatusView | null>(null);
  links = $state<LinkView[]>([]);
  /** null when the node runs without federation (links.list answers BAD_REQUEST) */
  linksError = $state<ErrorView | null>(null);
  usage = $state<PeerUsageView[]>([]);
  /** known from node.status and kept current by the 'relaying' event */
  relaying = $state<RelayingView | null>(null);
  /** a pause/resume call is in flight */
  switching = $state(false);
  readonly #api: NodeApi;

  constructor(api: NodeApi) {
    this.#api = api;
  }

  async loadIdentity(): Promise<ErrorView | null> {
    const r = await this.#api.call('identity.get', {});
    if (!r.ok) return r.error;
    this.myId = r.value.id;
    return null;
  }

  async loadStatus(): Promise<ErrorView | null> {
    const r = await this.#api.call('node.status', {});
    if (!r.ok) return r.error;
    this.status = r.value;
    this.myId = r.value.id;
    this.relaying = r.value.relaying;
    return null;
  }

  async loadUsage(): Promise<ErrorView | null> {
    const r = await this.#api.call('node.usage', {});
    if (!r.ok) return r.error;
    this.usage = r.value;
    return null;
  }

  /** IDs that used the relay, without this node's own client (it is not relaying for anyone). */
  get others(): PeerUsageView[] {
    return this.usage.filter((u) => !u.self);
  }

  async setPaused(paused: boolean): Promise<ErrorView | null> {
    this.switching = true;
    const r = await this.#api.call('relaying.set', { paused });
    this.switching = false;
    if (!r.ok) return r.error;
    this.applyRelaying(r.value);
    return null;
  }

  /** The switch may be flipped elsewhere (tray, another window): the event keeps every view in step. */
  applyRelaying(v: RelayingView): void {
    this.relaying = v;
    if (this.status) this.status = { ...this.status, relaying: v };
  }

  async removeLink(url: string): Promise<ApiResult<LinkView[]>> {
    const r = await this.#api.call('links.remove', { url });
    if (r.ok) this.links = r.value;
    return r;
  }

  async loadLinks(): Promise<void> {
    const r = await this.#api.call('links.list', {});
    this.linksError = r.ok ? null : r.error;
    if (r.ok) this.links = r.value;
  }

  async addLink(url: string, relayId: string | null): Promise<ApiResult<LinkView[]>> {
    const r = await this.#api.call('links.add', { url, relayId });
    if (r.ok) this.links = r.value;
    return r;
  }

  lookupRoute(id: string): Promise<ApiResult<RouteView>> {
    return this.#api.call('routes.get', { id });
  }
}
