// IdentityRepo: one key pair per data dir, stored as bytes, never overwritten.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoredIdentity } from '../../../src-main/store/identity-repo.js';
import { id, openTempStore, type TempStore } from './temp-store.js';

const plain: StoredIdentity = {
  publicKey: id(0xaa),
  secretKey: Buffer.concat([Buffer.alloc(32, 0x11), id(0xaa)]),
  protection: 'plain',
  createdMs: 1_700_000_000_000,
};

describe('IdentityRepo', () => {
  let t: TempStore;
  beforeEach(() => {
    t = openTempStore();
  });
  afterEach(() => {
    t.dispose();
  });

  it('returns null before an identity is saved', () => {
    expect(t.store.identity.load()).toBeNull();
  });

  it('round-trips a plain identity as Buffers', () => {
    t.store.identity.save(plain);
    const loaded = t.store.identity.load();
    expect(loaded).toEqual(plain);
    expect(Buffer.isBuffer(loaded?.publicKey)).toBe(true);
    expect(Buffer.isBuffer(loaded?.secretKey)).toBe(true);
  });

  it('refuses to overwrite an existing identity and keeps the first', () => {
    t.store.identity.save(plain);
    const other = { ...plain, publicKey: id(0xbb) };
    expect(() => t.store.identity.save(other)).toThrow('already holds an identity; refusing to overwrite it');
    expect(t.store.identity.load()?.publicKey).toEqual(id(0xaa));
  });

  it('accepts a safeStorage-protected secret key of any length', () => {
    const sealed = { ...plain, secretKey: Buffer.alloc(120, 7), protection: 'safeStorage' as const };
    t.store.identity.save(sealed);
    expect(t.store.identity.load()).toEqual(sealed);
  });

  it('rejects wrong key sizes and unknown protections with a sentence', () => {
    expect(() => t.store.identity.save({ ...plain, publicKey: Buffer.alloc(31) })).toThrow(
      'The public key must be 32 bytes long, but it is 31.',
    );
    expect(() => t.store.identity.save({ ...plain, secretKey: Buffer.alloc(32) })).toThrow(
      'The plain secret key must be 64 bytes long, but it is 32.',
    );
    const bogus = { ...plain, protection: 'rot13' } as unknown as StoredIdentity;
    expect(() => t.store.identity.save(bogus)).toThrow(/must be 'plain' or 'safeStorage'/);
    expect(t.store.identity.load()).toBeNull();
  });
});
