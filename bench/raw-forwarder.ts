// The baselines: plain ws servers that forward binary messages from one connection to another with no
// protocol at all. A client names itself with `?id=N` in the URL; a message's first 4 bytes (u32 big
// endian) name the receiver, or BROADCAST for every connection (the sender included, like w2w a2n).
// The naive forwarder calls ws.send per message; the batched one also corks each destination socket
// until the end of the tick, as the w2w relay does.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export const RAW_HEADER_BYTES = 4;
export const BROADCAST = 0xffff_ffff;

export interface RawForwarder {
  url: string;
  close(): Promise<void>;
}

export async function startRawForwarder(opts: { batched: boolean; host: string; maxPayload: number }): Promise<RawForwarder> {
  const server = http.createServer();
  const wss = new WebSocketServer({ server, perMessageDeflate: false, maxPayload: opts.maxPayload });
  const byId = new Map<number, WebSocket>();

  const corked = new Set<Socket>();
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    for (const s of corked) s.uncork();
    corked.clear();
  };
  const hold = (ws: WebSocket): void => {
    const s = (ws as unknown as { _socket: Socket })._socket;
    if (corked.has(s)) return;
    s.cork();
    corked.add(s);
    if (!scheduled) {
      scheduled = true;
      process.nextTick(flush);
    }
  };
  const deliver = opts.batched
    ? (ws: WebSocket, data: Buffer): void => {
        hold(ws);
        ws.send(data, { binary: true });
      }
    : (ws: WebSocket, data: Buffer): void => ws.send(data, { binary: true });

  wss.on('connection', (ws, req) => {
    const id = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('id'));
    if (!Number.isInteger(id) || id < 0 || id >= BROADCAST) {
      ws.close(1008, 'connect with ?id=<u32>');
      return;
    }
    ws.binaryType = 'nodebuffer';
    byId.set(id, ws);
    ws.on('close', () => {
      if (byId.get(id) === ws) byId.delete(id);
    });
    ws.on('error', () => {});
    ws.on('message', (data: Buffer) => {
      if (data.byteLength < RAW_HEADER_BYTES) return;
      const to = data.readUInt32BE(0);
      if (to === BROADCAST) {
        for (const dest of byId.values()) deliver(dest, data);
        return;
      }
      const dest = byId.get(to);
      if (dest) deliver(dest, data);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, opts.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `ws://${opts.host}:${port}/`,
    async close() {
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
