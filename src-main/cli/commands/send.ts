// `w2w send`: one text message on any route, recorded in the local history, with the relay's ACK.
import type { MessageTargetView } from '../../../src-shared/api/contract.js';
import { parseId } from '../../../src-shared/ids.js';
import { usageError } from '../cli-error.js';
import { withClient } from '../common.js';
import type { CliIo } from '../io.js';

export interface SendFlags {
  relay?: string;
  data?: string;
  ca?: string;
  insecure?: boolean;
  to?: string[];
  group?: string;
  all?: boolean;
  self?: boolean;
  'no-store'?: boolean;
}

const MISSED_TEXT: Record<string, string> = {
  RECIPIENT_OFFLINE: 'is offline',
  UNKNOWN_RECIPIENT: 'has never registered with this relay or any relay linked to it',
  HOP_LIMIT: 'is too many relay hops away',
  STORE_FULL: 'is offline and has too many messages waiting',
};

export function sendTarget(flags: SendFlags): MessageTargetView {
  const chosen = [flags.to?.length ? 1 : 0, flags.group ? 1 : 0, flags.all ? 1 : 0, flags.self ? 1 : 0].reduce((a, b) => a + b, 0);
  if (chosen !== 1) throw usageError('say who gets the message: exactly one of --to ID (repeatable), --group NAME, --all, --self');
  if (flags.to?.length) {
    for (const t of flags.to) {
      const r = parseId(t);
      if (!r.ok) throw usageError(`--to ${t}: ${r.reason}`);
    }
    if (flags.to.length > 64) throw usageError('at most 64 recipients per message');
    return flags.to.length === 1 ? { kind: 'peer', id: flags.to[0] as string } : { kind: 'list', ids: flags.to };
  }
  if (flags.group) return { kind: 'group', name: flags.group };
  return flags.all ? { kind: 'all' } : { kind: 'self' };
}

export async function runSend(flags: SendFlags, positionals: string[], io: CliIo): Promise<number> {
  const target = sendTarget(flags);
  const text = positionals.join(' ');
  if (!text) throw usageError('nothing to send: give the TEXT after the options');
  return withClient(flags, io, async (_client, _store, _identity, messenger) => {
    const res = await messenger.send(target, text, { store: !flags['no-store'] });
    for (const m of res.missed) io.err(`w2w: ${m.name} (${m.code}): ${m.id} ${MISSED_TEXT[m.name] ?? 'could not be reached'}`);
    const plural = (n: number): string => `${n} recipient${n === 1 ? '' : 's'}`;
    const parts = [`delivered to ${plural(res.delivered)}`];
    if (res.forwarded > 0) parts.push(`passed on to other relays for ${plural(res.forwarded)}`);
    if (res.stored > 0) parts.push(`kept for ${plural(res.stored)} offline`);
    io.out(`sent ${res.msgId}: ${parts.join(', ')}`);
    return res.missed.length > 0 ? 1 : 0;
  });
}
