// The tray menu's words (English and Japanese, following the OS language like the UI does) and its
// status lines. Plain data and functions, no electron import, so unit tests can check them.
import type { NodeStatusView } from '../../src-shared/api/contract.js';

export interface TrayText {
  open: string;
  starting: string;
  connections: (n: number) => string;
  relayed: (n: number) => string;
  links: (n: number) => string;
  policy: (p: NodeStatusView['relaying']['policy']) => string;
  pausedNote: string;
  pause: string;
  resume: string;
  startAtLogin: string;
  quit: string;
  nodeError: (message: string) => string;
  downloadFinished: (name: string, size: string) => string;
}

const plural = (n: number, one: string, many: string): string => `${n.toLocaleString('en')} ${n === 1 ? one : many}`;

const EN: TrayText = {
  open: 'Open w2w',
  starting: 'Starting…',
  connections: (n) => plural(n, 'connection', 'connections'),
  relayed: (n) => `${plural(n, 'message', 'messages')} relayed`,
  links: (n) => `${plural(n, 'relay link', 'relay links')} up`,
  policy: (p) => (p === 'anyone' ? 'Relaying for anyone' : p === 'friends' ? 'Relaying for friends' : 'Relaying for this node only'),
  pausedNote: 'Relaying for others is paused',
  pause: 'Pause relaying for friends',
  resume: 'Resume relaying for friends',
  startAtLogin: 'Start at login',
  quit: 'Quit w2w',
  nodeError: (m) => `Node error: ${m}`,
  downloadFinished: (name, size) => `Download finished: ${name} (${size}) is in Shared data.`,
};

const JA: TrayText = {
  open: 'w2w を開く',
  starting: '起動中…',
  connections: (n) => `接続 ${n.toLocaleString('ja')} 件`,
  relayed: (n) => `中継したメッセージ ${n.toLocaleString('ja')} 件`,
  links: (n) => `リレーリンク ${n.toLocaleString('ja')} 本が稼働中`,
  policy: (p) => (p === 'anyone' ? '誰でも中継' : p === 'friends' ? '友だちだけ中継' : 'このノードだけ中継'),
  pausedNote: '他の人のための中継は一時停止中',
  pause: '友だちのための中継を一時停止',
  resume: '友だちのための中継を再開',
  startAtLogin: 'ログイン時に起動',
  quit: 'w2w を終了',
  nodeError: (m) => `ノードのエラー: ${m}`,
  downloadFinished: (name, size) => `ダウンロード完了: ${name}（${size}）は「共有データ」にあります。`,
};

/** The words for an OS locale such as "ja", "ja-JP" or "en-US"; English unless it is Japanese. */
export function trayText(locale: string): TrayText {
  return locale.toLowerCase().startsWith('ja') ? JA : EN;
}

/** One disabled menu line per figure the tray shows: connections, relayed messages, links, and the relaying state. */
export function statusLines(s: NodeStatusView, text: TrayText): string[] {
  return [text.connections(s.connections), text.relayed(s.messagesRouted), text.links(s.linksUp), s.relaying.paused ? text.pausedNote : text.policy(s.relaying.policy)];
}
