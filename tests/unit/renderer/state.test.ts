// The rune state classes over a fake API: messages (pending -> node status, events, unread), peers and
// presence, groups, node, navigation, and the app's reload after a reconnect.
import { describe, expect, it } from 'vitest';
import type { MessageView, PeerView } from '../../../src-shared/api/contract.js';
import { idToText } from '../../../src-shared/ids.js';
import { I18n } from '../../../src-renderer/src/lib/i18n/i18n.svelte.js';
import { AppState } from '../../../src-renderer/src/lib/state/app.svelte.js';
import { GroupsState } from '../../../src-renderer/src/lib/state/groups.svelte.js';
import { BROADCAST_THREAD, MessagesState, groupThread, peerThread, threadOf } from '../../../src-renderer/src/lib/state/messages.svelte.js';
import { NavState, parseHash, routeHash } from '../../../src-renderer/src/lib/state/nav.svelte.js';
import { PeersState } from '../../../src-renderer/src/lib/state/peers.svelte.js';
import { EarlyStatuses, laterStatus, mergeThread } from '../../../src-renderer/src/lib/state/threads.js';
import { ToastsState } from '../../../src-renderer/src/lib/state/toasts.svelte.js';
import { FakeApi, fail, ok, settle } from './fake-api.js';

const BOB = idToText(new Uint8Array(32).fill(2));
const ME = idToText(new Uint8Array(32).fill(1));

const msg = (over: Partial<MessageView>): MessageView => ({
  msgId: 'm1',
  direction: 'in',
  route: 'a2b',
  peer: BOB,
  group: null,
  recipients: null,
  text: 'hi',
  status: 'received',
  errorCode: null,
  createdMs: 1000,
  ...over,
});

describe('threads', () => {
  it('files messages by route', () => {
    expect(threadOf(msg({}))).toBe(peerThread(BOB));
    expect(threadOf(msg({ route: 'group', group: 'team' }))).toBe(groupThread('team'));
    expect(threadOf(msg({ route: 'a2n' }))).toBe(BROADCAST_THREAD);
    expect(threadOf(msg({ route: 'a2b', peer: null }))).toBeNull();
  });

  it('never moves a status back and merges by msgId in time order', () => {
    expect(laterStatus('delivered', 'sent')).toBe('delivered');
    expect(laterStatus('sent', 'stored')).toBe('stored');
    expect(laterStatus('delivered', 'failed')).toBe('delivered');
    expect(laterStatus('pending', 'failed')).toBe('failed');
    const merged = mergeThread([msg({ msgId: 'b', createdMs: 2, status: 'delivered', direction: 'out' })], [msg({ msgId: 'a', createdMs: 1 }), msg({ msgId: 'b', createdMs: 2, status: 'sent', direction: 'out' })]);
    expect(merged.map((m) => [m.msgId, m.status])).toEqual([['a', 'received'], ['b', 'delivered']]);
    const early = new EarlyStatuses(2);
    early.put('x', { status: 'sent', errorCode: null });
    early.put('y', { status: 'sent', errorCode: null });
    early.put('z', { status: 'delivered', errorCode: null });
    expect(early.take('x')).toBeUndefined();
    expect(early.take('z')).toEqual({ status: 'delivered', errorCode: null });
    expect(early.take('z')).toBeUndefined();
  });
});

describe('MessagesState', () => {
  it('shows a send at once as pending, then with the node’s msgId and status', async () => {
    let answer: (v: unknown) => void = () => {};
    const api = new FakeApi().handle('messages.send', () => new Promise((resolve) => (answer = resolve as never)));
    const m = new MessagesState(api);
    const sending = m.send({ kind: 'peer', id: BOB }, 'hello', ME);
    expect(m.thread(peerThread(BOB)).map((x) => [x.text, x.status, x.direction])).toEqual([['hello', 'pending', 'out']]);
    // The delivery receipt may come before the answer to the send.
    m.applyStatus({ msgId: 'f00d', status: 'delivered', errorCode: null });
    answer(ok({ msgId: 'f00d', status: 'sent', delivered: 0, forwarded: 1, stored: 0, missed: [] }));
    await sending;
    expect(m.thread(peerThread(BOB)).map((x) => [x.msgId, x.status])).toEqual([['f00d', 'delivered']]);
    m.applyStatus({ msgId: 'f00d', status: 'sent', errorCode: null });
    expect(m.thread(peerThread(BOB))[0]?.status).toBe('delivered');
    expect(api.calls).toEqual([{ method: 'messages.send', params: { to: { kind: 'peer', id: BOB }, text: 'hello' } }]);
  });

  it('marks a send the node refused as failed with its code', async () => {
    const api = new FakeApi().handle('messages.send', () => fail(307, 'TOO_MANY_RECIPIENTS'));
    const m = new MessagesState(api);
    const r = await m.send({ kind: 'all' }, 'x', ME);
    expect(r.ok).toBe(false);
    expect(m.thread(BROADCAST_THREAD).map((x) => [x.status, x.errorCode])).toEqual([['failed', 307]]);
  });

  it('counts unread messages outside the thread on screen, once each', () => {
    const m = new MessagesState(new FakeApi());
    m.apply(msg({ msgId: 'a' }));
    m.apply(msg({ msgId: 'a' }));
    m.apply(msg({ msgId: 'b', route: 'group', group: 'team' }));
    expect(m.unread).toEqual({ [peerThread(BOB)]: 1, [groupThread('team')]: 1 });
    expect(m.totalUnread).toBe(2);
    m.active = peerThread(BOB);
    m.apply(msg({ msgId: 'c' }));
    m.markRead(peerThread(BOB));
    expect(m.unread[peerThread(BOB)]).toBe(0);
    expect(m.thread(peerThread(BOB))).toHaveLength(2);
  });

  it('loads history per thread; the broadcast thread keeps a2n only', async () => {
    const api = new FakeApi().handle('messages.history', (q) =>
      ok(q.peer ? [msg({ msgId: 'p' })] : [msg({ msgId: 'n', route: 'a2n' }), msg({ msgId: 'x', route: 'a2b' })]),
    );
    const m = new MessagesState(api);
    expect(await m.load(peerThread(BOB))).toBeNull();
    expect(await m.load(BROADCAST_THREAD)).toBeNull();
    expect(m.thread(peerThread(BOB)).map((x) => x.msgId)).toEqual(['p']);
    expect(m.thread(BROADCAST_THREAD).map((x) => x.msgId)).toEqual(['n']);
    expect(api.calls.map((c) => c.params)).toEqual([{ peer: BOB, limit: 200 }, { limit: 200 }]);
    await m.load(groupThread('team'));
    expect(api.calls[2]?.params).toEqual({ group: 'team', limit: 200 });
  });
});

describe('PeersState and GroupsState', () => {
  it('lists, adds, renames, removes and follows presence', async () => {
    const list: PeerView[] = [{ id: BOB, nickname: null, online: false, lastSeenMs: null }];
    const api = new FakeApi()
      .handle('peers.list', () => ok(list))
      .handle('peers.add', (p) => ok({ id: p.id, nickname: p.nickname ?? null, online: true, lastSeenMs: null }))
      .handle('peers.remove', () => ok(true));
    const peers = new PeersState(api);
    expect(await peers.load()).toBeNull();
    expect(peers.label(BOB)).toBe(`${BOB.slice(0, 12)}…${BOB.slice(-4)}`);
    await peers.add(ME, 'Me');
    expect(peers.sorted.map((p) => p.id)).toEqual([ME, BOB]);
    await peers.add(BOB, 'Bob');
    expect(peers.label(BOB)).toBe('Bob');
    expect(peers.list).toHaveLength(2);
    peers.applyPresence({ id: BOB, online: true, timeMs: 5 });
    peers.applyPresence({ id: ME, online: false, timeMs: 9 });
    expect(peers.get(ME)).toMatchObject({ online: false, lastSeenMs: 9 });
    expect(peers.sorted.map((p) => p.id)).toEqual([BOB, ME]);
    await peers.remove(ME);
    expect(peers.list.map((p) => p.id)).toEqual([BOB]);
  });

  it('keeps groups in step with the node’s answers', async () => {
    const api = new FakeApi()
      .handle('groups.list', () => ok([]))
      .handle('groups.create', (p) => ok({ name: p.name, owner: ME, members: [ME] }))
      .handle('groups.add', (p) => ok({ name: p.name, owner: ME, members: [ME, ...p.members] }))
      .handle('groups.remove', () => ok(null))
      .handle('groups.delete', () => ok(true));
    const g = new GroupsState(api);
    await g.load();
    await g.create('zeta');
    await g.create('alpha');
    expect(g.list.map((x) => x.name)).toEqual(['alpha', 'zeta']);
    await g.addMembers('alpha', [BOB]);
    expect(g.get('alpha')?.members).toEqual([ME, BOB]);
    await g.removeMember('zeta', ME);
    expect(g.get('zeta')).toBeUndefined();
    await g.delete('alpha');
    expect(g.list).toEqual([]);
  });
});

describe('navigation', () => {
  it('reads and writes hash routes', () => {
    expect(parseHash('')).toEqual({ view: 'peers', param: null });
    expect(parseHash('#/chat/' + BOB)).toEqual({ view: 'chat', param: BOB });
    expect(parseHash('#/groups/%E9%96%8B%E7%99%BA')).toEqual({ view: 'groups', param: '開発' });
    expect(parseHash('#/nowhere')).toEqual({ view: 'peers', param: null });
    expect(parseHash('#/groups/%E0%A4%A')).toEqual({ view: 'groups', param: null });
    expect(routeHash({ view: 'groups', param: 'a/b' })).toBe('#/groups/a%2Fb');
    const hashes: string[] = [];
    const nav = new NavState('#/node', (h) => hashes.push(h));
    expect(nav.view).toBe('node');
    expect(nav.moved).toBe(false);
    nav.go('chat', BOB);
    expect(hashes).toEqual([`#/chat/${BOB}`]);
    expect(nav.moved).toBe(true);
  });
});

describe('AppState', () => {
  it('loads on start, follows events, and reloads after a reconnect', async () => {
    const api = new FakeApi()
      .handle('identity.get', () => ok({ id: ME }))
      .handle('peers.list', () => ok([{ id: BOB, nickname: 'Bob', online: false, lastSeenMs: null }]))
      .handle('groups.list', () => ok([]))
      .handle('messages.history', () => ok([msg({ msgId: 'old', route: 'group', group: 'elsewhere' })]))
      .handle('data.shared', () => ok([]))
      .handle('data.deletes', () => ok([]))
      .handle('data.downloads', () => ok([]))
      .handle('data.declarations', () => ok([]));
    const app = new AppState({ transport: api, i18n: new I18n({ storage: null, languages: ['en'] }), initialHash: '', setHash: () => {} });
    app.start();
    await settle();
    expect(app.node.myId).toBe(ME);
    expect(app.peers.get(BOB)?.nickname).toBe('Bob');
    // Recent history fills every thread, and shows groups kept by other relays.
    expect(app.messages.groupNames()).toEqual(['elsewhere']);
    expect(app.messages.totalUnread).toBe(0);
    api.emit('presence', { id: BOB, online: true, timeMs: 1 });
    expect(app.peers.get(BOB)?.online).toBe(true);
    api.emit('message', msg({ msgId: 'e1' }));
    expect(app.messages.thread(peerThread(BOB))).toHaveLength(1);
    api.emit('notice', { text: 'relay says hi' });
    expect(app.toasts.items.map((t) => t.text)).toEqual(['relay says hi']);
    const before = api.calls.length;
    api.setState('closed');
    expect(app.connection).toBe('closed');
    api.setState('open');
    await settle();
    expect(api.methods().slice(before)).toEqual(['identity.get', 'peers.list', 'groups.list', 'messages.history', 'data.shared', 'data.downloads', 'data.deletes', 'data.declarations']);
    app.stop();
  });

  it('reports load errors (but not a dropped connection) as toasts', async () => {
    const api = new FakeApi().handle('identity.get', () => fail(500, 'INTERNAL', 'disk full')).handle('peers.list', () => ok([])).handle('groups.list', () => fail(0, 'NOT_CONNECTED')).handle('messages.history', () => ok([])).handle('data.shared', () => ok([])).handle('data.deletes', () => ok([])).handle('data.downloads', () => ok([]));
    const app = new AppState({ transport: api, i18n: new I18n({ storage: null, languages: ['en'] }), initialHash: '', setHash: () => {} });
    await app.refresh();
    expect(app.toasts.items.map((t) => t.text)).toEqual(['Error: INTERNAL: disk full']);
  });
});

describe('ToastsState', () => {
  it('keeps the last five and dismisses on its timer', () => {
    const timers: (() => void)[] = [];
    const toasts = new ToastsState((fn) => timers.push(fn));
    for (let i = 0; i < 7; i++) toasts.push('info', `t${i}`);
    expect(toasts.items.map((t) => t.text)).toEqual(['t2', 't3', 't4', 't5', 't6']);
    timers[6]?.();
    expect(toasts.items.map((t) => t.text)).toEqual(['t2', 't3', 't4', 't5']);
  });
});

describe('broadcast echoes', () => {
  it('keeps our own copy when the node also records a broadcast as received', async () => {
    const echo = msg({ msgId: 'bc', route: 'a2n', direction: 'in', peer: ME, status: 'received' });
    const api = new FakeApi().handle('messages.send', async () => {
      // The echo reaches the page before the answer to the send.
      m.apply(echo);
      return ok({ msgId: 'bc', status: 'delivered', delivered: 1, forwarded: 0, stored: 0, missed: [] });
    });
    const m = new MessagesState(api);
    m.myId = ME;
    await m.send({ kind: 'all' }, 'hi all', ME);
    m.apply(echo);
    expect(m.thread(BROADCAST_THREAD).map((x) => [x.msgId, x.direction, x.status])).toEqual([['bc', 'out', 'delivered']]);
    expect(m.totalUnread).toBe(0);
    // History holds both copies; the merge keeps ours.
    expect(mergeThread([], [msg({ msgId: 'bc', route: 'a2n', direction: 'out', status: 'sent' }), echo]).map((x) => x.direction)).toEqual(['out']);
  });
});
