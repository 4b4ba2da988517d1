// `w2w id`: prints this install's ID, creating the key pair on first use.
import { idToText } from '../../../src-shared/ids.js';
import { openDataDir } from '../common.js';
import type { CliIo } from '../io.js';

export function runId(flags: { data?: string }, io: CliIo): number {
  const { store, identity } = openDataDir(flags.data);
  try {
    io.out(idToText(identity.publicKey));
    return 0;
  } finally {
    store.close();
  }
}
