// Adding a peer by ID or invite link: what parseInvite accepts and the reasons it passes on.
import { describe, expect, it } from 'vitest';
import { idToText } from '../../../src-shared/ids.js';
import { inviteLink, parseInvite } from '../../../src-renderer/src/lib/ids/invite.js';
import { formatBytes, isSameDay, shortId } from '../../../src-renderer/src/lib/format/format.js';

const ID = idToText(new Uint8Array(32).map((_, i) => i * 7));

describe('parseInvite', () => {
  it('accepts a bare ID, an invite link, upper case and stray spaces or slashes', () => {
    expect(parseInvite(ID)).toEqual({ ok: true, id: ID });
    expect(parseInvite(inviteLink(ID))).toEqual({ ok: true, id: ID });
    expect(parseInvite(`  W2W://${ID.toUpperCase()}/  `)).toEqual({ ok: true, id: ID });
  });

  it('reports empty input without a reason and bad IDs with parseId’s reason', () => {
    expect(parseInvite('   ')).toEqual({ ok: false, reason: null });
    expect(parseInvite('w2w://nope')).toEqual({ ok: false, reason: 'an ID starts with "w2w1"' });
    const r = parseInvite(ID.slice(0, -1));
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(/62 characters/);
    expect(parseInvite(`https://${ID}`).ok).toBe(false);
  });
});

describe('format', () => {
  it('shortens IDs, prints byte counts and compares days', () => {
    expect(shortId(ID)).toBe(`${ID.slice(0, 12)}…${ID.slice(-4)}`);
    expect(shortId('short')).toBe('short');
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(50 * 1024 * 1024)).toBe('50 MiB');
    expect(isSameDay(Date.UTC(2026, 0, 1, 12), Date.UTC(2026, 0, 1, 12, 5))).toBe(true);
    expect(isSameDay(Date.UTC(2026, 0, 1, 12), Date.UTC(2026, 0, 3, 12))).toBe(false);
  });
});
