// Number formatting and the plain-text tables the bench prints.

export function rate(n: number): string {
  if (!Number.isFinite(n)) return 'n/a';
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(0)}k`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return n.toFixed(0);
}

export function mbps(bytesPerSec: number): string {
  return Number.isFinite(bytesPerSec) ? `${(bytesPerSec / 1e6).toFixed(bytesPerSec >= 1e8 ? 0 : 1)} MB/s` : 'n/a';
}

export function us(x: number): string {
  if (!Number.isFinite(x)) return 'n/a';
  return x >= 1000 ? `${(x / 1000).toFixed(2)} ms` : `${x.toFixed(0)} µs`;
}

export function kib(bytes: number): string {
  return Number.isFinite(bytes) ? `${(bytes / 1024).toFixed(1)} KiB` : 'n/a';
}

export function mib(bytes: number): string {
  return Number.isFinite(bytes) ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : 'n/a';
}

export function pct(fraction: number): string {
  return Number.isFinite(fraction) ? `${(fraction * 100).toFixed(0)}%` : 'n/a';
}

export function sizeName(bytes: number): string {
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} B`;
}

export function ratio(x: number): string {
  return Number.isFinite(x) ? `${x.toFixed(2)}x` : 'n/a';
}

/** Left-aligned first column, right-aligned others; a rule under the header. */
export function table(header: string[], rows: string[][], indent = '  '): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    indent +
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number)))
      .join('  ')
      .trimEnd();
  return [line(header), indent + widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** One line of the summary: w2w beside its baseline, the ratio and the target it is held to. */
export interface SummaryRow {
  metric: string;
  w2w: string;
  baseline: string;
  ratio: string;
  target: string;
  /** null: informational, no target */
  met: boolean | null;
}

export function summaryTable(rows: SummaryRow[]): string {
  return table(
    ['metric', 'w2w', 'baseline(s)', 'ratio', 'target', 'met?'],
    rows.map((r) => [r.metric, r.w2w, r.baseline, r.ratio, r.target, r.met === null ? '-' : r.met ? 'yes' : 'NO']),
  );
}
