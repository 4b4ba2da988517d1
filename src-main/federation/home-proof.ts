// Home proofs: a client's signature saying "I registered with relay R at time T". Route announcements
// carry them so that no relay can claim to be the home of an ID that never registered with it.
//
//   proof = Sign(client, "w2w/1 home" ‖ R (32 bytes) ‖ u64be(T))
import { sign, verify, type Identity } from '../crypto/identity.js';

const LABEL = Buffer.from('w2w/1 home');

export interface HomeProof {
  /** the relay the client registered with (the route's origin) */
  origin: Uint8Array;
  timeMs: number;
  sig: Uint8Array;
}

function message(origin: Uint8Array, timeMs: number): Buffer {
  const t = Buffer.alloc(8);
  t.writeBigUInt64BE(BigInt(timeMs));
  return Buffer.concat([LABEL, origin, t]);
}

export function signHomeProof(client: Identity, origin: Uint8Array, timeMs: number): HomeProof {
  return { origin: Buffer.from(origin), timeMs, sig: sign(client, message(origin, timeMs)) };
}

export function verifyHomeProof(clientId: Uint8Array, proof: HomeProof): boolean {
  if (!Number.isSafeInteger(proof.timeMs) || proof.timeMs < 0) return false;
  return verify(clientId, message(proof.origin, proof.timeMs), proof.sig);
}
