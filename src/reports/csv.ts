import type { Count } from './suppress.js';
import type { FlowsReport } from './flows.js';
import { STATUSES, type MonitorReport, type MonitorRow } from './monitor.js';

/**
 * Reports as CSV for the spreadsheets officers live in: a UTF-8 byte order mark and `;` as the
 * delimiter, so Dutch Excel opens the file directly with the right columns and accents; CRLF
 * line ends and RFC 4180 quoting. A suppressed count is written as `<5` (the threshold in
 * force): text, so a SUM over the column skips it rather than reading it as 0.
 */

export const CSV_CONTENT_TYPE = 'text/csv; charset=utf-8';
type Value = string | number | null;

/** Quotes what needs it, and defuses text a spreadsheet would run as a formula. */
function field(value: Value): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[";\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const csvLine = (values: readonly Value[]) => values.map(field).join(';');
const csvText = (lines: readonly string[]) => `\uFEFF${lines.join('\r\n')}\r\n`;

export function toCsv(header: readonly string[], rows: ReadonlyArray<readonly Value[]>): string {
  return csvText([header, ...rows].map(csvLine));
}

const count = (c: Count, minCell: number): Value => (c === null ? `<${minCell}` : c);

/** Dutch Excel reads `12,5` as a number; a share is written as a percentage with a decimal comma. */
const percent = (share: number | null): Value => (share === null ? null : (share * 100).toFixed(1).replace('.', ','));

/**
 * One row per flow. A national report has ~100,000 flows over ~1,000 nodes: each node's fields
 * and the hidden-count text are written once, and a count, a number, needs no quoting.
 */
export function flowsCsv(report: FlowsReport): string {
  const cohort = field(report.cohort);
  const hidden = field(count(null, report.minCell));
  const node = new Map(report.nodes.map((n) => [n.id, `${field(n.id)};${field(n.label)}`]));
  const nodeFields = (id: string) => node.get(id) ?? `${field(id)};${field(id)}`;
  let text = `\uFEFF${csvLine(['cohort', 'bron_code', 'bron', 'bestemming_code', 'bestemming', 'aantal_leerlingen'])}\r\n`;
  for (const f of report.flows) {
    text += `${cohort};${nodeFields(f.source)};${nodeFields(f.target)};${f.count === null ? hidden : f.count}\r\n`;
  }
  return text;
}

export function monitorCsv(report: MonitorReport): string {
  const reasons = [
    ...new Set([report.totals, ...report.schools, ...report.gemeenten].flatMap((r) => Object.keys(r.signals.afgesloten))),
  ].sort();
  const header = [
    'niveau', 'code', 'naam', 'cohort', 'peildatum', 'cohortgrootte', 'aangemeld_voor_1_april',
    ...STATUSES, 'signalen_open', 'signalen_in_behandeling', ...reasons.map((r) => `signalen_afgesloten_${r}`),
    'dossiers_overgedragen', 'dossiers_ontvangen', 'pct_dossiers_overgedragen', 'pct_dossiers_ontvangen',
  ];
  const c = (v: Count) => count(v, report.minCell);
  const line = (level: string, r: MonitorRow): Value[] => [
    level, r.code ?? (level === 'totaal' ? null : 'onbekend'), r.name, report.cohort, report.asOf,
    c(r.cohortSize), c(r.aangemeldVoor1April), ...STATUSES.map((s) => c(r.statuses[s])),
    c(r.signals.open), c(r.signals.inBehandeling), ...reasons.map((reason) => c(r.signals.afgesloten[reason] ?? 0)),
    c(r.dossiers.overgedragen), c(r.dossiers.ontvangen), percent(r.dossiers.overgedragenShare),
    percent(r.dossiers.ontvangenShare),
  ];
  return toCsv(header, [
    ...report.schools.map((r) => line('school', r)),
    ...report.gemeenten.map((r) => line('gemeente', r)),
    line('totaal', report.totals),
  ]);
}
