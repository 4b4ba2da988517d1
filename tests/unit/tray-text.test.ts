// The tray menu's status lines and words (src-main/electron/tray-text.ts, which imports no electron):
// connections, relayed messages, links and the relaying state, singular and plural, English and Japanese.
import { describe, expect, it } from 'vitest';
import type { NodeStatusView } from '../../src-shared/api/contract.js';
import { statusLines, trayText } from '../../src-main/electron/tray-text.js';

const status = (over: Partial<NodeStatusView> = {}): NodeStatusView => ({
  id: 'w2w1me',
  relayUrl: 'ws://127.0.0.1:7070/',
  startedMs: 1,
  connections: 3,
  registered: 2,
  messagesRouted: 12_345,
  deliveries: 10,
  bytesForwarded: 0,
  linksUp: 1,
  relaying: { policy: 'friends', paused: false },
  errors: {},
  ...over,
});

describe('tray text', () => {
  it('shows connections, relayed messages, links and who it relays for, with plurals', () => {
    const en = trayText('en-US');
    expect(statusLines(status(), en)).toEqual(['3 connections', '12,345 messages relayed', '1 relay link up', 'Relaying for friends']);
    expect(statusLines(status({ connections: 1, messagesRouted: 1, linksUp: 0, relaying: { policy: 'anyone', paused: false } }), en)).toEqual([
      '1 connection',
      '1 message relayed',
      '0 relay links up',
      'Relaying for anyone',
    ]);
  });

  it('says when relaying is paused, and the switch names what a click does', () => {
    const en = trayText('en');
    expect(statusLines(status({ relaying: { policy: 'self', paused: true } }), en).at(-1)).toBe('Relaying for others is paused');
    expect([en.pause, en.resume]).toEqual(['Pause relaying for friends', 'Resume relaying for friends']);
    expect(en.startAtLogin).toBe('Start at login');
    expect(en.quit).toBe('Quit w2w');
  });

  it('follows a Japanese OS, and falls back to English for other languages', () => {
    const ja = trayText('ja-JP');
    expect(statusLines(status(), ja)).toEqual(['接続 3 件', '中継したメッセージ 12,345 件', 'リレーリンク 1 本が稼働中', '友だちだけ中継']);
    expect(ja.resume).toBe('友だちのための中継を再開');
    expect(trayText('ja').open).toBe('w2w を開く');
    expect(trayText('fr-FR').open).toBe('Open w2w');
    expect(trayText('').quit).toBe('Quit w2w');
  });

  it('names a finished download in its notification', () => {
    expect(trayText('en').downloadFinished('report.pdf', '120 KiB')).toBe('Download finished: report.pdf (120 KiB) is in Shared data.');
    expect(trayText('ja').downloadFinished('報告.pdf', '120 KiB')).toBe('ダウンロード完了: 報告.pdf（120 KiB）は「共有データ」にあります。');
  });
});
