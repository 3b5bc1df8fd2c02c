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
      const [postgres, redis] = await Promise.allSettled([
        within(app.db.execute(sql`select 1`)),
        within(app.services.queues.connection.ping()),
      ]);
      const checks = {
        postgres: postgres.status === 'fulfilled' ? ('ok' as const) : ('down' as const),
        redis: redis.status === 'fulfilled' ? ('ok' as const) : ('down' as const),
      };
      const ok = checks.postgres === 'ok' && checks.redis === 'ok';
      return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', checks });
    },
  );
};
export default health;
