// Loads this install's identity from the store, creating it on first start.
import { generateIdentity, type Identity } from '../crypto/identity.js';
import type { Store } from '../store/db.js';

/**
 * Keeps the secret key encrypted at rest (the desktop app passes one backed by Electron's safeStorage).
 * Only new identities are protected; a data dir created without one stays 'plain'.
 */
export interface KeyProtector {
  readonly kind: 'safeStorage';
  protect(secretKey: Buffer): Buffer;
  unprotect(blob: Buffer): Buffer;
}

export function loadOrCreateIdentity(store: Store, protector?: KeyProtector): Identity {
  const stored = store.identity.load();
  if (stored) {
    if (stored.protection === 'plain') return { publicKey: stored.publicKey, secretKey: stored.secretKey };
    if (protector?.kind === stored.protection) return { publicKey: stored.publicKey, secretKey: protector.unprotect(stored.secretKey) };
    throw new Error(`This data dir's key is protected by ${stored.protection}; open it with the w2w desktop app that created it.`);
  }
  const identity = generateIdentity();
  const secretKey = protector ? protector.protect(identity.secretKey) : identity.secretKey;
  store.identity.save({ publicKey: identity.publicKey, secretKey, protection: protector?.kind ?? 'plain', createdMs: Date.now() });
  return identity;
}
