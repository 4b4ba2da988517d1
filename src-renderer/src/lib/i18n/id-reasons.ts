// Japanese for the reasons src-shared/ids.ts parseId gives (English there, shown as is in English).
// An unknown reason falls back to the English text, so a new reason is never hidden.
const JA: readonly [RegExp, (m: RegExpExecArray) => string][] = [
  [/^an ID starts with "([^"]*)"$/, (m) => `ID は「${m[1]}」で始まります`],
  [/^an ID is (\d+) characters, this one has (\d+)$/, (m) => `ID は ${m[1]} 文字ですが、入力は ${m[2]} 文字です`],
  [/^an ID uses only a-z and 2-7 after its prefix$/, () => 'ID の接頭辞の後に使える文字は a-z と 2-7 だけです'],
  [/^the ID checksum does not match/, () => 'ID のチェックサムが一致しません（入力ミスの可能性があります）'],
];

export function idReasonJa(reason: string): string {
  for (const [re, text] of JA) {
    const m = re.exec(reason);
    if (m) return text(m);
  }
  return reason;
}
