import { z } from 'zod';
import { sql } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';

const Health = z.object({ status: z.enum(['ok', 'unavailable']), checks: z.record(z.string(), z.enum(['ok', 'down'])).optional() });

const health: FastifyPluginAsyncZod = async (app) => {
  app.get('/healthz', { schema: { tags: ['operations'], security: [], response: { 200: Health } } }, async () => ({ status: 'ok' as const }));

  app.get(
    '/readyz',
    { schema: { tags: ['operations'], security: [], response: { 200: Health, 503: Health } } },
    async (_request, reply) => {
      const within = <T>(p: Promise<T>) =>
        Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), 2_000).unref())]);
      const { queues } = app.services;
      const [postgres, queue] = await Promise.allSettled([within(app.db.execute(sql`select 1`)), within(queues.ping())]);
      const state = (r: PromiseSettledResult<unknown>) => (r.status === 'fulfilled' ? ('ok' as const) : ('down' as const));
      // The queue check is named after where the jobs live: Redis, or BullMQ's tables in PostgreSQL.
      const checks = { postgres: state(postgres), [queues.backend === 'redis' ? 'redis' : 'queue']: state(queue) };
      const ok = Object.values(checks).every((c) => c === 'ok');
      return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', checks });
    },
  );
};
export default health;
