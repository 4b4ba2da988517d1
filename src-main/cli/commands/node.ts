// `w2w node`: runs a node until SIGINT/SIGTERM, then shuts it down cleanly.
import fs from 'node:fs';
import { createNodeApi } from '../../node/api.js';
import { W2wNode, type NodeOptions } from '../../node/node.js';
import type { RelayLimits } from '../../relay/relay-core.js';
import { CliError, usageError } from '../cli-error.js';
import { parseRelay, resolveDataDir } from '../common.js';
import { isRelayPolicy } from '../../node/node-settings.js';
import { untilStopSignal } from '../signals.js';
import { parseId } from '../../../src-shared/ids.js';
import { startUiServer, type UiServer } from '../../web/ui-server.js';
import type { CliIo } from '../io.js';

export interface NodeFlags {
  host?: string;
  port?: string;
  data?: string;
  'tls-cert'?: string;
  'tls-key'?: string;
  insecure?: boolean;
  'public-url'?: string[];
  'ping-interval'?: string;
  'ping-timeout'?: string;
  rate?: string;
  burst?: string;
  'max-connections'?: string;
  'handshake-timeout'?: string;
  peer?: string[];
  trust?: string[];
  'open-federation'?: boolean;
  ca?: string;
  ui?: boolean;
  'ui-port'?: string;
  'relay-for'?: string;
  paused?: boolean;
  'max-upload'?: string;
}

/** Largest --max-upload: 64 GiB (the UI server streams uploads to disk; this only bounds one file). */
const MAX_UPLOAD_MIB = 65_536;

function int(flags: NodeFlags, key: keyof NodeFlags, min: number, max: number): number | undefined {
  const v = flags[key];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw usageError(`--${key} must be an integer ${min}..${max}`);
  return n;
}

function readFile(file: string, what: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw usageError(`cannot read ${what} ${file}: ${(err as Error).message}`);
  }
}

export function nodeOptions(flags: NodeFlags): NodeOptions {
  const cert = flags['tls-cert'];
  const key = flags['tls-key'];
  if ((cert === undefined) !== (key === undefined)) throw usageError('--tls-cert and --tls-key go together');
  const limits: Partial<RelayLimits> = {};
  const set = <K extends keyof RelayLimits>(k: K, v: number | undefined): void => {
    if (v !== undefined) limits[k] = v;
  };
  set('pingIntervalMs', int(flags, 'ping-interval', 100, 3_600_000));
  set('pingTimeoutMs', int(flags, 'ping-timeout', 100, 3_600_000));
  set('ratePerSec', int(flags, 'rate', 1, 10_000_000));
  set('rateBurst', int(flags, 'burst', 1, 10_000_000));
  set('maxConnections', int(flags, 'max-connections', 1, 1_000_000));
  set('handshakeTimeoutMs', int(flags, 'handshake-timeout', 100, 600_000));
  const insecure = flags.insecure ?? false;
  const peers = (flags.peer ?? []).map((p) => {
    const r = parseRelay(p, insecure);
    return { url: r.url, pinnedId: r.expectedRelayId ? Buffer.from(r.expectedRelayId) : null };
  });
  const trust = (flags.trust ?? []).map((t) => {
    const r = parseId(t);
    if (!r.ok) throw usageError(`--trust ${t}: ${r.reason}`);
    return Buffer.from(r.id);
  });
  const relayFor = flags['relay-for'];
  if (relayFor !== undefined && !isRelayPolicy(relayFor)) throw usageError('--relay-for must be anyone, friends or self');
  return {
    dataDir: resolveDataDir(flags.data),
    // Like --host/--port: these win over the saved settings for this run only.
    relayPolicy: relayFor,
    paused: flags.paused,
    peers,
    trust,
    openFederation: flags['open-federation'] ?? false,
    ca: flags.ca ? readFile(flags.ca, '--ca') : undefined,
    // Unset flags leave the choice to the node's saved settings (then 127.0.0.1:7070).
    host: flags.host,
    port: int(flags, 'port', 0, 65535),
    tls: cert && key ? { cert: readFile(cert, '--tls-cert'), key: readFile(key, '--tls-key') } : undefined,
    insecure,
    publicUrls: flags['public-url'],
    limits,
  };
}

export async function runNode(flags: NodeFlags, io: CliIo): Promise<number> {
  const opts = nodeOptions(flags);
  const uiPort = int(flags, 'ui-port', 0, 65535);
  const maxUploadMiB = int(flags, 'max-upload', 1, MAX_UPLOAD_MIB);
  // --ui-port or --max-upload alone asks for the UI too.
  const wantUi = (flags.ui ?? false) || uiPort !== undefined || maxUploadMiB !== undefined;
  let node: W2wNode;
  try {
    node = await W2wNode.start({ ...opts, log: (line) => io.err(line) });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const where = `${opts.host ?? 'the saved host'}:${opts.port ?? 'the saved port'}`;
    if (e.code === 'EADDRINUSE') throw new CliError(`${where} is already in use; pick another port with --port (it overrides the saved setting)`);
    if (e.code === 'EACCES') throw new CliError(`not allowed to listen on ${where}`);
    throw new CliError(e.message);
  }
  io.out(`w2w node listening on ${node.url}`);
  io.out(`ID: ${node.id}`);
  io.out(`data: ${opts.dataDir}`);
  const r = node.relaying.view;
  io.out(`relaying for: ${r.policy}${node.settings.policyFromFlag ? ' (--relay-for, this run only)' : ''}${r.paused ? `, paused${node.settings.pausedFromFlag ? ' (--paused, this run only)' : ''}` : ''}`);
  let ui: UiServer | null = null;
  if (wantUi) {
    try {
      ui = await startUiServer({ api: createNodeApi(node), port: uiPort ?? 0, dataDir: node.dataDir, maxUploadBytes: maxUploadMiB === undefined ? undefined : maxUploadMiB * 1024 * 1024 });
    } catch (err) {
      await node.stop();
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'EADDRINUSE') throw new CliError(`UI port ${uiPort} on 127.0.0.1 is already in use; pick another with --ui-port`);
      throw new CliError(e.message);
    }
    io.out(`UI: ${ui.url}`);
  }
  // Listen before saying so: a Ctrl-C (or a test's SIGINT) that follows the line at once must find the
  // handler, not Node's default action, which would kill the node without its clean shutdown.
  const stopped = untilStopSignal();
  io.out('Press Ctrl-C to stop.');
  await stopped;
  io.err('shutting down…');
  await ui?.close();
  await node.stop();
  io.err('stopped.');
  return 0;
}
