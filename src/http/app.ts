import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import multipart from '@fastify/multipart';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Services } from '../services.js';
import errors from './plugins/errors.js';
import docs from './plugins/docs.js';
import auth from './plugins/auth.js';
import audit from './plugins/audit.js';
import drain from './plugins/drain.js';
import metrics from './plugins/metrics.js';
import queuesUi from './plugins/queues-ui.js';
import health from './routes/health.js';
import { v1Routes } from './routes/index.js';

declare module 'fastify' {
  interface FastifyInstance {
    services: Services;
    db: Services['database']['db'];
  }
}

function baseApp(services: Services) {
  const { config } = services;
  const app = Fastify({
    loggerInstance: services.logger as FastifyBaseLogger,
    bodyLimit: config.limits.bodyBytes,
    trustProxy: true,
    genReqId: () => crypto.randomUUID(),
    ajv: { customOptions: { removeAdditional: false } },
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorate('services', services);
  app.decorate('db', services.database.db);
  return app;
}

/**
 * A worker-only process's HTTP face (ROLE=worker): /healthz, /readyz and /metrics, so its own
 * job durations and failures can be scraped. No API routes.
 */
export async function buildOpsApp(services: Services): Promise<FastifyInstance> {
  const app = baseApp(services);
  await app.register(errors);
  await app.register(metrics);
  await app.register(health);
  return app;
}

/** Builds the API without listening: tests use app.inject, src/main.ts listens. */
export async function buildApp(services: Services): Promise<FastifyInstance> {
  const { config } = services;
  const app = baseApp(services);

  await app.register(errors);
  await app.register(docs);
  await app.register(auth, { jwt: config.jwt });
  await app.register(metrics); // before the routes: its onResponse hook times them all
  await app.register(audit);
  await app.register(drain, { graceMs: 20_000 }); // after audit: its onSend runs once the record is written
  await app.register(multipart, {
    limits: { fileSize: config.limits.uploadBytes, files: 1, fields: 10, fieldSize: 64 * 1024 },
  });

  await app.register(health);
  // Outside /v1: /metrics has its own optional token, /admin/queues checks for an admin itself.
  await app.register(queuesUi, { prefix: '/admin/queues' });
  await app.register(
    async (v1) => {
      v1.addHook('onRequest', v1.authenticate);
      for (const routes of v1Routes) await v1.register(routes);
    },
    { prefix: '/v1' },
  );
  return app;
}
