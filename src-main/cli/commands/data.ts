// `w2w share`, `w2w declarations`, `w2w fetch` and `w2w delete`: shared data from the terminal.
// share keeps serving until Ctrl-C (as `croc send` does); a running `w2w node` serves for good.
import path from 'node:path';
import { idToText, parseId, toHex, fromHex } from '../../../src-shared/ids.js';
import { DeclQueryBy, Op } from '../../../src-shared/protocol/constants.js';
import { Access, decodeHolding, type AccessRule, type Holding } from '../../../src-shared/protocol/declaration.js';
import type { Messenger } from '../../client/messenger.js';
import { DataPlane, type FetchProgress } from '../../data/data-plane.js';
import { verifyHolding } from '../../data/declare.js';
import type { Store } from '../../store/db.js';
import { CliError, usageError } from '../cli-error.js';
import { withClient, type ClientFlags } from '../common.js';
import { printable } from '../printable.js';
import { untilStopSignal } from '../signals.js';
import type { CliIo } from '../io.js';

function dataPlane(messenger: Messenger, store: Store): DataPlane {
  // The messenger's channel (one per client: two would both answer every handshake); created in the same
  // tick as it, so requests kept for us while we were away reach the data plane.
  return new DataPlane(messenger.secure, store, { publish: true });
}

function contentHash(text: string | undefined): Buffer {
  const h = text ? fromHex(text) : null;
  if (!h || h.byteLength !== 32) throw usageError('give the content hash as 64 hex digits');
  return Buffer.from(h);
}

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

function describe(h: Holding): string {
  const c = h.core;
  const access = c.access.kind === Access.PUBLIC ? 'public' : c.access.kind === Access.PEERS ? `${c.access.peers.length} peer(s)` : `group ${printable(c.access.group)}`;
  // Name, type and group are whatever the declaration's owner wrote: escape their control characters.
  return `${toHex(c.contentHash)}\t${printable(c.name)}\t${bytes(c.size)}\t${printable(c.mime)}\towner ${idToText(c.owner)}\tholder ${idToText(h.holder)}\t${access}`;
}

export interface ShareFlags extends ClientFlags {
  to?: string[];
  group?: string;
  public?: boolean;
  reshare?: boolean;
}

export async function runShare(flags: ShareFlags, positionals: string[], io: CliIo): Promise<number> {
  if (positionals.length !== 1) throw usageError('w2w share needs exactly one FILE');
  const file = path.resolve(positionals[0] as string);
  const chosen = [flags.to?.length ? 1 : 0, flags.group ? 1 : 0, flags.public ? 1 : 0].reduce((a, b) => a + b, 0);
  if (chosen !== 1) throw usageError('say who may fetch it: exactly one of --to ID (repeatable), --group NAME, --public');
  return withClient(flags, io, async (client, store, _identity, messenger) => {
    let access: AccessRule;
    if (flags.to?.length) {
      access = {
        kind: Access.PEERS,
        peers: flags.to.map((t) => {
          const r = parseId(t);
          if (!r.ok) throw usageError(`--to ${t}: ${r.reason}`);
          return r.id;
        }),
      };
    } else if (flags.group) access = { kind: Access.GROUP, group: flags.group, groupRelay: client.relayId };
    else access = { kind: Access.PUBLIC };
    const data = dataPlane(messenger, store);
    let holding: Holding;
    try {
      holding = await data.share(file, { access, reshare: flags.reshare ?? false });
    } catch (err) {
      throw new CliError(`cannot share ${file}: ${err instanceof Error ? err.message : String(err)}`);
    }
    // Ctrl-C ends sharing as asked (0); the relay going away ends it against the user's will (1, and why).
    let lost: { code: number; reason: string } | null = null;
    client.once('close', (c) => (lost = c));
    const stopped = untilStopSignal({ emitter: client, event: 'close' }); // before the lines that say it runs
    io.out(toHex(holding.core.contentHash));
    io.err(`sharing ${printable(holding.core.name)} (${bytes(holding.core.size)}) as ${idToText(client.id)}; Ctrl-C to stop`);
    await stopped;
    data.close();
    if (lost === null) return 0;
    const { code, reason } = lost;
    io.err(`w2w: the relay closed the connection (${code}${reason ? ` ${printable(reason)}` : ''}); no longer sharing`);
    return 1;
  });
}

export async function runDeclarations(flags: ClientFlags & { peer?: string; hash?: string }, io: CliIo): Promise<number> {
  return withClient(
    flags,
    io,
    async (client, _store, identity) => {
      let by: DeclQueryBy = DeclQueryBy.HOLDER;
      let key: Uint8Array = identity.publicKey;
      if (flags.hash) {
        by = DeclQueryBy.HASH;
        key = contentHash(flags.hash);
      } else if (flags.peer) {
        const r = parseId(flags.peer);
        if (!r.ok) throw usageError(`--peer ${flags.peer}: ${r.reason}`);
        key = r.id;
      }
      const { holdings } = await client.request({ op: Op.DECL_QUERY, by, key });
      let shown = 0;
      for (const bytesOf of holdings) {
        const d = decodeHolding(bytesOf);
        // The relay is not trusted with signatures: what does not verify is not shown.
        if (!d.ok || !verifyHolding(d.holding).ok) continue;
        io.out(describe(d.holding));
        shown++;
      }
      if (shown === 0) io.err('no declarations found');
      return 0;
    },
    false,
  );
}

function idFlag(name: string, text: string | undefined): Uint8Array | null {
  if (text === undefined) return null;
  const r = parseId(text);
  if (!r.ok) throw usageError(`--${name} ${text}: ${r.reason}`);
  return r.id;
}

/**
 * The verified holdings of `hash` to fetch from: of the owner the user named, else of the one owner
 * the directory lists. Anyone can declare content it knows the hash of (PROTOCOL §16 item 31), and the
 * declaration fetched decides who may delete the copy later, so several owners are never picked from
 * silently: the user chooses with --owner.
 */
function holdingsToFetch(hash: Buffer, listed: Uint8Array[], owner: Uint8Array | null, holder: Uint8Array | null): Holding[] {
  const verified = listed
    .map((b) => decodeHolding(b))
    .filter((d): d is { ok: true; holding: Holding } => d.ok && verifyHolding(d.holding).ok && Buffer.from(d.holding.core.contentHash).equals(hash))
    .map((d) => d.holding);
  const owners = [...new Set(verified.map((h) => idToText(h.core.owner)))];
  if (!owner && owners.length > 1) throw new CliError(`${toHex(hash)} is declared by ${owners.length} owners (${owners.join(', ')}); choose one with --owner ID`);
  const of = owner ? verified.filter((h) => Buffer.from(h.core.owner).equals(Buffer.from(owner))) : verified;
  if (owner && of.length === 0) throw new CliError(`the directory lists no declaration of ${toHex(hash)} by ${idToText(owner)}`);
  const from = holder ? of.filter((h) => Buffer.from(h.holder).equals(Buffer.from(holder))) : of;
  if (holder && from.length === 0) throw new CliError(`the directory lists no holding of ${toHex(hash)} by ${idToText(holder)}${owner ? ` for that owner` : ''}`);
  return from;
}

export async function runFetch(flags: ClientFlags & { from?: string; owner?: string; out?: string }, positionals: string[], io: CliIo): Promise<number> {
  const hash = contentHash(positionals[0]);
  if (!flags.out) throw usageError('w2w fetch needs --out PATH');
  const out = path.resolve(flags.out);
  const holder = idFlag('from', flags.from);
  const owner = idFlag('owner', flags.owner);
  return withClient(flags, io, async (client, store, _identity, messenger) => {
    const data = dataPlane(messenger, store);
    const tty = process.stderr.isTTY === true;
    const onProgress = (p: FetchProgress): void => {
      const pct = p.total === 0 ? 100 : Math.floor((p.bytes / p.total) * 100);
      const eta = p.etaMs === null ? '?' : `${Math.ceil(p.etaMs / 1000)} s`;
      const line = `${pct}%  ${bytes(p.bytes)} / ${bytes(p.total)}  ${bytes(p.bytesPerSec)}/s  ETA ${eta}`;
      if (tty) process.stderr.write(`\r${line.padEnd(60)}`);
    };
    try {
      const { holdings } = await client.request({ op: Op.DECL_QUERY, by: DeclQueryBy.HASH, key: hash });
      const from = holdingsToFetch(hash, holdings, owner, holder);
      // With no holding listed, the data plane says NO_HOLDER (exit 1) as it always did.
      const res = await data.fetch(hash, { out, from, owner: owner ?? from[0]?.core.owner, onProgress });
      if (tty) process.stderr.write('\n');
      io.out(`fetched ${printable(res.holding.core.name)} (${bytes(res.size)}) to ${res.path}; content hash verified`);
      return 0;
    } catch (err) {
      if (tty) process.stderr.write('\n');
      throw err;
    } finally {
      data.close();
    }
  });
}

export async function runDelete(flags: ClientFlags & { wait?: string }, positionals: string[], io: CliIo): Promise<number> {
  const hash = contentHash(positionals[0]);
  const waitMs = flags.wait === undefined ? 5000 : Number(flags.wait);
  if (!Number.isInteger(waitMs) || waitMs < 0 || waitMs > 600_000) throw usageError('--wait must be milliseconds 0..600000');
  return withClient(flags, io, async (_client, store, _identity, messenger) => {
    const data = dataPlane(messenger, store);
    try {
      const statuses = await data.delete(hash, { waitMs });
      if (statuses.length === 0) io.err('no holder of that data is known (only fetches from you and re-share notices are tracked)');
      for (const s of statuses) io.out(`${s.holder}\t${s.status}${s.error ? `\t${printable(s.error)}` : ''}`);
      return statuses.some((s) => s.status === 'refused') ? 1 : 0;
    } finally {
      data.close();
    }
  });
}
