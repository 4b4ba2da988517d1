// The node's own settings kept in SQLite (settings table): where to listen at the next start and who
// may relay through this node. Stored values are re-checked on read: a hand-edited file or another
// build may have left something else there, and a bad value falls back to the default.
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
  constructor(private readonly repo: SettingsRepo) {}

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

  get policy(): RelayPolicyView {
    const v = this.repo.get(KEY.policy);
    return isRelayPolicy(v) ? v : 'anyone';
  }

  set policy(p: RelayPolicyView) {
    this.repo.set(KEY.policy, p);
  }

  get paused(): boolean {
    return this.repo.get(KEY.paused) === true;
  }

  set paused(p: boolean) {
    this.repo.set(KEY.paused, p);
  }
}
