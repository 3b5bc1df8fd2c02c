import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { createTestContext, type TestContext } from '../support/context.js';
import { insertPupil, seedOrganisations } from '../support/fixtures.js';
import { checkRuns, enrolments, organisations, outbox, pupils, signalEvents, signals, subscriptions } from '../../src/db/schema.js';
import { executeCheckRun } from '../../src/db/check-runs.js';
import { checkSignals } from '../../src/db/check-sql.js';
import type { VvaStatus } from '../../src/domain/transition.js';

let ctx: TestContext;
const db = () => ctx.services.database.db;

async function runCheck(asOf: string) {
  const [run] = await db().insert(checkRuns).values({ asOf, trigger: 'manual', createdBy: 'test' }).returning();
  const result = await executeCheckRun(ctx.services, run!.id);
  if (!result.executed) throw new Error('run not executed');
  return result.run;
}

async function enrol(pupilId: string, status: VvaStatus, dates: { appliedOn?: string; startDate?: string; endDate?: string } = {}, crebo = '25000') {
  await db().insert(enrolments).values({
    pupilId, mboBrin: '33CC', crebo, status,
    appliedOn: dates.appliedOn ?? null, startDate: dates.startDate ?? null, endDate: dates.endDate ?? null,
  });
}

const signalsOf = (pupilId: string) => db().select().from(signals).where(eq(signals.pupilId, pupilId));
const eventsOf = (signalId: string) => db().select().from(signalEvents).where(eq(signalEvents.signalId, signalId)).orderBy(signalEvents.id);

/** Cohort 2025-2026; RMC01 (GM9901) checks from 1 September, RMC02 (GM9903) from 15 September. */
const P: Record<string, string> = {};

beforeAll(async () => {
  ctx = await createTestContext();
  await seedOrganisations(ctx.services);
  await db().update(organisations).set({ checkStartDate: '09-15' }).where(eq(organisations.code, 'RMC02'));
  const add = async (key: string, fixture: Parameters<typeof insertPupil>[1] = {}) => (P[key] = (await insertPupil(ctx.services, fixture)).id);

  await add('noApplication');
  await add('started');
  await enrol(P.started!, 'ingeschreven', { appliedOn: '2026-03-01', startDate: '2026-09-01' });
  await add('onlyApplied', { gemeenteCode: 'GM9902', schoolCode: '11AA01' });
  await enrol(P.onlyApplied!, 'aangemeld', { appliedOn: '2026-03-01' });
  await add('rejected');
  await enrol(P.rejected!, 'leidt_niet_tot_inschrijving', { appliedOn: '2026-03-01' });
  await add('eighteenOverSummer', { birthDate: '2008-08-10' });
  await add('havo', { destination: 'havo_vwo' });
  await add('lateEnrolment');
  await enrol(P.lateEnrolment!, 'ingeschreven', { appliedOn: '2026-08-25', startDate: '2026-09-15' });
  await add('droppedOut', { schoolCode: '22BB00' });
  await enrol(P.droppedOut!, 'uitgeschreven', { appliedOn: '2026-03-01', startDate: '2026-09-01', endDate: '2026-09-02' });
  await add('twentyThree', { birthDate: '2003-08-15' });
  await add('laterRegion', { gemeenteCode: 'GM9903', schoolCode: '22BB00' });
  await add('nextCohort', { cohort: '2026-2027' });
  await add('noCohort', { cohort: null });
  await add('noGemeente', { gemeenteCode: null });
  await db().update(pupils).set({ hasStartkwalificatie: true }).where(eq(pupils.id, (await add('withDiploma', { birthDate: '2008-05-01' }))));
});
afterAll(() => ctx.close());

describe('the check over a seeded cohort', () => {
  it('opens exactly the expected signals, with audience, authority, municipality and school', async () => {
    const run = await runCheck('2026-09-02');
    const rows = await db().select().from(signals);
    const byPupil = Object.fromEntries(Object.entries(P).map(([k, id]) => [id, k]));
    const got = rows.map((s) => ({ pupil: byPupil[s.pupilId], kind: s.kind, audience: s.audience, authority: s.authority, gemeente: s.gemeenteCode, school: s.schoolCode, status: s.status, cohort: s.cohort }));
    const officer = (pupil: string, kind: string, authority: string, gemeente = 'GM9901', school = '11AA00') =>
      ({ pupil, kind, audience: 'officer', authority, gemeente, school, status: 'open', cohort: '2025-2026' });
    expect(got.sort((a, b) => a.pupil!.localeCompare(b.pupil!))).toEqual([
      officer('droppedOut', 'uitgevallen', 'leerplicht', 'GM9901', '22BB00'),
      officer('eighteenOverSummer', 'niet_gestart', 'rmc'),
      // From 15 September in RMC02: on 2 September it is still the school's niet_aangemeld.
      { pupil: 'laterRegion', kind: 'niet_aangemeld', audience: 'school', authority: 'leerplicht', gemeente: 'GM9903', school: '22BB00', status: 'open', cohort: '2025-2026' },
      officer('noApplication', 'niet_gestart', 'leerplicht'),
      officer('noGemeente', 'niet_gestart', 'leerplicht', null as unknown as string),
      officer('onlyApplied', 'niet_gestart', 'leerplicht', 'GM9902', '11AA01'),
      officer('rejected', 'niet_gestart', 'leerplicht'),
    ]);
    expect(run).toMatchObject({ status: 'done', opened: 7, reopened: 0, closed: 0, counts: { niet_gestart: 5, uitgevallen: 1, niet_aangemeld: 1 } });
    // nextCohort and noCohort are not monitored on this date; all the others are.
    expect(run.evaluated).toBe(Object.keys(P).length - 2);
    const opened = await db().select().from(signalEvents).where(eq(signalEvents.checkRunId, run.id));
    expect(opened).toHaveLength(7);
    expect(opened.every((e) => e.action === 'opened' && e.toStatus === 'open' && e.actorSub === null)).toBe(true);
  });

  it('changes nothing when run twice for the same date', async () => {
    const before = await db().select().from(signals).orderBy(signals.id);
    const eventsBefore = await db().select({ n: sql<number>`count(*)::int` }).from(signalEvents);
    const run = await runCheck('2026-09-02');
    expect(run).toMatchObject({ status: 'done', opened: 0, reopened: 0, closed: 0 });
    expect(await db().select().from(signals).orderBy(signals.id)).toEqual(before);
    expect(await db().select({ n: sql<number>`count(*)::int` }).from(signalEvents)).toEqual(eventsBefore);
  });

  it('does not signal a pupil twice for the same cohort', async () => {
    for (const date of ['2026-09-03', '2026-09-10', '2026-09-02']) await runCheck(date);
    const rows = await signalsOf(P.noApplication!);
    expect(rows).toHaveLength(1);
    expect((await eventsOf(rows[0]!.id)).map((e) => e.action)).toEqual(['opened']);
    const dupes = await db().execute(sql`select pupil_id, kind, cohort from signals group by 1, 2, 3 having count(*) > 1`);
    expect(dupes.rows).toEqual([]);
  });

  it('moves the school signal to an officer signal of the later region on its own start date', async () => {
    const run = await runCheck('2026-09-15');
    const rows = await signalsOf(P.laterRegion!);
    expect(rows.map((s) => [s.kind, s.status, s.closeReason]).sort()).toEqual([
      ['niet_aangemeld', 'afgesloten', 'opgevolgd'],
      ['niet_gestart', 'open', null],
    ]);
    // The late enrolment started on 15 September: nothing was ever signalled for it.
    expect(await signalsOf(P.lateEnrolment!)).toEqual([]);
    expect(run.opened).toBe(1);
    expect(run.closed).toBe(1);
  });
});

describe('closing and reopening', () => {
  it('closes a niet_gestart signal by itself when an enrolment arrives, recording ingeschreven', async () => {
    await enrol(P.noApplication!, 'ingeschreven', { appliedOn: '2026-09-16', startDate: '2026-09-17' });
    const run = await runCheck('2026-09-17');
    const [signal] = await signalsOf(P.noApplication!);
    expect(signal).toMatchObject({ status: 'afgesloten', closeReason: 'ingeschreven', closedBy: null, version: 2 });
    expect(signal!.closedAt).toBeInstanceOf(Date);
    const events = await eventsOf(signal!.id);
    expect(events.at(-1)).toMatchObject({ action: 'auto_closed', fromStatus: 'open', toStatus: 'afgesloten', reason: 'ingeschreven', checkRunId: run.id });
  });

  it('reopens a signal that closed by itself when its condition returns, keeping one row', async () => {
    // The mbo withdraws the enrolment (a correction): the pupil is not started after all.
    await db().delete(enrolments).where(eq(enrolments.pupilId, P.noApplication!));
    const run = await runCheck('2026-09-18');
    const rows = await signalsOf(P.noApplication!);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'open', closeReason: null, closedAt: null, version: 3 });
    expect((await eventsOf(rows[0]!.id)).map((e) => e.action)).toEqual(['opened', 'auto_closed', 'reopened']);
    expect(run.reopened).toBe(1);
  });

  it('leaves a signal an officer closed closed, whatever the next runs find', async () => {
    const [signal] = await signalsOf(P.rejected!);
    await db().update(signals).set({ status: 'afgesloten', closedBy: 'officer-1', closeReason: 'werk', closedAt: new Date() }).where(eq(signals.id, signal!.id));
    await runCheck('2026-09-19');
    await runCheck('2026-09-20');
    const [after] = await signalsOf(P.rejected!);
    expect(after).toMatchObject({ status: 'afgesloten', closedBy: 'officer-1', closeReason: 'werk' });
  });

  it('closes a signal in behandeling too when its condition clears', async () => {
    const [signal] = await signalsOf(P.onlyApplied!);
    await db().update(signals).set({ status: 'in_behandeling' }).where(eq(signals.id, signal!.id));
    await db().update(pupils).set({ destination: 'werk' }).where(eq(pupils.id, P.onlyApplied!));
    await runCheck('2026-09-21');
    const [after] = await signalsOf(P.onlyApplied!);
    expect(after).toMatchObject({ status: 'afgesloten', closeReason: 'elders_onderwijs_of_werk', closedBy: null });
    expect((await eventsOf(after!.id)).at(-1)).toMatchObject({ action: 'auto_closed', fromStatus: 'in_behandeling' });
  });

  it('closes as buiten_doelgroep when the cohort is no longer monitored', async () => {
    await runCheck('2027-08-01');
    const open = await db().select().from(signals).where(and(eq(signals.cohort, '2025-2026'), sql`${signals.status} <> 'afgesloten'`));
    expect(open).toEqual([]);
    const [signal] = await signalsOf(P.eighteenOverSummer!);
    expect(signal).toMatchObject({ status: 'afgesloten', closeReason: 'buiten_doelgroep' });
  });
});

describe('erasure', () => {
  it("deletes a pupil's signals and their events with the pupil", async () => {
    const { id } = await insertPupil(ctx.services);
    await db().transaction((trx) => checkSignals(trx, { asOf: '2026-09-05', pupilIds: [id] }));
    const [signal] = await signalsOf(id);
    expect(await eventsOf(signal!.id)).toHaveLength(1);
    await db().delete(pupils).where(eq(pupils.id, id));
    expect(await signalsOf(id)).toEqual([]);
    expect(await eventsOf(signal!.id)).toEqual([]);
  });
});

describe('re-evaluating some pupils', () => {
  let pupil: string;
  let other: string;
  beforeEach(async () => {
    pupil = (await insertPupil(ctx.services, { gemeenteCode: 'GM9902' })).id;
    other = (await insertPupil(ctx.services, { gemeenteCode: 'GM9902' })).id;
  });

  it('judges only the given pupils, with the same rules', async () => {
    const outcome = await db().transaction((trx) => checkSignals(trx, { asOf: '2026-09-05', pupilIds: [pupil] }));
    expect(outcome).toMatchObject({ evaluated: 1, opened: 1, closed: 0 });
    expect((await signalsOf(pupil)).map((s) => s.kind)).toEqual(['niet_gestart']);
    expect(await signalsOf(other)).toEqual([]);

    await enrol(pupil, 'ingeschreven', { startDate: '2026-09-04' });
    const again = await db().transaction((trx) => checkSignals(trx, { asOf: '2026-09-05', pupilIds: [pupil, other] }));
    expect(again).toMatchObject({ evaluated: 2, opened: 1, closed: 1 });
    expect((await signalsOf(pupil))[0]).toMatchObject({ status: 'afgesloten', closeReason: 'ingeschreven' });
  });

  it('writes an outbox row for each change a subscription listens to, in the same transaction', async () => {
    await db().insert(subscriptions).values({ orgCode: 'GM9902', channel: 'webhook', url: 'https://example.test/hook', events: ['*'], createdBy: 'test' });
    const before = await db().select({ id: outbox.id }).from(outbox);
    await db().transaction((trx) => checkSignals(trx, { asOf: '2026-09-05', pupilIds: [pupil, other] }));
    const rows = await db().select().from(outbox).where(sql`${outbox.id} > ${before.at(-1)?.id ?? 0}`);
    expect(rows.map((r) => r.eventType)).toEqual(['signal.opened', 'signal.opened']);
  });
});
