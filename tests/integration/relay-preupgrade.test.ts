// Sockets the relay does not count against maxConnections (not yet upgraded, or refused at the
// upgrade) must not outlive a short deadline, or a slowloris peer holds file handles unbounded.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from '../../src-main/crypto/random.js';
import { SUBPROTOCOL } from '../../src-shared/protocol/constants.js';
import { waitUntil } from '../helpers/inbox.js';
import { RawPeer } from '../helpers/raw-peer.js';
import { expectRelayServesFreshPair } from '../helpers/clients.js';
import { startRelay, type TestRelay } from '../helpers/relay.js';
import { makeSelfSignedCert, type SelfSigned } from '../helpers/tls.js';

/** Resolves with how long the relay kept the socket, or with null if it was still open after `capMs`. */
function heldFor(port: number, send: string, capMs: number): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const s = net.connect(port, '127.0.0.1', () => {
      if (send) s.write(send);
    });
    s.on('error', () => {});
    s.resume();
    const cap = setTimeout(() => {
      s.destroy();
      resolve(null);
    }, capMs);
    s.on('close', () => {
      clearTimeout(cap);
      resolve(Date.now() - started);
    });
    s.on('timeout', () => reject(new Error('unexpected')));
  });
}

describe('sockets that never finish the upgrade', () => {
  let relay: TestRelay;
  beforeAll(async () => {
    relay = await startRelay({ limits: { handshakeTimeoutMs: 300 } });
  });
  afterAll(async () => {
    await relay.close();
  });

  it('a socket that sends half the upgrade request and stalls is cut', async () => {
    const port = relay.server.port;
    const held = await heldFor(port, 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n', 6000);
    expect(held).not.toBeNull();
    await expectRelayServesFreshPair(relay);
  }, 15_000);

  it('a plain HTTP request gets 426 and the socket is closed: keep-alive requests cannot hold it', async () => {
    const chunks: Buffer[] = [];
    const s = net.connect(relay.server.port, '127.0.0.1', () => s.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n'));
    s.on('error', () => {});
    s.on('data', (c: Buffer) => chunks.push(c));
    const held = await new Promise<boolean>((resolve) => {
      const cap = setTimeout(() => {
        s.destroy();
        resolve(false);
      }, 3000);
      s.on('close', () => {
        clearTimeout(cap);
        resolve(true);
      });
    });
    expect(Buffer.concat(chunks).toString('latin1')).toMatch(/^HTTP\/1\.1 426 /);
    expect(held).toBe(true);
  }, 15_000);

  it('a socket that sends nothing is cut', async () => {
    const held = await heldFor(relay.server.port, '', 6000);
    expect(held).not.toBeNull();
  }, 15_000);
});

describe('TLS sockets that never finish the TLS handshake', () => {
  let relay: TestRelay;
  let cert: SelfSigned;
  beforeAll(async () => {
    cert = makeSelfSignedCert();
    relay = await startRelay({ tls: { cert: cert.cert, key: cert.key }, limits: { handshakeTimeoutMs: 300 } });
  });
  afterAll(async () => {
    await relay.close();
    cert.dispose();
  });

  it('a TCP socket that never starts TLS is cut', async () => {
    const held = await heldFor(relay.server.port, '', 6000);
    expect(held).not.toBeNull();
  }, 15_000);
});

/** A complete upgrade request: the relay upgrades, refuses, and sends its close frame, which this peer never answers. */
function upgradeRequest(protocol: string): string {
  return [
    'GET / HTTP/1.1',
    'Host: 127.0.0.1',
    'Connection: Upgrade',
    'Upgrade: websocket',
    'Sec-WebSocket-Version: 13',
    `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
    `Sec-WebSocket-Protocol: ${protocol}`,
    '',
    '',
  ].join('\r\n');
}

describe('refused upgrades whose peer never answers the close', () => {
  let relay: TestRelay;
  beforeAll(async () => {
    relay = await startRelay({ limits: { maxConnections: 1 } });
  });
  afterAll(async () => {
    await relay.close();
  });

  it('over the connection cap: cut shortly after the refusal, not after ws\'s 30 s close timeout', async () => {
    const holder = await RawPeer.open(relay.url, {}, 'holder');
    await holder.hello();
    const held = await heldFor(relay.server.port, upgradeRequest(SUBPROTOCOL), 6000);
    expect(held).not.toBeNull();
    expect(relay.server.core.connectionCount).toBe(1);
    await holder.close();
  }, 15_000);

  it('without the w2w subprotocol: likewise', async () => {
    const held = await heldFor(relay.server.port, upgradeRequest('chat'), 6000);
    expect(held).not.toBeNull();
  }, 15_000);
});

describe('a refused upgrade followed by a bad WebSocket frame', () => {
  let relay: TestRelay;
  const uncaught: unknown[] = [];
  const onUncaught = (err: unknown): void => {
    uncaught.push(err);
  };
  beforeAll(async () => {
    relay = await startRelay({ limits: { maxConnections: 2 } });
    process.on('uncaughtException', onUncaught);
  });
  afterAll(async () => {
    process.off('uncaughtException', onUncaught);
    await relay.close();
  });

  /** Upgrades, waits for the refusal, then sends an unmasked frame (a protocol error from a client). */
  async function refusedThenUnmasked(protocol: string): Promise<void> {
    const s = net.connect(relay.server.port, '127.0.0.1');
    s.on('error', () => {});
    const closed = new Promise<void>((resolve) => s.on('close', () => resolve()));
    await new Promise<void>((resolve) => s.on('connect', () => resolve()));
    s.write(upgradeRequest(protocol));
    await new Promise<void>((resolve) => s.once('data', () => resolve()));
    s.write(Buffer.from([0x82, 0x01, 0x00]));
    s.resume();
    await closed;
  }

  it('without the w2w subprotocol: the relay drops the socket and does not crash', async () => {
    await refusedThenUnmasked('chat');
    expect(uncaught).toEqual([]);
    await expectRelayServesFreshPair(relay);
  }, 15_000);

  it('over the connection cap: likewise', async () => {
    const holders = [await RawPeer.open(relay.url, {}, 'holder 1'), await RawPeer.open(relay.url, {}, 'holder 2')];
    for (const h of holders) await h.hello();
    await refusedThenUnmasked(SUBPROTOCOL);
    expect(uncaught).toEqual([]);
    for (const h of holders) await h.close();
    await waitUntil(() => relay.server.core.connectionCount === 0, 2000, 'the holders are gone');
    await expectRelayServesFreshPair(relay);
  }, 15_000);
});
