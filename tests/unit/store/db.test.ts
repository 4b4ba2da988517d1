// openStore: file layout and permissions, pragmas, closing, and data surviving a reopen.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUSY_TIMEOUT_MS, DB_FILE_NAME, openStore } from '../../../src-main/store/db.js';
import { id, makeTempDir, msgId, removeDir } from './temp-store.js';

const isPosix = process.platform !== 'win32';

function mode(file: string): number {
  return fs.statSync(file).mode & 0o777;
}

describe('openStore', () => {
  let root: string;
  beforeEach(() => {
    root = makeTempDir();
  });
  afterEach(() => {
    removeDir(root);
  });

  it.runIf(isPosix)('creates a missing (nested) data dir 0700 and the database file 0600, whatever the umask', () => {
    const dataDir = path.join(root, 'a', 'data');
    // A permissive umask would leave group/other bits on anything created without an explicit mode.
    // Worker threads may not change the umask; there the test still checks the modes under the current one.
    let oldUmask: number | undefined;
    try {
      oldUmask = process.umask(0o000);
    } catch {
      oldUmask = undefined;
    }
    let store;
    try {
      store = openStore(dataDir);
    } finally {
      if (oldUmask !== undefined) process.umask(oldUmask);
    }
    try {
      expect(mode(dataDir)).toBe(0o700);
      const file = path.join(dataDir, DB_FILE_NAME);
      expect(store.path).toBe(file);
      expect(mode(file)).toBe(0o600);
      // A write makes sure both WAL companions exist while the connection is open.
      store.settings.set('k', 1);
      expect(mode(`${file}-wal`)).toBe(0o600);
      expect(mode(`${file}-shm`)).toBe(0o600);
    } finally {
      store.close();
    }
  });

  it.runIf(isPosix)('tightens an existing database file but leaves an existing dir as the user set it', () => {
    fs.chmodSync(root, 0o755);
    const file = path.join(root, DB_FILE_NAME);
    fs.writeFileSync(file, '');
    fs.chmodSync(file, 0o644);
    const store = openStore(root);
    store.close();
    expect(mode(file)).toBe(0o600);
    expect(mode(root)).toBe(0o755);
  });

  it('turns on WAL, synchronous=NORMAL, foreign keys and the busy timeout', () => {
    const store = openStore(root);
    try {
      expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(store.db.pragma('synchronous', { simple: true })).toBe(1);
      expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(store.db.pragma('busy_timeout', { simple: true })).toBe(BUSY_TIMEOUT_MS);
    } finally {
      store.close();
    }
  });

  it('close() can be called twice', () => {
    const store = openStore(root);
    store.close();
    expect(() => store.close()).not.toThrow();
    expect(store.db.open).toBe(false);
  });

  it('keeps every table group across close and reopen', () => {
    const first = openStore(root);
    first.identity.save({ publicKey: id(1), secretKey: Buffer.alloc(64, 2), protection: 'plain', createdMs: 10 });
    first.nodeList.recordRegistration(id(3), 100);
    first.groups.create('g', id(1), 100);
    first.groups.addMembers('g', [id(3)], 101);
    first.peers.upsert(id(3), { nickname: 'three', nowMs: 5 });
    first.messages.insert({ msgId: msgId(7), direction: 'out', route: 2, peer: id(3), body: Buffer.from('hi'), createdMs: 200 });
    first.settings.set('theme', { dark: true });
    first.close();

    const second = openStore(root);
    try {
      expect(second.identity.load()?.publicKey).toEqual(id(1));
      expect(second.nodeList.get(id(3))?.registrations).toBe(1);
      expect(second.groups.members('g')).toEqual([id(1), id(3)]);
      expect(second.peers.get(id(3))?.nickname).toBe('three');
      expect(second.messages.get(msgId(7), 'out')?.body.toString()).toBe('hi');
      expect(second.settings.get('theme')).toEqual({ dark: true });
    } finally {
      second.close();
    }
  });

  it('lets two connections share one data dir, as a CLI next to a running node does', () => {
    const node = openStore(root);
    const cli = openStore(root);
    try {
      cli.settings.set('from-cli', 'yes');
      expect(node.settings.get('from-cli')).toBe('yes');
      node.nodeList.recordRegistration(id(9), 1);
      expect(cli.nodeList.has(id(9))).toBe(true);
    } finally {
      cli.close();
      node.close();
    }
  });
});
