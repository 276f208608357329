/** The one summary table: a row per source and a total row, in Markdown so the README can quote it. */
import { addFigures, emptyFigures, type Figures } from './figures.js';
import type { SourceResult } from './results.js';

const COLUMNS: [string, (f: Figures) => string][] = [
  ['faults injected', (f) => String(f.faultsInjected)],
  ['calls', (f) => String(f.calls)],
  ['retries', (f) => String(f.retries)],
  ['errors surfaced', (f) => String(f.errorsSurfaced)],
  ['sent', (f) => String(f.sent)],
  ['maybe-sent (delivered/missing)', (f) => `${f.maybeSentDelivered}/${f.maybeSentMissing}`],
  ['duplicated', (f) => String(f.duplicated)],
  ['lost', (f) => String(f.lost)],
  ['phantoms', (f) => String(f.phantoms)],
  ['pages skipped/repeated', (f) => `${f.pagesSkipped}/${f.pagesRepeated}`],
  ['hostile tried', (f) => String(f.hostileTried)],
  ['clear errors', (f) => String(f.hostileClear)],
  ['crashes', (f) => String(f.crashes)],
  ['quota exceeded', (f) => String(f.quotaExceeded)],
  ['leak checks/leaks', (f) => `${f.leakChecks}/${f.leaks}`],
  ['peak emulator RSS', (f) => (f.peakRssBytes > 0 ? `${(f.peakRssBytes / 2 ** 20).toFixed(1)} MB` : '—')],
];

export function renderTable(results: SourceResult[]): string {
  const total = emptyFigures();
  for (const r of results) addFigures(total, r.figures);
  const rows = [...results.map((r) => [r.source, ...COLUMNS.map(([, f]) => f(r.figures))])];
  rows.push(['**total**', ...COLUMNS.map(([, f]) => `**${f(total)}**`)]);
  const header = ['source', ...COLUMNS.map(([name]) => name)];
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const out = [line(header), line(header.map(() => '---')), ...rows.map(line)];
  const notes = results.flatMap((r) => r.notes.map((n) => `- ${r.source}: ${n}`));
  return [...out, ...(notes.length > 0 ? ['', ...notes] : [])].join('\n');
}
