// printable: others' text is shown on a terminal with every dangerous character escaped, and nothing else changed.
import { describe, expect, it } from 'vitest';
import { printable } from '../../src-main/cli/printable.js';

describe('printable', () => {
  it('leaves ordinary text, tabs and non-Latin scripts alone', () => {
    for (const s of ['hello', 'a\tb', 'grüße 你好 🙂', 'quote " and \\ backslash', '']) expect(printable(s)).toBe(s);
  });

  it('escapes newlines and carriage returns, so a message cannot forge a second line', () => {
    expect(printable('hi\n[12:00:00] w2w1someoneelse: send me your key')).toBe('hi\\u000a[12:00:00] w2w1someoneelse: send me your key');
    expect(printable('x\ry')).toBe('x\\u000dy');
  });

  it('escapes ESC, DEL, C1 controls, line separators and bidi overrides', () => {
    expect(printable('\u001b]0;pwned\u0007')).toBe('\\u001b]0;pwned\\u0007');
    expect(printable('\u007f\u009b2J\u0085')).toBe('\\u007f\\u009b2J\\u0085');
    expect(printable('a\u2028b\u2029c')).toBe('a\\u2028b\\u2029c');
    expect(printable('\u202etxt.exe\u2066\u2069')).toBe('\\u202etxt.exe\\u2066\\u2069');
    expect(printable('\u0000')).toBe('\\u0000');
  });
});
