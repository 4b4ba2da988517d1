// Remote delete: the contents this node asked its holders to delete (data.deletes), each holder's
// status kept current by delete.status events, and new requests (data.delete).
import type { ApiEvents, ApiResult, DeleteRequestView, DeleteStatusView, ErrorView, NodeApi } from '../../../../src-shared/api/contract.js';

export type HolderStatus = DeleteStatusView['status'];

export interface DeleteSummary {
  total: number;
  pending: number;
  deleted: number;
  refused: number;
  notHeld: number;
}

/** How many holders are in each state. */
export function summarize(holders: readonly DeleteStatusView[]): DeleteSummary {
  const s: DeleteSummary = { total: holders.length, pending: 0, deleted: 0, refused: 0, notHeld: 0 };
  for (const h of holders) {
    if (h.status === 'pending') s.pending++;
    else if (h.status === 'deleted') s.deleted++;
    else if (h.status === 'refused') s.refused++;
    else s.notHeld++;
  }
  return s;
}

export class DeletesState {
  list = $state<DeleteRequestView[]>([]);
  loaded = $state(false);
  readonly #api: NodeApi;
  readonly #now: () => number;

  constructor(api: NodeApi, now: () => number = Date.now) {
    this.#api = api;
    this.#now = now;
  }

  get(hash: string): DeleteRequestView | undefined {
    return this.list.find((r) => r.contentHash === hash);
  }

  async load(): Promise<ErrorView | null> {
    const r = await this.#api.call('data.deletes', {});
    if (!r.ok) return r.error;
    this.list = r.value;
    this.loaded = true;
    return null;
  }

  /**
   * Asks every known holder of `hash` to delete it (the node stops serving it too). Answers at once
   * with the holders' statuses so far (mostly pending); receipts follow as events.
   */
  async request(hash: string): Promise<ApiResult<DeleteStatusView[]>> {
    const r = await this.#api.call('data.delete', { hash, waitMs: 0 });
    if (r.ok && r.value.length > 0) {
      // Statuses that arrived as events while the call was out are newer than the answer's.
      const known = this.get(hash)?.holders ?? [];
      const holders = r.value.map((h) => {
        const k = known.find((x) => x.holder === h.holder);
        return k && k.status !== 'pending' && h.status === 'pending' ? k : h;
      });
      this.#put({ contentHash: hash, requestedMs: this.#now(), holders });
    }
    return r;
  }

  /** A delete.status event: one holder's answer (or a send failure while it is pending). */
  applyStatus(e: ApiEvents['delete.status']): void {
    const view: DeleteStatusView = { holder: e.holder, status: e.status, error: e.error };
    const req = this.get(e.contentHash);
    if (!req) {
      this.#put({ contentHash: e.contentHash, requestedMs: this.#now(), holders: [view] });
      return;
    }
    const i = req.holders.findIndex((h) => h.holder === e.holder);
    if (i >= 0) req.holders[i] = view;
    else req.holders.push(view);
  }

  #put(req: DeleteRequestView): void {
    this.list = [req, ...this.list.filter((r) => r.contentHash !== req.contentHash)];
  }
}
