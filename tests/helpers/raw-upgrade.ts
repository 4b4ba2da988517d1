// Test helper: a hand-made WebSocket upgrade that reads the relay's answer frame by frame, for cases a
// real client refuses to complete (e.g. the relay picking no subprotocol, which the ws client aborts).
import http from 'node:http';
import { randomBytes } from '../../src-main/crypto/random.js';

export interface UpgradeReply {
  status: number;
  /** the Sec-WebSocket-Protocol the relay chose, if any */
  protocol: string | undefined;
  /** binary data frames (opcode 2) in order */
  binary: Buffer[];
  /** opcode 8 payload's status code, or null if the socket ended without a close frame */
  closeCode: number | null;
}

/** Parses unmasked server-to-client frames; returns the frames and how many bytes were used. */
function parseFrames(buf: Buffer): { frames: { opcode: number; payload: Buffer }[]; used: number } {
  const frames: { opcode: number; payload: Buffer }[] = [];
  let off = 0;
  for (;;) {
    if (buf.length - off < 2) break;
    const opcode = (buf[off] as number) & 0x0f;
    let len = (buf[off + 1] as number) & 0x7f;
    let head = 2;
    if (len === 126) {
      if (buf.length - off < 4) break;
      len = buf.readUInt16BE(off + 2);
      head = 4;
    } else if (len === 127) {
      if (buf.length - off < 10) break;
      len = Number(buf.readBigUInt64BE(off + 2));
      head = 10;
    }
    if (buf.length - off < head + len) break;
    frames.push({ opcode, payload: buf.subarray(off + head, off + head + len) });
    off += head + len;
  }
  return { frames, used: off };
}

/**
 * Upgrades with the given Sec-WebSocket-Protocol offer (none if empty) and collects the reply until the
 * relay closes, or until `stopAfterBinary` data frames arrived (for a connection the relay keeps open).
 */
export function rawUpgrade(url: string, protocols: string[], opts: { timeoutMs?: number; stopAfterBinary?: number } = {}): Promise<UpgradeReply> {
  const timeoutMs = opts.timeoutMs ?? 3000;
  const u = new URL(url.replace(/^ws/, 'http'));
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {
      Connection: 'Upgrade',
      Upgrade: 'websocket',
      'Sec-WebSocket-Version': '13',
      'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
    };
    if (protocols.length > 0) headers['Sec-WebSocket-Protocol'] = protocols.join(', ');
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, headers });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`no complete upgrade reply from ${url} within ${timeoutMs} ms`));
    }, timeoutMs);
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.on('response', (res) => {
      clearTimeout(timer);
      res.resume();
      resolve({ status: res.statusCode ?? 0, protocol: undefined, binary: [], closeCode: null });
    });
    req.on('upgrade', (res, socket, head) => {
      const reply: UpgradeReply = { status: res.statusCode ?? 0, protocol: res.headers['sec-websocket-protocol'], binary: [], closeCode: null };
      let pending = Buffer.from(head);
      const finish = (): void => {
        clearTimeout(timer);
        socket.destroy();
        resolve(reply);
      };
      const onData = (chunk?: Buffer): void => {
        if (chunk) pending = Buffer.concat([pending, chunk]);
        const { frames, used } = parseFrames(pending);
        pending = pending.subarray(used);
        for (const f of frames) {
          if (f.opcode === 2) reply.binary.push(Buffer.from(f.payload));
          if (opts.stopAfterBinary !== undefined && reply.binary.length >= opts.stopAfterBinary) {
            finish();
            return;
          }
          if (f.opcode === 8) {
            reply.closeCode = f.payload.length >= 2 ? f.payload.readUInt16BE(0) : 1005;
            finish();
            return;
          }
        }
      };
      socket.on('data', onData);
      socket.on('end', finish);
      socket.on('error', finish);
      onData();
    });
    req.end();
  });
}
