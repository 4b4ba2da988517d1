// `w2w peers`: the relay's node list (every ID registered there) with online state and last seen.
import { idToText } from '../../../src-shared/ids.js';
import { Op } from '../../../src-shared/protocol/constants.js';
import { withClient } from '../common.js';
import type { CliIo } from '../io.js';

export async function runPeers(flags: { relay?: string; data?: string; ca?: string; insecure?: boolean }, io: CliIo): Promise<number> {
  return withClient(flags, io, async (client, _store, identity) => {
    const { peers } = await client.request({ op: Op.LIST_PEERS });
    const me = idToText(identity.publicKey);
    for (const p of peers) {
      const id = idToText(p.id);
      io.out(`${id}\t${p.online ? 'online' : 'offline'}\tlast seen ${new Date(p.lastSeenMs).toISOString()}${id === me ? '\t(you)' : ''}`);
    }
    return 0;
  });
}
