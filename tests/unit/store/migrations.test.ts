// Numbered migrations: versioning, idempotence, refusing a newer file, atomicity, and migration 1's schema.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DB_FILE_NAME, openStore } from '../../../src-main/store/db.js';
import { MIGRATIONS, SCHEMA_VERSION, migrate, schemaVersion, type Migration } from '../../../src-main/store/migrations.js';
import { makeTempDir, removeDir } from './temp-store.js';

describe('migrate', () => {
  let dir: string;
  beforeEach(() => {
    dir = makeTempDir();
  });
  afterEach(() => {
    removeDir(dir);
  });

  it('leaves a fresh file at the latest version', () => {
    const store = openStore(dir);
    try {
      expect(SCHEMA_VERSION).toBe(MIGRATIONS.length);
      expect(schemaVersion(store.db)).toBe(SCHEMA_VERSION);
    } finally {
      store.close();
    }
  });

  it('is idempotent on reopen', () => {
    openStore(dir).close();
    const store = openStore(dir);
    try {
      expect(schemaVersion(store.db)).toBe(SCHEMA_VERSION);
      expect(migrate(store.db)).toBe(SCHEMA_VERSION);
    } finally {
      store.close();
    }
  });

  it('refuses a file written by a newer build and leaves it untouched', () => {
    const file = path.join(dir, DB_FILE_NAME);
    const raw = new Database(file);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();

    expect(() => openStore(dir)).toThrow(
      `schema version ${SCHEMA_VERSION + 1}, newer than version ${SCHEMA_VERSION} known to this build of w2w`,
    );
    const check = new Database(file, { readonly: true });
    try {
      expect(schemaVersion(check)).toBe(SCHEMA_VERSION + 1);
      expect(check.prepare("SELECT count(*) FROM sqlite_schema WHERE type = 'table'").pluck().get()).toBe(0);
    } finally {
      check.close();
    }
    // openStore closed its connection on the way out, so the files can go.
    expect(() => fs.rmSync(dir, { recursive: true })).not.toThrow();
  });

  it('applies only the missing migrations, in order', () => {
    const db = new Database(':memory:');
    const applied: number[] = [];
    const steps: Migration[] = [1, 2, 3].map((version) => ({
      version,
      name: `step ${version}`,
      up: () => {
        applied.push(version);
      },
    }));
    expect(migrate(db, steps.slice(0, 1))).toBe(1);
    expect(migrate(db, steps)).toBe(3);
    expect(migrate(db, steps)).toBe(3);
    expect(applied).toEqual([1, 2, 3]);
    db.close();
  });

  it('rolls a failing migration back completely, version included', () => {
    const db = new Database(':memory:');
    const steps: Migration[] = [
      { version: 1, name: 'ok', up: (d) => void d.exec('CREATE TABLE a (x INTEGER)') },
      {
        version: 2,
        name: 'breaks halfway',
        up: (d) => {
          d.exec('CREATE TABLE b (x INTEGER)');
          throw new Error('boom');
        },
      },
    ];
    expect(() => migrate(db, steps)).toThrow('boom');
    expect(schemaVersion(db)).toBe(1);
    const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").pluck().all();
    expect(tables).toEqual(['a']);
    db.close();
  });

  it('rejects a migration list whose versions are not 1, 2, 3, ...', () => {
    const db = new Database(':memory:');
    const steps: Migration[] = [{ version: 2, name: 'misnumbered', up: () => undefined }];
    expect(() => migrate(db, steps)).toThrow(/versions must be 1, 2, 3/);
    expect(schemaVersion(db)).toBe(0);
    db.close();
  });
});

describe('migration 1', () => {
  it('creates the tables and indexes, and a consistent schema', () => {
    const db = new Database(':memory:');
    try {
      migrate(db, MIGRATIONS.slice(0, 1));
      const names = (type: string): unknown[] =>
        db.prepare("SELECT name FROM sqlite_schema WHERE type = ? AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all(type);
      expect(names('table')).toEqual(['group_members', 'groups', 'identity', 'messages', 'node_list', 'peers', 'settings']);
      expect(names('index')).toEqual([
        'group_members_by_member',
        'messages_by_group',
        'messages_by_peer',
        'messages_by_time',
        'node_list_by_last_seen',
      ]);
      expect(db.pragma('foreign_key_check')).toEqual([]);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      db.close();
    }
  });

  it('stores IDs as BLOBs and rejects wrong sizes and text at the SQL level', () => {
    const db = new Database(':memory:');
    try {
      migrate(db, MIGRATIONS.slice(0, 1));
      const insert = db.prepare('INSERT INTO node_list (id, first_seen_ms, last_seen_ms) VALUES (?, 1, 1)');
      expect(() => insert.run(Buffer.alloc(31))).toThrow(/CHECK/);
      expect(() => insert.run('a'.repeat(32))).toThrow(/cannot store TEXT value in BLOB column/);
      insert.run(Buffer.alloc(32));
      expect(db.prepare('SELECT typeof(id) FROM node_list').pluck().get()).toBe('blob');
    } finally {
      db.close();
    }
  });
});

describe('migration 4', () => {
  it('keeps every message and kept frame of a version-3 file, now unique per (sender, message ID)', () => {
    const db = new Database(':memory:');
    try {
      migrate(db, MIGRATIONS.slice(0, 3));
      const id = (n: number): Buffer => Buffer.alloc(32, n);
      const mid = (n: number): Buffer => Buffer.alloc(16, n);
      const addMessage = db.prepare(
        "INSERT INTO messages (msg_id, direction, route, peer, body, status, created_ms, updated_ms) VALUES (?, ?, 2, ?, ?, ?, 5, 5)",
      );
      addMessage.run(mid(1), 'in', id(1), Buffer.from('from ann'), 'received');
      addMessage.run(mid(1), 'out', id(1), Buffer.from('to ann'), 'delivered');
      addMessage.run(mid(2), 'in', id(2), Buffer.from('from bob'), 'received');
      // A kept MSG frame: type, route, flags, hops, 16-byte id, 32-byte from (bytes 20..51), then the rest.
      const frame = (from: number, n: number): Buffer => Buffer.concat([Buffer.from([0x10, 2, 0, 8]), mid(n), id(from), id(9), Buffer.from([0, 0, 0, 1, n])]);
      db.prepare('INSERT INTO stored_messages (recipient, origin_relay, msg_id, msg, created_ms, expires_ms) VALUES (?, ?, ?, ?, 1, 99)').run(id(9), id(7), mid(3), frame(4, 3));

      expect(migrate(db)).toBe(4);
      expect(db.prepare('SELECT seq, msg_id, direction, peer, body, status FROM messages ORDER BY seq').all()).toEqual([
        { seq: 1, msg_id: mid(1), direction: 'in', peer: id(1), body: Buffer.from('from ann'), status: 'received' },
        { seq: 2, msg_id: mid(1), direction: 'out', peer: id(1), body: Buffer.from('to ann'), status: 'delivered' },
        { seq: 3, msg_id: mid(2), direction: 'in', peer: id(2), body: Buffer.from('from bob'), status: 'received' },
      ]);
      expect(db.prepare('SELECT recipient, origin_relay, sender, msg_id, msg FROM stored_messages').all()).toEqual([
        { recipient: id(9), origin_relay: id(7), sender: id(4), msg_id: mid(3), msg: frame(4, 3) },
      ]);
      // Another sender may now use an ID someone else used; the same sender still may not.
      const addIn = db.prepare("INSERT INTO messages (msg_id, direction, route, peer, body, status, created_ms, updated_ms) VALUES (?, 'in', 2, ?, x'00', 'received', 6, 6)");
      expect(addIn.run(mid(1), id(3)).changes).toBe(1);
      expect(() => addIn.run(mid(1), id(1))).toThrow(/UNIQUE/);
      const addOut = db.prepare("INSERT INTO messages (msg_id, direction, route, peer, body, status, created_ms, updated_ms) VALUES (?, 'out', 2, ?, x'00', 'sent', 6, 6)");
      expect(() => addOut.run(mid(1), id(3))).toThrow(/UNIQUE/);
      expect(db.pragma('foreign_key_check')).toEqual([]);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      db.close();
    }
  });
});
