// Section 9: the cost of end-to-end protection. Encrypted a2b (SecureChannel: sealed with the session
// keys of an e2e handshake) beside plaintext a2b through the same relay, both sent and received by real
// RelayClients in two client processes, taking turns window by window; then e2e handshakes per second
// beside the limit their primitives set, and raw AEAD throughput, timed in one client process.
import type { ChildProc } from '../ipc.js';
import type { ClientCommands, E2eCryptoFigures, EndpointCounts, RelayUsage } from '../commands.js';
import { cpuShare, sleep, type Context, type RelayHandle } from '../context.js';
import { NoiseProbe, type Noise } from '../noise.js';
import { mbps, pct, rate, ratio, sizeName, table, us } from '../report.js';
import { median } from '../stats.js';
import { noiseNote } from './a2b.js';

type Mode = 'plaintext' | 'sealed';
const MODES: Mode[] = ['plaintext', 'sealed'];

interface Pair {
  sender: number;
  receiver: number;
  senderHex: string;
  receiverHex: string;
}

interface E2eRun extends Noise {
  messagesPerSec: number;
  bodyBytesPerSec: number;
  senderCpu: number;
  receiverCpu: number;
  relayCpu: number;
  /** CPU per message, microseconds */
  senderUs: number;
  receiverUs: number;
  relayUs: number;
  /** after draining, over the whole run of this pair so far */
  lost: number;
  rejected: number;
  gaps: number;
  sendErrors: number;
  problem: string | null;
}

/** The run whose messages/s is the median (the lower middle one for an even count). */
function medianOf(runs: E2eRun[]): E2eRun {
  const sorted = [...runs].sort((a, b) => a.messagesPerSec - b.messagesPerSec);
  return sorted[Math.floor((sorted.length - 1) / 2)] as E2eRun;
}

async function window(
  ctx: Context,
  relay: RelayHandle,
  procs: { sender: ChildProc<ClientCommands>; receiver: ChildProc<ClientCommands> },
  pair: Pair,
  warmupMs: number,
): Promise<E2eRun> {
  const o = ctx.opts.e2e;
  const { sender, receiver } = procs;
  const read = (): Promise<[EndpointCounts, EndpointCounts, RelayUsage]> =>
    Promise.all([sender.call('counts', { endpoint: pair.sender }), receiver.call('counts', { endpoint: pair.receiver }), relay.proc.call('usage', null)]);
  await sender.call('send-start', { endpoint: pair.sender, peerHex: pair.receiverHex, bodyBytes: o.bodyBytes, window: o.window });
  await sleep(warmupMs);
  const [s0, r0, x0] = await read();
  const probe = new NoiseProbe();
  await sleep(o.measureMs);
  const [s1, r1, x1] = await read();
  const noise = probe.stop(s1.cpuUs - s0.cpuUs + (r1.cpuUs - r0.cpuUs) + (x1.cpuUs - x0.cpuUs));
  ctx.noise.push(noise);
  await sender.call('send-stop', { endpoint: pair.sender });
  // Drain: everything sent must arrive (the credit window bounds it).
  const deadline = performance.now() + 5000;
  let s2 = await sender.call('counts', { endpoint: pair.sender });
  let r2 = await receiver.call('counts', { endpoint: pair.receiver });
  while (r2.received + r2.rejected < s2.sent && performance.now() < deadline) {
    await sleep(10);
    [s2, r2] = await Promise.all([sender.call('counts', { endpoint: pair.sender }), receiver.call('counts', { endpoint: pair.receiver })]);
  }
  const received = r1.received - r0.received;
  const seconds = (r1.atMs - r0.atMs) / 1000;
  const per = (a: { cpuUs: number }, b: { cpuUs: number }): number => (received > 0 ? (b.cpuUs - a.cpuUs) / received : NaN);
  return {
    messagesPerSec: received / seconds,
    bodyBytesPerSec: (received * o.bodyBytes) / seconds,
    senderCpu: cpuShare(s0, s1),
    receiverCpu: cpuShare(r0, r1),
    relayCpu: cpuShare(x0, x1),
    senderUs: per(s0, s1),
    receiverUs: per(r0, r1),
    relayUs: per(x0, x1),
    ...noise,
    lost: s2.sent - r2.received,
    rejected: r2.rejected,
    gaps: r2.gaps,
    sendErrors: s2.sendErrors + r2.sendErrors,
    problem: s2.firstProblem ?? r2.firstProblem,
  };
}

function note(r: E2eRun): string {
  const parts: string[] = [];
  if (r.rejected > 0) parts.push(`${r.rejected} rejected`);
  if (r.gaps > 0) parts.push(`${r.gaps} skipped counters`);
  if (r.sendErrors > 0) parts.push(`${r.sendErrors} failed sends`);
  if (r.problem) parts.push(r.problem);
  return parts.join('; ');
}

export async function e2e(ctx: Context): Promise<void> {
  const o = ctx.opts.e2e;
  ctx.log(
    `== 9. End-to-end crypto: a2b ${sizeName(o.bodyBytes)} sealed (SecureChannel) beside plaintext (RelayClient), one sending and one receiving client process, window ${o.window}, ${o.rounds} round(s) of ${o.measureMs / 1000} s ==`,
  );
  ctx.log(
    ctx.pinned
      ? '  relay on CPU 0, sending client on CPU 1, receiving client on CPU 0 beside the relay (2 cores for 3 processes): both modes run in the same places'
      : '  processes not pinned: relay and the two client processes share the CPUs as the scheduler decides',
  );
  ctx.log('  both modes go through RelayClient.send and its message parsing; sealed adds the envelope AD, XChaCha20-Poly1305 seal/open, replay window and e2e body codec');
  const relay = await ctx.startRelay('w2w');
  const sender = ctx.startClient('sender', 1);
  const receiver = ctx.startClient('receiver', 0);
  const runs = new Map<Mode, E2eRun[]>();
  let crypto: E2eCryptoFigures;
  try {
    const pairs = new Map<Mode, Pair>();
    for (const mode of MODES) {
      const secure = mode === 'sealed';
      const s = await sender.call('open', { target: relay.target, secure });
      const r = await receiver.call('open', { target: relay.target, secure });
      await receiver.call('receive', { endpoint: r.endpoint, peerHex: s.idHex, creditEvery: Math.max(1, Math.floor(o.window / 4)) });
      if (secure) await sender.call('session', { endpoint: s.endpoint, peerHex: r.idHex });
      pairs.set(mode, { sender: s.endpoint, receiver: r.endpoint, senderHex: s.idHex, receiverHex: r.idHex });
    }
    for (let round = 0; round < o.rounds; round++) {
      for (const mode of MODES) {
        const r = await window(ctx, relay, { sender, receiver }, pairs.get(mode) as Pair, round === 0 ? 4 * o.warmupMs : o.warmupMs);
        runs.set(mode, [...(runs.get(mode) ?? []), r]);
      }
    }
    await sender.call('close-all', null);
    await receiver.call('close-all', null);
    // Timed on the sender's core with nothing else of the bench running.
    crypto = await sender.call('e2e-crypto', { handshakes: o.handshakes, rounds: o.cryptoRounds, aeadBytes: o.aeadBytes });
  } finally {
    await Promise.all([sender.stop(), receiver.stop()]);
    await relay.stop();
  }

  const all = (m: Mode): E2eRun[] => runs.get(m) ?? [];
  const rel = median(all('sealed').map((x, i) => x.messagesPerSec / (all('plaintext')[i]?.messagesPerSec ?? NaN)));
  ctx.log(
    table(
      ['mode', 'msgs/s', 'body MB/s', 'vs plaintext', 'sender CPU', 'receiver CPU', 'relay CPU', 'sender µs/msg', 'receiver µs/msg', 'relay µs/msg', 'lost', 'notes'],
      MODES.map((m) => {
        const r = medianOf(all(m));
        const last = all(m).at(-1) as E2eRun;
        return [
          m,
          `${rate(r.messagesPerSec)}/s`,
          mbps(r.bodyBytesPerSec),
          m === 'plaintext' ? '1.00x' : ratio(rel),
          pct(r.senderCpu),
          pct(r.receiverCpu),
          pct(r.relayCpu),
          r.senderUs.toFixed(1),
          r.receiverUs.toFixed(1),
          r.relayUs.toFixed(1),
          String(last.lost),
          note(last),
        ];
      }),
    ),
  );
  ctx.log('  (medians over rounds; "vs plaintext" is the median of same-round ratios; CPU per message includes the credit messages going back, 1 per ' + Math.max(1, Math.floor(o.window / 4)) + ')');
  const every = MODES.flatMap((m) => all(m));
  ctx.log(`  ${noiseNote(every.map((x) => x.steal), every.map((x) => x.others))}`);

  ctx.log(`  e2e handshake (HandshakeInitiator + HandshakeResponder, ctx E2E, both sides in one process, ${o.handshakes} per round):`);
  ctx.log(
    table(
      ['', 'per handshake', 'per second', 'vs limit'],
      [
        ['whole handshake', us(crypto.handshakeUs), `${rate(crypto.handshakesPerSec)}/s`, ratio(crypto.handshakesPerSec / crypto.limitPerSec)],
        ['primitives only (limit)', us(crypto.primitivesUs), `${rate(crypto.limitPerSec)}/s`, '1.00x'],
      ],
    ),
  );
  ctx.log(
    `  primitives (sodium-native): Ed25519 sign ${us(crypto.signUs)}, verify ${us(crypto.verifyUs)}; X25519 scalarmult_base ${us(crypto.scalarmultBaseUs)}, scalarmult ${us(crypto.scalarmultUs)}; per handshake 3 sign + 3 verify + 2 base + 2 scalarmult`,
  );
  ctx.log(`  AEAD (src-main/crypto/aead.ts, XChaCha20-Poly1305, 89-byte AD, one core):`);
  ctx.log(
    table(
      ['size', 'seal', 'open', 'seal each', 'open each'],
      crypto.aead.map((a) => [sizeName(a.bytes), mbps(a.sealMBps * 1e6), mbps(a.openMBps * 1e6), us(a.sealUs), us(a.openUs)]),
    ),
  );

  const sealed = medianOf(all('sealed'));
  const plain = medianOf(all('plaintext'));
  const clean = every.every((x) => x.lost === 0 && x.rejected === 0 && x.gaps === 0 && x.sendErrors === 0);
  ctx.summary.push(
    {
      metric: `e2e a2b ${sizeName(o.bodyBytes)} sealed msgs/s`,
      w2w: `${rate(sealed.messagesPerSec)} (${mbps(sealed.bodyBytesPerSec)})`,
      baseline: `plaintext ${rate(plain.messagesPerSec)}`,
      ratio: `${ratio(rel)} plaintext`,
      target: '>= 0.80x',
      met: rel >= 0.8 && clean,
    },
    {
      metric: 'e2e handshakes/s (both sides, 1 core)',
      w2w: `${rate(crypto.handshakesPerSec)}/s`,
      baseline: `primitives limit ${rate(crypto.limitPerSec)}/s`,
      ratio: `${ratio(crypto.handshakesPerSec / crypto.limitPerSec)} limit`,
      target: '-',
      met: null,
    },
    ...crypto.aead.map((a) => ({
      metric: `AEAD seal / open ${sizeName(a.bytes)}`,
      w2w: `${mbps(a.sealMBps * 1e6)} / ${mbps(a.openMBps * 1e6)}`,
      baseline: '-',
      ratio: '-',
      target: '-',
      met: null,
    })),
  );
  ctx.figures.e2e = {
    bodyBytes: o.bodyBytes,
    window: o.window,
    ratioSealedToPlaintext: rel,
    plaintext: { median: plain, rounds: all('plaintext') },
    sealed: { median: sealed, rounds: all('sealed') },
    crypto,
  };
  ctx.log();
}
