// Stores this node's one Ed25519 key pair; it keeps bytes only and does no crypto.
import type Database from 'better-sqlite3';
import { assertBytes, assertId, assertMs } from './assert-bytes.js';

/**
 * How `secretKey` is kept at rest. 'plain' is the 64-byte libsodium secret key as is; 'safeStorage' is
 * that key encrypted by Electron's safeStorage (an opaque blob that only the OS keychain can open).
 */
export type KeyProtection = 'plain' | 'safeStorage';

export interface StoredIdentity {
  /** 32-byte Ed25519 public key: the node's ID. */
  readonly publicKey: Buffer;
  /** 64 bytes when plain; the caller should wipe it (sodium_memzero) once the key is loaded. */
  readonly secretKey: Buffer;
  readonly protection: KeyProtection;
  readonly createdMs: number;
}

interface IdentityRow {
  public_key: Buffer;
  secret_key: Buffer;
  protection: KeyProtection;
  created_ms: number;
}

const PLAIN_SECRET_KEY_BYTES = 64;

export class IdentityRepo {
  readonly #load: Database.Statement<[], IdentityRow>;
  readonly #insert: Database.Statement<[Buffer, Buffer, KeyProtection, number]>;

  constructor(db: Database.Database) {
    this.#load = db.prepare<[], IdentityRow>(
      'SELECT public_key, secret_key, protection, created_ms FROM identity WHERE slot = 1',
    );
    // OR IGNORE turns "already there" into changes = 0, checked atomically with the insert itself.
    this.#insert = db.prepare<[Buffer, Buffer, KeyProtection, number]>(
      'INSERT OR IGNORE INTO identity (slot, public_key, secret_key, protection, created_ms) VALUES (1, ?, ?, ?, ?)',
    );
  }

  /** The stored identity, or null when this data dir has none yet. */
  load(): StoredIdentity | null {
    const row = this.#load.get();
    if (row === undefined) return null;
    return {
      publicKey: row.public_key,
      secretKey: row.secret_key,
      protection: row.protection,
      createdMs: row.created_ms,
    };
  }

  /**
   * Stores the identity. Throws if one is already stored: replacing it would silently change this node's ID
   * and lose the only copy of the old secret key.
   */
  save(identity: StoredIdentity): void {
    assertId(identity.publicKey, 'public key');
    if (identity.protection === 'plain') {
      assertBytes(identity.secretKey, PLAIN_SECRET_KEY_BYTES, 'plain secret key');
    } else if (identity.protection === 'safeStorage') {
      if (!Buffer.isBuffer(identity.secretKey) || identity.secretKey.length === 0) {
        throw new TypeError('The protected secret key must be a non-empty Buffer.');
      }
    } else {
      throw new TypeError(`The key protection must be 'plain' or 'safeStorage', not ${String(identity.protection)}.`);
    }
    assertMs(identity.createdMs, 'identity creation time');
    const result = this.#insert.run(identity.publicKey, identity.secretKey, identity.protection, identity.createdMs);
    if (result.changes === 0) {
      throw new Error('This data dir already holds an identity; refusing to overwrite it.');
    }
  }
}
