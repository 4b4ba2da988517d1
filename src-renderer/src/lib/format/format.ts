// Small display helpers that need no language: IDs shortened, byte counts, invite links.
import { ID_PREFIX } from '../../../../src-shared/ids.js';

/** "w2w1abcdefgh…wxyz": enough to tell IDs apart at a glance; the full ID goes in a title. */
export function shortId(id: string): string {
  return id.length <= 24 ? id : `${id.slice(0, ID_PREFIX.length + 8)}…${id.slice(-4)}`;
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/** Whether two times fall on the same local calendar day. */
export function isSameDay(a: number, b: number): boolean {
  return new Date(a).toDateString() === new Date(b).toDateString();
}

/** A transfer rate: "1.5 MiB/s". */
export function formatSpeed(bytesPerSec: number): string {
  return `${formatBytes(Math.max(0, Math.round(bytesPerSec)))}/s`;
}

/** A time left as "m:ss" or "h:mm:ss" (language-free; rounded up so "0:00" only shows at the end). */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** Whole percent done, 0..100 (0 for an empty total). */
export function percent(bytes: number, total: number): number {
  return total <= 0 ? 0 : Math.min(100, Math.floor((bytes / total) * 100));
}

/** A content hash shortened for display: its first 12 hex digits and an ellipsis. */
export function shortHash(hash: string): string {
  return hash.length <= 16 ? hash : `${hash.slice(0, 12)}…`;
}
