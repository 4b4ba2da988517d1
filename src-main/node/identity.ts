// Loads this install's identity from the store, creating it on first start.
import { generateIdentity, sign, verify, wipe, type Identity } from '../crypto/identity.js';
import type { Store } from '../store/db.js';
import type { StoredIdentity } from '../store/identity-repo.js';

/**
 * Keeps the secret key encrypted at rest (the desktop app passes one backed by Electron's safeStorage).
 * Only new identities are protected; a data dir created without one stays 'plain'.
 */
export interface KeyProtector {
  readonly kind: 'safeStorage';
  protect(secretKey: Buffer): Buffer;
  unprotect(blob: Buffer): Buffer;
}

const SELF_CHECK = Buffer.from('w2w identity self-check');

/**
 * Refuses a stored key pair whose halves do not belong together (a damaged or hand-edited file, a
 * keychain that returned something else): the node would announce one ID and sign as another, and every
 * handshake would fail with nothing saying why.
 */
function checked(identity: Identity): Identity {
  let ok: boolean;
  try {
    ok = identity.secretKey.length === 64 && verify(identity.publicKey, SELF_CHECK, sign(identity, SELF_CHECK));
  } catch {
    ok = false; // sodium throws on a key of the wrong size
  }
  if (!ok) throw new Error("This data dir's secret key does not match its ID (the database file is damaged); restore it from a backup or use another data dir.");
  return identity;
}

function opened(stored: StoredIdentity, protector: KeyProtector | undefined): Identity {
  if (stored.protection === 'plain') return checked({ publicKey: stored.publicKey, secretKey: stored.secretKey });
  if (protector?.kind === stored.protection) return checked({ publicKey: stored.publicKey, secretKey: protector.unprotect(stored.secretKey) });
  throw new Error(`This data dir's key is protected by ${stored.protection}; open it with the w2w desktop app that created it.`);
}

export function loadOrCreateIdentity(store: Store, protector?: KeyProtector): Identity {
  const stored = store.identity.load();
  if (stored) return opened(stored, protector);
  const identity = generateIdentity();
  const secretKey = protector ? protector.protect(identity.secretKey) : identity.secretKey;
  try {
    store.identity.save({ publicKey: identity.publicKey, secretKey, protection: protector?.kind ?? 'plain', createdMs: Date.now() });
  } catch (err) {
    // Another process on the same new data dir (a CLI next to a starting node) stored its key between our
    // load and our save: that one is this data dir's identity now, so use it rather than fail.
    const winner = store.identity.load();
    if (!winner) throw err;
    wipe(identity.secretKey);
    return opened(winner, protector);
  }
  return identity;
}
