// This node: its ID, its relay's counters, its links to other relays, and route lookups.
import type { ApiResult, ErrorView, LinkView, NodeApi, NodeStatusView, RouteView } from '../../../../src-shared/api/contract.js';

export class NodeState {
  myId = $state<string | null>(null);
  status = $state<NodeStatusView | null>(null);
  links = $state<LinkView[]>([]);
  /** null when the node runs without federation (links.list answers BAD_REQUEST) */
  linksError = $state<ErrorView | null>(null);
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
    return null;
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
