// Options shared by the commands: the data dir, the relay to use, and opening a registered client.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseRelayAddress } from '../../src-shared/ids.js';
import { Messenger } from '../client/messenger.js';
import { RelayClient } from '../client/relay-client.js';
import type { Identity } from '../crypto/identity.js';
import { loadOrCreateIdentity } from '../node/identity.js';
import { plainTransportProblem } from '../node/transport-policy.js';
import { openStore, type Store } from '../store/db.js';
import { usageError, CliError } from './cli-error.js';
import type { CliIo } from './io.js';
import { messageLine } from './message-line.js';

/** --data, else $W2W_DATA, else $XDG_DATA_HOME/w2w, else ~/.local/share/w2w. */
export function resolveDataDir(flag: string | undefined): string {
  if (flag) return path.resolve(flag);
  if (process.env.W2W_DATA) return path.resolve(process.env.W2W_DATA);
  const base = process.env.XDG_DATA_HOME || path.join(os.homedir(), '.local', 'share');
  return path.join(base, 'w2w');
}

export function openDataDir(flag: string | undefined): { store: Store; identity: Identity; dir: string } {
  const dir = resolveDataDir(flag);
  let store: Store;
  try {
    store = openStore(dir);
  } catch (err) {
    throw new CliError(`cannot open the data dir ${dir}: ${err instanceof Error ? err.message : String(err)}`);
  }
  try {
    return { store, identity: loadOrCreateIdentity(store), dir };
  } catch (err) {
    store.close();
    throw new CliError(err instanceof Error ? err.message : String(err));
  }
}

export interface RelayTarget {
  url: string;
  /** from "URL#ID": the relay must prove this identity */
  expectedRelayId?: Uint8Array;
}

/** "--relay URL" or "--relay URL#RELAY_ID" (the ID pins the relay's identity). */
export function parseRelay(value: string | undefined, insecure: boolean): RelayTarget {
  if (!value) throw usageError('--relay URL is required (e.g. --relay ws://127.0.0.1:7070)');
  const address = parseRelayAddress(value);
  if (!address.ok) throw usageError(`the relay ID after "#" is not valid: ${address.reason}`);
  const problem = plainTransportProblem(address.url, insecure);
  if (problem) throw usageError(problem);
  return address.pinned ? { url: address.url, expectedRelayId: address.pinned } : { url: address.url };
}

export function readCa(file: string | undefined): Buffer | undefined {
  if (!file) return undefined;
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw usageError(`cannot read --ca ${file}: ${(err as Error).message}`);
  }
}

/** Registers with the relay; `publishHome` makes this ID routable across linked relays (messaging commands). */
export async function connectClient(relay: RelayTarget, identity: Identity, ca: Buffer | undefined, publishHome = true): Promise<RelayClient> {
  return RelayClient.connect({ url: relay.url, identity, expectedRelayId: relay.expectedRelayId, ca, publishHome });
}

export interface ClientFlags {
  relay?: string;
  data?: string;
  ca?: string;
  insecure?: boolean;
}

/**
 * Runs `fn` with a client registered on --relay under the data dir's identity, and always closes the
 * client and the store afterwards. `publishHome` as in connectClient.
 *
 * When this is the ID's first session at the relay, the relay hands it every message it kept for the ID
 * while it was offline (PROTOCOL §9.6), right behind READY, and deletes its copies: dropping them would
 * lose them for good. So the messenger given to `fn` records those in the data dir's history and shows
 * them on stderr (stdout stays the command's result). Messages that arrive later are live ones, which
 * every session of the ID gets: those are left to a `w2w listen` on the same data dir, which would not
 * show a message that this command had recorded first.
 */
export async function withClient<T>(
  flags: ClientFlags,
  io: CliIo,
  fn: (client: RelayClient, store: Store, identity: Identity, messenger: Messenger) => Promise<T>,
  publishHome = true,
): Promise<T> {
  const relay = parseRelay(flags.relay, flags.insecure ?? false);
  const ca = readCa(flags.ca);
  const { store, identity } = openDataDir(flags.data);
  try {
    const client = await connectClient(relay, identity, ca, publishHome);
    try {
      const messenger = new Messenger(client, store);
      messenger.on('message', (m) => io.err(`w2w: received ${messageLine(m)}`));
      // The client holds what arrived before anyone listened and hands it over on the next turn of the
      // event loop (queued when the messenger started listening, so before this): then stop receiving.
      setImmediate(() => messenger.stopReceiving());
      return await fn(client, store, identity, messenger);
    } finally {
      await client.close();
    }
  } finally {
    store.close();
  }
}
