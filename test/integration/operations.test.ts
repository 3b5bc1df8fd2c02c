import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from 'bullmq';
import { createTestContext, type TestContext } from '../support/context.js';
import { insertPupil, seedOrganisations } from '../support/fixtures.js';
import { checkRuns, signals } from '../../src/db/schema.js';
import { buildApp, buildOpsApp } from '../../src/http/app.js';
import { startWorker, type Processors } from '../../jobs/worker.js';
import { processors } from '../../jobs/processors/index.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
  await seedOrganisations(ctx.services);
});
afterAll(() => ctx.close());

const scrape = async (headers: Record<string, string> = {}) => {
  const res = await ctx.app.inject({ method: 'GET', url: '/metrics', headers });
  expect(res.statusCode, res.body).toBe(200);
  return res.body;
};

async function until(probe: () => Promise<boolean> | boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('/metrics', () => {
  it('exposes HTTP latency by route template, queue depth per state, and signals', async () => {
    const pupil = await insertPupil(ctx.services);
    await ctx.services.database.db.insert(signals).values({ pupilId: pupil.id, kind: 'niet_gestart', cohort: '2025-2026', audience: 'officer', gemeenteCode: 'GM9901' });
    await ctx.services.database.db.insert(checkRuns).values([
      { asOf: '2026-09-01', trigger: 'schedule', status: 'done', opened: 3, reopened: 1, closed: 2 },
      { asOf: '2026-09-02', trigger: 'manual', status: 'failed', opened: 100 },
    ]);
    await ctx.services.queues.add('sweep', {}, { delay: 60_000 });
    await ctx.app.inject({ method: 'GET', url: '/v1/organisations/GM9901', headers: ctx.as('officer', 'GM9901') });

    const body = await scrape();
    expect(body).toMatch(/http_request_duration_seconds_bucket\{le="[^"]+",method="GET",route="\/v1\/organisations\/:code",status_code="200"\}/);
    expect(body).not.toContain('route="/v1/organisations/GM9901"');
    expect(body).toContain('doorstroom_queue_jobs{queue="notifications",state="delayed"} 1');
    expect(body).toContain('doorstroom_queue_jobs{queue="imports",state="waiting"} 0');
    expect(body).toContain('doorstroom_signals_open{kind="niet_gestart"} 1');
    expect(body).toContain('doorstroom_signals_opened_total 4');
    expect(body).toContain('doorstroom_signals_closed_total 2');
    expect(body).toContain('doorstroom_metrics_source_up{source="redis"} 1');
  });

  it('requires METRICS_TOKEN when it is set', async () => {
    const token = 'metrics-token-for-the-test';
    const guarded = await buildApp({ ...ctx.services, config: { ...ctx.services.config, metrics: { token } } });
    try {
      const without = await guarded.inject({ method: 'GET', url: '/metrics' });
      expect(without.statusCode).toBe(401);
      expect(without.headers['content-type']).toContain('application/problem+json');
      const wrong = await guarded.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer not-the-token-at-all-no' } });
      expect(wrong.statusCode).toBe(401);
      const right = await guarded.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${token}` } });
      expect(right.statusCode).toBe(200);
      expect(right.headers['content-type']).toContain('text/plain');
    } finally {
      await guarded.close();
    }
  });

  it('counts job durations and failures reported by the worker', async () => {
    const handlers: Processors = {
      ...processors,
      sweep: async () => ({ swept: true }),
      digest: async () => {
        throw new Error('digest broke');
      },
    };
    const running = await startWorker(ctx.services, handlers);
    try {
      await ctx.services.queues.add('sweep', {}, { jobId: 'metrics-sweep' });
      await ctx.services.queues.add('digest', { checkRunId: '00000000-0000-4000-8000-000000000000' }, { jobId: 'metrics-digest', attempts: 1 });
      await until(async () => {
        const q = ctx.services.queues.get('notifications');
        return (await q.getJobState('metrics-sweep')) === 'completed' && (await q.getJobState('metrics-digest')) === 'failed';
      });
      await new Promise((r) => setTimeout(r, 50)); // the worker's events arrive just after the state change
    } finally {
      await running.close();
    }
    const body = await scrape();
    expect(body).toMatch(/doorstroom_job_duration_seconds_count\{queue="notifications",name="sweep",outcome="completed"\} [1-9]/);
    expect(body).toContain('doorstroom_job_failures_total{queue="notifications",name="digest",final="true"} 1');
  });

  it('is served by a worker-only process too, beside its health checks and without the API', async () => {
    const ops = await buildOpsApp(ctx.services);
    const running = await startWorker(ctx.services, { ...processors, sweep: async () => ({ swept: true }) });
    try {
      await ctx.services.queues.add('sweep', {}, { jobId: 'ops-sweep' });
      await until(async () => (await ctx.services.queues.get('notifications').getJobState('ops-sweep')) === 'completed');
      await new Promise((r) => setTimeout(r, 50));
      const metrics = await ops.inject({ method: 'GET', url: '/metrics' });
      expect(metrics.statusCode).toBe(200);
      expect(metrics.body).toMatch(/doorstroom_job_duration_seconds_count\{queue="notifications",name="sweep",outcome="completed"\} [1-9]/);
      expect((await ops.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
      expect((await ops.inject({ method: 'GET', url: '/v1/signals' })).statusCode).toBe(404);
    } finally {
      await running.close();
      await ops.close();
    }
  });
});

describe('/admin/queues', () => {
  it('refuses callers without a token, and callers who are not admins', async () => {
    const anonymous = await ctx.app.inject({ method: 'GET', url: '/admin/queues' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers['content-type']).toContain('application/problem+json');
    const api = await ctx.app.inject({ method: 'GET', url: '/admin/queues/api/queues' });
    expect(api.statusCode).toBe(401);
    const officer = await ctx.app.inject({ method: 'GET', url: '/admin/queues', headers: ctx.as('officer', 'GM9901') });
    expect(officer.statusCode).toBe(403);
    const viaQuery = await ctx.app.inject({ method: 'GET', url: `/admin/queues?token=${ctx.token('mentor', '11AA00')}` });
    expect(viaQuery.statusCode).toBe(403);
    expect(viaQuery.headers['set-cookie']).toBeUndefined();
    const forged = await ctx.app.inject({ method: 'GET', url: '/admin/queues', headers: { cookie: 'doorstroom_queues=eyJzdWIiOiJ4IiwiZXhwIjo5OTk5OTk5OTk5fQ.AAAA' } });
    expect(forged.statusCode).toBe(401);
  });

  it('shows the dashboard to an admin bearer token', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/admin/queues', headers: ctx.as('admin', 'RMC01') });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    const api = await ctx.app.inject({ method: 'GET', url: '/admin/queues/api/queues', headers: ctx.as('admin', 'RMC01') });
    expect(api.statusCode).toBe(200);
    expect(api.json().queues.map((q: { name: string }) => q.name).sort()).toEqual(['imports', 'monitoring', 'notifications']);
  });

  it('exchanges ?token= for a short-lived cookie and drops the token from the URL', async () => {
    const entry = await ctx.app.inject({ method: 'GET', url: `/admin/queues/queue/notifications?token=${ctx.token('admin', 'RMC01')}&tab=waiting` });
    expect(entry.statusCode).toBe(303);
    expect(entry.headers.location).toBe('/admin/queues/queue/notifications?tab=waiting');
    const setCookie = String(entry.headers['set-cookie']);
    expect(setCookie).toMatch(/^doorstroom_queues=[^;]+; Path=\/admin\/queues; Max-Age=900; HttpOnly; SameSite=Strict/);
    const cookie = setCookie.split(';')[0]!;

    const page = await ctx.app.inject({ method: 'GET', url: '/admin/queues', headers: { cookie } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<base href="/admin/queues/"');
    const asset = `/admin/queues/${/src="(static\/js\/[^"]+\.js)"/.exec(page.body)?.[1]}`;
    expect(asset).toMatch(/\.js$/);
    expect((await ctx.app.inject({ method: 'GET', url: asset, headers: { cookie } })).statusCode).toBe(200);
    expect((await ctx.app.inject({ method: 'GET', url: asset })).statusCode).toBe(401);
    expect((await ctx.app.inject({ method: 'GET', url: '/admin/queues/api/queues', headers: { cookie } })).statusCode).toBe(200);
  });
});

describe('graceful shutdown', () => {
  it('lets a running job finish when the worker closes, and leaves jobs not yet started in the queue', async () => {
    let finished = false;
    let started = false;
    const handlers: Processors = {
      ...processors,
      sweep: async () => {
        started = true;
        await new Promise((r) => setTimeout(r, 1_000));
        finished = true;
        return { slow: true };
      },
    };
    const queue = ctx.services.queues.get('notifications');
    const running = await startWorker(ctx.services, handlers);
    await ctx.services.queues.add('sweep', {}, { jobId: 'slow-sweep' });
    await until(() => started);

    await running.close();
    expect(finished).toBe(true);
    expect(await queue.getJobState('slow-sweep')).toBe('completed');

    await ctx.services.queues.add('sweep', {}, { jobId: 'after-close' });
    await new Promise((r) => setTimeout(r, 200));
    expect(await queue.getJobState('after-close')).toBe('waiting');
    const job = (await queue.getJob('after-close')) as Job | undefined;
    await job?.remove();
  });
});
