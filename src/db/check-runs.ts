import { and, eq, ne, sql } from 'drizzle-orm';
import type { IsoDate } from '../domain/calendar.js';
import type { Services } from '../services.js';
import { CHECK_LOCK, checkSignals, unresolvedCounts, type CheckOutcome } from './check-sql.js';
import { checkRuns } from './schema.js';

/**
 * The life of a check run: created (queued) by POST /v1/checks or by the nightly scheduler,
 * executed by the `check` job. The run's result commits in the transaction that changes the
 * signals, so a run is `done` exactly when its changes are in, and never done twice.
 */

export type CheckRun = typeof checkRuns.$inferSelect;

/** The run of tonight's schedule: one per date, whoever asks first creates it. */
export async function scheduledRunFor(services: Services, asOf: IsoDate): Promise<string> {
  const { db } = services.database;
  await db.execute(sql`
    insert into check_runs (as_of, trigger, created_by) values (${asOf}::date, 'schedule', 'scheduler')
    on conflict (as_of) where trigger = 'schedule' do nothing
  `);
  const [run] = await db
    .select({ id: checkRuns.id })
    .from(checkRuns)
    .where(and(eq(checkRuns.asOf, asOf), eq(checkRuns.trigger, 'schedule')));
  return run!.id;
}

export type ExecutedRun =
  | { executed: true; run: CheckRun; outcome: CheckOutcome }
  | { executed: false; run: CheckRun | null };

/**
 * Executes a run unless it is already done (a retry, or a second worker with the same tick).
 * The done-check happens again under the check lock, so two executions of one run cannot both
 * pass it. A failure marks the run failed and is rethrown, so the job is retried.
 */
export async function executeCheckRun(services: Services, runId: string): Promise<ExecutedRun> {
  const { db } = services.database;
  const [started] = await db
    .update(checkRuns)
    .set({ status: 'running', startedAt: sql`now()`, error: null })
    .where(and(eq(checkRuns.id, runId), ne(checkRuns.status, 'done')))
    .returning();
  if (!started) {
    const [run] = await db.select().from(checkRuns).where(eq(checkRuns.id, runId));
    return { executed: false, run: run ?? null };
  }
  try {
    return await db.transaction(async (trx) => {
      await trx.execute(sql`select pg_advisory_xact_lock(${CHECK_LOCK})`);
      const [current] = await trx.select().from(checkRuns).where(eq(checkRuns.id, runId)).for('update');
      if (!current || current.status === 'done') return { executed: false as const, run: current ?? null };
      const outcome = await checkSignals(trx, { asOf: current.asOf, checkRunId: runId });
      const [run] = await trx
        .update(checkRuns)
        .set({
          status: 'done',
          evaluated: outcome.evaluated,
          opened: outcome.opened,
          reopened: outcome.reopened,
          closed: outcome.closed,
          counts: await unresolvedCounts(trx),
          // now() would be the transaction's start, the moment the check began.
          finishedAt: sql`clock_timestamp()`,
        })
        .where(eq(checkRuns.id, runId))
        .returning();
      return { executed: true as const, run: run!, outcome };
    });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    await db
      .update(checkRuns)
      .set({ status: 'failed', error: message.slice(0, 500), finishedAt: sql`clock_timestamp()` })
      .where(and(eq(checkRuns.id, runId), ne(checkRuns.status, 'done')));
    throw err;
  }
}
