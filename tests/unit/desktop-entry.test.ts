// The Linux autostart entry (src-main/electron/desktop-entry.ts, which imports no electron): whatever the
// path of the executable, the Exec key must give back exactly its arguments when read the way the
// Desktop Entry spec (and GLib) reads it.
import { describe, expect, it } from 'vitest';
import { autostartEntry, execValue } from '../../src-main/electron/desktop-entry.js';

/** Reads an Exec value as GLib does: string escapes, then field codes (only %% here), then quoting. */
function parseExec(value: string): string[] {
  const unescaped = value.replace(/\\([\\snrt])/g, (_m, c: string) => ({ '\\': '\\', s: ' ', n: '\n', r: '\r', t: '\t' })[c] as string);
  const expanded = unescaped.replace(/%(.)/g, (_m, c: string) => {
    if (c !== '%') throw new Error(`unexpected field code %${c}`);
    return '%';
  });
  const args: string[] = [];
  let i = 0;
  while (i < expanded.length) {
    if (expanded[i] === ' ') {
      i++;
      continue;
    }
    if (expanded[i] !== '"') throw new Error(`unquoted argument at ${i} in ${JSON.stringify(expanded)}`);
    let arg = '';
    i++;
    for (;;) {
      if (i >= expanded.length) throw new Error('unterminated quote');
      const c = expanded[i] as string;
      if (c === '"') break;
      if (c === '\\' && '"`$\\'.includes(expanded[i + 1] ?? '')) {
        arg += expanded[i + 1];
        i += 2;
        continue;
      }
      if ('"`$'.includes(c)) throw new Error(`unescaped ${c} inside quotes`);
      arg += c;
      i++;
    }
    args.push(arg);
    i++;
  }
  return args;
}

describe('execValue', () => {
  const cases: string[][] = [
    ['/opt/w2w/w2w', '--hidden'],
    ['/home/me/Apps/w2w 100%.AppImage', '--hidden'],
    ['/home/me/odd $HOME `x` "q" back\\slash/w2w.AppImage', '--hidden'],
    ['/usr/lib/electron/electron', '/home/me/src/w2w', '--hidden'],
    ['/tmp/tab\there/new\nline/w2w', '--hidden'],
  ];
  for (const args of cases) {
    it(`gives back ${JSON.stringify(args)}`, () => {
      expect(parseExec(execValue(args))).toEqual(args);
    });
  }

  it('keeps the entry one line per key, whatever the path', () => {
    const entry = autostartEntry(['/tmp/new\nline/w2w', '--hidden']);
    expect(entry.split('\n').filter((l) => l.startsWith('Exec='))).toHaveLength(1);
    expect(entry.split('\n')).toContain('Type=Application');
    expect(entry.endsWith('\n')).toBe(true);
  });
});
