import { timingSafeEqual } from 'node:crypto';
import fp from 'fastify-plugin';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Job, Worker } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Services } from '../../services.js';
import { HttpProblem } from '../problems.js';
import { problems } from '../schemas.js';

/**
 * Prometheus metrics. One registry per Services (one per process, one per test context), not
 * prom-client's global one: tests build several apps in one process, and a process that runs
 * both the API and the worker (ROLE=all) reports the worker's job metrics on the API's /metrics.
 * A worker-only process (ROLE=worker) serves its own /metrics (buildOpsApp in src/http/app.ts).
 */
export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status_code'>;
  jobDuration: Histogram<'queue' | 'name' | 'outcome'>;
  jobFailures: Counter<'queue' | 'name' | 'final'>;
  queueJobs: Gauge<'queue' | 'state'>;
  signalsOpen: Gauge<'kind'>;
  signalsOpened: Counter;
  signalsClosed: Counter;
  sourceUp: Gauge<'source'>;
}

const byServices = new WeakMap<Services, Metrics>();

export function metricsFor(services: Services): Metrics {
  let metrics = byServices.get(services);
  if (!metrics) byServices.set(services, (metrics = createMetrics()));
  return metrics;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by method, route template and status code',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    jobDuration: new Histogram({
      name: 'doorstroom_job_duration_seconds',
      help: 'Duration of one job attempt, by queue, job name and outcome',
      labelNames: ['queue', 'name', 'outcome'],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 1800],
      registers,
    }),
    jobFailures: new Counter({
      name: 'doorstroom_job_failures_total',
      help: 'Failed job attempts; final="true" when no retry is left',
      labelNames: ['queue', 'name', 'final'],
      registers,
    }),
    queueJobs: new Gauge({ name: 'doorstroom_queue_jobs', help: 'Jobs per queue and state, read at scrape time', labelNames: ['queue', 'state'], registers }),
    signalsOpen: new Gauge({ name: 'doorstroom_signals_open', help: 'Signals not yet closed (open or in behandeling), by kind', labelNames: ['kind'], registers }),
    signalsOpened: new Counter({ name: 'doorstroom_signals_opened_total', help: 'Signals opened or reopened by finished check runs', registers }),
    signalsClosed: new Counter({ name: 'doorstroom_signals_closed_total', help: 'Signals closed automatically by finished check runs', registers }),
    sourceUp: new Gauge({ name: 'doorstroom_metrics_source_up', help: 'Whether the last scrape could read this source (1) or not (0)', labelNames: ['source'], registers }),
  };
}

/** Job durations and failures from a BullMQ worker's events. jobs/worker.ts calls this per worker. */
export function instrumentWorker(worker: Worker, metrics: Metrics): void {
  const queue = worker.name;
  const seconds = (job: Job) => ((job.finishedOn ?? Date.now()) - (job.processedOn ?? Date.now())) / 1000;
  worker.on('completed', (job) => metrics.jobDuration.observe({ queue, name: job.name, outcome: 'completed' }, seconds(job)));
  worker.on('failed', (job) => {
    if (!job) return;
    metrics.jobDuration.observe({ queue, name: job.name, outcome: 'failed' }, seconds(job));
    metrics.jobFailures.inc({ queue, name: job.name, final: String(job.attemptsMade >= (job.opts.attempts ?? 1)) });
  });
}

const STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'failed', 'completed'] as const;
const SCRAPE_TIMEOUT_MS = 2_000;

function within<T>(promise: Promise<T>): Promise<T> {
  return Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), SCRAPE_TIMEOUT_MS).unref())]);
}

/** Scrape-time readings: one call per queue to Redis and one query to PostgreSQL. */
async function refresh(services: Services, metrics: Metrics): Promise<void> {
  const [redis, postgres] = await Promise.allSettled([
    within(Promise.all(services.queues.all().map(async (q) => [q.name, await q.getJobCounts(...STATES)] as const))),
    within(
      services.database.db.execute<{ open: Record<string, number> | null; opened: number; closed: number }>(sql`
        select
          (select jsonb_object_agg(kind, n) from (select kind, count(*)::int as n from signals where status <> 'afgesloten' group by kind) k) as open,
          (select coalesce(sum(opened + reopened), 0)::int from check_runs where status = 'done') as opened,
          (select coalesce(sum(closed), 0)::int from check_runs where status = 'done') as closed`),
    ),
  ]);
  metrics.sourceUp.set({ source: 'redis' }, redis.status === 'fulfilled' ? 1 : 0);
  metrics.sourceUp.set({ source: 'postgres' }, postgres.status === 'fulfilled' ? 1 : 0);
  if (redis.status === 'fulfilled') {
    for (const [queue, counts] of redis.value) for (const state of STATES) metrics.queueJobs.set({ queue, state }, counts[state] ?? 0);
  }
  if (postgres.status === 'fulfilled') {
    const row = postgres.value.rows[0]!;
    metrics.signalsOpen.reset();
    for (const [kind, n] of Object.entries(row.open ?? {})) metrics.signalsOpen.set({ kind }, n);
    // Totals kept by check_runs, exposed as counters: monotonic while runs are kept.
    metrics.signalsOpened.reset();
    metrics.signalsOpened.inc(row.opened);
    metrics.signalsClosed.reset();
    metrics.signalsClosed.inc(row.closed);
  }
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header?.startsWith('Bearer ') ? header.slice(7) : '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * GET /metrics, outside /v1 and its JWT auth: Prometheus scrapes with a static credential.
 * Open unless METRICS_TOKEN is set, then `Authorization: Bearer <METRICS_TOKEN>`. Registered
 * before the routes so its onResponse hook times every request.
 */
export default fp(async function metricsPlugin(app: FastifyInstance) {
  const services = app.services;
  const metrics = metricsFor(services);
  const token = services.config.metrics.token;

  app.addHook('onResponse', async (request, reply) => {
    metrics.httpDuration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  app.withTypeProvider<ZodTypeProvider>().get(
    '/metrics',
    {
      schema: {
        tags: ['operations'],
        description: 'Prometheus text format. Needs `Authorization: Bearer <METRICS_TOKEN>` when that setting is set.',
        security: token ? [{ bearer: [] }] : [],
        response: { 200: z.string().describe('text/plain; version=0.0.4'), ...problems() },
      },
    },
    async (request, reply) => {
      if (token && !tokenMatches(request.headers.authorization, token)) {
        throw new HttpProblem('unauthorized', 'Send Authorization: Bearer <METRICS_TOKEN>');
      }
      await refresh(services, metrics);
      return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
    },
  );
});
