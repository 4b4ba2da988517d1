// Reads what a user pastes to add a peer: a bare ID or an invite link "w2w://ID" (validated by parseId).
import { idToText, parseId } from '../../../../src-shared/ids.js';

export const INVITE_SCHEME = 'w2w://';

export type InviteParse = { ok: true; id: string } | { ok: false; reason: string | null };

/** The invite link for an ID. */
export function inviteLink(id: string): string {
  return `${INVITE_SCHEME}${id}`;
}

/** A canonical ID (lower case) from an ID or invite link; reason null when the input is empty. */
export function parseInvite(input: string): InviteParse {
  let text = input.trim();
  if (text === '') return { ok: false, reason: null };
  if (text.toLowerCase().startsWith(INVITE_SCHEME)) text = text.slice(INVITE_SCHEME.length).replace(/\/+$/, '');
  const r = parseId(text);
  return r.ok ? { ok: true, id: idToText(r.id) } : { ok: false, reason: r.reason };
}
