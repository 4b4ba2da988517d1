// One end-to-end session with a peer: a key per direction from the e2e handshake, a message counter
// as nonce, a replay window, and the limits after which it is replaced by a fresh handshake.
import { nonceScratch, openWith, seal, sealInto } from '../crypto/aead.js';
import { wipe } from '../crypto/identity.js';
import { A2bAd } from './a2b-ad.js';
import { ReplayWindow } from '../crypto/replay-window.js';
import type { HandshakeResult } from '../crypto/handshake.js';

/** Re-key after this many messages sent or this much time, whichever comes first. */
export const REKEY_AFTER_MESSAGES = 1 << 20;
export const REKEY_AFTER_MS = 60 * 60_000;
/** A replaced session still opens late messages for this long. */
export const OLD_SESSION_GRACE_MS = 2 * 60_000;
/** Saved receiving keys are kept as long as relays keep stored messages, then deleted. */
export const SAVED_KEY_TTL_MS = 7 * 24 * 3600_000;

export class E2eSession {
  readonly peerId: Buffer;
  /** the first 16 bytes of the handshake's transcript hash: both ends name the session by it */
  readonly sessionId: Buffer;
  readonly createdMs = Date.now();
  private readonly sendKey: Buffer;
  private readonly recvKey: Buffer;
  private sendCounter = 0;
  private readonly window = new ReplayWindow();
  private highestSeen = -1;
  private readonly sendNonce = nonceScratch();
  private readonly recvNonce = nonceScratch();
  /** a2b ADs to and from the peer, built once (null without our own ID: then only seal/open with a given AD work) */
  readonly adToPeer: A2bAd | null;
  readonly adFromPeer: A2bAd | null;
  private destroyed = false;

  /** `me`, our own ID, lets the session build its a2b ADs once instead of per message. */
  constructor(result: HandshakeResult, me?: Uint8Array) {
    this.peerId = result.peerId;
    this.sessionId = Buffer.from(result.transcriptHash.subarray(0, 16));
    this.sendKey = result.sendKey;
    this.recvKey = result.recvKey;
    this.adToPeer = me ? new A2bAd(me, result.peerId) : null;
    this.adFromPeer = me ? new A2bAd(result.peerId, me) : null;
  }

  /** A session restored from its saved receiving key: it opens late messages and never sends. */
  static receiveOnly(peerId: Buffer, sessionId: Buffer, recvKey: Buffer, me?: Uint8Array): E2eSession {
    const s = new E2eSession({ peerId, transcriptHash: Buffer.concat([sessionId, Buffer.alloc(16)]), sendKey: Buffer.alloc(32), recvKey: Buffer.from(recvKey) }, me);
    s.sendCounter = REKEY_AFTER_MESSAGES;
    return s;
  }

  /** A copy of the receiving key, for the key store. */
  exportRecvKey(): Buffer {
    return Buffer.from(this.recvKey);
  }

  /** Whether new messages should go out under a fresh session instead. */
  get worn(): boolean {
    return this.destroyed || this.sendCounter >= REKEY_AFTER_MESSAGES || Date.now() - this.createdMs > REKEY_AFTER_MS;
  }

  seal(ad: Uint8Array, plaintext: Uint8Array): { counter: number; ciphertext: Buffer } {
    if (this.worn) throw new Error('E2eSession.seal() on a worn or receive-only session; get a fresh one from E2eSessions.');
    const counter = this.sendCounter++;
    return { counter, ciphertext: seal(this.sendKey, counter, ad, plaintext) };
  }

  /**
   * Seals into `out` (plaintext + TAG_BYTES, typically the tail of the frame being built) and returns
   * the counter used: no allocation. The caller writes the counter into the body header.
   */
  sealInto(out: Uint8Array, ad: Uint8Array, plaintext: Uint8Array): number {
    if (this.worn) throw new Error('E2eSession.sealInto() on a worn or receive-only session; get a fresh one from E2eSessions.');
    const counter = this.sendCounter++;
    sealInto(out, this.sendKey, counter, ad, plaintext, this.sendNonce);
    return counter;
  }

  /**
   * null when it does not authenticate, was seen before (replay) or is older than the window.
   * `skipped` counts the counters jumped over: messages a relay dropped (or that are still on their way).
   */
  open(counter: number, ad: Uint8Array, ciphertext: Uint8Array): { plaintext: Buffer; skipped: number } | null {
    if (this.destroyed || !this.window.check(counter)) return null;
    const plaintext = openWith(this.recvKey, counter, ad, ciphertext, this.recvNonce);
    if (!plaintext) return null;
    this.window.accept(counter);
    const skipped = counter > this.highestSeen + 1 ? counter - this.highestSeen - 1 : 0;
    this.highestSeen = Math.max(this.highestSeen, counter);
    return { plaintext, skipped };
  }

  destroy(): void {
    this.destroyed = true;
    wipe(this.sendKey, this.recvKey);
  }
}
