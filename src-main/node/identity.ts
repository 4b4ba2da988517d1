// Loads this install's identity from the store, creating it on first start.
import { generateIdentity, type Identity } from '../crypto/identity.js';
import type { Store } from '../store/db.js';

export function loadOrCreateIdentity(store: Store): Identity {
  const stored = store.identity.load();
  if (stored) {
    if (stored.protection !== 'plain') {
      throw new Error(`This data dir's key is protected by ${stored.protection}; open it with the w2w desktop app that created it.`);
    }
    return { publicKey: stored.publicKey, secretKey: stored.secretKey };
  }
  const identity = generateIdentity();
  store.identity.save({ publicKey: identity.publicKey, secretKey: identity.secretKey, protection: 'plain', createdMs: Date.now() });
  return identity;
}
