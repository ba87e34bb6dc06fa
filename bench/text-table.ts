/** A plain text table: first column left-aligned, the others right-aligned. */
export function table(header: string[], rows: string[][]): string[] {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const out: string[] = [];
  for (const [i, r] of all.entries()) {
    out.push(
      r.map((cell, j) => (j === 0 ? cell.padEnd(widths[j] ?? 0) : cell.padStart(widths[j] ?? 0))).join('  '),
    );
    if (i === 0) out.push(widths.map((w) => '-'.repeat(w)).join('  '));
  }
  return out;
}
