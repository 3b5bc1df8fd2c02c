import { and, asc, eq, sql, type SQL } from 'drizzle-orm';
import type { JobsOptions } from 'bullmq';
import type { Executor } from '../db/client.js';
import { outbox } from '../db/schema.js';
import type { Services } from '../services.js';

/**
 * The transactional outbox. A signal change and the notifications it causes are written in the
 * same transaction, so a crash or a Redis outage can delay an alert but never lose it: the
 * sweep job (and dispatchPending right after a commit) turns pending rows into `deliver` jobs.
 */

export interface SignalChange {
  signalId: string;
  change: 'opened' | 'reopened' | 'closed';
  kind: string;
  audience: 'school' | 'officer' | 'both';
  gemeenteCode: string | null;
  schoolCode: string | null;
}

export const signalEvents = ['signal.opened', 'signal.reopened', 'signal.closed'] as const;

/** What a webhook receiver gets: ids and codes only; details come from the API with its own token. */
export interface SignalPayload {
  type: (typeof signalEvents)[number];
  signalId: string;
  kind: string;
  gemeenteCode: string | null;
  schoolCode: string | null;
  at: string;
}

/**
 * Whether a signal reaches a subscription's organisation: officer signals go to the gemeente and
 * its RMC region, school signals to the vestiging and its BRIN. Webhooks and the e-mail digest
 * share this rule, so an organisation's digest counts exactly what its webhook would announce.
 */
export function reachesOrg(org: SQL, audience: SQL, gemeenteCode: SQL, schoolCode: SQL): SQL {
  return sql`(
    (${audience} in ('officer', 'both') and (${org} = ${gemeenteCode}
      or ${org} = (select o.parent_code from organisations o where o.code = ${gemeenteCode})))
    or (${audience} in ('school', 'both') and (${org} = ${schoolCode}
      or (${schoolCode} ~ '^\\d{2}[A-Z]{2}\\d{2}$' and ${org} = left(${schoolCode}, 4))))
  )`;
}

/**
 * Inserts, in one statement, an outbox row per (change x active webhook subscription that the
 * change reaches and that listens to its event). Call it inside the transaction that writes the
 * signals; it never talks to Redis. Returns the number of rows written.
 */
export async function enqueueSignalNotifications(trx: Executor, changes: SignalChange[]): Promise<number> {
  if (changes.length === 0) return 0;
  // sql.param: one array parameter, not a list of parameters (drizzle spreads plain arrays).
  const col = <K extends keyof SignalChange>(key: K) => sql.param(changes.map((c) => c[key]));
  const result = await trx.execute(sql`
    insert into outbox (subscription_id, event_type, payload)
    select s.id, 'signal.' || c.change,
      jsonb_build_object(
        'type', 'signal.' || c.change, 'signalId', c.signal_id, 'kind', c.kind,
        'gemeenteCode', c.gemeente_code, 'schoolCode', c.school_code,
        'at', to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
    from unnest(${col('signalId')}::uuid[], ${col('change')}::text[], ${col('kind')}::text[],
                ${col('audience')}::text[], ${col('gemeenteCode')}::text[], ${col('schoolCode')}::text[])
      as c(signal_id, change, kind, audience, gemeente_code, school_code)
    join subscriptions s on s.active and s.channel = 'webhook'
      and ('signal.' || c.change = any(s.events) or '*' = any(s.events))
      and ${reachesOrg(sql`s.org_code`, sql`c.audience`, sql`c.gemeente_code`, sql`c.school_code`)}
  `);
  return result.rowCount ?? 0;
}

/** The deliver job of an outbox row: a stable id so a row is queued at most once at a time. */
export const deliverJobId = (outboxId: number) => `outbox-${outboxId}`;

export function deliverJobOptions(services: Services, outboxId: number): JobsOptions {
  const { attempts, backoffMs } = services.config.webhooks;
  return { jobId: deliverJobId(outboxId), attempts, backoff: { type: 'exponential', delay: backoffMs } };
}

/** A Redis call that gives up: ioredis queues commands while Redis is down, and would wait forever. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms).unref()),
  ]);
}

const BATCH = 500;
/** A pending row this old whose job is gone or finished was lost by Redis or a crashed worker. */
const STALE_MS = 5 * 60_000;

export interface DispatchResult {
  /** Pending rows handed to the queue (a row whose job already waits counts, but is not queued twice). */
  queued: number;
  /** Of those, rows whose earlier job had finished without settling them. */
  requeued: number;
}

/**
 * Queues a `deliver` job for every pending outbox row (the sweep does this every minute; a
 * producer may call it right after its commit for speed). Adding an existing job id is a no-op,
 * so calling it often is harmless, and a row is never delivered by two jobs at once.
 */
export async function dispatchPending(services: Services, timeoutMs = 5_000): Promise<DispatchResult> {
  const { db } = services.database;
  const queue = services.queues.get('notifications');
  const result: DispatchResult = { queued: 0, requeued: 0 };
  let after = 0;
  for (;;) {
    const rows = await db
      .select({ id: outbox.id, createdAt: outbox.createdAt })
      .from(outbox)
      .where(and(eq(outbox.status, 'pending'), sql`${outbox.id} > ${after}`))
      .orderBy(asc(outbox.id))
      .limit(BATCH);
    if (rows.length === 0) return result;
    after = rows.at(-1)!.id;

    // A finished job of a row that is still pending: a worker stalled out, the row was reset
    // for a retry but its old job could not be removed, or Redis lost the job. Queue it afresh.
    const stale = rows.filter((r) => Date.now() - r.createdAt.getTime() > STALE_MS);
    const states = await withTimeout(Promise.all(stale.map((r) => queue.getJobState(deliverJobId(r.id)))), timeoutMs, 'reading job states');
    const finished = stale.filter((_, i) => states[i] === 'completed' || states[i] === 'failed').map((r) => r.id);
    await withTimeout(Promise.all(finished.map((id) => queue.remove(deliverJobId(id)))), timeoutMs, 'removing finished jobs');
    result.requeued += finished.length;

    await withTimeout(
      queue.addBulk(rows.map((r) => ({ name: 'deliver', data: { outboxId: r.id }, opts: deliverJobOptions(services, r.id) }))),
      timeoutMs,
      'queueing deliveries',
    );
    result.queued += rows.length;
    if (rows.length < BATCH) return result;
  }
}

/** For callers that must not fail when Redis is down: the sweep will pick the rows up later. */
export async function tryDispatchPending(services: Services): Promise<void> {
  try {
    await dispatchPending(services, 2_000);
  } catch (err) {
    services.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'outbox dispatch deferred to the sweep');
  }
}

/** Marks a failed row pending again and queues it (POST .../deliveries/:id/retry). */
export async function retryDelivery(services: Services, outboxId: number): Promise<boolean> {
  const [row] = await services.database.db
    .update(outbox)
    .set({ status: 'pending' })
    .where(and(eq(outbox.id, outboxId), eq(outbox.status, 'failed')))
    .returning({ id: outbox.id });
  if (!row) return false;
  try {
    // The failed job keeps its id for a while; remove it, or the new add would be ignored.
    const queue = services.queues.get('notifications');
    await withTimeout(queue.remove(deliverJobId(outboxId)), 2_000, 'removing the failed job');
    await withTimeout(queue.add('deliver', { outboxId }, deliverJobOptions(services, outboxId)), 2_000, 'queueing the delivery');
  } catch (err) {
    services.logger.warn({ outboxId, err: err instanceof Error ? err.message : String(err) }, 'retry queued by the sweep instead');
  }
  return true;
}
