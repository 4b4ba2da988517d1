// How the CLI shows one received message on a terminal: `[hh:mm:ss] SENDER[ in GROUP]: TEXT`, with what
// others wrote escaped (printable.ts).
import type { MessageView } from '../../src-shared/api/contract.js';
import { printable } from './printable.js';

function time(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19);
}

export function messageLine(m: MessageView): string {
  // The text and the group name come from other people: never print their control characters raw.
  const where = m.group ? ` in ${printable(m.group)}` : m.route === 'a2g' ? ' (list)' : m.route === 'a2n' ? ' (all)' : m.route === 'a2a' ? ' (self)' : '';
  return `[${time(m.createdMs)}] ${m.peer}${where}: ${printable(m.text)}`;
}

/** The time of day as messageLine shows it, for other lines of the same stream (presence). */
export function clockTime(ms: number): string {
  return time(ms);
}
