import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Job } from 'bullmq';
import { sweep } from '../../jobs/processors/sweep.js';
import { startWorker } from '../../jobs/worker.js';
import { createTestContext, type TestContext } from '../support/context.js';
import { nextBsn, seedOrganisations } from '../support/fixtures.js';
import { upload } from '../support/uploads.js';
import { csvBytes } from '../fixtures/imports.js';

let ctx: TestContext;
const mentor = () => ctx.as('mentor', '11AA00');
const runSweep = () => sweep({ data: {} } as Job<Record<string, never>, unknown, 'sweep'>, ctx.services);
const statusOf = async (id: string) => (await ctx.app.inject({ method: 'GET', url: `/v1/imports/${id}`, headers: mentor() })).json().status;

beforeAll(async () => {
  ctx = await createTestContext();
  await seedOrganisations(ctx.services);
});
afterAll(() => ctx.close());

it('runs an upload whose job never reached the queue: the sweep queues it again, once', async () => {
  const file = csvBytes([['Stamnr', 'BSN', 'Roepnaam', 'Achternaam', 'Geb. datum'], ['1', nextBsn(), 'Sam', 'Testpersoon', '15-03-2010']]);
  const res = await upload(ctx, mentor(), { kind: 'leerlingen', cohort: '2025-2026' }, file);
  expect(res.statusCode, res.body).toBe(202);
  const { id } = res.json() as { id: string };
  // What a queue outage at upload leaves behind: the import stored and queued, its job gone.
  const imports = ctx.services.queues.get('imports');
  await (await imports.getJob(id))!.remove();

  expect(await runSweep()).toMatchObject({ imports: 0 }); // too fresh: its upload may still be queueing it
  await ctx.services.database.pool.query(`update imports set created_at = now() - interval '2 minutes' where id = $1`, [id]);
  expect(await runSweep()).toMatchObject({ imports: 1 });
  expect(await runSweep()).toMatchObject({ imports: 1 }); // the same job id: still one job
  expect(await imports.getJobCounts('waiting', 'delayed', 'prioritized')).toEqual({ waiting: 1, delayed: 0, prioritized: 0 });

  const worker = await startWorker(ctx.services);
  try {
    await expect.poll(() => statusOf(id), { timeout: 15_000 }).toBe('done');
  } finally {
    await worker.close();
  }
});
