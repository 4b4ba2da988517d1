// MessagesRepo: insert-once, status updates, and conversation/group/recent pages in time order.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Route } from '../../../src-shared/protocol/constants.js';
import type { NewMessage } from '../../../src-main/store/messages-repo.js';
import { id, msgId, openTempStore, type TempStore } from './temp-store.js';

const ME = id(0xee);
const ANN = id(1);
const BOB = id(2);

function direct(n: number, direction: 'in' | 'out', peer: Buffer, createdMs: number): NewMessage {
  return { msgId: msgId(n), direction, route: Route.A2B, peer, body: Buffer.from(`m${n}`), createdMs };
}

function bodies(list: { body: Buffer }[]): string[] {
  return list.map((m) => m.body.toString());
}

describe('MessagesRepo', () => {
  let t: TempStore;
  beforeEach(() => {
    t = openTempStore();
  });
  afterEach(() => {
    t.dispose();
  });

  it('stores a message and reads it back with defaults filled in', () => {
    const messages = t.store.messages;
    expect(messages.insert(direct(1, 'out', ANN, 100))).toBe(true);
    expect(messages.get(msgId(1), 'out')).toMatchObject({
      msgId: msgId(1),
      direction: 'out',
      route: Route.A2B,
      peer: ANN,
      groupName: null,
      recipients: null,
      body: Buffer.from('m1'),
      status: 'pending',
      errorCode: null,
      createdMs: 100,
      updatedMs: 100,
    });
    expect(messages.get(msgId(1), 'in')).toBeNull();
  });

  it('ignores the same message stored twice in one direction', () => {
    const messages = t.store.messages;
    expect(messages.insert(direct(1, 'in', ANN, 100))).toBe(true);
    expect(messages.insert({ ...direct(1, 'in', ANN, 999), body: Buffer.from('changed') })).toBe(false);
    expect(messages.get(msgId(1), 'in')?.body.toString()).toBe('m1');
    expect(messages.recent(10)).toHaveLength(1);
  });

  it('deduplicates incoming messages per sender: another sender reusing an ID is a message of its own', () => {
    const messages = t.store.messages;
    // Bob learnt the ID of Ann's message (a co-recipient) and got his own message in first.
    expect(messages.insert({ ...direct(1, 'in', BOB, 100), body: Buffer.from('decoy') })).toBe(true);
    expect(messages.insert(direct(1, 'in', ANN, 101))).toBe(true);
    expect(messages.insert({ ...direct(1, 'in', ANN, 102), body: Buffer.from('replay') })).toBe(false);
    expect(messages.get(msgId(1), 'in', ANN)?.body.toString()).toBe('m1');
    expect(messages.get(msgId(1), 'in', BOB)?.body.toString()).toBe('decoy');
    expect(messages.get(msgId(1), 'in')?.body.toString()).toBe('decoy');
    expect(bodies(messages.conversation(ANN, { limit: 10 }))).toEqual(['m1']);
    // Outgoing IDs are ours: one row each, whoever the peer.
    expect(messages.insert(direct(2, 'out', ANN, 103))).toBe(true);
    expect(messages.insert(direct(2, 'out', BOB, 104))).toBe(false);
    expect(() => messages.insert({ ...direct(3, 'in', ANN, 105), peer: null })).toThrow(TypeError);
  });

  it('keeps a note to self once in each direction', () => {
    const messages = t.store.messages;
    expect(messages.insert({ ...direct(1, 'out', ME, 100), route: Route.A2A })).toBe(true);
    expect(messages.insert({ ...direct(1, 'in', ME, 100), route: Route.A2A })).toBe(true);
    expect(messages.get(msgId(1), 'out')?.status).toBe('pending');
    expect(messages.get(msgId(1), 'in')?.status).toBe('received');
  });

  it('updates the status of outgoing messages, with and without an error code', () => {
    const messages = t.store.messages;
    messages.insert(direct(1, 'out', ANN, 100));
    expect(messages.setStatus(msgId(1), 'failed', 42, 150)).toBe(true);
    expect(messages.get(msgId(1), 'out')).toMatchObject({ status: 'failed', errorCode: 42, updatedMs: 150 });
    expect(messages.setStatus(msgId(1), 'delivered', null, 200)).toBe(true);
    expect(messages.get(msgId(1), 'out')).toMatchObject({ status: 'delivered', errorCode: null, updatedMs: 200 });
    expect(messages.setStatus(msgId(9), 'sent')).toBe(false);
  });

  it('never lets a delivery status touch an incoming message', () => {
    const messages = t.store.messages;
    messages.insert(direct(1, 'in', ANN, 100));
    expect(messages.setStatus(msgId(1), 'delivered')).toBe(false);
    expect(messages.get(msgId(1), 'in')?.status).toBe('received');
    expect(() => messages.insert({ ...direct(2, 'in', ANN, 100), status: 'sent' })).toThrow(
      "Status 'sent' does not fit a message in direction 'in'.",
    );
  });

  it('pages a conversation newest-first and returns each page oldest-first', () => {
    const messages = t.store.messages;
    messages.insert(direct(1, 'out', ANN, 100));
    messages.insert(direct(2, 'in', ANN, 300));
    messages.insert(direct(3, 'out', BOB, 250));
    messages.insert(direct(4, 'in', ANN, 200));
    messages.insert(direct(5, 'out', ANN, 400));
    expect(bodies(messages.conversation(ANN, { limit: 10 }))).toEqual(['m1', 'm4', 'm2', 'm5']);
    expect(bodies(messages.conversation(ANN, { limit: 2 }))).toEqual(['m2', 'm5']);
    expect(bodies(messages.conversation(ANN, { limit: 2, beforeMs: 300 }))).toEqual(['m1', 'm4']);
    expect(bodies(messages.conversation(BOB, { limit: 10 }))).toEqual(['m3']);
    expect(messages.conversation(id(9), { limit: 10 })).toEqual([]);
  });

  it('does not skip messages of the same millisecond when paging with a seq cursor', () => {
    const messages = t.store.messages;
    for (let n = 1; n <= 5; n++) messages.insert(direct(n, 'in', ANN, 100));
    const first = messages.conversation(ANN, { limit: 2 });
    expect(bodies(first)).toEqual(['m4', 'm5']);
    const oldest = first[0];
    if (oldest === undefined) throw new Error('The first page is empty.');
    const second = messages.conversation(ANN, { limit: 2, beforeMs: oldest.createdMs, beforeSeq: oldest.seq });
    expect(bodies(second)).toEqual(['m2', 'm3']);
  });

  it('keeps group messages out of conversations and serves them by group name', () => {
    const messages = t.store.messages;
    messages.insert(direct(1, 'in', ANN, 100));
    messages.insert({ msgId: msgId(2), direction: 'in', route: Route.A2G_NAMED, peer: ANN, groupName: 'dev', body: Buffer.from('m2'), createdMs: 200 });
    messages.insert({ msgId: msgId(3), direction: 'out', route: Route.A2G_NAMED, groupName: 'dev', body: Buffer.from('m3'), createdMs: 150 });
    messages.insert({ msgId: msgId(4), direction: 'out', route: Route.A2G_NAMED, groupName: 'ops', body: Buffer.from('m4'), createdMs: 160 });
    expect(bodies(messages.conversation(ANN, { limit: 10 }))).toEqual(['m1']);
    expect(bodies(messages.group('dev', { limit: 10 }))).toEqual(['m3', 'm2']);
    expect(bodies(messages.group('dev', { limit: 10, beforeMs: 200 }))).toEqual(['m3']);
    expect(messages.group('none', { limit: 10 })).toEqual([]);
  });

  it('round-trips a recipient list as separate IDs', () => {
    const messages = t.store.messages;
    messages.insert({ msgId: msgId(1), direction: 'out', route: Route.A2G_LIST, recipients: [ANN, BOB], body: Buffer.alloc(0), createdMs: 1 });
    expect(messages.get(msgId(1), 'out')?.recipients).toEqual([ANN, BOB]);
    expect(() =>
      messages.insert({ msgId: msgId(2), direction: 'out', route: Route.A2G_LIST, recipients: [], body: Buffer.alloc(0), createdMs: 1 }),
    ).toThrow('A recipient list must name at least one ID.');
  });

  it('returns the latest messages of any kind, oldest first', () => {
    const messages = t.store.messages;
    messages.insert(direct(1, 'in', ANN, 300));
    messages.insert(direct(2, 'out', BOB, 100));
    messages.insert({ msgId: msgId(3), direction: 'out', route: Route.A2N, body: Buffer.from('m3'), createdMs: 200 });
    expect(bodies(messages.recent(2))).toEqual(['m3', 'm1']);
    expect(bodies(messages.recent(100))).toEqual(['m2', 'm3', 'm1']);
  });

  it('rejects bad limits, message IDs and peers with a sentence', () => {
    const messages = t.store.messages;
    expect(() => messages.recent(0)).toThrow('The page limit must be an integer from 1 to 1000.');
    expect(() => messages.recent(1001)).toThrow(RangeError);
    expect(() => messages.conversation(ANN, { limit: 1, beforeSeq: 3 })).toThrow('needs beforeMs too');
    expect(() => messages.insert({ ...direct(1, 'in', ANN, 1), msgId: Buffer.alloc(32) })).toThrow(
      'The message ID must be 16 bytes long, but it is 32.',
    );
    expect(() => messages.insert(direct(1, 'in', Buffer.alloc(3), 1))).toThrow('The message peer must be 32 bytes long, but it is 3.');
  });

  it('reads conversations and groups through their indexes', () => {
    const plan = (sql: string): string =>
      t.store.db
        .prepare(`EXPLAIN QUERY PLAN ${sql}`)
        .all()
        .map((row) => String((row as { detail: unknown }).detail))
        .join('\n');
    const cols = 'SELECT * FROM messages';
    const order = 'ORDER BY created_ms DESC, seq DESC LIMIT 5';
    expect(plan(`${cols} WHERE peer = x'00' AND group_name IS NULL AND (created_ms, seq) < (1, 1) ${order}`)).toContain(
      'messages_by_peer',
    );
    expect(plan(`${cols} WHERE group_name = 'g' AND (created_ms, seq) < (1, 1) ${order}`)).toContain('messages_by_group');
  });
});
