// The w2w three-message signed handshake (sigA -> sigB over sigA -> sigC over sigB), written once for
// every context (c2s registration, s2s links, e2e sessions). It is a SIGMA-style exchange in the
// shape of Noise XX: fresh ephemerals and nonces from both sides, every signature over a distinct
// label and the running transcript hash (both identities, both nonces, both ephemerals, the binding),
// and session keys derived from the ephemeral X25519 secret keyed over the transcript that ends in
// sigC. sigC crosses the wire, so it is bound into the keys but never is the secret.
//
//   h1 = H("w2w/1", ctx, IDa, Ea, Na, IDb, binding)     sigA = Sign(a, "w2w/1|A" ‖ h1)
//   h2 = H(h1, sigA, IDb, Eb, Nb)                        sigB = Sign(b, "w2w/1|B" ‖ h2)
//   h3 = H(h2, sigB)                                     sigC = Sign(a, "w2w/1|C" ‖ h3)
//   th = H(h3, sigC)
//   q  = X25519(ea, Eb) = X25519(eb, Ea), rejected if all zero
//   k  = BLAKE2b-512(key = q, "w2w/1 keys" ‖ th);  kAB = k[0..32], kBA = k[32..64]
import { HANDSHAKE_CONTEXT_LABEL, type HandshakeContext } from '../../src-shared/protocol/constants.js';
import { ErrorCode, W2wError } from '../../src-shared/protocol/errors.js';
import { bytesEqual, shortId } from '../../src-shared/ids.js';
import { keyedHash, transcriptHash } from './hash.js';
import { sign, verify, wipe, type Identity } from './identity.js';
import { randomBytes } from './random.js';
import { ephemeralKeyPair, x25519, type EphemeralKeyPair } from './x25519.js';

export const PROTOCOL_LABEL = 'w2w/1';
const LABEL_A = Buffer.from('w2w/1|A');
const LABEL_B = Buffer.from('w2w/1|B');
const LABEL_C = Buffer.from('w2w/1|C');
const LABEL_KEYS = Buffer.from('w2w/1 keys');

export interface HandshakeM1 {
  ctx: HandshakeContext;
  idA: Uint8Array;
  ephA: Uint8Array;
  nonceA: Uint8Array;
  expectedIdB: Uint8Array;
  binding: string;
  sigA: Uint8Array;
}

export interface HandshakeM2 {
  idB: Uint8Array;
  ephB: Uint8Array;
  nonceB: Uint8Array;
  sigB: Uint8Array;
}

export interface HandshakeM3 {
  sigC: Uint8Array;
}

export interface HandshakeResult {
  /** the authenticated identity of the other side */
  peerId: Buffer;
  /** th: unique per handshake; the session ID both sides agree on */
  transcriptHash: Buffer;
  /** key for what this side sends (initiator: kAB, responder: kBA) */
  sendKey: Buffer;
  /** key for what this side receives */
  recvKey: Buffer;
}

export type Step<T> = { ok: true; value: T } | { ok: false; error: W2wError };

/** Fixed randomness, only for test vectors: never pass it in production code. */
export interface HandshakeEntropy {
  ephemeralSecret: Uint8Array;
  nonce: Uint8Array;
}

const fail = <T>(code: ErrorCode, message: string): Step<T> => ({ ok: false, error: new W2wError(code, message) });

function labelled(label: Buffer, h: Uint8Array): Buffer {
  return Buffer.concat([label, h]);
}

function deriveKeys(q: Buffer, th: Buffer): { kAB: Buffer; kBA: Buffer } {
  const k = keyedHash(q, labelled(LABEL_KEYS, th), 64);
  const out = { kAB: Buffer.from(k.subarray(0, 32)), kBA: Buffer.from(k.subarray(32, 64)) };
  wipe(k, q);
  return out;
}

export function computeH1(m: Omit<HandshakeM1, 'sigA'>): Buffer {
  return transcriptHash(PROTOCOL_LABEL, HANDSHAKE_CONTEXT_LABEL[m.ctx], m.idA, m.ephA, m.nonceA, m.expectedIdB, m.binding);
}

export function computeH2(h1: Uint8Array, sigA: Uint8Array, m: Omit<HandshakeM2, 'sigB'>): Buffer {
  return transcriptHash(h1, sigA, m.idB, m.ephB, m.nonceB);
}

/** The side that speaks first (a client registering, a relay dialling a link, a client opening an e2e session). */
export class HandshakeInitiator {
  private readonly eph: EphemeralKeyPair;
  private readonly nonce: Buffer;
  private h1: Buffer | null = null;
  private sigA: Buffer | null = null;
  private done = false;

  constructor(
    private readonly ctx: HandshakeContext,
    private readonly identity: Identity,
    private readonly expectedPeer: Uint8Array,
    private readonly binding: string,
    entropy?: HandshakeEntropy,
  ) {
    this.eph = ephemeralKeyPair(entropy?.ephemeralSecret);
    this.nonce = entropy ? Buffer.from(entropy.nonce) : randomBytes(32);
  }

  /** M1: everything sigA covers, and sigA. */
  start(): HandshakeM1 {
    if (this.h1) throw new Error('HandshakeInitiator.start() was already called; a handshake object is single-use.');
    const body = {
      ctx: this.ctx,
      idA: this.identity.publicKey,
      ephA: this.eph.publicKey,
      nonceA: this.nonce,
      expectedIdB: Buffer.from(this.expectedPeer),
      binding: this.binding,
    };
    this.h1 = computeH1(body);
    this.sigA = sign(this.identity, labelled(LABEL_A, this.h1));
    return { ...body, sigA: this.sigA };
  }

  /** Checks M2 (right peer, sigB valid) and answers M3; the result holds the session keys. */
  finish(m2: HandshakeM2): Step<{ m3: HandshakeM3; result: HandshakeResult }> {
    if (!this.h1 || !this.sigA || this.done) throw new Error('HandshakeInitiator.finish() needs start() first and runs once.');
    this.done = true;
    if (!bytesEqual(m2.idB, this.expectedPeer)) {
      wipe(this.eph.secretKey);
      return fail(ErrorCode.WRONG_PEER, `expected peer ${shortId(this.expectedPeer)}, but ${shortId(m2.idB)} answered`);
    }
    const h2 = computeH2(this.h1, this.sigA, m2);
    if (!verify(m2.idB, labelled(LABEL_B, h2), m2.sigB)) {
      wipe(this.eph.secretKey);
      return fail(ErrorCode.BAD_SIGNATURE, 'sigB does not verify under the peer ID over the transcript');
    }
    const q = x25519(this.eph.secretKey, m2.ephB);
    wipe(this.eph.secretKey);
    if (!q) return fail(ErrorCode.WEAK_KEY, 'the peer ephemeral key is of low order');
    const h3 = transcriptHash(h2, m2.sigB);
    const sigC = sign(this.identity, labelled(LABEL_C, h3));
    const th = transcriptHash(h3, sigC);
    const { kAB, kBA } = deriveKeys(q, th);
    return {
      ok: true,
      value: { m3: { sigC }, result: { peerId: Buffer.from(m2.idB), transcriptHash: th, sendKey: kAB, recvKey: kBA } },
    };
  }

  /** Forget the ephemeral secret when the handshake is abandoned before finish() (timeout, close, failure). */
  abort(): void {
    this.done = true;
    wipe(this.eph.secretKey);
  }
}

export interface ResponderOptions {
  ctx: HandshakeContext;
  identity: Identity;
  /** whether the binding (for c2s: the relay URL the client dialled) names this responder */
  acceptBinding: (binding: string) => boolean;
  entropy?: HandshakeEntropy;
}

/** The side that answers (a relay accepting a client or a link, a client accepting an e2e session). */
export class HandshakeResponder {
  private readonly eph: EphemeralKeyPair;
  private readonly nonce: Buffer;
  private m1: HandshakeM1 | null = null;
  private h2: Buffer | null = null;
  private sigB: Buffer | null = null;
  private done = false;

  constructor(private readonly opts: ResponderOptions) {
    this.eph = ephemeralKeyPair(opts.entropy?.ephemeralSecret);
    this.nonce = opts.entropy ? Buffer.from(opts.entropy.nonce) : randomBytes(32);
  }

  /** Checks M1 (context, addressed to us, binding, sigA) and answers M2. */
  respond(m1: HandshakeM1): Step<HandshakeM2> {
    if (this.m1) throw new Error('HandshakeResponder.respond() runs once; a handshake object is single-use.');
    this.m1 = m1;
    if (m1.ctx !== this.opts.ctx) {
      return fail(ErrorCode.WRONG_CONTEXT, `handshake context ${HANDSHAKE_CONTEXT_LABEL[m1.ctx] ?? m1.ctx} is not ${HANDSHAKE_CONTEXT_LABEL[this.opts.ctx]} here`);
    }
    if (!bytesEqual(m1.expectedIdB, this.opts.identity.publicKey)) {
      return fail(ErrorCode.WRONG_PEER, `this handshake is addressed to ${shortId(m1.expectedIdB)}, not to ${shortId(this.opts.identity.publicKey)}`);
    }
    if (!this.opts.acceptBinding(m1.binding)) {
      return fail(ErrorCode.WRONG_BINDING, `binding "${m1.binding.slice(0, 200)}" does not name this peer`);
    }
    const h1 = computeH1(m1);
    if (!verify(m1.idA, labelled(LABEL_A, h1), m1.sigA)) {
      return fail(ErrorCode.BAD_SIGNATURE, 'sigA does not verify under the claimed ID over the transcript');
    }
    const body = { idB: this.opts.identity.publicKey, ephB: this.eph.publicKey, nonceB: this.nonce };
    this.h2 = computeH2(h1, m1.sigA, body);
    this.sigB = sign(this.opts.identity, labelled(LABEL_B, this.h2));
    return { ok: true, value: { ...body, sigB: this.sigB } };
  }

  /** Checks sigC; on success the initiator's ID is authenticated and the keys are ready. */
  finish(m3: HandshakeM3): Step<HandshakeResult> {
    if (!this.m1 || !this.h2 || !this.sigB || this.done) throw new Error('HandshakeResponder.finish() needs a successful respond() first and runs once.');
    this.done = true;
    const h3 = transcriptHash(this.h2, this.sigB);
    if (!verify(this.m1.idA, labelled(LABEL_C, h3), m3.sigC)) {
      wipe(this.eph.secretKey);
      return fail(ErrorCode.BAD_SIGNATURE, 'sigC does not verify under the initiator ID over the transcript');
    }
    const q = x25519(this.eph.secretKey, this.m1.ephA);
    wipe(this.eph.secretKey);
    if (!q) return fail(ErrorCode.WEAK_KEY, 'the initiator ephemeral key is of low order');
    const th = transcriptHash(h3, m3.sigC);
    const { kAB, kBA } = deriveKeys(q, th);
    return { ok: true, value: { peerId: Buffer.from(this.m1.idA), transcriptHash: th, sendKey: kBA, recvKey: kAB } };
  }

  /** Forget the ephemeral secret when the handshake is abandoned (timeout, close). */
  abort(): void {
    wipe(this.eph.secretKey);
  }
}
