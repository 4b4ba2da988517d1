// The node's own settings kept in SQLite (settings table): where to listen at the next start and who
// may relay through this node. Stored values are re-checked on read: a hand-edited file or another
// build may have left something else there, and a bad value falls back to the default. The relaying
// policy and pause switch may be overridden for one run (--relay-for, --paused) without touching the
// saved values; a change made during the run (UI, tray) is saved and replaces the override.
import net from 'node:net';
import type { RelayPolicyView } from '../../src-shared/api/contract.js';
import type { SettingsRepo } from '../store/settings-repo.js';

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 7070;
export const RELAY_POLICIES: readonly RelayPolicyView[] = ['anyone', 'friends', 'self'];

const KEY = {
  host: 'node.listen.host',
  port: 'node.listen.port',
  policy: 'node.relay.policy',
  paused: 'node.relay.paused',
} as const;

/** Why `host` cannot be a listen address, or null: an IP address or a DNS name. */
export function listenHostProblem(host: string): string | null {
  const h = host.replace(/^\[|\]$/g, '');
  if (net.isIP(h) !== 0) return null;
  if (h.length <= 253 && /^(?=.{1,253}$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/.test(h)) return null;
  return `"${host.slice(0, 80)}" is not an IP address or host name`;
}

export function isPort(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 65535;
}

export function isRelayPolicy(v: unknown): v is RelayPolicyView {
  return typeof v === 'string' && (RELAY_POLICIES as readonly string[]).includes(v);
}

export class NodeSettings {
  #policyFlag: RelayPolicyView | null = null;
  #pausedFlag = false;

  constructor(private readonly repo: SettingsRepo) {}

  /** Flags of this run that beat the saved relaying settings until the owner changes them. */
  overrideForRun(flags: { policy?: RelayPolicyView; paused?: boolean }): void {
    this.#policyFlag = flags.policy ?? null;
    this.#pausedFlag = flags.paused === true;
  }

  /** the policy --relay-for set for this run, while still in force */
  get policyFromFlag(): RelayPolicyView | null {
    return this.#policyFlag;
  }

  /** --paused paused this run, and nobody resumed since */
  get pausedFromFlag(): boolean {
    return this.#pausedFlag;
  }

  /** The saved listen host, or null when none (or an unusable one) is saved. */
  get savedHost(): string | null {
    const v = this.repo.get(KEY.host);
    return typeof v === 'string' && listenHostProblem(v) === null ? v : null;
  }

  get savedPort(): number | null {
    const v = this.repo.get(KEY.port);
    return isPort(v) ? v : null;
  }

  /** null forgets the saved value (the default applies at the next start). */
  setListen(host: string | null | undefined, port: number | null | undefined): void {
    if (host !== undefined) {
      if (host === null) this.repo.delete(KEY.host);
      else this.repo.set(KEY.host, host);
    }
    if (port !== undefined) {
      if (port === null) this.repo.delete(KEY.port);
      else this.repo.set(KEY.port, port);
    }
  }

  /** the policy in force: the run's flag, else the saved one, else anyone */
  get policy(): RelayPolicyView {
    return this.#policyFlag ?? this.savedPolicy;
  }

  set policy(p: RelayPolicyView) {
    this.#policyFlag = null;
    this.repo.set(KEY.policy, p);
  }

  get savedPolicy(): RelayPolicyView {
    const v = this.repo.get(KEY.policy);
    return isRelayPolicy(v) ? v : 'anyone';
  }

  get paused(): boolean {
    return this.#pausedFlag || this.savedPaused;
  }

  set paused(p: boolean) {
    this.#pausedFlag = false;
    this.repo.set(KEY.paused, p);
  }

  get savedPaused(): boolean {
    return this.repo.get(KEY.paused) === true;
  }
}
