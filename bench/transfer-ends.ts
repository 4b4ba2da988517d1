// The two ends of the file-transfer section, run in client processes: a data node (RelayClient,
// SecureChannel and DataPlane over a SQLite store in a temp dir) that shares a random file, and one that
// fetches it. Loaded on demand, so that the other client-process commands never depend on the data plane.
import { randomFillSync } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { RelayClient } from '../src-main/client/relay-client.js';
import { generateIdentity } from '../src-main/crypto/identity.js';
import { DataPlane } from '../src-main/data/data-plane.js';
import { SecureChannel } from '../src-main/e2e/secure-channel.js';
import { openStore, type Store } from '../src-main/store/db.js';
import { decodeHolding, encodeHolding } from '../src-shared/protocol/declaration.js';
import type { FetchFigures, ShareFigures, Target } from './commands.js';

/** Writes `bytes` random bytes to `file` in 1 MiB pieces (never the whole file in memory). */
async function randomFile(file: string, bytes: number): Promise<void> {
  const fh = await fsp.open(file, 'w');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (let done = 0; done < bytes; ) {
      const n = Math.min(buf.byteLength, bytes - done);
      randomFillSync(buf, 0, n);
      await fh.write(buf, 0, n, done);
      done += n;
    }
  } finally {
    await fh.close();
  }
}

export class DataNode {
  private constructor(
    readonly dir: string,
    private readonly store: Store,
    readonly client: RelayClient,
    readonly plane: DataPlane,
  ) {}

  static async open(target: Target): Promise<DataNode> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'w2w-bench-data-'));
    const store = openStore(dir);
    try {
      const pin = target.relayIdHex ? Buffer.from(target.relayIdHex, 'hex') : undefined;
      const client = await RelayClient.connect({ url: target.url, identity: generateIdentity(), expectedRelayId: pin, publishHome: false });
      // Channel and plane in the same tick, as the node does: payloads that come early reach the plane.
      const channel = new SecureChannel(client, { keyStore: store.e2eSessions });
      const plane = new DataPlane(channel, store);
      return new DataNode(dir, store, client, plane);
    } catch (err) {
      store.close();
      fs.rmSync(dir, { recursive: true, force: true });
      throw err;
    }
  }

  /** Writes a random file of `bytes` and shares it (hashing it is not timed by the caller). */
  async share(bytes: number): Promise<ShareFigures> {
    const file = path.join(this.dir, 'bench-file.bin');
    await randomFile(file, bytes);
    const holding = await this.plane.share(file, { mime: 'application/octet-stream' });
    return { holdingHex: Buffer.from(encodeHolding(holding)).toString('hex'), size: holding.core.size, chunkSize: holding.core.chunkSize };
  }

  /** Fetches the shared file from its holder into this node's dir; the data plane checks every byte. */
  async fetch(holdingHex: string): Promise<FetchFigures> {
    const d = decodeHolding(Buffer.from(holdingHex, 'hex'));
    if (!d.ok) throw new Error(`transfer: the holding does not decode: ${d.error.message}`);
    const out = path.join(this.dir, 'fetched.bin');
    fs.rmSync(out, { force: true });
    const t0 = performance.now();
    let chunksDoneMs: number | null = null;
    const onProgress = (p: { bytes: number; total: number }): void => {
      if (chunksDoneMs === null && p.bytes >= p.total) chunksDoneMs = performance.now() - t0;
    };
    const res = await this.plane.fetch(d.holding.core.contentHash, { from: [d.holding], out, overwrite: true, onProgress, progressEveryMs: 0 });
    const elapsedMs = performance.now() - t0;
    const size = fs.statSync(out).size;
    fs.rmSync(out, { force: true });
    return { elapsedMs, chunksDoneMs, size, chunksFetched: res.chunksFetched, corruptChunks: res.corruptChunks };
  }

  async close(): Promise<void> {
    this.plane.close();
    await this.client.close();
    this.store.close();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
