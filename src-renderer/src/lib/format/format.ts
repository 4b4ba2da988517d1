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
