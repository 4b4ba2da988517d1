// Fuzzing: over 100,000 mutated frames at decodeFrame, then over 100,000 at a live relay from registered
// connections. Nothing may throw or crash; every refusal is a known error code; the relay serves on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateIdentity } from '../../src-main/crypto/identity.js';
import { randomBytes } from '../../src-main/crypto/random.js';
import { FrameType, Op, Route } from '../../src-shared/protocol/constants.js';
import { W2wError, errorName, isErrorCode } from '../../src-shared/protocol/errors.js';
import { decodeFrame, encodeFrame, frameTypeName, type Frame, type MsgFrame } from '../../src-shared/protocol/frames.js';
import { bytesEqual, toHex } from '../../src-shared/ids.js';
import { expectRelayServesFreshPair } from '../helpers/clients.js';
import { sampleFrames } from '../helpers/frames.js';
import { Mutator, fuzzSeed } from '../helpers/mutate.js';
import { connectRaw, type RawPeer, type Received } from '../helpers/raw-peer.js';
import { startRelay, type TestRelay } from '../helpers/relay.js';

const DECODER_FRAMES = 120_000;
const RELAY_PEERS = 4;
const RELAY_BATCH = 500;
const RELAY_BATCHES_PER_PEER = 52; // 4 x 52 x 500 = 104,000 frames
const SEED = fuzzSeed();

function tally(counts: Map<string, number>, key: string, n = 1): void {
  counts.set(key, (counts.get(key) ?? 0) + n);
}

function sorted(counts: Map<string, number>): Record<string, number> {
  return Object.fromEntries([...counts.entries()].sort((a, b) => b[1] - a[1]));
}

describe(`fuzz (seed ${SEED}; replay with W2W_FUZZ_SEED=${SEED})`, () => {
  it(`decodeFrame: ${DECODER_FRAMES} mutated frames never throw; refusals carry known codes; accepted frames re-encode to the same bytes`, () => {
    const started = performance.now();
    const bases = sampleFrames().map((s) => encodeFrame(s.frame));
    const m = new Mutator(SEED, bases);
    const results = new Map<string, number>();
    for (let i = 0; i < DECODER_FRAMES; i++) {
      const { bytes, mutation } = m.next();
      // a small limit now and then, so FRAME_TOO_LARGE is exercised too
      const limit = m.int(50) === 0 ? m.int(64) : undefined;
      let r: ReturnType<typeof decodeFrame>;
      try {
        r = decodeFrame(bytes, limit);
      } catch (err) {
        throw new Error(`decodeFrame threw on ${mutation} #${i} (${toHex(bytes)}): ${String(err)}`, { cause: err });
      }
      if (!r.ok) {
        expect(r.error).toBeInstanceOf(W2wError);
        if (!isErrorCode(r.error.code)) throw new Error(`unknown code ${r.error.code} for ${toHex(bytes)}`);
        tally(results, errorName(r.error.code));
        continue;
      }
      tally(results, `ok ${frameTypeName(r.frame.type)}`);
      let again: Uint8Array;
      try {
        again = encodeFrame(r.frame);
      } catch (err) {
        throw new Error(`re-encoding an accepted ${frameTypeName(r.frame.type)} threw (${toHex(bytes)}): ${String(err)}`, { cause: err });
      }
      // strict decoding means one encoding per frame: what was accepted is exactly what re-encodes
      if (!bytesEqual(again, bytes)) throw new Error(`accepted ${toHex(bytes)} but it re-encodes as ${toHex(again)}`);
    }
    const ms = Math.round(performance.now() - started);
    console.log(`decoder fuzz: ${DECODER_FRAMES} frames in ${ms} ms; mutations ${JSON.stringify(m.counts)}; results ${JSON.stringify(sorted(results))}`);
    expect([...results.keys()].some((k) => k.startsWith('ok'))).toBe(true);
    expect(results.get('MALFORMED_FRAME')).toBeGreaterThan(DECODER_FRAMES / 4);
  });

  describe('a live relay', () => {
    let relay: TestRelay;
    beforeAll(async () => {
      relay = await startRelay({ limits: { ratePerSec: 10_000_000, rateBurst: 10_000_000 } });
    });
    afterAll(async () => {
      await relay.close();
    });

    it(`${RELAY_PEERS * RELAY_BATCHES_PER_PEER * RELAY_BATCH} mutated frames from registered connections: only coded errors and legitimate frames come back`, async () => {
      const started = performance.now();
      const ids = Array.from({ length: RELAY_PEERS }, () => generateIdentity());
      const peers: RawPeer[] = [];
      for (const [i, id] of ids.entries()) peers.push(await connectRaw(relay.url, id, `fuzzer${i}`));
      const all = ids.map((i) => i.publicKey);

      // a named group of all fuzzers, so mutated a2g named frames can be delivered too
      peers[0]!.send({ type: FrameType.REQ, reqId: 1, op: Op.GROUP_CREATE, name: 'fuzz' });
      peers[0]!.send({ type: FrameType.REQ, reqId: 2, op: Op.GROUP_ADD, name: 'fuzz', members: all });
      for (let i = 0; i < 2; i++) expect((await peers[0]!.nextOfType(FrameType.RES)).status).toBe(0);

      const replies = new Map<string, number>();
      const bad: string[] = [];
      const classify = (r: Received): void => {
        if (!r.decoded.ok) {
          bad.push(`undecodable reply ${toHex(r.data).slice(0, 80)}: ${r.decoded.error.toString()}`);
          return;
        }
        const f: Frame = r.decoded.frame;
        switch (f.type) {
          case FrameType.ERROR:
            if (!isErrorCode(f.code)) bad.push(`ERROR with unknown code ${f.code}`);
            tally(replies, `ERROR ${errorName(f.code)}`);
            return;
          case FrameType.RES:
            tally(replies, f.status === 0 ? 'RES ok' : `RES ${errorName(f.status)}`);
            return;
          case FrameType.MSG:
          case FrameType.ACK:
          case FrameType.EVENT:
            tally(replies, frameTypeName(f.type));
            return;
          default:
            bad.push(`a relay may not send ${frameTypeName(f.type)} to a registered client`);
        }
      };

      const fuzzOne = async (index: number): Promise<number> => {
        const me = all[index]!;
        const others = all.filter((_, j) => j !== index);
        const msg = { type: FrameType.MSG, flags: 1, hops: 8, id: randomBytes(16), from: me, body: randomBytes(12) } as const;
        const bases = [
          ...sampleFrames(me).map((s) => encodeFrame(s.frame)),
          encodeFrame({ ...msg, route: Route.A2B, to: others[0]! }),
          encodeFrame({ ...msg, route: Route.A2G_LIST, to: others }),
          encodeFrame({ ...msg, route: Route.A2G_NAMED, group: 'fuzz' }),
          encodeFrame({ type: FrameType.REQ, reqId: 77, op: Op.WATCH, ids: others }),
        ];
        const m = new Mutator((SEED + index * 7919) >>> 0, bases);
        const peer = peers[index]!;
        let sent = 0;
        for (let b = 0; b < RELAY_BATCHES_PER_PEER; b++) {
          for (let k = 0; k < RELAY_BATCH; k++) {
            peer.send(m.next().bytes);
            sent++;
          }
          // The relay answers one connection in order: once this a2a comes back, the batch is done.
          const sentinel: MsgFrame = { type: FrameType.MSG, route: Route.A2A, flags: 0, hops: 1, id: randomBytes(16), from: me, body: new Uint8Array(0) };
          peer.send(sentinel);
          await peer.inbox.take((r) => r.decoded.ok && r.decoded.frame.type === FrameType.MSG && bytesEqual(r.decoded.frame.id, sentinel.id), 10_000, `sentinel of batch ${b}`);
          for (const r of peer.inbox.drain()) classify(r);
          if (peer.isClosed) throw new Error(`${peer.label} was closed by the relay during batch ${b}`);
        }
        return sent;
      };

      const sent = (await Promise.all(peers.map((_, i) => fuzzOne(i)))).reduce((a, b) => a + b, 0);
      const ms = Math.round(performance.now() - started);
      expect(sent).toBeGreaterThanOrEqual(100_000);
      expect(bad).toEqual([]);
      for (const p of peers) expect(p.isClosed).toBe(false);

      const snap = relay.server.core.snapshot();
      const relayErrors = Object.fromEntries(Object.entries(snap.errors).map(([code, n]) => [errorName(Number(code)), n]));
      console.log(`relay fuzz: ${sent} frames from ${RELAY_PEERS} connections in ${ms} ms; replies ${JSON.stringify(sorted(replies))}; relay error counters ${JSON.stringify(relayErrors)}`);
      expect(relayErrors.INTERNAL).toBeUndefined();
      expect(relay.logLines.filter((l) => l.includes('internal error'))).toEqual([]);
      expect(replies.get('ERROR MALFORMED_FRAME')).toBeGreaterThan(10_000);

      await Promise.all(peers.map((p) => p.close()));
      await expectRelayServesFreshPair(relay);
    });
  });
});
