// The three-message handshake: a good run, every tampered field, wrong context/peer/binding, low-order
// ephemerals, replayed M1 and an M3 from another exchange — each failing with its own error code.
import { describe, expect, it } from 'vitest';
import {
  HandshakeInitiator,
  HandshakeResponder,
  computeH1,
  computeH2,
  type HandshakeM1,
  type HandshakeM2,
  type HandshakeResult,
  type Step,
} from '../../src-main/crypto/handshake.js';
import { transcriptHash } from '../../src-main/crypto/hash.js';
import { generateIdentity, identityFromSeed, sign, type Identity } from '../../src-main/crypto/identity.js';
import { ephemeralKeyPair } from '../../src-main/crypto/x25519.js';
import { HandshakeContext } from '../../src-shared/protocol/constants.js';
import { ErrorCode, errorName } from '../../src-shared/protocol/errors.js';
import { toHex } from '../../src-shared/ids.js';

const BINDING = 'ws://127.0.0.1:8080/';
const ZERO_POINT = new Uint8Array(32);

function responder(identity: Identity, ctx: HandshakeContext = HandshakeContext.C2S, accept: (b: string) => boolean = (b) => b.startsWith('ws://')): HandshakeResponder {
  return new HandshakeResponder({ ctx, identity, acceptBinding: accept });
}

function flip(bytes: Uint8Array, index = 0): Buffer {
  const out = Buffer.from(bytes);
  out[index] = (out[index] as number) ^ 0x01;
  return out;
}

function expectFail<T>(step: Step<T>, code: ErrorCode): void {
  if (step.ok) throw new Error(`step succeeded, expected ${errorName(code)}`);
  expect(errorName(step.error.code)).toBe(errorName(code));
}

function value<T>(step: Step<T>): T {
  if (!step.ok) throw new Error(`step failed: ${step.error.toString()}`);
  return step.value;
}

/** The spec's signature inputs, built independently of the module (labels are part of the wire format). */
const label = (l: string, h: Uint8Array): Buffer => Buffer.concat([Buffer.from(l), h]);

function setup(): { a: Identity; b: Identity; init: HandshakeInitiator; resp: HandshakeResponder; m1: HandshakeM1 } {
  const a = generateIdentity();
  const b = generateIdentity();
  const init = new HandshakeInitiator(HandshakeContext.C2S, a, b.publicKey, BINDING);
  const resp = responder(b);
  return { a, b, init, resp, m1: init.start() };
}

describe('handshake: good run', () => {
  it('both sides agree on th and the peer IDs, and the keys cross over', () => {
    const { a, b, init, resp, m1 } = setup();
    const m2 = value(resp.respond(m1));
    const { m3, result: ra } = value(init.finish(m2));
    const rb = value(resp.finish(m3));
    expect(toHex(ra.transcriptHash)).toBe(toHex(rb.transcriptHash));
    expect(toHex(ra.peerId)).toBe(toHex(b.publicKey));
    expect(toHex(rb.peerId)).toBe(toHex(a.publicKey));
    expect(toHex(ra.sendKey)).toBe(toHex(rb.recvKey));
    expect(toHex(ra.recvKey)).toBe(toHex(rb.sendKey));
    expect(toHex(ra.sendKey)).not.toBe(toHex(ra.recvKey));
    expect(ra.sendKey.byteLength).toBe(32);
    expect(ra.transcriptHash.byteLength).toBe(32);
  });

  it('runs in every context, and two runs between the same parties never share th or keys', () => {
    for (const ctx of Object.values(HandshakeContext)) {
      const a = generateIdentity();
      const b = generateIdentity();
      const results: HandshakeResult[] = [];
      for (let i = 0; i < 2; i++) {
        const init = new HandshakeInitiator(ctx, a, b.publicKey, 'x');
        const resp = responder(b, ctx, () => true);
        const m2 = value(resp.respond(init.start()));
        const done = value(init.finish(m2));
        value(resp.finish(done.m3));
        results.push(done.result);
      }
      expect(toHex(results[0]!.transcriptHash)).not.toBe(toHex(results[1]!.transcriptHash));
      expect(toHex(results[0]!.sendKey)).not.toBe(toHex(results[1]!.sendKey));
    }
  });

  it('is deterministic with fixed entropy (vectors are possible)', () => {
    const run = (): string => {
      const a = identityFromSeed(new Uint8Array(32).fill(1));
      const b = identityFromSeed(new Uint8Array(32).fill(2));
      const init = new HandshakeInitiator(HandshakeContext.C2S, a, b.publicKey, BINDING, { ephemeralSecret: new Uint8Array(32).fill(3), nonce: new Uint8Array(32).fill(4) });
      const resp = new HandshakeResponder({ ctx: HandshakeContext.C2S, identity: b, acceptBinding: () => true, entropy: { ephemeralSecret: new Uint8Array(32).fill(5), nonce: new Uint8Array(32).fill(6) } });
      const m2 = value(resp.respond(init.start()));
      const { m3 } = value(init.finish(m2));
      return toHex(value(resp.finish(m3)).transcriptHash);
    };
    expect(run()).toBe(run());
  });

  it('single-use objects refuse a second call (caller mistake)', () => {
    const { init, resp, m1 } = setup();
    expect(() => init.start()).toThrow(/single-use/);
    const m2 = value(resp.respond(m1));
    expect(() => resp.respond(m1)).toThrow(/runs once/);
    const { m3 } = value(init.finish(m2));
    expect(() => init.finish(m2)).toThrow();
    value(resp.finish(m3));
    expect(() => resp.finish(m3)).toThrow();
  });
});

describe('handshake: tampered M1 (the responder refuses)', () => {
  const cases: [string, (m1: HandshakeM1, other: Identity) => HandshakeM1, ErrorCode][] = [
    ['sigA', (m) => ({ ...m, sigA: flip(m.sigA, 10) }), ErrorCode.BAD_SIGNATURE],
    ['idA (another key)', (m, other) => ({ ...m, idA: other.publicKey }), ErrorCode.BAD_SIGNATURE],
    ['idA (one bit)', (m) => ({ ...m, idA: flip(m.idA) }), ErrorCode.BAD_SIGNATURE],
    ['ephA', (m) => ({ ...m, ephA: flip(m.ephA) }), ErrorCode.BAD_SIGNATURE],
    ['nonceA', (m) => ({ ...m, nonceA: flip(m.nonceA, 31) }), ErrorCode.BAD_SIGNATURE],
    ['expectedIdB', (m) => ({ ...m, expectedIdB: flip(m.expectedIdB) }), ErrorCode.WRONG_PEER],
    ['binding (still acceptable)', (m) => ({ ...m, binding: 'ws://127.0.0.1:8081/' }), ErrorCode.BAD_SIGNATURE],
    ['binding (not this peer)', (m) => ({ ...m, binding: 'https://elsewhere/' }), ErrorCode.WRONG_BINDING],
    ['ctx', (m) => ({ ...m, ctx: HandshakeContext.E2E }), ErrorCode.WRONG_CONTEXT],
    ['sigA of the wrong length', (m) => ({ ...m, sigA: m.sigA.subarray(0, 63) }), ErrorCode.BAD_SIGNATURE],
  ];
  it.each(cases)('%s', (_name, tamper, code) => {
    const { resp, m1 } = setup();
    expectFail(resp.respond(tamper(m1, generateIdentity())), code);
  });
});

describe('handshake: tampered M2 (the initiator refuses)', () => {
  const cases: [string, (m2: HandshakeM2) => HandshakeM2, ErrorCode][] = [
    ['sigB', (m) => ({ ...m, sigB: flip(m.sigB, 5) }), ErrorCode.BAD_SIGNATURE],
    ['idB', (m) => ({ ...m, idB: flip(m.idB) }), ErrorCode.WRONG_PEER],
    ['ephB', (m) => ({ ...m, ephB: flip(m.ephB) }), ErrorCode.BAD_SIGNATURE],
    ['nonceB', (m) => ({ ...m, nonceB: flip(m.nonceB, 17) }), ErrorCode.BAD_SIGNATURE],
  ];
  it.each(cases)('%s', (_name, tamper, code) => {
    const { init, resp, m1 } = setup();
    const m2 = value(resp.respond(m1));
    expectFail(init.finish(tamper(m2)), code);
  });
});

describe('handshake: tampered M3 and cross-exchange messages', () => {
  it('sigC with one bit flipped', () => {
    const { init, resp, m1 } = setup();
    const { m3 } = value(init.finish(value(resp.respond(m1))));
    expectFail(resp.finish({ sigC: flip(m3.sigC, 63) }), ErrorCode.BAD_SIGNATURE);
  });

  it('sigC that is really sigA (signature-label confusion)', () => {
    const { init, resp, m1 } = setup();
    value(init.finish(value(resp.respond(m1))));
    expectFail(resp.finish({ sigC: m1.sigA }), ErrorCode.BAD_SIGNATURE);
  });

  it('a replayed M1 gets through to a fresh responder, but fails at sigC', () => {
    const { b, init, resp, m1 } = setup();
    const { m3 } = value(init.finish(value(resp.respond(m1))));
    value(resp.finish(m3));
    // The attacker captured M1 and M3 and replays them; the fresh responder's new ephemeral and
    // nonce change h2, so the captured sigC no longer verifies.
    const fresh = responder(b);
    value(fresh.respond(m1));
    expectFail(fresh.finish(m3), ErrorCode.BAD_SIGNATURE);
  });

  it('an M3 from a different exchange between the same parties is rejected', () => {
    const a = generateIdentity();
    const b = generateIdentity();
    const init1 = new HandshakeInitiator(HandshakeContext.C2S, a, b.publicKey, BINDING);
    const init2 = new HandshakeInitiator(HandshakeContext.C2S, a, b.publicKey, BINDING);
    const resp1 = responder(b);
    const resp2 = responder(b);
    const m2a = value(resp1.respond(init1.start()));
    const m2b = value(resp2.respond(init2.start()));
    const done1 = value(init1.finish(m2a));
    const done2 = value(init2.finish(m2b));
    expectFail(resp1.finish(done2.m3), ErrorCode.BAD_SIGNATURE);
    expectFail(resp2.finish(done1.m3), ErrorCode.BAD_SIGNATURE);
  });

  it('an M2 from another exchange is rejected by the initiator', () => {
    const a = generateIdentity();
    const b = generateIdentity();
    const init1 = new HandshakeInitiator(HandshakeContext.C2S, a, b.publicKey, BINDING);
    const init2 = new HandshakeInitiator(HandshakeContext.C2S, a, b.publicKey, BINDING);
    init1.start();
    const m2other = value(responder(b).respond(init2.start()));
    expectFail(init1.finish(m2other), ErrorCode.BAD_SIGNATURE);
  });
});

describe('handshake: wrong context, wrong peer', () => {
  it('a c2s M1 at an s2s responder is WRONG_CONTEXT', () => {
    const { b, m1 } = setup();
    expectFail(responder(b, HandshakeContext.S2S).respond(m1), ErrorCode.WRONG_CONTEXT);
  });

  it('an M1 addressed to another responder is WRONG_PEER there', () => {
    const { m1 } = setup();
    expectFail(responder(generateIdentity()).respond(m1), ErrorCode.WRONG_PEER);
  });

  /** M2 as a man in the middle would build it: its own key, fresh ephemeral, over the real h1 and sigA. */
  function impostorM2(m1: HandshakeM1, signer: Identity, claimedId: Uint8Array): HandshakeM2 {
    const body = { idB: Buffer.from(claimedId), ephB: ephemeralKeyPair().publicKey, nonceB: Buffer.alloc(32, 9) };
    return { ...body, sigB: sign(signer, label('w2w/1|B', computeH2(computeH1(m1), m1.sigA, body))) };
  }

  it('an M2 from someone other than the expected peer is WRONG_PEER at the initiator', () => {
    const a = generateIdentity();
    const expected = generateIdentity();
    const impostor = generateIdentity();
    const init = new HandshakeInitiator(HandshakeContext.C2S, a, expected.publicKey, BINDING);
    const m1 = init.start();
    // The impostor answers as itself: its signature is valid, its ID is not the pinned one.
    expectFail(init.finish(impostorM2(m1, impostor, impostor.publicKey)), ErrorCode.WRONG_PEER);
  });

  it('an impostor that claims the expected ID cannot sign for it', () => {
    const a = generateIdentity();
    const expected = generateIdentity();
    const impostor = generateIdentity();
    const init = new HandshakeInitiator(HandshakeContext.C2S, a, expected.publicKey, BINDING);
    const m1 = init.start();
    expectFail(init.finish(impostorM2(m1, impostor, expected.publicKey)), ErrorCode.BAD_SIGNATURE);
  });
});

describe('handshake: low-order ephemerals', () => {
  it('an all-zero ephA, correctly signed, fails at the responder with WEAK_KEY', () => {
    const a = generateIdentity();
    const b = generateIdentity();
    const body = { ctx: HandshakeContext.C2S, idA: a.publicKey, ephA: ZERO_POINT, nonceA: new Uint8Array(32).fill(1), expectedIdB: b.publicKey, binding: BINDING } as const;
    const h1 = computeH1(body);
    const sigA = sign(a, label('w2w/1|A', h1));
    const resp = responder(b);
    const m2 = value(resp.respond({ ...body, sigA }));
    const h2 = computeH2(h1, sigA, m2);
    const h3 = transcriptHash(h2, m2.sigB);
    const sigC = sign(a, label('w2w/1|C', h3));
    expectFail(resp.finish({ sigC }), ErrorCode.WEAK_KEY);
  });

  it('an all-zero ephB, correctly signed, fails at the initiator with WEAK_KEY', () => {
    const a = generateIdentity();
    const b = generateIdentity();
    const init = new HandshakeInitiator(HandshakeContext.C2S, a, b.publicKey, BINDING);
    const m1 = init.start();
    const h1 = computeH1(m1);
    const body = { idB: b.publicKey, ephB: ZERO_POINT, nonceB: new Uint8Array(32).fill(2) };
    const sigB = sign(b, label('w2w/1|B', computeH2(h1, m1.sigA, body)));
    expectFail(init.finish({ ...body, sigB }), ErrorCode.WEAK_KEY);
  });

  it('other small-order points are refused too', () => {
    // The point of order 8 from the X25519 low-order list (RFC 7748 implementations reject it).
    const order8 = Buffer.from('e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800', 'hex');
    const a = generateIdentity();
    const b = generateIdentity();
    const init = new HandshakeInitiator(HandshakeContext.C2S, a, b.publicKey, BINDING);
    const m1 = init.start();
    const body = { idB: b.publicKey, ephB: order8, nonceB: new Uint8Array(32).fill(2) };
    const sigB = sign(b, label('w2w/1|B', computeH2(computeH1(m1), m1.sigA, body)));
    expectFail(init.finish({ ...body, sigB }), ErrorCode.WEAK_KEY);
  });
});
