// The Ed25519 ceiling on registrations: a relay signs once (sigB) and verifies twice (sigA, sigC) per
// registration, so one core cannot register more than 1 / (sign + 2 verify) clients per second. Also
// times the relay's whole responder side of the handshake (ephemeral key, hashes, X25519 included).
import { HandshakeContext } from '../src-shared/protocol/constants.js';
import { HandshakeInitiator, HandshakeResponder } from '../src-main/crypto/handshake.js';
import { generateIdentity, sign, verify } from '../src-main/crypto/identity.js';
import type { CryptoLimit } from './commands.js';
import { median } from './stats.js';


/** Median of `rounds` rounds of `n` iterations each, in microseconds per iteration. */
function timeIt(rounds: number, n: number, fn: (i: number) => void): number {
  const perRound: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) fn(i);
    perRound.push(((performance.now() - t0) * 1000) / n);
  }
  return median(perRound);
}

export function measureCryptoLimit(iterations: number): CryptoLimit {
  const id = generateIdentity();
  // Messages of the size the handshake signs: a 7-byte label and a 32-byte transcript hash.
  const messages = Array.from({ length: 64 }, (_, i) => Buffer.concat([Buffer.from('w2w/1|A'), Buffer.alloc(32, i)]));
  const sigs = messages.map((m) => sign(id, m));
  timeIt(1, Math.min(200, iterations), (i) => verify(id.publicKey, messages[i & 63] as Buffer, sigs[i & 63] as Buffer));
  const signUs = timeIt(5, iterations, (i) => sign(id, messages[i & 63] as Buffer));
  const verifyUs = timeIt(5, iterations, (i) => {
    if (!verify(id.publicKey, messages[i & 63] as Buffer, sigs[i & 63] as Buffer)) throw new Error('verify failed in the crypto bench');
  });
  const perRegistrationUs = signUs + 2 * verifyUs;

  const relay = generateIdentity();
  const client = generateIdentity();
  const url = 'ws://127.0.0.1:1/';
  const responderRounds: number[] = [];
  for (let r = 0; r < 5; r++) {
    let us = 0;
    const n = Math.max(20, Math.floor(iterations / 4));
    for (let i = 0; i < n; i++) {
      const init = new HandshakeInitiator(HandshakeContext.C2S, client, relay.publicKey, url);
      const m1 = init.start();
      let t0 = performance.now();
      const resp = new HandshakeResponder({ ctx: HandshakeContext.C2S, identity: relay, acceptBinding: () => true });
      const m2 = resp.respond(m1);
      us += performance.now() - t0;
      if (!m2.ok) throw new Error(`crypto bench: respond failed: ${m2.error.message}`);
      const step = init.finish(m2.value);
      if (!step.ok) throw new Error(`crypto bench: initiator failed: ${step.error.message}`);
      t0 = performance.now();
      const done = resp.finish(step.value.m3);
      us += performance.now() - t0;
      if (!done.ok) throw new Error(`crypto bench: finish failed: ${done.error.message}`);
    }
    responderRounds.push((us * 1000) / n);
  }
  return { signUs, verifyUs, perRegistrationUs, registrationsPerSec: 1e6 / perRegistrationUs, responderUs: median(responderRounds) };
}
