// Test harness for the data-plane suites: nodes (a RelayClient, its SecureChannel and a DataPlane over a
// real SQLite store in a temp dir), random files streamed to disk, and a file comparison that never
// loads a whole file.
import { randomFillSync } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { RelayClient } from '../../src-main/client/relay-client.js';
import { generateIdentity, type Identity } from '../../src-main/crypto/identity.js';
import { DataPlane, type DataPlaneOptions } from '../../src-main/data/data-plane.js';
import { hashFile } from '../../src-main/data/declare.js';
import { Route } from '../../src-shared/protocol/constants.js';
import { TransferKind, decodeTransfer, encodeTransfer } from '../../src-shared/protocol/transfer.js';
import { SecureChannel } from '../../src-main/e2e/secure-channel.js';
import { openStore, type Store } from '../../src-main/store/db.js';

export interface TestNode {
  identity: Identity;
  id: Buffer;
  dir: string;
  store: Store;
  client: RelayClient;
  channel: SecureChannel;
  plane: DataPlane;
  /** Closes the plane and the connection (the store stays open: reopen() and restart() reuse it). */
  disconnect(): Promise<void>;
  /** Disconnects and closes the store; deletes the data dir if startNode made it. */
  close(): Promise<void>;
}

export function tempDir(prefix = 'w2w-data-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Connects a node to `url`: a fresh identity and data dir unless given (a restart passes both). */
export async function startNode(url: string, opts: { identity?: Identity; dir?: string; store?: Store; plane?: DataPlaneOptions } = {}): Promise<TestNode> {
  const identity = opts.identity ?? generateIdentity();
  const dir = opts.dir ?? tempDir();
  const store = opts.store ?? openStore(dir);
  const client = await RelayClient.connect({ url, identity });
  // Channel and plane in the same tick: messages stored for us are handed out to the first listeners.
  const channel = new SecureChannel(client, { keyStore: store.e2eSessions, handshakeTimeoutMs: 5000 });
  const plane = new DataPlane(channel, store, opts.plane);
  let disconnected = false;
  const node: TestNode = {
    identity,
    id: identity.publicKey,
    dir,
    store,
    client,
    channel,
    plane,
    async disconnect() {
      if (disconnected) return;
      disconnected = true;
      plane.close();
      await client.close();
    },
    async close() {
      await node.disconnect();
      store.close();
      if (opts.dir === undefined) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return node;
}

/** Writes `bytes` random bytes to `file` in 1 MiB pieces (never the whole file in memory). */
export async function randomFile(file: string, bytes: number): Promise<void> {
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

/** Whether two files have the same bytes, compared 1 MiB at a time. */
export async function sameBytes(a: string, b: string): Promise<boolean> {
  const [fa, fb] = await Promise.all([fsp.open(a, 'r'), fsp.open(b, 'r')]);
  try {
    const [sa, sb] = await Promise.all([fa.stat(), fb.stat()]);
    if (sa.size !== sb.size) return false;
    const ba = Buffer.allocUnsafe(1 << 20);
    const bb = Buffer.allocUnsafe(1 << 20);
    for (let pos = 0; pos < sa.size; ) {
      const [ra, rb] = await Promise.all([fa.read(ba, 0, ba.byteLength, pos), fb.read(bb, 0, bb.byteLength, pos)]);
      if (ra.bytesRead !== rb.bytesRead || ra.bytesRead === 0) return false;
      if (!ba.subarray(0, ra.bytesRead).equals(bb.subarray(0, rb.bytesRead))) return false;
      pos += ra.bytesRead;
    }
    return true;
  } finally {
    await Promise.all([fa.close(), fb.close()]);
  }
}

export async function waitUntil(test: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const t0 = Date.now();
  while (!test()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export interface FakeHolderOptions {
  /** the file it pretends to hold */
  file: string;
  /** replaces a chunk's bytes before sending (a lying holder); identity by default */
  tamperChunk?: (index: number, data: Buffer) => Buffer;
  /** send a chunk hash list that does not match the treeRoot */
  badHashes?: boolean;
  /** answer nothing at all (a holder that went quiet) */
  silent?: boolean;
}

export interface FakeHolder {
  identity: Identity;
  id: Buffer;
  /** FETCH windows it was asked for */
  fetches: { first: number; count: number }[];
  close(): Promise<void>;
}

/**
 * A holder written straight against the wire codecs (no Holder class), so it can lie: flip bytes in
 * chunks, send a wrong hash list, or stay silent.
 */
export async function startFakeHolder(url: string, opts: FakeHolderOptions, identity: Identity = generateIdentity()): Promise<FakeHolder> {
  const digest = await hashFile(opts.file);
  const client = await RelayClient.connect({ url, identity });
  const channel = new SecureChannel(client, { handshakeTimeoutMs: 5000 });
  const fetches: { first: number; count: number }[] = [];
  const send = (to: Uint8Array, p: Uint8Array): void => {
    channel.send({ route: Route.A2B, to }, p).catch(() => {});
  };
  channel.on('payload', ({ msg, payload }) => {
    const d = decodeTransfer(payload);
    if (!d.ok || opts.silent) return;
    const p = d.payload;
    if (p.kind === TransferKind.HASHES_REQ) {
      const hashes = Buffer.from(digest.chunkHashes.subarray(p.first * 32, (p.first + p.count) * 32));
      if (opts.badHashes) hashes[0] = (hashes[0] as number) ^ 0xff;
      send(msg.from, encodeTransfer({ kind: TransferKind.HASHES, contentHash: p.contentHash, first: p.first, hashes }));
    } else if (p.kind === TransferKind.FETCH) {
      fetches.push({ first: p.first, count: p.count });
      const fd = fs.openSync(opts.file, 'r');
      try {
        for (let index = p.first; index < p.first + p.count; index++) {
          const len = Math.min(digest.chunkSize, digest.size - index * digest.chunkSize);
          const data = Buffer.alloc(len);
          fs.readSync(fd, data, 0, len, index * digest.chunkSize);
          send(msg.from, encodeTransfer({ kind: TransferKind.CHUNK, contentHash: p.contentHash, index, data: opts.tamperChunk ? opts.tamperChunk(index, data) : data }));
        }
      } finally {
        fs.closeSync(fd);
      }
    }
  });
  return { identity, id: identity.publicKey, fetches, close: () => client.close() };
}
