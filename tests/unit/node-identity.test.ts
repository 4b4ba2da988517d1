// The node's identity at rest: plain by default, encrypted through a KeyProtector (the desktop app's
// safeStorage hook) when one is given, and refused without the protector that made it.
import { afterEach, describe, expect, it } from 'vitest';
import { loadOrCreateIdentity, type KeyProtector } from '../../src-main/node/identity.js';
import { openStore } from '../../src-main/store/db.js';
import { makeTempDir, openTempStore, removeDir, type TempStore } from './store/temp-store.js';

/** A stand-in for safeStorage: reversible, and visibly not the plain key. */
const xor: KeyProtector = {
  kind: 'safeStorage',
  protect: (k) => Buffer.concat([Buffer.from('wrapped:'), Buffer.from(k.map((b) => b ^ 0x5a))]),
  unprotect: (blob) => Buffer.from(blob.subarray(8).map((b) => b ^ 0x5a)),
};

let temp: TempStore | null = null;
afterEach(() => {
  temp?.dispose();
  temp = null;
});

describe('loadOrCreateIdentity', () => {
  it('stores a new key plain without a protector and loads it back', () => {
    temp = openTempStore();
    const created = loadOrCreateIdentity(temp.store);
    expect(temp.store.identity.load()?.protection).toBe('plain');
    expect(loadOrCreateIdentity(temp.store).secretKey.equals(created.secretKey)).toBe(true);
  });

  it('stores a new key protected with a protector; only that protector opens it', () => {
    const dir = makeTempDir();
    try {
      const first = openStore(dir);
      const created = loadOrCreateIdentity(first, xor);
      const stored = first.identity.load();
      first.close();
      expect(stored?.protection).toBe('safeStorage');
      expect(stored?.secretKey.equals(created.secretKey)).toBe(false);
      const reopened = openStore(dir);
      try {
        const loaded = loadOrCreateIdentity(reopened, xor);
        expect(loaded.publicKey.equals(created.publicKey)).toBe(true);
        expect(loaded.secretKey.equals(created.secretKey)).toBe(true);
        expect(() => loadOrCreateIdentity(reopened)).toThrow(/protected by safeStorage/);
      } finally {
        reopened.close();
      }
    } finally {
      removeDir(dir);
    }
  });

  it('keeps an existing plain key plain when a protector comes later', () => {
    temp = openTempStore();
    const created = loadOrCreateIdentity(temp.store);
    expect(loadOrCreateIdentity(temp.store, xor).secretKey.equals(created.secretKey)).toBe(true);
    expect(temp.store.identity.load()?.protection).toBe('plain');
  });
});

describe('loadOrCreateIdentity on a new data dir opened twice at once', () => {
  it('uses the key another process stored between its load and its save, instead of failing', () => {
    const dir = makeTempDir();
    const mine = openStore(dir);
    const theirs = openStore(dir);
    try {
      let other: ReturnType<typeof loadOrCreateIdentity> | null = null;
      // The protector runs between the load (no key yet) and the save: the other connection creates the key then.
      const racing: KeyProtector = {
        ...xor,
        protect: (k) => {
          other = loadOrCreateIdentity(theirs, xor);
          return xor.protect(k);
        },
      };
      const got = loadOrCreateIdentity(mine, racing);
      expect(other).not.toBe(null);
      expect(got.publicKey.equals(other!.publicKey)).toBe(true);
      expect(got.secretKey.equals(other!.secretKey)).toBe(true);
      expect(mine.identity.load()?.publicKey.equals(got.publicKey)).toBe(true);
    } finally {
      mine.close();
      theirs.close();
      removeDir(dir);
    }
  });
});

describe('loadOrCreateIdentity on a damaged identity row', () => {
  for (const [what, at] of [['the seed half', 0], ['the public-key half of the secret key', 40]] as const) {
    it(`refuses a secret key when ${what} no longer matches the ID, with a sentence that says so`, () => {
      const dir = makeTempDir();
      try {
        const first = openStore(dir);
        const created = loadOrCreateIdentity(first);
        first.close();
        // Damage one byte of the stored secret key behind the repository's back (real SQLite, new connection).
        const damaged = openStore(dir);
        const sk = Buffer.from(created.secretKey);
        sk[at] = (sk[at] as number) ^ 0xff;
        damaged.db.prepare('UPDATE identity SET secret_key = ? WHERE slot = 1').run(sk);
        expect(() => loadOrCreateIdentity(damaged)).toThrow(/does not match its ID/);
        // Nothing was replaced: the stored ID is still the one that was created.
        expect(damaged.identity.load()?.publicKey.equals(created.publicKey)).toBe(true);
        damaged.close();
      } finally {
        removeDir(dir);
      }
    });
  }
});
