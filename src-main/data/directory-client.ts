// The client side of a relay's data directory: publish a holding, withdraw it, and look up the holdings
// of a content hash (each one verified here: the relay is not trusted with signatures).
import { DeclQueryBy, Op } from '../../src-shared/protocol/constants.js';
import { decodeHolding, encodeHolding, withdrawMessage, type Holding } from '../../src-shared/protocol/declaration.js';
import { sign } from '../crypto/identity.js';
import type { RelayClient } from '../client/relay-client.js';
import { verifyHolding } from './declare.js';


export async function publishHolding(client: RelayClient, h: Holding): Promise<void> {
  await client.request({ op: Op.DECL_PUBLISH, holding: encodeHolding(h) });
}

/** Withdraws this client's holding of `contentHash`: Sign(holder, "w2w/1 withdraw" ‖ contentHash ‖ u64 timeMs). */
export async function withdrawHolding(client: RelayClient, contentHash: Uint8Array): Promise<void> {
  const timeMs = Date.now();
  await client.request({ op: Op.DECL_WITHDRAW, contentHash, timeMs, sig: sign(client.identity, withdrawMessage(contentHash, timeMs)) });
}

/** The holdings the directory lists for `contentHash`, minus any that do not verify. */
export async function findHoldings(client: RelayClient, contentHash: Uint8Array): Promise<Holding[]> {
  const res = await client.request({ op: Op.DECL_QUERY, by: DeclQueryBy.HASH, key: contentHash });
  const out: Holding[] = [];
  for (const bytes of res.holdings) {
    const d = decodeHolding(bytes);
    if (d.ok && verifyHolding(d.holding).ok) out.push(d.holding);
  }
  return out;
}
