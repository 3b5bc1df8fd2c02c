import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { createTestContext, type TestContext } from '../support/context.js';
import { seedOrganisations } from '../support/fixtures.js';
import { checkRuns, enrolments, organisations, pupils, signalEvents, signals } from '../../src/db/schema.js';
import { judgePupils } from '../../src/db/check-sql.js';
import { executeCheckRun } from '../../src/db/check-runs.js';
import { monitorPupils } from '../../src/reports/monitor.js';
import type { Caller } from '../../src/domain/access.js';
import { responsibleAuthority } from '../../src/domain/responsibility.js';
import {
  closeReason,
  monitoringCalendar,
  signalFor,
  transitionStatus,
  type Destination,
  type EnrolmentFact,
  type PupilFacts,
  type VvaStatus,
} from '../../src/domain/transition.js';

/**
 * The nightly check and the monitor are SQL; the rules are TypeScript. This file proves they
 * agree: a grid of pupils (birth dates around 16, 18 and 23, 29 February, startkwalificatie,
 * enrolment histories, destinations, regions with another or an invalid start date, cohorts in
 * and out of the window) is judged by both on dates around every deadline, and the signals,
 * statuses, authorities and close reasons must be identical; so must the status the monitor
 * counts each pupil under (the same SQL of transitionStatus, src/db/transition-sql.ts).
 */

let ctx: TestContext;

function fact(status: VvaStatus, dates: Partial<Omit<EnrolmentFact, 'status'>> = {}): EnrolmentFact {
  return { status, appliedOn: null, startDate: null, endDate: null, ...dates };
}

const births: Array<{ birthDate: string; sk: boolean }> = [
  { birthDate: '2010-03-15', sk: false }, // leerplichtig until 2026-07-31, then kwalificatieplichtig
  { birthDate: '2010-09-01', sk: false }, // born after 1 August: leerplichtig a year longer
  { birthDate: '2008-02-29', sk: false }, // 18 on 2026-03-01 (no 29 February in 2026)
  { birthDate: '2008-09-15', sk: false }, // 18 on 2026-09-15, a check date
  { birthDate: '2008-08-10', sk: false }, // turns 18 over the summer
  { birthDate: '2003-09-15', sk: false }, // 23 on 2026-09-15
  { birthDate: '2004-02-29', sk: false }, // 23 on 2027-03-01
  { birthDate: '2008-08-10', sk: true }, // startkwalificatie: nobody after leerplicht
  { birthDate: '2010-03-15', sk: true },
];

const histories: EnrolmentFact[][] = [
  [],
  [fact('aangemeld', { appliedOn: '2026-03-01' })],
  [fact('aangemeld', { appliedOn: '2026-04-15' })],
  [fact('aangemeld', { appliedOn: '2026-03-01' }), fact('onderwijsovereenkomst_aangeboden', { appliedOn: '2026-05-01' })],
  [fact('leidt_niet_tot_inschrijving', { appliedOn: '2026-03-01' })],
  [fact('leidt_niet_tot_inschrijving', { appliedOn: '2026-03-01' }), fact('teruggetrokken', { appliedOn: '2026-07-10' })],
  [fact('leidt_niet_tot_inschrijving', { appliedOn: '2026-03-01' }), fact('aangemeld', { appliedOn: '2026-06-15' })],
  [fact('ingeschreven', { appliedOn: '2026-03-01', startDate: '2026-09-01' })],
  [fact('ingeschreven', { appliedOn: '2026-03-01' })],
  [fact('ingeschreven', { appliedOn: '2026-09-10', startDate: '2026-09-15' })], // late enrolment
  [fact('ingeschreven', { appliedOn: '2026-06-01', startDate: '2026-10-05' })],
  [fact('uitgeschreven', { appliedOn: '2026-03-01', startDate: '2026-09-01', endDate: '2026-09-20' })],
  [fact('uitgeschreven', { appliedOn: '2026-03-01', startDate: '2026-09-01', endDate: '2026-10-01' })],
  [fact('uitgeschreven', { appliedOn: '2026-03-01', startDate: '2026-09-01', endDate: '2026-11-15' })],
  [
    fact('uitgeschreven', { appliedOn: '2026-03-01', startDate: '2026-09-01', endDate: '2026-09-20' }),
    fact('ingeschreven', { appliedOn: '2026-09-22', startDate: '2026-09-25' }),
  ],
  [
    fact('uitgeschreven', { appliedOn: '2026-03-01', startDate: '2026-09-01', endDate: '2026-09-20' }),
    fact('uitgeschreven', { appliedOn: '2026-09-22', startDate: '2026-09-25', endDate: '2026-10-15' }),
  ],
  [fact('uitgeschreven', { appliedOn: '2026-03-01', startDate: '2026-09-01', endDate: '2026-08-20' })],
  [fact('ingeschreven', { appliedOn: '2026-09-20', startDate: '2026-09-01' })], // reported late
  [fact('ingeschreven', { startDate: '2026-09-01' })], // no report date: always known
];

const destinations: Array<Destination | null> = [null, 'havo_vwo', 'werk', 'vrijstelling'];

/**
 * GM9901 is in RMC01 (start 09-01), GM9903 in RMC02 (start 09-15 here), GM9904 in RMC03, whose
 * start date 10-01 is invalid (not before the teldatum) and falls back to 1 September; null has
 * no region.
 */
const gemeenten = ['GM9901', 'GM9903', 'GM9904', null] as const;
const regionStart: Record<string, string | null> = { GM9901: '09-01', GM9903: '09-15', GM9904: '10-01' };

interface Case {
  id?: string;
  facts: PupilFacts;
  gemeente: string | null;
}

const cases: Case[] = [];
let n = 0;
for (const birth of births) {
  for (const enrolmentFacts of histories) {
    for (const destination of destinations) {
      cases.push({
        facts: { birthDate: birth.birthDate, cohort: '2025-2026', hasStartkwalificatie: birth.sk, destination, enrolments: enrolmentFacts },
        gemeente: gemeenten[n++ % gemeenten.length]!,
      });
    }
  }
  for (const cohort of ['2024-2025', '2026-2027']) {
    for (const gemeente of gemeenten) {
      cases.push({ facts: { birthDate: birth.birthDate, cohort, hasStartkwalificatie: birth.sk, destination: null, enrolments: [] }, gemeente });
    }
  }
}

const dates = [
  '2025-10-01', '2026-03-01', '2026-03-31', '2026-04-01', '2026-04-02', '2026-04-20', '2026-06-30', '2026-07-01',
  '2026-07-15', '2026-07-31', '2026-08-01', '2026-08-21', '2026-08-31', '2026-09-01', '2026-09-02', '2026-09-10',
  '2026-09-12', '2026-09-14', '2026-09-15', '2026-09-16', '2026-09-20', '2026-09-21', '2026-09-23', '2026-09-26',
  '2026-09-30', '2026-10-01', '2026-10-02', '2026-10-16', '2026-11-20', '2027-02-28', '2027-03-01', '2027-04-02',
  '2027-07-31', '2027-08-01',
  // and back in time: signals closed by themselves must reopen when their condition returns
  '2026-09-02', '2026-07-01', '2026-04-02', '2026-09-21',
];

function calendarOf(c: Case) {
  return monitoringCalendar(c.facts.cohort, c.gemeente ? regionStart[c.gemeente]! : null);
}

function inWindow(c: Case, date: string): boolean {
  const cal = calendarOf(c);
  return date >= cal.aanmelddatum && date <= cal.monitorUntil;
}

beforeAll(async () => {
  ctx = await createTestContext();
  await seedOrganisations(ctx.services);
  const { db } = ctx.services.database;
  await db.update(organisations).set({ checkStartDate: '09-15' }).where(eq(organisations.code, 'RMC02'));
  await db.insert(organisations).values([
    { code: 'RMC03', kind: 'regio', name: 'Regio Drie', checkStartDate: '10-01' },
    { code: 'GM9904', kind: 'gemeente', name: 'Verweg', parentCode: 'RMC03' },
  ]);
  const rows = await db
    .insert(pupils)
    .values(cases.map((c) => ({
      givenName: 'Parity',
      surname: 'Case',
      birthDate: c.facts.birthDate,
      cohort: c.facts.cohort,
      hasStartkwalificatie: c.facts.hasStartkwalificatie,
      destination: c.facts.destination,
      gemeenteCode: c.gemeente,
      schoolCode: '11AA00',
    })))
    .returning({ id: pupils.id });
  rows.forEach((r, i) => (cases[i]!.id = r.id));
  const enrolmentRows = cases.flatMap((c) =>
    c.facts.enrolments.map((e, i) => ({
      pupilId: c.id!,
      mboBrin: '33CC',
      crebo: String(25000 + i),
      status: e.status,
      appliedOn: e.appliedOn,
      startDate: e.startDate,
      endDate: e.endDate,
    })),
  );
  await db.insert(enrolments).values(enrolmentRows);
}, 60_000);
afterAll(() => ctx.close());

describe('the SQL rules and the TypeScript rules', () => {
  it(`judge ${cases.length} pupils alike on every date: status, authority, signal`, async () => {
    const { db } = ctx.services.database;
    for (const date of dates) {
      const judged = new Map((await judgePupils(db, { asOf: date })).map((j) => [j.pupilId, j]));
      const expected = new Map(
        cases
          .filter((c) => inWindow(c, date))
          .map((c) => {
            const signal = signalFor(c.facts, date, calendarOf(c));
            return [c.id!, {
              status: transitionStatus(c.facts, date, calendarOf(c)),
              authority: responsibleAuthority(c.facts, date),
              kind: signal?.kind ?? null,
              audience: signal?.audience ?? null,
            }] as const;
          }),
      );
      const actual = new Map([...judged].map(([id, j]) => [id, { status: j.status, authority: j.authority, kind: j.kind, audience: j.audience }]));
      expect({ date, judged: Object.fromEntries(actual) }).toEqual({ date, judged: Object.fromEntries(expected) });
    }
  });

  it('give every pupil the same status in the monitor, for every cohort on every date', async () => {
    const { db } = ctx.services.database;
    const admin: Caller = { sub: 'parity', role: 'admin', org: 'RMC01' };
    for (const cohort of ['2024-2025', '2025-2026', '2026-2027']) {
      for (const date of dates) {
        const counted = await db.execute<{ id: string; status: string }>(
          sql`select x.id, x.status from (${monitorPupils(admin, cohort, date)}) x`,
        );
        const actual = Object.fromEntries(counted.rows.map((r) => [r.id, r.status]));
        const expected = Object.fromEntries(
          cases.filter((c) => c.facts.cohort === cohort).map((c) => [c.id!, transitionStatus(c.facts, date, calendarOf(c))]),
        );
        expect({ cohort, date, statuses: actual }).toEqual({ cohort, date, statuses: expected });
      }
    }
  });

  it('keep exactly the signals signalFor gives open, and close the rest with closeReason, date after date', async () => {
    const { db } = ctx.services.database;
    const byId = new Map(cases.map((c) => [c.id!, c]));
    for (const date of dates) {
      const [run] = await db.insert(checkRuns).values({ asOf: date, trigger: 'manual', createdBy: 'parity' }).returning();
      const result = await executeCheckRun(ctx.services, run!.id);
      expect(result.executed).toBe(true);

      const open = await db
        .select({ pupilId: signals.pupilId, kind: signals.kind, audience: signals.audience, authority: signals.authority, cohort: signals.cohort })
        .from(signals)
        .where(sql`${signals.status} <> 'afgesloten'`);
      const actual = Object.fromEntries(open.map((s) => [s.pupilId, { kind: s.kind, audience: s.audience, authority: s.authority, cohort: s.cohort }]));
      const expected = Object.fromEntries(
        cases.flatMap((c) => {
          const signal = signalFor(c.facts, date, calendarOf(c));
          return signal ? [[c.id!, { ...signal, cohort: c.facts.cohort }]] : [];
        }),
      );
      expect({ date, open: actual }).toEqual({ date, open: expected });

      const closedNow = await db
        .select({ pupilId: signals.pupilId, reason: signalEvents.reason })
        .from(signalEvents)
        .innerJoin(signals, eq(signals.id, signalEvents.signalId))
        .where(sql`${signalEvents.checkRunId} = ${run!.id} and ${signalEvents.action} = 'auto_closed'`);
      const reasons = closedNow.map((e) => {
        const c = byId.get(e.pupilId)!;
        const cal = calendarOf(c);
        return { pupilId: e.pupilId, reason: e.reason, expected: closeReason(transitionStatus(c.facts, date, cal), signalFor(c.facts, date, cal)) };
      });
      expect(reasons.filter((r) => r.reason !== r.expected)).toEqual([]);
      expect(result.executed && result.run.closed).toBe(closedNow.length);
    }
    // The walk back in time made closed signals come back: the reopen path was exercised too.
    const actions = await db.select({ action: signalEvents.action, n: sql<number>`count(*)::int` }).from(signalEvents).groupBy(signalEvents.action);
    expect(Object.fromEntries(actions.map((a) => [a.action, a.n > 0]))).toEqual({ opened: true, auto_closed: true, reopened: true });
  }, 120_000);
});
