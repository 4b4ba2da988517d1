// The cost of end-to-end protection on one core: whole e2e handshakes (both sides, in process) beside
// the limit their primitives set (3 Ed25519 signs, 3 verifies, 2 X25519 base-point and 2 variable-point
// multiplications per handshake, each timed here), and XChaCha20-Poly1305 seal/open throughput.
import sodium from 'sodium-native';
import { HandshakeContext } from '../src-shared/protocol/constants.js';
import { open, seal } from '../src-main/crypto/aead.js';
import { HandshakeInitiator, HandshakeResponder } from '../src-main/crypto/handshake.js';
import { generateIdentity } from '../src-main/crypto/identity.js';
import type { E2eCryptoFigures } from './commands.js';
import { median } from './stats.js';

/** Median of `rounds` rounds of `n` calls, in microseconds per call. */
function timeIt(rounds: number, n: number, fn: (i: number) => void): number {
  const perRound: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) fn(i);
    perRound.push(((performance.now() - t0) * 1000) / n);
  }
  return median(perRound);
}

/** The associated data of an a2b body: "w2w/1 ad" | route | 16 msgId | 32 from | 32 to (89 bytes). */
const AD_BYTES = 89;

export function measureE2eCrypto(args: { handshakes: number; rounds: number; aeadBytes: number }): E2eCryptoFigures {
  const { rounds } = args;
  const ops = Math.max(50, args.handshakes * 2);

  // Primitives, called on libsodium directly with buffers allocated once: the floor under the handshake.
  const id = generateIdentity();
  const messages = Array.from({ length: 64 }, (_, i) => Buffer.concat([Buffer.from('w2w/1|A'), Buffer.alloc(32, i)]));
  const sigs = messages.map((m) => {
    const s = Buffer.alloc(sodium.crypto_sign_BYTES);
    sodium.crypto_sign_detached(s, m, id.secretKey);
    return s;
  });
  const sig = Buffer.alloc(sodium.crypto_sign_BYTES);
  const secret = Buffer.alloc(sodium.crypto_scalarmult_SCALARBYTES);
  sodium.randombytes_buf(secret);
  const pub = Buffer.alloc(sodium.crypto_scalarmult_BYTES);
  const peerPub = Buffer.alloc(sodium.crypto_scalarmult_BYTES);
  const peerSecret = Buffer.alloc(sodium.crypto_scalarmult_SCALARBYTES);
  sodium.randombytes_buf(peerSecret);
  sodium.crypto_scalarmult_base(peerPub, peerSecret);
  const shared = Buffer.alloc(sodium.crypto_scalarmult_BYTES);
  // Warm-up: first calls pay for lazy initialisation.
  timeIt(1, 50, (i) => sodium.crypto_sign_verify_detached(sigs[i & 63] as Buffer, messages[i & 63] as Buffer, id.publicKey));
  const signUs = timeIt(rounds, ops, (i) => sodium.crypto_sign_detached(sig, messages[i & 63] as Buffer, id.secretKey));
  const verifyUs = timeIt(rounds, ops, (i) => {
    if (!sodium.crypto_sign_verify_detached(sigs[i & 63] as Buffer, messages[i & 63] as Buffer, id.publicKey)) throw new Error('verify failed in the e2e crypto bench');
  });
  const scalarmultBaseUs = timeIt(rounds, ops, () => sodium.crypto_scalarmult_base(pub, secret));
  const scalarmultUs = timeIt(rounds, ops, () => sodium.crypto_scalarmult(shared, secret, peerPub));
  const primitivesUs = 3 * signUs + 3 * verifyUs + 2 * scalarmultBaseUs + 2 * scalarmultUs;

  // Whole handshakes as E2eSessions runs them: both sides, every check, keys derived.
  const alice = generateIdentity();
  const bob = generateIdentity();
  const one = (): void => {
    const init = new HandshakeInitiator(HandshakeContext.E2E, alice, bob.publicKey, '');
    const m1 = init.start();
    const resp = new HandshakeResponder({ ctx: HandshakeContext.E2E, identity: bob, acceptBinding: (b) => b === '' });
    const m2 = resp.respond(m1);
    if (!m2.ok) throw new Error(`e2e crypto bench: respond failed: ${m2.error.message}`);
    const step = init.finish(m2.value);
    if (!step.ok) throw new Error(`e2e crypto bench: finish failed: ${step.error.message}`);
    const done = resp.finish(step.value.m3);
    if (!done.ok) throw new Error(`e2e crypto bench: responder finish failed: ${done.error.message}`);
  };
  timeIt(1, 10, one);
  const handshakeUs = timeIt(rounds, args.handshakes, one);

  const key = Buffer.alloc(32);
  sodium.randombytes_buf(key);
  const ad = Buffer.alloc(AD_BYTES, 7);
  const aead = [1024, 64 * 1024].map((bytes) => {
    const n = Math.max(16, Math.floor(args.aeadBytes / bytes));
    const plain = Buffer.alloc(bytes, 1);
    const sealed = seal(key, 0, ad, plain);
    timeIt(1, Math.min(n, 64), (i) => seal(key, i, ad, plain));
    const sealUs = timeIt(rounds, n, (i) => seal(key, i, ad, plain));
    const openUs = timeIt(rounds, n, () => {
      if (!open(key, 0, ad, sealed)) throw new Error('open failed in the e2e crypto bench');
    });
    return { bytes, sealUs, openUs, sealMBps: bytes / sealUs, openMBps: bytes / openUs };
  });

  return {
    signUs,
    verifyUs,
    scalarmultBaseUs,
    scalarmultUs,
    primitivesUs,
    limitPerSec: 1e6 / primitivesUs,
    handshakeUs,
    handshakesPerSec: 1e6 / handshakeUs,
    aead,
  };
}
