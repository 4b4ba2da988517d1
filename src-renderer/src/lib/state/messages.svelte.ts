// Message threads (one per peer, per group, one for broadcasts) with their delivery status. History
// comes from messages.history; live messages and status changes from events; sends show at once as
// "pending" and take the node's msgId and status when it answers.
import type {
  ErrorView,
  MessageStatusView,
  MessageTargetView,
  MessageView,
  NodeApi,
  SendResultView,
} from '../../../../src-shared/api/contract.js';
import { BROADCAST_THREAD, EarlyStatuses, SELF_THREAD, laterStatus, mergeThread, splitByThread, threadOf, threadOfTarget, type ThreadKey } from './threads.js';

export { BROADCAST_THREAD, SELF_THREAD, groupThread, laterStatus, peerThread, threadOf, threadOfTarget, type ThreadKey } from './threads.js';

const ROUTE_OF: Record<MessageTargetView['kind'], MessageView['route']> = { peer: 'a2b', group: 'group', all: 'a2n', self: 'a2a', list: 'a2g' };

export type SendOutcome = { ok: true; value: SendResultView } | { ok: false; error: ErrorView };

const HISTORY_LIMIT = 200;

export class MessagesState {
  threads = $state<Record<ThreadKey, MessageView[]>>({});
  unread = $state<Record<ThreadKey, number>>({});
  /** the thread on screen: its incoming messages are read at once */
  active = $state<ThreadKey | null>(null);
  readonly totalUnread: number = $derived(Object.values(this.unread).reduce((a, b) => a + b, 0));
  /** this node's ID, once known: an incoming message from it is the echo of our own broadcast */
  myId: string | null = null;

  readonly #api: NodeApi;
  /** status events that arrived before the send that caused them was answered */
  readonly #early = new EarlyStatuses();
  #localIds = 0;

  constructor(api: NodeApi) {
    this.#api = api;
  }

  thread(key: ThreadKey): MessageView[] {
    return this.threads[key] ?? [];
  }

  /** Loads a thread's history and merges it with what is already shown. */
  async load(key: ThreadKey): Promise<ErrorView | null> {
    const query = key.startsWith('peer:') ? { peer: key.slice(5), limit: HISTORY_LIMIT } : key.startsWith('group:') ? { group: key.slice(6), limit: HISTORY_LIMIT } : { limit: HISTORY_LIMIT };
    const r = await this.#api.call('messages.history', query);
    if (!r.ok) return r.error;
    const list = key === BROADCAST_THREAD || key === SELF_THREAD ? r.value.filter((m) => threadOf(m) === key) : r.value;
    this.#merge(key, list);
    return null;
  }

  /** Loads the most recent messages of every thread (on start: it also shows groups on other relays). */
  async loadRecent(): Promise<ErrorView | null> {
    const r = await this.#api.call('messages.history', { limit: HISTORY_LIMIT });
    if (!r.ok) return r.error;
    for (const [key, list] of splitByThread(r.value)) this.#merge(key, list);
    return null;
  }

  /** Names of the groups this node has messages in (some may live on other relays). */
  groupNames(): string[] {
    return Object.keys(this.threads)
      .filter((k) => k.startsWith('group:') && (this.threads[k]?.length ?? 0) > 0)
      .map((k) => k.slice(6));
  }

  #merge(key: ThreadKey, incoming: MessageView[]): void {
    this.threads[key] = mergeThread(this.threads[key] ?? [], incoming);
  }

  /** A `message` event: an incoming message (or one of ours seen from another session). */
  apply(m: MessageView): void {
    const key = threadOf(m);
    if (!key) return;
    const exists = this.thread(key).some((x) => x.msgId === m.msgId);
    this.#merge(key, [m]);
    if (!exists && m.direction === 'in' && m.peer !== this.myId && key !== this.active) this.unread[key] = (this.unread[key] ?? 0) + 1;
  }

  /** A `message.status` event. */
  applyStatus(s: { msgId: string; status: MessageStatusView; errorCode: number | null }): void {
    for (const list of Object.values(this.threads)) {
      const m = list.find((x) => x.msgId === s.msgId);
      if (m) {
        m.status = laterStatus(m.status, s.status);
        if (s.errorCode !== null) m.errorCode = s.errorCode;
        return;
      }
    }
    this.#early.put(s.msgId, { status: s.status, errorCode: s.errorCode });
  }

  markRead(key: ThreadKey): void {
    if (this.unread[key]) this.unread[key] = 0;
  }

  /** Shows the message at once as pending, sends it, then gives it the node's msgId and status. */
  async send(to: MessageTargetView, text: string, myId: string | null): Promise<SendOutcome> {
    const key = threadOfTarget(to);
    const localId = `local-${++this.#localIds}`;
    const draft: MessageView = {
      msgId: localId,
      direction: 'out',
      route: ROUTE_OF[to.kind],
      peer: to.kind === 'peer' ? to.id : to.kind === 'self' ? myId : null,
      group: to.kind === 'group' ? to.name : null,
      recipients: to.kind === 'list' ? to.ids : null,
      text,
      status: 'pending',
      errorCode: null,
      createdMs: Date.now(),
    };
    if (key) this.#merge(key, [draft]);
    const r = await this.#api.call('messages.send', { to, text });
    if (!key) return r;
    const list = this.thread(key);
    const shown = list.find((m) => m.msgId === localId);
    if (shown) {
      if (r.ok) {
        const early = this.#early.take(r.value.msgId);
        shown.msgId = r.value.msgId;
        shown.status = early ? laterStatus(r.value.status, early.status) : r.value.status;
        shown.errorCode = early?.errorCode ?? r.value.missed[0]?.code ?? null;
        // The echo of a broadcast may have arrived first under the same msgId: ours replaces it.
        this.threads[key] = list.filter((m) => m.msgId !== shown.msgId || m.direction === 'out');
      } else {
        shown.status = 'failed';
        shown.errorCode = r.error.code;
      }
    }
    return r;
  }
}
