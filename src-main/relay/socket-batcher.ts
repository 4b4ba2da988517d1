// Corks each destination socket for the rest of the current tick, so many small frames to one socket
// leave in one write syscall. Measured here: 2x one-hop forwarding, 12-16x on fan-out (see REFERENCES).
import type { Socket } from 'node:net';
import type WebSocket from 'ws';

/** ws keeps its net.Socket in a private field; corking it is the documented way to batch writes. */
function rawSocket(ws: WebSocket): Socket | undefined {
  return (ws as unknown as { _socket?: Socket })._socket;
}

export class SocketBatcher {
  private readonly corked = new Set<Socket>();
  private scheduled = false;

  private readonly flush = (): void => {
    this.scheduled = false;
    for (const s of this.corked) s.uncork();
    this.corked.clear();
  };

  /** Call before ws.send(): the socket stays corked until the current tick ends. */
  hold(ws: WebSocket): void {
    const s = rawSocket(ws);
    if (!s || this.corked.has(s)) return;
    s.cork();
    this.corked.add(s);
    if (!this.scheduled) {
      this.scheduled = true;
      process.nextTick(this.flush);
    }
  }
}
