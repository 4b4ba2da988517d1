// Ping-pong between two clients through the server under test, one message in flight: A sends to B,
// B answers to A the moment the frame is complete, and A times the round trip.
import type { Peer } from './peers.js';
import { FrameCounter } from './wire.js';

/** Federation: RECEIPT events are counted apart, and every message gets its own ID before it is written. */
export interface FederatedPingPong {
  receiptType: number;
  stamp: (frame: Buffer, at: number, counter: number) => void;
}

export function pingPong(
  a: Peer,
  b: Peer,
  frames: { aToB: Buffer; bToA: Buffer },
  expectType: number | null,
  warmup: number,
  count: number,
  fed: FederatedPingPong | null = null,
): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const samples: number[] = [];
    let done = 0;
    let t0 = 0;
    // The frames are reused: the previous copy has arrived before the next is written.
    const write = (peer: Peer, frame: Buffer): void => {
      fed?.stamp(frame, 0, done);
      peer.socket.write(frame);
    };
    const next = (): void => {
      t0 = performance.now();
      write(a, frames.aToB);
    };
    const other = fed?.receiptType ?? null;
    const atB = new FrameCounter(expectType, () => write(b, frames.bToA), other);
    const atA = new FrameCounter(
      expectType,
      () => {
        const us = (performance.now() - t0) * 1000;
        if (done >= warmup) samples.push(us);
        done++;
        if (done < warmup + count) next();
        else resolve(samples);
      },
      other,
    );
    const check = (counter: FrameCounter, who: string): void => {
      if (counter.unexpected > 0) reject(new Error(`${who} got an unexpected frame during the round trips`));
    };
    b.socket.removeAllListeners('data');
    b.socket.on('data', (c: Buffer) => {
      atB.push(c);
      check(atB, 'B');
    });
    a.socket.removeAllListeners('data');
    a.socket.on('data', (c: Buffer) => {
      atA.push(c);
      check(atA, 'A');
    });
    for (const p of [a, b]) p.socket.once('close', () => reject(new Error(`connection ${p.index} closed during the round trips`)));
    next();
  });
}
