// The node's settings (listen address, who may relay, relays to join, trusted relays) as the node
// reports them; every change goes through the API and the node's answer replaces the local copy.
import type { ApiResult, ErrorView, NodeApi, RelayPolicyView, SettingsChange, SettingsView } from '../../../../src-shared/api/contract.js';

export class SettingsState {
  view = $state<SettingsView | null>(null);
  error = $state<ErrorView | null>(null);
  readonly #api: NodeApi;

  constructor(api: NodeApi) {
    this.#api = api;
  }

  async load(): Promise<ErrorView | null> {
    return this.#apply(await this.#api.call('settings.get', {}));
  }

  save(change: SettingsChange): Promise<ErrorView | null> {
    return this.#call(this.#api.call('settings.set', change));
  }

  setPolicy(policy: RelayPolicyView): Promise<ErrorView | null> {
    return this.save({ relayPolicy: policy });
  }

  trust(relayId: string): Promise<ErrorView | null> {
    return this.#call(this.#api.call('trust.add', { relayId }));
  }

  untrust(relayId: string): Promise<ErrorView | null> {
    return this.#call(this.#api.call('trust.remove', { relayId }));
  }

  /** A saved listen value the running relay does not use yet (it applies at the next start). */
  get restartPending(): boolean {
    const l = this.view?.listen;
    if (!l) return false;
    return (l.savedHost !== null && l.savedHost !== l.host) || (l.savedPort !== null && l.savedPort !== 0 && l.savedPort !== l.port);
  }

  async #call(p: Promise<ApiResult<SettingsView>>): Promise<ErrorView | null> {
    const r = await p;
    if (!r.ok) return r.error;
    this.view = r.value;
    return null;
  }

  #apply(r: ApiResult<SettingsView>): ErrorView | null {
    this.error = r.ok ? null : r.error;
    if (r.ok) this.view = r.value;
    return this.error;
  }
}
