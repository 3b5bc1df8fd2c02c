import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Job } from 'bullmq';
import { createTestContext, type TestContext } from '../support/context.js';
import { startWorker, type Processors, type RunningWorker } from '../../jobs/worker.js';
import type { JobName } from '../../jobs/queues.js';

/**
 * The rest of the code only sees `services.queues`; these prove that both backends behind it
 * run jobs the way the processors rely on. Redis when the run has one; PostgreSQL always.
 */
const backends = inject('redisUrl') ? (['redis', 'postgres'] as const) : (['postgres'] as const);

describe.each(backends)('BullMQ on %s', (backend) => {
  let ctx: TestContext;
  let worker: RunningWorker;
  const seen: Array<{ name: JobName; data: unknown; attempt: number }> = [];
  // The first attempt of every `evaluate` job fails; the retry succeeds.
  const failedOnce = new Set<string>();

  beforeAll(async () => {
    ctx = await createTestContext({ QUEUE_BACKEND: backend, WORKER_CONCURRENCY: '2' });
    const record = async (job: Job) => {
      seen.push({ name: job.name as JobName, data: job.data, attempt: job.attemptsMade });
    };
    const handlers: Processors = {
      import: record,
      check: record,
      deliver: record,
      digest: record,
      sweep: record,
      evaluate: async (job) => {
        if (!failedOnce.has(job.id!)) {
          failedOnce.add(job.id!);
          throw new Error('first attempt fails on purpose');
        }
        await record(job);
      },
    };
    worker = await startWorker(ctx.services, handlers);
  });

  afterAll(async () => {
    await worker?.close();
    await ctx?.close();
  });

  it(`uses the ${backend} backend and reports it ready`, async () => {
    expect(ctx.services.queues.backend).toBe(backend);
    const res = await ctx.app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(200);
    expect(res.json().checks[backend === 'redis' ? 'redis' : 'queue']).toBe('ok');
  });

  it('runs an added job once on the worker, with its payload', async () => {
    await ctx.services.queues.add('import', { importId: `imp-${backend}` }, { jobId: `import-${backend}` });
    // The same job id again is a no-op: producers rely on it to queue a row at most once.
    await ctx.services.queues.add('import', { importId: `imp-${backend}` }, { jobId: `import-${backend}` });
    const queue = ctx.services.queues.get('imports');
    await untilAsync(async () => (await queue.getJobState(`import-${backend}`)) === 'completed');
    expect(seen.filter((s) => s.name === 'import')).toEqual([{ name: 'import', data: { importId: `imp-${backend}` }, attempt: 0 }]);
  });

  it('retries a failed job with backoff until it succeeds', async () => {
    await ctx.services.queues.add('evaluate', { pupilIds: ['p1'] }, { jobId: `evaluate-${backend}`, attempts: 3, backoff: { type: 'fixed', delay: 50 } });
    const queue = ctx.services.queues.get('monitoring');
    await untilAsync(async () => (await queue.getJobState(`evaluate-${backend}`)) === 'completed');
    expect(seen.filter((s) => s.name === 'evaluate')).toEqual([{ name: 'evaluate', data: { pupilIds: ['p1'] }, attempt: 1 }]);
    expect((await queue.getJob(`evaluate-${backend}`))?.attemptsMade).toBe(2);
  });

  it('fires a job scheduler repeatedly, and stops once it is removed', async () => {
    const queue = ctx.services.queues.get('notifications');
    await queue.upsertJobScheduler(`sweep-test-${backend}`, { every: 150 }, { name: 'sweep', data: {} });
    // Upserting the same id again does not add a second scheduler (every worker start does this).
    await queue.upsertJobScheduler(`sweep-test-${backend}`, { every: 150 }, { name: 'sweep', data: {} });
    expect(await queue.getJobSchedulersCount()).toBe(1);
    await until(() => seen.filter((s) => s.name === 'sweep').length >= 2);
    await queue.removeJobScheduler(`sweep-test-${backend}`);
    expect(await queue.getJobSchedulersCount()).toBe(0);
  });

  it('purges every job of its queues', async () => {
    await ctx.services.queues.add('digest', { checkRunId: 'later' }, { delay: 60_000 });
    expect(await ctx.services.queues.get('notifications').getJobCountByTypes('delayed')).toBe(1);
    await ctx.services.queues.purge();
    expect(await ctx.services.queues.get('notifications').getJobCountByTypes('delayed', 'completed')).toBe(0);
  });
});

const until = (condition: () => boolean, timeoutMs?: number) => untilAsync(async () => condition(), timeoutMs);

async function untilAsync(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
