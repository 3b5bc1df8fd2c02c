import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { createTestContext, type TestContext } from '../support/context.js';
import { insertPupil, seedOrganisations } from '../support/fixtures.js';
import { checkRuns, enrolments, organisations, signalEvents, signals } from '../../src/db/schema.js';
import { todayIn } from '../../src/domain/calendar.js';
import { startWorker, type RunningWorker } from '../../jobs/worker.js';
import { scheduleRecurringJobs } from '../../jobs/schedules.js';

let ctx: TestContext;
const workers: RunningWorker[] = [];
const db = () => ctx.services.database.db;
const admin = () => ctx.as('admin', 'RMC01');

async function until<T>(probe: () => Promise<T | null | undefined | false>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * A cohort and region calendar under which a pupil without enrolment is niet_gestart today,
 * whatever day the tests run: the evaluate job judges on the real today.
 */
function cohortNietGestartToday(today: string) {
  const year = Number(today.slice(0, 4));
  const endYear = today >= `${year}-07-02` ? year : year - 1;
  return { cohort: `${endYear - 1}-${endYear}`, regionStart: '07-02', birthDate: `${endYear - 16}-03-15` };
}

beforeAll(async () => {
  ctx = await createTestContext();
  await seedOrganisations(ctx.services);
  workers.push(await startWorker(ctx.services), await startWorker(ctx.services));
});
afterAll(async () => {
  await Promise.all(workers.map((w) => w.close()));
  await ctx.close();
});

describe('POST /v1/checks', () => {
  it('answers 202 with the run id and Location, and the run shows its result when done', async () => {
    await insertPupil(ctx.services, { birthDate: '2010-03-15' });
    const res = await ctx.app.inject({ method: 'POST', url: '/v1/checks', headers: admin(), payload: { asOf: '2026-09-02' } });
    expect(res.statusCode).toBe(202);
    const { id, status } = res.json();
    expect(status).toBe('queued');
    expect(res.headers.location).toBe(`/v1/checks/${id}`);

    const done = await until(async () => {
      const r = await ctx.app.inject({ method: 'GET', url: `/v1/checks/${id}`, headers: admin() });
      const body = r.json() as { status: string; finishedAt: string; startedAt: string };
      return body.status === 'done' ? body : null;
    });
    expect(done).toMatchObject({ id, asOf: '2026-09-02', trigger: 'manual', progress: 1, evaluated: 1, opened: 1, closed: 0, counts: { niet_gestart: 1 }, createdBy: 'admin-RMC01' });
    expect(Date.parse(done.finishedAt)).toBeGreaterThanOrEqual(Date.parse(done.startedAt));
    // The finish is when the run's transaction ended, after the signals it stamped with its start.
    const { rows } = await ctx.services.database.pool.query(
      'select r.finished_at > max(s.opened_at) as after from check_runs r, signals s where r.id = $1 group by r.finished_at', [id],
    );
    expect(rows).toEqual([{ after: true }]);

    const list = await ctx.app.inject({ method: 'GET', url: '/v1/checks', headers: admin() });
    expect(list.json().items.map((r: { id: string }) => r.id)).toContain(id);
  });

  it('runs for today when no asOf is given', async () => {
    const res = await ctx.app.inject({ method: 'POST', url: '/v1/checks', headers: admin() });
    expect(res.statusCode).toBe(202);
    const run = await until(async () => {
      const [r] = await db().select().from(checkRuns).where(eq(checkRuns.id, res.json().id));
      return r?.status === 'done' && r;
    });
    expect(run.asOf).toBe(todayIn('Europe/Amsterdam'));
  });

  it('is for admins only, and rejects unknown fields', async () => {
    const officer = await ctx.app.inject({ method: 'POST', url: '/v1/checks', headers: ctx.as('officer', 'GM9901'), payload: {} });
    expect(officer.statusCode).toBe(403);
    const read = await ctx.app.inject({ method: 'GET', url: '/v1/checks', headers: ctx.as('mentor', '11AA00') });
    expect(read.statusCode).toBe(403);
    const unknown = await ctx.app.inject({ method: 'POST', url: '/v1/checks', headers: admin(), payload: { asOf: '2026-09-02', force: true } });
    expect(unknown.statusCode).toBe(400);
    const badDate = await ctx.app.inject({ method: 'POST', url: '/v1/checks', headers: admin(), payload: { asOf: '2026-02-30' } });
    expect(badDate.statusCode).toBe(400);
  });

  it('answers 404 for a run that does not exist', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/v1/checks/00000000-0000-4000-8000-000000000000', headers: admin() });
    expect(res.statusCode).toBe(404);
  });
});

describe('the evaluate job', () => {
  it('closes a niet_gestart signal as soon as an enrolment arrives, with reason ingeschreven', async () => {
    const today = todayIn('Europe/Amsterdam');
    const { cohort, regionStart, birthDate } = cohortNietGestartToday(today);
    await db().update(organisations).set({ checkStartDate: regionStart }).where(eq(organisations.code, 'RMC02'));
    const { id } = await insertPupil(ctx.services, { cohort, birthDate, gemeenteCode: 'GM9903', schoolCode: '22BB00' });

    await ctx.services.queues.add('evaluate', { pupilIds: [id] });
    const opened = await until(async () => (await db().select().from(signals).where(eq(signals.pupilId, id)))[0]);
    expect(opened).toMatchObject({ kind: 'niet_gestart', status: 'open', audience: 'officer', gemeenteCode: 'GM9903' });

    await db().insert(enrolments).values({ pupilId: id, mboBrin: '33CC', crebo: '25168', status: 'ingeschreven', startDate: today });
    await ctx.services.queues.add('evaluate', { pupilIds: [id] });
    const closed = await until(async () => {
      const [s] = await db().select().from(signals).where(and(eq(signals.id, opened.id), eq(signals.status, 'afgesloten')));
      return s;
    });
    expect(closed).toMatchObject({ closeReason: 'ingeschreven', closedBy: null });
    const events = await db().select().from(signalEvents).where(eq(signalEvents.signalId, opened.id)).orderBy(signalEvents.id);
    expect(events.map((e) => [e.action, e.checkRunId])).toEqual([['opened', null], ['auto_closed', null]]);
  });
});

describe('the nightly scheduler', () => {
  it('is one scheduler, however many workers upsert it, on the configured cron in Europe/Amsterdam', async () => {
    await scheduleRecurringJobs(ctx.services);
    await scheduleRecurringJobs(ctx.services);
    const queue = ctx.services.queues.get('monitoring');
    const nightly = (await queue.getJobSchedulers()).filter((s) => s.key === 'nightly-check-v1');
    expect(nightly).toEqual([expect.objectContaining({ name: 'check', pattern: '0 2 * * *', tz: 'Europe/Amsterdam' })]);
    await queue.removeJobScheduler('nightly-check-v1');
  });

  it('runs the check once per night with two workers, however many ticks arrive', async () => {
    const queue = ctx.services.queues.get('monitoring');
    const completedBefore = (await queue.getJobCounts('completed')).completed ?? 0;
    // Ticks every 150 ms, and a burst of simultaneous ones, stand in for the nightly tick, its
    // retries and duplicate deliveries.
    await Promise.all([
      queue.upsertJobScheduler('nightly-check-v1', { every: 150 }, { name: 'check', data: { checkRunId: '' } }),
      queue.addBulk([1, 2, 3, 4].map(() => ({ name: 'check', data: { checkRunId: '' } }))),
    ]);
    try {
      await until(async () => ((await queue.getJobCounts('completed')).completed ?? 0) >= completedBefore + 8, 20_000);
    } finally {
      await queue.removeJobScheduler('nightly-check-v1');
    }
    const runs = await db().select().from(checkRuns).where(eq(checkRuns.trigger, 'schedule'));
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ asOf: todayIn('Europe/Amsterdam'), status: 'done', createdBy: 'scheduler' });
    const executions = ctx.logs.filter((l) => l.includes(runs[0]!.id) && l.includes('check run done'));
    expect(executions).toHaveLength(1);
  });
});
