// One line of the benchmark report: a figure, the baseline measured in the
// same run, their ratio, and the target it is held to.
export interface Row {
  readonly section: string;
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** What the figure is compared with, measured in the same run. */
  readonly baseline?: string;
  readonly baselineValue?: number;
  /** value / baselineValue (for rates: higher is better; for times: lower is better). */
  readonly ratio?: number;
  /** The target, in words, e.g. '>= 1,000,000/s'. */
  readonly target?: string;
  readonly met?: boolean;
  readonly note?: string;
}

export function row(r: Row): Row {
  if (r.baselineValue !== undefined && r.ratio === undefined && r.baselineValue !== 0)
    return { ...r, ratio: r.value / r.baselineValue };
  return r;
}

const fmt = (n: number): string =>
  n >= 100 ? Math.round(n).toLocaleString('en-US') : n >= 10 ? n.toFixed(1) : n.toFixed(2);

/** The report as an aligned text table. */
export function table(rows: readonly Row[]): string {
  const head = ['section', 'measure', 'value', 'baseline (same run)', 'ratio', 'target'];
  const lines = rows.map((r) => [
    r.section,
    r.name,
    `${fmt(r.value)} ${r.unit}`,
    r.baseline !== undefined && r.baselineValue !== undefined
      ? `${r.baseline}: ${fmt(r.baselineValue)} ${r.unit}`
      : (r.baseline ?? ''),
    r.ratio !== undefined ? `${r.ratio.toFixed(2)}x` : '',
    r.target !== undefined
      ? `${r.target} ${r.met === undefined ? '' : r.met ? 'MET' : 'MISSED'}`
      : '',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const out = [head, widths.map((w) => '-'.repeat(w)), ...lines].map((l) =>
    l
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd(),
  );
  const notes = rows.filter((r) => r.note).map((r) => `  ${r.section} / ${r.name}: ${r.note}`);
  return [...out, ...(notes.length ? ['', 'notes:', ...notes] : [])].join('\n');
}
