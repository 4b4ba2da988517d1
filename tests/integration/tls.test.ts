// wss:// relays: clients that trust the relay's self-signed certificate register and exchange a2b;
// clients that do not are refused at the TLS layer and never reach registration.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RelayClient } from '../../src-main/client/relay-client.js';
import { generateIdentity } from '../../src-main/crypto/identity.js';
import { Route } from '../../src-shared/protocol/constants.js';
import { toHex } from '../../src-shared/ids.js';
import { closeAll, connectClient, randomBody } from '../helpers/clients.js';
import { waitUntil } from '../helpers/inbox.js';
import { RawPeer } from '../helpers/raw-peer.js';
import { startRelay, type TestRelay } from '../helpers/relay.js';
import { makeSelfSignedCert, type SelfSigned } from '../helpers/tls.js';

let cert: SelfSigned;
let relay: TestRelay;

beforeAll(async () => {
  cert = makeSelfSignedCert();
  relay = await startRelay({ tls: { cert: cert.cert, key: cert.key } });
});

afterAll(async () => {
  await relay?.close();
  cert?.dispose();
});

describe('TLS (wss://)', () => {
  it('the relay listens on wss://', () => {
    expect(relay.url).toMatch(/^wss:\/\/127\.0\.0\.1:\d+\/$/);
  });

  it('clients that trust the certificate register and exchange a2b', async () => {
    const a = await connectClient(relay, { label: 'a', ca: cert.cert });
    const b = await connectClient(relay, { label: 'b', ca: cert.cert });
    try {
      expect(toHex(a.client.relayId)).toBe(toHex(relay.id));
      const body = randomBody(2000);
      const res = await a.client.send({ route: Route.A2B, to: b.id }, body, { ack: true });
      expect(res.delivered).toBe(1);
      const got = await b.messageWithBody(body);
      expect(toHex(got.from)).toBe(toHex(a.id));
      const back = randomBody();
      await b.client.send({ route: Route.A2B, to: a.id }, back);
      await a.messageWithBody(back);
    } finally {
      await closeAll([a, b]);
    }
  });

  it('a client without the CA is refused by TLS and never registers', async () => {
    const id = generateIdentity();
    await waitUntil(() => relay.server.core.connectionCount === 0, 3000, 'the earlier clients are gone');
    const err = await RelayClient.connect({ url: relay.url, identity: id, handshakeTimeoutMs: 3000 }).then(
      () => null,
      (e: Error) => e,
    );
    expect(err).not.toBeNull();
    expect(err!.message).toMatch(/self[- ]signed certificate/i);
    expect(relay.store.nodeList.has(id.publicKey)).toBe(false);
    expect(relay.server.core.connectionCount).toBe(0);
    // the raw socket fails the same way, at the TLS layer
    await expect(RawPeer.open(relay.url)).rejects.toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
  });

  it('a client that trusts another CA is refused as well', async () => {
    const other = makeSelfSignedCert();
    try {
      await expect(RelayClient.connect({ url: relay.url, identity: generateIdentity(), ca: other.cert, handshakeTimeoutMs: 3000 })).rejects.toThrow(/certificate/i);
    } finally {
      other.dispose();
    }
  });

  it('plain ws:// to the TLS port does not register', async () => {
    await expect(RelayClient.connect({ url: relay.url.replace('wss://', 'ws://'), identity: generateIdentity(), handshakeTimeoutMs: 3000 })).rejects.toThrow();
  });
});
