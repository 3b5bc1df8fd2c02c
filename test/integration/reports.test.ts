import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, inArray } from 'drizzle-orm';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { auditLog, dossiers, enrolments, organisations, pupils, signals } from '../../src/db/schema.js';
import { createTestContext, type TestContext } from '../support/context.js';
import { insertPupil, seedOrganisations } from '../support/fixtures.js';
import { monitoringCalendar, transitionStatus, type Destination, type VvaStatus } from '../../src/domain/transition.js';
import { FlowsReport, MonitorReport } from '../../src/http/routes/reports.js';

/**
 * A seeded cohort 2025-2026 (default threshold 5). Groups, as school / woongemeente -> what:
 *   A 6x 11AA00/GM9901 started at 33CC niveau 4 on 7 Sep (applied 10 Feb); 4 KB, 2 BB
 *   B 2x 11AA00/GM9902 offered a place at 44DD niveau 2 (applied 15 Mar)
 *   C 1x 11AA00/GM9901 went to havo
 *   D 5x 11AA01/GM9901 applied at 33CC niveau 3 on 15 April
 *   E 3x 11AA01/GM9903 nothing known
 *   F 7x 22BB00/GM9902 started at 44DD niveau 2 on 25 Aug, deregistered 15 Sep
 *   G 1x 22BB00/GM9903 started at 33CC niveau 4, also applied at 44DD
 *   H 1x 22BB00/GM9901 application at 33CC led to nothing
 * plus pupils who must never count: another cohort, and one known only from an mbo.
 * GM9903 lies in RMC02, which starts checking on 15 September.
 */

let ctx: TestContext;
const groups: Record<string, string[]> = {};
const url = (path: string) => `/v1/reports/${path}`;

async function group(name: string, n: number, pupil: Parameters<typeof insertPupil>[1]): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i += 1) ids.push((await insertPupil(ctx.services, pupil)).id);
  groups[name] = ids;
  return ids;
}

type Enrolment = typeof enrolments.$inferInsert;
async function enrol(ids: string[], e: Omit<Enrolment, 'pupilId' | 'crebo'> & { crebo?: string }): Promise<void> {
  await ctx.services.database.db.insert(enrolments).values(ids.map((pupilId) => ({ crebo: '25000', ...e, pupilId })));
}

beforeAll(async () => {
  ctx = await createTestContext();
  const { db } = ctx.services.database;
  await seedOrganisations(ctx.services);
  await db.update(organisations).set({ checkStartDate: '09-15' }).where(eq(organisations.code, 'RMC02'));

  const a = await group('A', 6, { schoolCode: '11AA00', gemeenteCode: 'GM9901' });
  await db.update(pupils).set({ leerweg: 'KB' }).where(inArray(pupils.id, a.slice(0, 4)));
  await db.update(pupils).set({ leerweg: 'BB' }).where(inArray(pupils.id, a.slice(4)));
  await enrol(a, { mboBrin: '33CC', crebo: '25180', niveau: 4, status: 'ingeschreven', appliedOn: '2026-02-10', startDate: '2026-09-07' });
  const b = await group('B', 2, { schoolCode: '11AA00', gemeenteCode: 'GM9902' });
  await enrol(b, { mboBrin: '44DD', niveau: 2, status: 'onderwijsovereenkomst_aangeboden', appliedOn: '2026-03-15' });
  await group('C', 1, { schoolCode: '11AA00', gemeenteCode: 'GM9901', destination: 'havo_vwo' });
  const d = await group('D', 5, { schoolCode: '11AA01', gemeenteCode: 'GM9901' });
  await enrol(d, { mboBrin: '33CC', niveau: 3, status: 'aangemeld', appliedOn: '2026-04-15' });
  await group('E', 3, { schoolCode: '11AA01', gemeenteCode: 'GM9903' });
  const f = await group('F', 7, { schoolCode: '22BB00', gemeenteCode: 'GM9902' });
  await enrol(f, { mboBrin: '44DD', niveau: 2, status: 'uitgeschreven', appliedOn: '2026-01-20', startDate: '2026-08-25', endDate: '2026-09-15' });
  const g = await group('G', 1, { schoolCode: '22BB00', gemeenteCode: 'GM9903' });
  await enrol(g, { mboBrin: '33CC', crebo: '25181', niveau: 4, status: 'ingeschreven', appliedOn: '2026-03-01', startDate: '2026-08-25' });
  await enrol(g, { mboBrin: '44DD', niveau: 2, status: 'aangemeld', appliedOn: '2026-05-01' });
  const h = await group('H', 1, { schoolCode: '22BB00', gemeenteCode: 'GM9901' });
  await enrol(h, { mboBrin: '33CC', niveau: 2, status: 'leidt_niet_tot_inschrijving', appliedOn: '2026-03-20' });

  const older = await group('older', 2, { schoolCode: '11AA00', gemeenteCode: 'GM9901', cohort: '2024-2025' });
  await enrol(older, { mboBrin: '33CC', niveau: 4, status: 'ingeschreven', startDate: '2025-08-25' });
  const mboOnly = await group('mboOnly', 1, { schoolCode: null, gemeenteCode: 'GM9901' });
  await enrol(mboOnly, { mboBrin: '33CC', niveau: 4, status: 'ingeschreven', startDate: '2026-08-25' });

  type Signal = typeof signals.$inferInsert;
  const signal = (pupilId: string, s: Partial<Signal>): Signal => ({
    pupilId, kind: 'niet_gestart', cohort: '2025-2026', audience: 'officer', ...s,
  });
  const e = groups.E!;
  await db.insert(signals).values([
    ...b.map((id) => signal(id, {})),
    signal(e[0]!, { kind: 'niet_aangemeld', audience: 'school' }),
    signal(e[1]!, { kind: 'niet_aangemeld', audience: 'school', status: 'in_behandeling' }),
    signal(e[2]!, { kind: 'niet_aangemeld', audience: 'school', status: 'afgesloten', closeReason: 'aangemeld' }),
    signal(d[0]!, { kind: 'niet_aangemeld', audience: 'school', status: 'afgesloten' }),
    ...f.slice(0, 5).map((id) => signal(id, { kind: 'uitgevallen', status: 'afgesloten', closeReason: 'ingeschreven' })),
    ...f.slice(5).map((id) => signal(id, { kind: 'uitgevallen' })),
    signal(older[0]!, { cohort: '2024-2025' }),
  ]);
  const dossier = (pupilId: string, schoolCode: string, status: 'concept' | 'definitief' | 'ontvangen') => ({
    pupilId, schoolCode, status, createdBy: 'mentor-test',
  });
  await db.insert(dossiers).values([
    ...a.slice(0, 3).map((id) => dossier(id, '11AA00', 'ontvangen')),
    ...a.slice(3, 5).map((id) => dossier(id, '11AA00', 'definitief')),
    dossier(a[5]!, '11AA00', 'concept'),
    ...f.map((id) => dossier(id, '22BB00', 'definitief')),
  ]);
});
afterAll(() => ctx.close());

type FlowsBody = {
  suppressed: boolean;
  minCell: number;
  nodes: Array<{ id: string; label: string; side: string }>;
  flows: Array<{ source: string; target: string; count: number | null }>;
  totals: { pupils: number | null; bySource: Record<string, number | null>; byTarget: Record<string, number | null> };
};

async function flows(role: Parameters<TestContext['as']>[0], org: string, query = ''): Promise<FlowsBody> {
  const res = await ctx.app.inject({ method: 'GET', url: url(`flows?cohort=2025-2026${query}`), headers: ctx.as(role, org) });
  expect(res.statusCode, res.body).toBe(200);
  expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
  return FlowsReport.parse(res.json()) as FlowsBody;
}
const cells = (body: FlowsBody) => Object.fromEntries(body.flows.map((f) => [`${f.source} > ${f.target}`, f.count]));

describe('flows: exact counts in every role scope', () => {
  it('gives a mentor exact counts for the own vestiging, named from organisations', async () => {
    const body = await flows('mentor', '11AA00');
    expect(cells(body)).toEqual({ '11AA00 > mbo:33CC:4': 6, '11AA00 > mbo:44DD:2': 2, '11AA00 > havo_vwo': 1 });
    expect(body.suppressed).toBe(false);
    expect(body.totals).toEqual({
      pupils: 9,
      bySource: { '11AA00': 9 },
      byTarget: { 'mbo:33CC:4': 6, 'mbo:44DD:2': 2, havo_vwo: 1 },
    });
    expect(body.nodes).toEqual([
      { id: '11AA00', label: 'De Brug Centrum (11AA00)', side: 'source' },
      { id: 'mbo:33CC:4', label: 'ROC Testland niveau 4', side: 'target' },
      { id: 'mbo:44DD:2', label: 'Vakschool Proef niveau 2', side: 'target' },
      { id: 'havo_vwo', label: 'havo/vwo', side: 'target' },
    ]);
  });

  it('gives a mentor of a BRIN all its vestigingen, and nothing of another cohort', async () => {
    const body = await flows('mentor', '11AA');
    expect(cells(body)).toEqual({
      '11AA00 > mbo:33CC:4': 6, '11AA00 > mbo:44DD:2': 2, '11AA00 > havo_vwo': 1,
      '11AA01 > mbo:33CC:3': 5, '11AA01 > onbekend': 3,
    });
    expect(body.totals.pupils).toBe(17);
  });

  it('picks a started enrolment over an open application, and a failed application is no destination', async () => {
    expect(cells(await flows('mentor', '22BB00'))).toEqual({
      '22BB00 > mbo:44DD:2': 7, '22BB00 > mbo:33CC:4': 1, '22BB00 > onbekend': 1,
    });
  });

  it('shows an mbo only the flows into it, suppressed, with the totals that would give a cell away', async () => {
    const body = await flows('mbo', '33CC');
    expect(cells(body)).toEqual({ '11AA00 > mbo:33CC:4': 6, '11AA01 > mbo:33CC:3': 5, '22BB00 > mbo:33CC:4': null });
    expect(body.suppressed).toBe(true);
    expect(body.minCell).toBe(5);
    expect(body.totals).toEqual({
      pupils: null,
      bySource: { '11AA00': 6, '11AA01': 5, '22BB00': null },
      byTarget: { 'mbo:33CC:4': null, 'mbo:33CC:3': 5 },
    });
  });

  it('does not count a pupil who applied at the mbo but went elsewhere', async () => {
    const body = await flows('mbo', '44DD');
    expect(cells(body)).toEqual({ '11AA00 > mbo:44DD:2': null, '22BB00 > mbo:44DD:2': 7 });
    expect(body.totals.pupils).toBeNull();
  });

  it('gives an officer exact counts for the pupils living in the own gemeente', async () => {
    const body = await flows('officer', 'GM9901');
    expect(cells(body)).toEqual({
      '11AA00 > mbo:33CC:4': 6, '11AA00 > havo_vwo': 1, '11AA01 > mbo:33CC:3': 5, '22BB00 > onbekend': 1,
    });
    expect(body.suppressed).toBe(false);
    expect(body.totals.pupils).toBe(13);
  });

  it('gives a regional officer every gemeente of the region', async () => {
    const body = await flows('officer', 'RMC01');
    expect(body.totals.pupils).toBe(22);
    expect(cells(body)['22BB00 > mbo:44DD:2']).toBe(7);
    expect(cells(body)['11AA00 > mbo:44DD:2']).toBe(2);
  });

  it('gives an admin the whole region, suppressed, and ?region narrows it', async () => {
    const body = await flows('admin', 'RMC01');
    expect(cells(body)).toEqual({
      '11AA00 > mbo:33CC:4': 6, '11AA00 > mbo:44DD:2': null, '11AA00 > havo_vwo': null,
      '11AA01 > mbo:33CC:3': 5, '11AA01 > onbekend': null,
      '22BB00 > mbo:33CC:4': null, '22BB00 > mbo:44DD:2': 7, '22BB00 > onbekend': null,
    });
    // 11AA01: one hidden cell, so its total is hidden too; the grand total would give that total back.
    expect(body.totals).toEqual({
      pupils: null,
      bySource: { '11AA00': 9, '11AA01': null, '22BB00': 9 },
      byTarget: { 'mbo:33CC:4': null, 'mbo:33CC:3': 5, 'mbo:44DD:2': null, havo_vwo: null, onbekend: null },
    });
    const rmc02 = await flows('admin', 'RMC01', '&region=RMC02');
    expect(cells(rmc02)).toEqual({ '11AA01 > onbekend': null, '22BB00 > mbo:33CC:4': null });
  });

  it('narrows an officer by ?region but never widens the scope', async () => {
    const body = await flows('officer', 'GM9901', '&region=RMC02');
    expect(body.flows).toEqual([]);
    expect(body.totals.pupils).toBe(0);
    const empty = await monitor('officer', 'GM9901', '&region=RMC02&asOf=2026-10-15');
    expect([empty.schools, empty.gemeenten, empty.totals.cohortSize]).toEqual([[], [], 0]);
  });

  it('splits sources by leerweg and targets by crebo on request', async () => {
    const body = await flows('mentor', '11AA00', '&by=leerweg&detail=crebo');
    expect(cells(body)).toEqual({
      '11AA00:BB > mbo:33CC:4:25180': 2,
      '11AA00:KB > mbo:33CC:4:25180': 4,
      '11AA00:onbekend > mbo:44DD:2:25000': 2,
      '11AA00:onbekend > havo_vwo': 1,
    });
    expect(body.nodes.find((n) => n.id === '11AA00:KB')?.label).toBe('De Brug Centrum (11AA00), KB');
    expect(body.nodes.find((n) => n.id === 'mbo:33CC:4:25180')?.label).toBe('ROC Testland niveau 4, crebo 25180');
  });

  it('rejects a region that is not one', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: url('flows?cohort=2025-2026&region=RMC99'), headers: ctx.as('admin', 'RMC01') });
    expect(res.statusCode).toBe(400);
  });
});

describe('flows as CSV and SVG', () => {
  it('answers CSV for Dutch Excel: BOM, semicolons, a Dutch header, one row per flow, <5 for hidden cells', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: url('flows?cohort=2025-2026'), headers: { ...ctx.as('mbo', '33CC'), accept: 'text/csv' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers.vary).toContain('Accept');
    expect(res.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const lines = res.body.replace(/^\uFEFF/, '').trimEnd().split('\r\n');
    expect(lines).toEqual([
      'cohort;bron_code;bron;bestemming_code;bestemming;aantal_leerlingen',
      '2025-2026;11AA00;De Brug Centrum (11AA00);mbo:33CC:4;ROC Testland niveau 4;6',
      '2025-2026;11AA01;De Brug Noord (11AA01);mbo:33CC:3;ROC Testland niveau 3;5',
      '2025-2026;22BB00;Het Anker (22BB00);mbo:33CC:4;ROC Testland niveau 4;<5',
    ]);
  });

  it('draws an SVG that parses, with one band per shown flow and the hidden ones left out', async () => {
    for (const [role, org] of [['officer', 'RMC01'], ['admin', 'RMC01']] as const) {
      const headers = ctx.as(role, org);
      const body = await flows(role, org);
      const res = await ctx.app.inject({ method: 'GET', url: url('flows?cohort=2025-2026'), headers: { ...headers, accept: 'image/svg+xml' } });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toContain('image/svg+xml');
      expect(XMLValidator.validate(res.body)).toBe(true);
      const svg = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(res.body).svg;
      const bands = ([] as Array<Record<string, string>>).concat(svg.g.path).filter((p) => p.class === 'band');
      const shown = body.flows.filter((f) => f.count !== null && f.count > 0);
      expect(bands.map((b) => `${b['data-source']} > ${b['data-target']} = ${b['data-count']}`).sort()).toEqual(
        shown.map((f) => `${f.source} > ${f.target} = ${f.count}`).sort(),
      );
      expect(svg.title).toContain('2025-2026');
    }
  });

  it('answers 406 problem+json for a type it cannot produce', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: url('flows?cohort=2025-2026'), headers: { ...ctx.as('admin', 'RMC01'), accept: 'application/xml' } });
    expect(res.statusCode).toBe(406);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ type: 'urn:doorstroom:problem:not-acceptable' });
  });

  it('writes one audit row per report, without pupil ids', async () => {
    await ctx.app.inject({ method: 'GET', url: url('flows?cohort=2025-2026'), headers: ctx.as('officer', 'GM9902', 'audit-probe') });
    const rows = await ctx.services.database.db.select().from(auditLog).where(eq(auditLog.actorSub, 'audit-probe'));
    expect(rows).toEqual([expect.objectContaining({ action: 'report.flows', resourceType: 'report', resourceId: '2025-2026', pupilIds: [] })]);
  });
});

type Row = {
  code: string | null;
  cohortSize: number | null;
  aangemeldVoor1April: number | null;
  geplaatst: number | null;
  gestart: number | null;
  nietGestart: number | null;
  uitgevallen: number | null;
  statuses: Record<string, number | null>;
  signals: { open: number | null; inBehandeling: number | null; afgesloten: Record<string, number | null> };
  dossiers: { overgedragen: number | null; ontvangen: number | null; overgedragenShare: number | null; ontvangenShare: number | null };
};
type MonitorBody = { asOf: string; suppressed: boolean; schools: Row[]; gemeenten: Row[]; totals: Row };

async function monitor(role: Parameters<TestContext['as']>[0], org: string, query: string): Promise<MonitorBody> {
  const res = await ctx.app.inject({ method: 'GET', url: url(`monitor?cohort=2025-2026${query}`), headers: ctx.as(role, org) });
  expect(res.statusCode, res.body).toBe(200);
  return MonitorReport.parse(res.json()) as MonitorBody;
}
const rowOf = (rows: Row[], code: string | null) => rows.find((r) => r.code === code)!;
const statuses = (counts: Record<string, number>) => ({
  niet_aangemeld: 0, aangemeld: 0, niet_geplaatst: 0, geplaatst: 0, gestart: 0, niet_gestart: 0, uitgevallen: 0,
  elders: 0, vrijgesteld: 0, ...counts,
});

describe('monitor', () => {
  it('counts a mentor’s cohort per school and per gemeente after the teldatum', async () => {
    const body = await monitor('mentor', '11AA', '&asOf=2026-10-15');
    expect(body.suppressed).toBe(false);
    expect(body.schools.map((r) => r.code)).toEqual(['11AA00', '11AA01']);
    expect(body.gemeenten.map((r) => r.code)).toEqual(['GM9901', 'GM9902', 'GM9903']);
    expect(rowOf(body.schools, '11AA00')).toMatchObject({
      cohortSize: 9, aangemeldVoor1April: 8, geplaatst: 0, gestart: 6, nietGestart: 2, uitgevallen: 0,
      statuses: statuses({ gestart: 6, niet_gestart: 2, elders: 1 }),
      signals: { open: 2, inBehandeling: 0, afgesloten: {} },
      dossiers: { overgedragen: 5, ontvangen: 3, overgedragenShare: 0.5556, ontvangenShare: 0.3333 },
    });
    expect(rowOf(body.schools, '11AA01')).toMatchObject({
      cohortSize: 8, aangemeldVoor1April: 0, nietGestart: 8,
      signals: { open: 1, inBehandeling: 1, afgesloten: { aangemeld: 1, onbekend: 1 } },
      dossiers: { overgedragen: 0, ontvangen: 0, overgedragenShare: 0, ontvangenShare: 0 },
    });
    expect(rowOf(body.gemeenten, 'GM9901')).toMatchObject({ cohortSize: 12, aangemeldVoor1April: 6, gestart: 6, nietGestart: 5 });
    expect(body.totals).toMatchObject({
      code: null, cohortSize: 17, aangemeldVoor1April: 8, gestart: 6, nietGestart: 10,
      statuses: statuses({ gestart: 6, niet_gestart: 10, elders: 1 }),
      signals: { open: 3, inBehandeling: 1, afgesloten: { aangemeld: 1, onbekend: 1 } },
    });
  });

  it('agrees with transitionStatus before the start date: placed, applied, not applied, and facts not yet known', async () => {
    const june = await monitor('officer', 'RMC01', '&asOf=2026-06-15');
    expect(june.totals.statuses).toEqual(statuses({ geplaatst: 8, elders: 1, aangemeld: 5, niet_geplaatst: 8 }));
    const march = await monitor('officer', 'RMC01', '&asOf=2026-03-01');
    // D applied on 15 April, B on 15 March, H on 20 March: not known on 1 March.
    expect(march.totals.statuses).toEqual(statuses({ geplaatst: 6, elders: 1, niet_aangemeld: 8, niet_geplaatst: 7 }));
    expect(march.totals.aangemeldVoor1April).toBe(13);
  });

  it('uses the start date of the pupil’s region, and an enrolment starting later keeps a pupil placed', async () => {
    const body = await monitor('mentor', '11AA', '&asOf=2026-09-05');
    // A starts on 7 September: placed, not niet_gestart; an offer alone (B) does not protect.
    expect(rowOf(body.gemeenten, 'GM9901').statuses).toEqual(statuses({ geplaatst: 6, elders: 1, niet_gestart: 5 }));
    expect(rowOf(body.gemeenten, 'GM9902').statuses).toEqual(statuses({ niet_gestart: 2 }));
    // GM9903 lies in RMC02, which starts checking on 15 September.
    expect(rowOf(body.gemeenten, 'GM9903').statuses).toEqual(statuses({ niet_aangemeld: 3 }));
  });

  it('counts every status exactly as transitionStatus does, on every date', async () => {
    const { db } = ctx.services.database;
    const cohort = await db.select().from(pupils).where(eq(pupils.cohort, '2025-2026'));
    const facts = await db.select().from(enrolments);
    const regionOf: Record<string, string | null> = { GM9901: '09-01', GM9902: '09-01', GM9903: '09-15' };
    for (const asOf of ['2026-03-01', '2026-04-02', '2026-06-15', '2026-09-01', '2026-09-10', '2026-09-16', '2026-10-15']) {
      const expected: Record<string, number> = {};
      for (const p of cohort.filter((x) => x.schoolCode !== null)) {
        const status = transitionStatus(
          {
            birthDate: p.birthDate!, cohort: '2025-2026', hasStartkwalificatie: false,
            destination: p.destination as Destination | null,
            enrolments: facts.filter((e) => e.pupilId === p.id).map((e) => ({
              status: e.status as VvaStatus, appliedOn: e.appliedOn, startDate: e.startDate, endDate: e.endDate,
            })),
          },
          asOf,
          monitoringCalendar('2025-2026', regionOf[p.gemeenteCode!] ?? null),
        );
        expected[status] = (expected[status] ?? 0) + 1;
      }
      const [one, two] = await Promise.all([monitor('officer', 'RMC01', `&asOf=${asOf}`), monitor('officer', 'RMC02', `&asOf=${asOf}`)]);
      const counted = Object.fromEntries(
        Object.keys(statuses({})).map((s) => [s, one.totals.statuses[s]! + two.totals.statuses[s]!]),
      );
      expect(counted, asOf).toEqual(statuses(expected));
    }
  });

  it('suppresses small cells for an admin, and a row total when one status alone is hidden', async () => {
    const body = await monitor('admin', 'RMC01', '&asOf=2026-10-15');
    expect(body.suppressed).toBe(true);
    expect(rowOf(body.schools, '11AA00')).toMatchObject({
      cohortSize: 9, gestart: 6, nietGestart: null, aangemeldVoor1April: 8, signals: { open: null },
      dossiers: { overgedragen: 5, ontvangen: null, overgedragenShare: 0.5556, ontvangenShare: null },
    });
    expect(rowOf(body.schools, '22BB00')).toMatchObject({
      cohortSize: 9, uitgevallen: 7, gestart: null, nietGestart: null, signals: { open: null, afgesloten: { ingeschreven: 5 } },
    });
    expect(rowOf(body.gemeenten, 'GM9901')).toMatchObject({
      cohortSize: null, gestart: 6, nietGestart: 6, statuses: expect.objectContaining({ elders: null }),
      dossiers: { overgedragen: 5, ontvangen: null, overgedragenShare: null, ontvangenShare: null },
    });
    expect(rowOf(body.gemeenten, 'GM9903')).toMatchObject({ cohortSize: null, nietGestart: null, gestart: null });
    // 22BB00 alone hides its one started pupil, so the total of 7 started would give it back.
    expect(body.totals).toMatchObject({ cohortSize: 26, gestart: null, nietGestart: 11, uitgevallen: 7 });
  });

  it('gives an mbo the pupils who applied there, suppressed, hiding a total one small school gives away', async () => {
    const body = await monitor('mbo', '33CC', '&asOf=2026-10-15');
    expect(body.schools.map((r) => [r.code, r.cohortSize, r.gestart, r.nietGestart])).toEqual([
      ['11AA00', 6, 6, 0], ['11AA01', 5, 0, 5], ['22BB00', null, null, null],
    ]);
    expect(body.gemeenten.map((r) => [r.code, r.cohortSize])).toEqual([['GM9901', 12], ['GM9903', null]]);
    expect(body.totals).toMatchObject({ cohortSize: null, gestart: null, nietGestart: null });
  });

  it('answers CSV with one row per school, per gemeente and the total', async () => {
    const res = await ctx.app.inject({
      method: 'GET', url: url('monitor?cohort=2025-2026&asOf=2026-10-15'), headers: { ...ctx.as('mentor', '11AA'), accept: 'text/csv, application/json;q=0.5' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    const [header, ...rows] = res.body.replace(/^\uFEFF/, '').trimEnd().split('\r\n');
    const columns = header!.split(';');
    expect(columns.slice(0, 7)).toEqual(['niveau', 'code', 'naam', 'cohort', 'peildatum', 'cohortgrootte', 'aangemeld_voor_1_april']);
    expect(columns).toContain('signalen_afgesloten_aangemeld');
    expect(rows.map((r) => r.split(';').slice(0, 2).join(' '))).toEqual([
      'school 11AA00', 'school 11AA01', 'gemeente GM9901', 'gemeente GM9902', 'gemeente GM9903', 'totaal ',
    ]);
    const first = Object.fromEntries(columns.map((c, i) => [c, rows[0]!.split(';')[i]]));
    expect(first).toMatchObject({ cohortgrootte: '9', gestart: '6', pct_dossiers_overgedragen: '55,6' });
  });

  it('answers 406 for a picture of the monitor', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: url('monitor?cohort=2025-2026'), headers: { ...ctx.as('admin', 'RMC01'), accept: 'image/svg+xml' } });
    expect(res.statusCode).toBe(406);
  });

  it('defaults asOf to today and audits the report', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: url('monitor?cohort=2025-2026'), headers: ctx.as('officer', 'GM9903', 'monitor-probe') });
    expect(res.statusCode).toBe(200);
    expect(res.json().asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const rows = await ctx.services.database.db.select().from(auditLog).where(eq(auditLog.actorSub, 'monitor-probe'));
    expect(rows.map((r) => r.action)).toEqual(['report.monitor']);
  });
});

describe('a configured threshold', () => {
  let small: TestContext;
  beforeAll(async () => {
    small = await createTestContext({ REPORT_MIN_CELL: '3' });
    await seedOrganisations(small.services);
    const started: string[] = [];
    for (let i = 0; i < 3; i += 1) started.push((await insertPupil(small.services, { schoolCode: '11AA00' })).id);
    for (let i = 0; i < 2; i += 1) await insertPupil(small.services, { schoolCode: '11AA00' });
    await small.services.database.db.insert(enrolments).values(started.map((pupilId) => ({
      pupilId, mboBrin: '33CC', crebo: '25180', niveau: 4, status: 'ingeschreven' as const, startDate: '2026-08-25',
    })));
  });
  afterAll(() => small.close());

  it('hides only cells under REPORT_MIN_CELL', async () => {
    const res = await small.app.inject({ method: 'GET', url: url('flows?cohort=2025-2026'), headers: small.as('admin', 'RMC01') });
    const body = res.json() as FlowsBody;
    expect(body.minCell).toBe(3);
    expect(body.flows).toEqual([
      { source: '11AA00', target: 'mbo:33CC:4', count: 3 },
      { source: '11AA00', target: 'onbekend', count: null },
    ]);
    const csv = await small.app.inject({ method: 'GET', url: url('flows?cohort=2025-2026'), headers: { ...small.as('admin', 'RMC01'), accept: 'text/csv' } });
    expect(csv.body.trimEnd().split('\r\n').at(-1)).toMatch(/;<3$/);
  });
});
