// A client's messaging on top of one relay connection: text messages on every route, kept in the
// local history (SQLite) with their delivery status, and incoming messages recorded once each.
import { EventEmitter } from 'node:events';
import { ReceiptStatus, Route } from '../../src-shared/protocol/constants.js';
import { ErrorCode, W2wError, errorName } from '../../src-shared/protocol/errors.js';
import type { MsgTarget } from '../../src-shared/protocol/frames.js';
import { PayloadKind } from '../../src-shared/protocol/e2e.js';
import { SecureChannel, type OpenedMessage } from '../e2e/secure-channel.js';
import type { SessionKeyStore } from '../e2e/sessions.js';
import type { MessageStatusView, MessageTargetView, MessageView, SendResultView } from '../../src-shared/api/contract.js';
import { idToText, parseId, toHex } from '../../src-shared/ids.js';
import type { MessagesRepo, StoredMessage } from '../store/messages-repo.js';
import type { PeersRepo } from '../store/peers-repo.js';
import { randomBytes } from '../crypto/random.js';
import type { ReceiptEvent, RelayClient } from './relay-client.js';

export interface MessengerEvents {
  message: [MessageView];
  /** a message that failed end-to-end checks (tampered, replayed, plaintext): dropped, reported here */
  rejected: [{ from: string; msgId: string; code: number; reason: string }];
  status: [{ msgId: string; status: MessageStatusView; errorCode: number | null }];
}

/** Outgoing states in the order they can follow each other; 'failed' only replaces states below delivery. */
const RANK: Record<MessageStatusView, number> = { pending: 0, sent: 1, failed: 2, stored: 3, delivered: 4, received: 5 };

const ROUTE_NAMES: Record<number, MessageView['route']> = {
  [Route.A2A]: 'a2a',
  [Route.A2B]: 'a2b',
  [Route.A2G_LIST]: 'a2g',
  [Route.A2G_NAMED]: 'group',
  [Route.A2N]: 'a2n',
};

/** Parses an ID given by a user or the UI; a bad one is the caller's mistake, reported with a code. */
export function requireId(text: string): Buffer {
  const r = parseId(text);
  if (!r.ok) throw new W2wError(ErrorCode.BAD_REQUEST, `invalid ID "${text.slice(0, 80)}": ${r.reason}`);
  return Buffer.from(r.id);
}

export function toMsgTarget(t: MessageTargetView): MsgTarget {
  switch (t.kind) {
    case 'self':
      return { route: Route.A2A };
    case 'peer':
      return { route: Route.A2B, to: requireId(t.id) };
    case 'list':
      return { route: Route.A2G_LIST, to: t.ids.map(requireId) };
    case 'group':
      return { route: Route.A2G_NAMED, group: t.name };
    case 'all':
      return { route: Route.A2N };
  }
}

export function messageView(m: StoredMessage): MessageView {
  return {
    msgId: toHex(m.msgId),
    direction: m.direction,
    route: ROUTE_NAMES[m.route] ?? 'a2b',
    peer: m.peer ? idToText(m.peer) : null,
    group: m.groupName,
    recipients: m.recipients ? m.recipients.map(idToText) : null,
    text: m.body.toString('utf8'),
    status: m.status,
    errorCode: m.errorCode,
    createdMs: m.createdMs,
  };
}

export interface MessengerOptions {
  /**
   * Record and show incoming messages (default true). A one-shot CLI command receives only what the
   * relay kept for it while offline, then calls stopReceiving(), so that a `w2w listen` on the same data
   * dir is the one that records and shows live messages (history keeps one row per message ID).
   */
  receive?: boolean;
}

export class Messenger extends EventEmitter<MessengerEvents> {
  readonly secure: SecureChannel;

  private readonly messages: MessagesRepo;
  private readonly peers: PeersRepo;

  /** `store`: the data dir's history, address book and saved session keys. */
  constructor(
    readonly client: RelayClient,
    store: { messages: MessagesRepo; peers: PeersRepo; e2eSessions: SessionKeyStore },
    opts: MessengerOptions = {},
  ) {
    super();
    this.messages = store.messages;
    this.peers = store.peers;
    this.secure = new SecureChannel(client, { keyStore: store.e2eSessions });
    if (opts.receive ?? true) {
      this.secure.on('payload', this.onPayload);
      this.secure.on('rejected', this.onRejected);
    }
    client.on('receipt', (r) => this.onReceipt(r));
    client.on('presence', (p) => {
      if (p.online) this.peers.touchSeen(Buffer.from(p.id), p.timeMs);
    });
  }

  /** Stops recording and showing incoming messages from now on (see MessengerOptions.receive). */
  stopReceiving(): void {
    this.secure.off('payload', this.onPayload);
    this.secure.off('rejected', this.onRejected);
  }

  private readonly onPayload = (o: OpenedMessage): void => this.onIncoming(o);

  private readonly onRejected = (r: { msg: { from: Uint8Array; id: Uint8Array }; code: number; reason: string }): void => {
    this.emit('rejected', { from: idToText(r.msg.from), msgId: toHex(r.msg.id), code: r.code, reason: r.reason });
  };

  /**
   * Sends text end to end, records it, waits for the relay's ACK and records the outcome. Direct
   * and list messages ask relays to keep a copy for offline recipients unless `store` is false.
   */
  async send(target: MessageTargetView, text: string, opts: { store?: boolean } = {}): Promise<SendResultView> {
    const t = toMsgTarget(target);
    const body = Buffer.from(text, 'utf8');
    const msgId = randomBytes(16);
    const now = Date.now();
    this.messages.insert({
      msgId,
      direction: 'out',
      route: t.route,
      peer: t.route === Route.A2B ? Buffer.from(t.to) : null,
      groupName: t.route === Route.A2G_NAMED ? t.group : null,
      recipients: t.route === Route.A2G_LIST ? t.to.map((x) => Buffer.from(x)) : null,
      body,
      status: 'pending',
      createdMs: now,
    });
    try {
      const addressed = t.route === Route.A2B || t.route === Route.A2G_LIST;
      const payload = Buffer.concat([Buffer.of(PayloadKind.TEXT), body]);
      const res = await this.secure.send(t, payload, { ack: true, id: msgId, store: addressed && (opts.store ?? true) });
      const delivered = res.delivered ?? 0;
      const forwarded = res.forwarded ?? 0;
      const stored = res.stored ?? 0;
      const missed = [...(res.missed ?? []), ...res.unreachable.map((id) => ({ id, code: ErrorCode.RECIPIENT_OFFLINE }))];
      const failedAll = delivered === 0 && forwarded === 0 && stored === 0 && missed.length > 0;
      const status: MessageStatusView = failedAll ? 'failed' : delivered > 0 ? 'delivered' : stored > 0 ? 'stored' : 'sent';
      const code = failedAll ? (missed[0]?.code ?? null) : null;
      this.advance(msgId, status, code);
      return {
        msgId: toHex(msgId),
        status,
        delivered,
        forwarded,
        stored,
        missed: missed.map((m) => ({ id: idToText(m.id), code: m.code, name: errorName(m.code) })),
      };
    } catch (err) {
      this.setStatus(msgId, 'failed', err instanceof W2wError ? err.code : ErrorCode.INTERNAL);
      throw err;
    }
  }

  private setStatus(msgId: Buffer, status: MessageStatusView, errorCode: number | null): void {
    this.messages.setStatus(msgId, status, errorCode);
    this.emit('status', { msgId: toHex(msgId), status, errorCode });
  }

  /**
   * Moves a message forward only (pending → sent → stored → delivered); failure never undoes a delivery.
   * Receipts also come for what other parts of this ID sent (the data plane's frames): those are not in
   * the history and get no status event.
   */
  private advance(msgId: Buffer, status: MessageStatusView, errorCode: number | null): void {
    const current = this.messages.get(msgId, 'out')?.status;
    if (current === undefined || RANK[status] <= RANK[current]) return;
    this.setStatus(msgId, status, errorCode);
  }

  private onReceipt(r: ReceiptEvent): void {
    const msgId = Buffer.from(r.msgId);
    if (r.status === ReceiptStatus.DELIVERED) this.advance(msgId, 'delivered', null);
    else if (r.status === ReceiptStatus.STORED) this.advance(msgId, 'stored', null);
    else this.advance(msgId, 'failed', r.status);
  }

  private onIncoming({ msg, payload }: OpenedMessage): void {
    if (payload[0] !== PayloadKind.TEXT) return;
    const now = Date.now();
    const from = Buffer.from(msg.from);
    // One row per (sender, message ID): a message seen twice (two sessions of ours, a relay replaying
    // it, a redundant path) is recorded and shown once, across restarts too; another sender's message
    // that happens to (or was made to) reuse the ID is a message of its own.
    const inserted = this.messages.insert({
      msgId: Buffer.from(msg.id),
      direction: 'in',
      route: msg.route,
      peer: from,
      groupName: msg.route === Route.A2G_NAMED ? msg.group : null,
      recipients: msg.route === Route.A2G_LIST ? msg.to.map((x) => Buffer.from(x)) : null,
      body: Buffer.from(payload.subarray(1)),
      status: 'received',
      createdMs: now,
    });
    if (!inserted) return;
    this.peers.touchSeen(from, now);
    const stored = this.messages.get(Buffer.from(msg.id), 'in', from);
    if (stored) this.emit('message', messageView(stored));
  }
}
