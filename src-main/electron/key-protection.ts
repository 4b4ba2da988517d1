// The node's key at rest through Electron's safeStorage (the OS keychain). On Linux without a keyring
// safeStorage falls back to 'basic_text' (a fixed, public password): then the key is kept plain like
// the CLI's (mode 0600 data dir) and the user is told, rather than pretending it is protected.
import { safeStorage } from 'electron';
import type { KeyProtector } from '../node/identity.js';

export type KeyProtectionChoice = { protector: KeyProtector; warning: null } | { protector: undefined; warning: string };

export function chooseKeyProtection(platform: NodeJS.Platform = process.platform): KeyProtectionChoice {
  if (!safeStorage.isEncryptionAvailable()) {
    return { protector: undefined, warning: 'No OS keychain is available: the w2w key is stored unencrypted in its data folder.' };
  }
  if (platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') {
    return { protector: undefined, warning: 'No keyring (GNOME Keyring or KWallet) was found: the w2w key is stored unencrypted in its data folder.' };
  }
  return {
    warning: null,
    protector: {
      kind: 'safeStorage',
      // The sync calls are deprecated in favour of async ones, but the node opens its key synchronously.
      protect: (secretKey) => safeStorage.encryptString(secretKey.toString('base64')),
      unprotect: (blob) => Buffer.from(safeStorage.decryptString(blob), 'base64'),
    },
  };
}
