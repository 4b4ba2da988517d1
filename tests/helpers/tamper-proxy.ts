// Test helper: a malicious relay in the path. It sits between a client and the real relay, passes
// the handshake through, and lets a test see and rewrite every frame the client receives (flip,
// drop, reorder, replay, re-address). Everything it saw is kept, to prove it never saw plaintext.
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { SUBPROTOCOL } from '../../src-shared/protocol/constants.js';

/** Returns the frames to deliver instead of `frame` (none: drop it; several: inject or replay). */
export type Tamper = (frame: Buffer) => Buffer[];

export interface TamperProxy {
  url: string;
  /** every frame seen in either direction */
  seen: Buffer[];
  tamper: Tamper;
  close(): Promise<void>;
}

export async function startTamperProxy(upstreamUrl: string): Promise<TamperProxy> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: () => SUBPROTOCOL });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const proxy: TamperProxy = {
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`,
    seen: [],
    tamper: (f) => [f],
    async close() {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
    },
  };
  wss.on('connection', (down) => {
    const up = new WebSocket(upstreamUrl, SUBPROTOCOL);
    const early: Buffer[] = [];
    up.on('open', () => {
      for (const f of early.splice(0)) up.send(f);
    });
    down.on('message', (data: Buffer) => {
      proxy.seen.push(Buffer.from(data));
      if (up.readyState === WebSocket.OPEN) up.send(data);
      else early.push(data);
    });
    up.on('message', (data: Buffer) => {
      proxy.seen.push(Buffer.from(data));
      for (const f of proxy.tamper(Buffer.from(data))) if (down.readyState === WebSocket.OPEN) down.send(f);
    });
    const closeBoth = (): void => {
      up.terminate();
      down.terminate();
    };
    up.on('close', closeBoth);
    down.on('close', closeBoth);
    up.on('error', closeBoth);
    down.on('error', closeBoth);
  });
  return proxy;
}
