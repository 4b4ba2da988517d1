// A credit-window message flow: each lane has one sender and one or more receivers; the sender keeps at
// most `window` messages (times the receivers per message) undelivered, and refills in batches as the
// receivers count deliveries. Without the window, kernel buffers would hide megabytes of backlog and
// the figures would measure queueing, not forwarding.
import type { FlowFinal, FlowSnapshot } from './commands.js';
import type { Peer } from './peers.js';
import { FrameCounter, repeatFrame, stampMsgId } from './wire.js';

export interface FlowOptions {
  /** give every message its own ID (federated relays drop repeats): costs a copy of each batch */
  stampIds?: boolean;
  /** frames of this type (RECEIPT events) are counted as receipts, at senders and receivers, not as unexpected */
  receiptType?: number | null;
  /** every message earns its sender one receipt (a2b across relays): draining waits for those too */
  expectReceipts?: boolean;
}

function cpuUs(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

class Lane {
  sent = 0;
  delivered = 0;
  running = false;
  private readonly batch: Buffer;

  constructor(
    private readonly sender: Peer,
    private readonly frame: Buffer,
    /** deliveries each message makes */
    readonly fanout: number,
    private readonly window: number,
    private readonly stampIds: boolean,
  ) {
    this.batch = repeatFrame(frame, window);
  }

  /** Sends as many messages as the window allows, once at least half of it is free. */
  pump(): void {
    if (!this.running) return;
    const free = this.window * this.fanout - (this.sent * this.fanout - this.delivered);
    if (free * 2 < this.window * this.fanout) return;
    const k = Math.min(this.window, Math.floor(free / this.fanout));
    if (k <= 0) return;
    const bytes = k * this.frame.byteLength;
    if (this.stampIds) {
      // A fresh buffer each time: an earlier write may still sit in the socket's queue.
      const out = Buffer.allocUnsafe(bytes);
      this.batch.copy(out, 0, 0, bytes);
      for (let i = 0; i < k; i++) stampMsgId(out, i * this.frame.byteLength, this.sent + i);
      this.sent += k;
      this.sender.socket.write(out);
      return;
    }
    this.sent += k;
    this.sender.socket.write(this.batch.subarray(0, bytes));
  }
}

export class Flow {
  private readonly lanes: Lane[] = [];
  private readonly counters: FrameCounter[] = [];
  /** senders' receipt counters: their `messages` are receipts */
  private readonly senderCounters: FrameCounter[] = [];
  private problem: string | null = null;
  private senderUnexpected = 0;
  private readonly expectReceipts: boolean;

  /**
   * `routes` lists, per lane, the sender, the masked frame it sends and its receivers. A receiver
   * counts frames whose first payload byte is `expectType` (0x10, MSG, for w2w; null for raw).
   */
  constructor(
    routes: { sender: Peer; frame: Buffer; receivers: Peer[] }[],
    expectType: number | null,
    window: number,
    private readonly allPeers: Peer[],
    opts: FlowOptions = {},
  ) {
    const receiptType = opts.receiptType ?? null;
    this.expectReceipts = opts.expectReceipts ?? false;
    for (const r of routes) {
      const lane = new Lane(r.sender, r.frame, r.receivers.length, window, opts.stampIds ?? false);
      this.lanes.push(lane);
      for (const peer of r.receivers) {
        const counter = new FrameCounter(expectType, null, receiptType);
        this.counters.push(counter);
        let seen = 0;
        peer.socket.removeAllListeners('data');
        peer.socket.on('data', (chunk: Buffer) => {
          counter.push(chunk);
          lane.delivered += counter.messages - seen;
          seen = counter.messages;
          lane.pump();
        });
      }
      if (!r.receivers.includes(r.sender) && receiptType !== null) {
        // Receipts come back for every message: count them by their headers, like deliveries.
        const counter = new FrameCounter(receiptType);
        this.senderCounters.push(counter);
        r.sender.socket.removeAllListeners('data');
        r.sender.socket.on('data', (chunk: Buffer) => counter.push(chunk));
      } else if (!r.receivers.includes(r.sender)) {
        // A sender that is not also a receiver keeps its ws parser: anything the server says to it
        // (an ERROR frame, say) is a problem worth reporting.
        r.sender.ws.on('message', (data: Buffer) => {
          this.senderUnexpected++;
          this.problem ??= `sender got a ${data.byteLength}-byte frame of type 0x${(data[0] ?? 0).toString(16)}`;
        });
      }
    }
    for (const p of allPeers) {
      p.socket.once('close', () => {
        this.problem ??= `connection ${p.index} closed during the flow`;
      });
    }
  }

  start(): void {
    for (const lane of this.lanes) {
      lane.running = true;
      lane.pump();
    }
  }

  snapshot(): FlowSnapshot {
    let sent = 0;
    let delivered = 0;
    for (const l of this.lanes) {
      sent += l.sent;
      delivered += l.delivered;
    }
    let unexpected = this.senderUnexpected;
    let receipts = 0;
    for (const c of this.counters) {
      unexpected += c.unexpected;
      receipts += c.others;
    }
    for (const c of this.senderCounters) {
      unexpected += c.unexpected;
      receipts += c.messages;
    }
    return { sent, delivered, unexpected, receipts, cpuUs: cpuUs(), atMs: performance.now() };
  }

  /** Stops sending and waits (up to drainMs) for everything sent to arrive. */
  async stop(drainMs: number): Promise<FlowFinal> {
    for (const l of this.lanes) l.running = false;
    const deadline = performance.now() + drainMs;
    const expected = (): number => this.lanes.reduce((n, l) => n + l.sent * l.fanout, 0);
    const drained = (s: FlowSnapshot): boolean => s.delivered >= expected() && (!this.expectReceipts || s.receipts >= s.sent);
    while (!drained(this.snapshot()) && performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
    const snap = this.snapshot();
    const missingReceipts = this.expectReceipts ? snap.sent - snap.receipts : 0;
    return { ...snap, lost: expected() - snap.delivered, missingReceipts, firstProblem: this.problem };
  }

  close(): void {
    for (const p of this.allPeers) p.ws.terminate();
  }
}
