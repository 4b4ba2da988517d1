// The relay's directory of shared data: verified holdings ("holder H has the data with content hash
// C, owned by O, fetchable by ...") that clients publish, withdraw and query. Every holding is checked
// (owner and holder signatures, the publisher is the holder) before it is kept or passed to linked
// relays; queries are answered from SQLite, never by asking clients.
import { Access, decodeHolding, withdrawMessage } from '../../src-shared/protocol/declaration.js';
import { verifyHolding } from '../data/declare.js';
import { ErrorCode, W2wError } from '../../src-shared/protocol/errors.js';
import { bytesEqual } from '../../src-shared/ids.js';
import { verify } from '../crypto/identity.js';
import type { DirectoryEntry, DirectoryRepo } from '../store/directory-repo.js';


/** Holdings one holder may keep in a relay's directory. */
export const MAX_HOLDINGS_PER_HOLDER = 1000;
/** Holdings in one query answer (the answer must fit one frame). */
export const MAX_QUERY_RESULTS = 64;
/** Withdrawals must be fresh: a captured one cannot be replayed much later against a new holding. */
const WITHDRAW_MAX_AGE_MS = 10 * 60_000;

/** Re-exported where relays check it; clients sign the same bytes (src-shared). */
export { withdrawMessage };

export class Directory {
  constructor(private readonly repo: DirectoryRepo) {}

  /**
   * Checks and keeps a holding. `publisher` is the authenticated client that sent it, or null when
   * it came from a linked relay. Returns false when the very same holding was already known.
   */
  publish(bytes: Uint8Array, publisher: Buffer | null): boolean {
    const d = decodeHolding(bytes);
    if (!d.ok) throw new W2wError(ErrorCode.BAD_REQUEST, `not a declaration: ${d.error.message}`);
    const h = d.holding;
    if (publisher && !bytesEqual(h.holder, publisher)) throw new W2wError(ErrorCode.SPOOFED_SENDER, 'you can only publish holdings you signed as the holder');
    // The same check fetchers make: a directory lists nothing a fetcher would refuse.
    const check = verifyHolding(h);
    if (!check.ok) throw new W2wError(ErrorCode.BAD_SIGNATURE, `declaration refused: ${check.reason}`);
    const holder = Buffer.from(h.holder);
    const contentHash = Buffer.from(h.core.contentHash);
    const existing = this.repo.get(contentHash, holder);
    if (existing && existing.holding.equals(bytes)) return false;
    if (existing && existing.heldSinceMs > h.heldSinceMs) return false;
    if (!existing && this.repo.countForHolder(holder) >= MAX_HOLDINGS_PER_HOLDER) {
      throw new W2wError(ErrorCode.BAD_REQUEST, `a holder may list at most ${MAX_HOLDINGS_PER_HOLDER} holdings here`);
    }
    this.repo.put({ contentHash, holder, owner: Buffer.from(h.core.owner), holding: Buffer.from(bytes), heldSinceMs: h.heldSinceMs });
    return true;
  }

  /** Removes a holding on the holder's signed word; false when there was nothing to remove. */
  withdraw(contentHash: Uint8Array, holder: Buffer, timeMs: number, sig: Uint8Array): boolean {
    if (Math.abs(Date.now() - timeMs) > WITHDRAW_MAX_AGE_MS) throw new W2wError(ErrorCode.BAD_REQUEST, 'withdrawal time is more than 10 minutes from the relay clock');
    if (!verify(holder, withdrawMessage(contentHash, timeMs), sig)) throw new W2wError(ErrorCode.BAD_SIGNATURE, 'the withdrawal signature does not verify under the holder ID');
    const existing = this.repo.get(Buffer.from(contentHash), holder);
    if (!existing || existing.heldSinceMs > timeMs) return false;
    return this.repo.remove(Buffer.from(contentHash), holder);
  }

  /** What a freshly linked relay is told (the newest first, bounded). */
  snapshot(limit = 10_000): DirectoryEntry[] {
    return this.repo.recent(limit);
  }

  /** Entries read before filtering by visibility, so restricted holdings cannot crowd out public ones. */
  private static readonly SCAN = MAX_HOLDINGS_PER_HOLDER;

  byHash(contentHash: Uint8Array, asker: Buffer): DirectoryEntry[] {
    return this.visible(this.repo.byHash(Buffer.from(contentHash), Directory.SCAN), asker);
  }

  byHolder(holder: Uint8Array, asker: Buffer): DirectoryEntry[] {
    return this.visible(this.repo.byHolder(Buffer.from(holder), Directory.SCAN), asker);
  }

  byOwner(owner: Uint8Array, asker: Buffer): DirectoryEntry[] {
    return this.visible(this.repo.byOwner(Buffer.from(owner), Directory.SCAN), asker);
  }

  private visible(entries: DirectoryEntry[], asker: Buffer): DirectoryEntry[] {
    return entries.filter((e) => visibleTo(e, asker)).slice(0, MAX_QUERY_RESULTS);
  }
}

/** Public holdings are listed to anyone; restricted ones only to their allowed peers, owner and holder. */
export function visibleTo(entry: DirectoryEntry, asker: Buffer): boolean {
  const d = decodeHolding(entry.holding);
  if (!d.ok) return false;
  const { core } = d.holding;
  if (core.access.kind === Access.PUBLIC) return true;
  if (bytesEqual(core.owner, asker) || bytesEqual(d.holding.holder, asker)) return true;
  // Group membership lives on the group's relay; a group declaration's existence is not secret.
  if (core.access.kind === Access.GROUP) return true;
  return core.access.peers.some((p) => bytesEqual(p, asker));
}
