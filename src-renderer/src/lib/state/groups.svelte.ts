// Named groups on this node's relay: list, create, members in and out, delete.
import type { ApiResult, ErrorView, GroupView, NodeApi } from '../../../../src-shared/api/contract.js';

export class GroupsState {
  list = $state<GroupView[]>([]);
  loaded = $state(false);
  readonly #api: NodeApi;

  constructor(api: NodeApi) {
    this.#api = api;
  }

  get(name: string): GroupView | undefined {
    return this.list.find((g) => g.name === name);
  }

  async load(): Promise<ErrorView | null> {
    const r = await this.#api.call('groups.list', {});
    if (!r.ok) return r.error;
    this.list = r.value;
    this.loaded = true;
    return null;
  }

  async create(name: string): Promise<ApiResult<GroupView>> {
    const r = await this.#api.call('groups.create', { name });
    if (r.ok) this.#put(r.value);
    return r;
  }

  async addMembers(name: string, members: string[]): Promise<ApiResult<GroupView>> {
    const r = await this.#api.call('groups.add', { name, members });
    if (r.ok) this.#put(r.value);
    return r;
  }

  async removeMember(name: string, member: string): Promise<ApiResult<GroupView | null>> {
    const r = await this.#api.call('groups.remove', { name, members: [member] });
    if (r.ok) {
      if (r.value) this.#put(r.value);
      else this.list = this.list.filter((g) => g.name !== name);
    }
    return r;
  }

  async delete(name: string): Promise<ApiResult<boolean>> {
    const r = await this.#api.call('groups.delete', { name });
    if (r.ok) this.list = this.list.filter((g) => g.name !== name);
    return r;
  }

  #put(g: GroupView): void {
    const i = this.list.findIndex((x) => x.name === g.name);
    if (i >= 0) this.list[i] = g;
    else this.list = [...this.list, g].sort((a, b) => a.name.localeCompare(b.name));
  }
}
