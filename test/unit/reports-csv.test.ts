import { describe, expect, it } from 'vitest';
import { flowsCsv, monitorCsv, toCsv } from '../../src/reports/csv.js';
import type { FlowsReport } from '../../src/reports/flows.js';
import type { MonitorReport, MonitorRow } from '../../src/reports/monitor.js';

const lines = (csv: string) => csv.slice(1).split('\r\n');

describe('toCsv', () => {
  it('starts with a BOM, separates with semicolons and ends every line with CRLF', () => {
    const csv = toCsv(['a', 'b'], [[1, 'x']]);
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(csv.slice(1)).toBe('a;b\r\n1;x\r\n');
  });

  it('quotes fields with a delimiter, quote or line break', () => {
    expect(lines(toCsv(['n'], [['De Brug; Noord'], ['Het "Anker"'], ['twee\nregels']]))).toEqual([
      'n', '"De Brug; Noord"', '"Het ""Anker"""', '"twee\nregels"', '',
    ]);
  });

  it('defuses text a spreadsheet would run as a formula', () => {
    expect(lines(toCsv(['n'], [['=HYPERLINK("x")'], ['+31'], ['@SUM(A1)']])).slice(1, 4)).toEqual([
      `"'=HYPERLINK(""x"")"`, "'+31", "'@SUM(A1)",
    ]);
  });

  it('writes null as an empty cell', () => {
    expect(lines(toCsv(['a', 'b'], [[null, 0]]))[1]).toBe(';0');
  });
});

describe('flowsCsv', () => {
  const report: FlowsReport = {
    cohort: '2025-2026', generatedAt: '2026-10-01T00:00:00.000Z', suppressed: true, minCell: 5,
    nodes: [
      { id: '11AA00', label: 'De Brug Centrum (11AA00)', side: 'source' },
      { id: 'mbo:33CC:4', label: 'ROC Testland niveau 4', side: 'target' },
      { id: 'onbekend', label: 'onbekend / geen inschrijving', side: 'target' },
    ],
    flows: [
      { source: '11AA00', target: 'mbo:33CC:4', count: 12 },
      { source: '11AA00', target: 'onbekend', count: null },
    ],
    totals: { pupils: null, bySource: { '11AA00': null }, byTarget: { 'mbo:33CC:4': 12, onbekend: null } },
  };

  it('writes one row per flow under a Dutch header, and <threshold for a hidden count', () => {
    expect(lines(flowsCsv(report))).toEqual([
      'cohort;bron_code;bron;bestemming_code;bestemming;aantal_leerlingen',
      '2025-2026;11AA00;De Brug Centrum (11AA00);mbo:33CC:4;ROC Testland niveau 4;12',
      '2025-2026;11AA00;De Brug Centrum (11AA00);onbekend;onbekend / geen inschrijving;<5',
      '',
    ]);
  });
});

describe('monitorCsv', () => {
  const row = (code: string | null, name: string | null, over: Partial<MonitorRow> = {}): MonitorRow => ({
    code, name, cohortSize: 10, aangemeldVoor1April: 9, geplaatst: 0, gestart: 10, nietGestart: 0, uitgevallen: 0,
    statuses: { niet_aangemeld: 0, aangemeld: 0, niet_geplaatst: 0, geplaatst: 0, gestart: 10, niet_gestart: 0, uitgevallen: 0, elders: 0, vrijgesteld: 0 },
    signals: { open: 0, inBehandeling: null, afgesloten: {} },
    dossiers: { overgedragen: 8, ontvangen: 5, overgedragenShare: 0.8, ontvangenShare: 0.5 },
    ...over,
  });
  const report: MonitorReport = {
    cohort: '2025-2026', asOf: '2026-10-15', generatedAt: '2026-10-15T08:00:00.000Z', suppressed: true, minCell: 5,
    calendar: { aanmelddatum: '2026-04-01', plaatsingsdatum: '2026-07-01', startdatum: '2026-09-01', teldatum: '2026-10-01', monitorUntil: '2027-07-31' },
    schools: [row('11AA00', 'De Brug Centrum', { signals: { open: 0, inBehandeling: null, afgesloten: { ingeschreven: 6 } } })],
    gemeenten: [row(null, null)],
    totals: row(null, null),
  };

  it('writes a row per school, per gemeente and the total, one column per close reason found', () => {
    const [header, ...rows] = lines(monitorCsv(report));
    const columns = header!.split(';');
    expect(columns).toContain('signalen_afgesloten_ingeschreven');
    expect(rows.filter(Boolean).map((r) => r.split(';').slice(0, 3).join('|'))).toEqual([
      'school|11AA00|De Brug Centrum', 'gemeente|onbekend|', 'totaal||',
    ]);
    const first = Object.fromEntries(columns.map((c, i) => [c, rows[0]!.split(';')[i]]));
    expect(first).toMatchObject({
      peildatum: '2026-10-15', cohortgrootte: '10', signalen_in_behandeling: '<5', signalen_afgesloten_ingeschreven: '6',
      pct_dossiers_overgedragen: '80,0', pct_dossiers_ontvangen: '50,0',
    });
  });
});
