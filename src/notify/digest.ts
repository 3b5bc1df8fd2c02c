import { and, eq, gt, sql } from 'drizzle-orm';
import { checkRuns, outbox } from '../db/schema.js';
import type { Services } from '../services.js';
import type { DigestPayload, KindCounts } from './email.js';
import { reachesOrg, tryDispatchPending, withTimeout } from './outbox.js';

/**
 * After a nightly check run, one digest per active e-mail subscription: an outbox row with the
 * counts for that organisation, delivered by the same `deliver` job as webhooks (so it gets the
 * same retries, and failures show in GET /v1/subscriptions/:id/deliveries).
 */

/**
 * Queues the digest of a finished check run; the check processor calls this after a scheduled
 * run. One digest job per run, however often it is called. If it fails (Redis down), the sweep
 * queues the digests of scheduled runs of the last day itself (queueRecentDigests), so a caller
 * may log the error and carry on.
 */
export async function enqueueDigest(services: Services, checkRunId: string): Promise<void> {
  await withTimeout(services.queues.add('digest', { checkRunId }, { jobId: `digest-${checkRunId}` }), 5_000, 'queueing the digest');
}

/** The sweep's safety net: digests of scheduled runs that finished in the last day. */
export async function queueRecentDigests(services: Services): Promise<number> {
  if (!services.config.mail.smtpUrl) return 0;
  const runs = await services.database.db
    .select({ id: checkRuns.id })
    .from(checkRuns)
    .where(and(eq(checkRuns.trigger, 'schedule'), eq(checkRuns.status, 'done'), gt(checkRuns.finishedAt, sql`now() - interval '1 day'`)));
  // Repeated adds of the same job id are no-ops, and createDigests skips subscriptions already served.
  await Promise.all(runs.map((r) => enqueueDigest(services, r.id)));
  return runs.length;
}

export interface DigestResult {
  /** Digest rows written now (0 when an earlier attempt already wrote them). */
  created: number;
  skipped?: 'no-smtp' | 'run-not-done';
}

/**
 * Writes the digest rows of a run: idempotent per (subscription, check run), under an advisory
 * lock so two workers cannot both decide a digest is missing. Counts are taken once, here, so a
 * retried delivery sends the same numbers.
 */
export async function createDigests(services: Services, checkRunId: string): Promise<DigestResult> {
  const { config, logger } = services;
  if (!config.mail.smtpUrl) {
    logger.info({ checkRunId }, 'e-mail digest skipped: SMTP_URL is not set');
    return { created: 0, skipped: 'no-smtp' };
  }
  const created = await services.database.db.transaction(async (trx) => {
    const [run] = await trx.select({ status: checkRuns.status, asOf: checkRuns.asOf }).from(checkRuns).where(eq(checkRuns.id, checkRunId));
    if (!run || run.status !== 'done') return null;
    await trx.execute(sql`select pg_advisory_xact_lock(hashtext(${`digest:${checkRunId}`}))`);

    const { rows } = await trx.execute<{ subscription_id: string; org_code: string; counts: KindCounts[] }>(sql`
      with subs as (
        select s.id, s.org_code from subscriptions s
        where s.active and s.channel = 'email' and ('digest' = any(s.events) or '*' = any(s.events))
          and not exists (
            select 1 from outbox o
            where o.subscription_id = s.id and o.event_type = 'digest' and o.payload->>'checkRunId' = ${checkRunId})
      ),
      touched as (
        select e.signal_id,
          bool_or(e.action in ('opened', 'reopened')) as opened,
          bool_or(e.action = 'auto_closed') as closed
        from signal_events e where e.check_run_id = ${checkRunId}
        group by e.signal_id
      ),
      relevant as (
        select sg.id, sg.kind, sg.status, sg.audience, sg.gemeente_code, sg.school_code,
          coalesce(t.opened, false) as opened, coalesce(t.closed, false) as closed
        from signals sg left join touched t on t.signal_id = sg.id
        where sg.status <> 'afgesloten' or t.signal_id is not null
      ),
      per_kind as (
        select subs.id as subscription_id, r.kind,
          count(*) filter (where r.status = 'open')::int as open,
          count(*) filter (where r.status = 'in_behandeling')::int as in_behandeling,
          count(*) filter (where r.opened)::int as opened,
          count(*) filter (where r.closed)::int as closed
        from subs join relevant r
          on ${reachesOrg(sql`subs.org_code`, sql`r.audience`, sql`r.gemeente_code`, sql`r.school_code`)}
        group by subs.id, r.kind
      )
      select subs.id as subscription_id, subs.org_code,
        coalesce(jsonb_agg(jsonb_build_object('kind', p.kind, 'open', p.open, 'inBehandeling', p.in_behandeling,
          'opened', p.opened, 'closed', p.closed) order by p.kind) filter (where p.kind is not null), '[]'::jsonb) as counts
      from subs left join per_kind p on p.subscription_id = subs.id
      group by subs.id, subs.org_code
    `);
    if (rows.length === 0) return 0;
    await trx.insert(outbox).values(
      rows.map((r) => ({
        subscriptionId: r.subscription_id,
        eventType: 'digest',
        payload: { type: 'digest', checkRunId, asOf: run.asOf, orgCode: r.org_code, counts: r.counts } satisfies DigestPayload,
      })),
    );
    return rows.length;
  });
  if (created === null) {
    logger.warn({ checkRunId }, 'e-mail digest skipped: the check run is missing or not done');
    return { created: 0, skipped: 'run-not-done' };
  }
  // Right away rather than at the next sweep; the sweep covers a Redis hiccup here.
  if (created > 0) await tryDispatchPending(services);
  return { created };
}
