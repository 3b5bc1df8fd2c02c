import { z } from 'zod';
import { and, desc, eq } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { todayIn } from '../../domain/calendar.js';
import type { CheckRun as CheckRunRow } from '../../db/check-runs.js';
import { beforeCursor, cursorTime } from '../../db/keyset.js';
import { checkRuns, importStatus } from '../../db/schema.js';
import { HttpProblem, notFound } from '../problems.js';
import { IdParams, IsoDate, PageQuery, decodeCursor, page, problems, toPage } from '../schemas.js';

const tags = ['checks'];
const Time = z.iso.datetime();
const iso = (d: Date | null) => (d ? d.toISOString() : null);

const Accepted = z.object({ id: z.uuid(), status: z.enum(importStatus) }).meta({ id: 'CheckAccepted' });

const CheckRun = z
  .object({
    id: z.uuid(),
    asOf: IsoDate,
    trigger: z.enum(['schedule', 'manual', 'event']),
    status: z.enum(importStatus),
    progress: z.number().min(0).max(1),
    evaluated: z.number().int().describe('Pupils of a monitored cohort that were judged'),
    opened: z.number().int(),
    reopened: z.number().int(),
    closed: z.number().int(),
    counts: z.record(z.string(), z.number().int()).describe('Unresolved signals per kind after the run'),
    error: z.string().nullable(),
    createdBy: z.string().nullable(),
    createdAt: Time,
    startedAt: Time.nullable(),
    finishedAt: Time.nullable(),
  })
  .meta({ id: 'CheckRun' });

function view(r: CheckRunRow): z.infer<typeof CheckRun> {
  return {
    id: r.id,
    asOf: r.asOf,
    trigger: r.trigger,
    status: r.status,
    // One statement does the work: there is nothing in between to report.
    progress: r.status === 'done' ? 1 : 0,
    evaluated: r.evaluated,
    opened: r.opened,
    reopened: r.reopened,
    closed: r.closed,
    counts: r.counts ?? {},
    error: r.error,
    createdBy: r.createdBy,
    createdAt: r.createdAt.toISOString(),
    startedAt: iso(r.startedAt),
    finishedAt: iso(r.finishedAt),
  };
}

/** Check runs: the nightly one and those an admin starts by hand. Admin only. */
const routes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/checks',
    {
      preHandler: app.requireRole('admin'),
      schema: {
        tags,
        description: 'Runs the transition check now, for asOf (default: today in Europe/Amsterdam). Answers 202; follow Location.',
        body: z.object({ asOf: IsoDate.optional() }).strict().nullish().describe('Optional; without a body the check runs for today'),
        response: { 202: Accepted, ...problems(403, 503) },
      },
    },
    async (request, reply) => {
      const asOf = request.body?.asOf ?? todayIn(app.services.config.timezone);
      const [run] = await app.db.insert(checkRuns).values({ asOf, trigger: 'manual', createdBy: request.caller.sub }).returning();
      try {
        await app.services.queues.add('check', { checkRunId: run!.id }, { jobId: run!.id });
      } catch (err) {
        await app.db.update(checkRuns).set({ status: 'failed', error: 'could not be queued' }).where(eq(checkRuns.id, run!.id));
        request.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'check not queued');
        throw new HttpProblem('service-unavailable', 'The job queue is unavailable; try again later');
      }
      return reply.status(202).header('location', `/v1/checks/${run!.id}`).send({ id: run!.id, status: run!.status });
    },
  );

  app.get(
    '/checks',
    {
      preHandler: app.requireRole('admin'),
      schema: { tags, description: 'Check runs, newest first.', querystring: PageQuery, response: { 200: page(CheckRun), ...problems(403) } },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      const rows = await app.db
        .select({ run: checkRuns, cursorAt: cursorTime(checkRuns.createdAt) })
        .from(checkRuns)
        .where(and(beforeCursor(checkRuns.createdAt, checkRuns.id, decodeCursor(cursor), 'uuid')))
        .orderBy(desc(checkRuns.createdAt), desc(checkRuns.id))
        .limit(limit + 1);
      return toPage(rows, limit, (r) => ({ at: r.cursorAt, id: r.run.id }), (r) => view(r.run));
    },
  );

  app.get(
    '/checks/:id',
    {
      preHandler: app.requireRole('admin'),
      schema: { tags, params: IdParams, response: { 200: CheckRun, ...problems(403, 404) } },
    },
    async (request) => {
      const [run] = await app.db.select().from(checkRuns).where(eq(checkRuns.id, request.params.id));
      if (!run) throw notFound('check run');
      return view(run);
    },
  );
};
export default routes;
