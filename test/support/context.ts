import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import pg from 'pg';
import pino from 'pino';
import { inject } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from '../../src/config.js';
import { loggerOptions } from '../../src/logger.js';
import { createServices, closeServices, type Services } from '../../src/services.js';
import { buildApp } from '../../src/http/app.js';
import type { Role } from '../../src/http/plugins/auth.js';
import { mintToken } from '../../scripts/token.js';
import { withDatabase } from './global-setup.js';

export const TEST_JWT_SECRET = 'test-secret-that-is-at-least-32-characters-long';

export interface TestContext {
  services: Services;
  app: FastifyInstance;
  config: Config;
  /** Every line the service logged, for tests that prove what never reaches a log. */
  logs: string[];
  token(role: Role, org: string, sub?: string): string;
  /** Authorization header for app.inject. */
  as(role: Role, org: string, sub?: string): { authorization: string };
  close(): Promise<void>;
}

/**
 * A fresh database (cloned from the migrated template) and Redis prefix for one test file. The
 * queues run on the run's backend (Redis when there is one, else PostgreSQL) unless the
 * overrides set QUEUE_BACKEND.
 */
export async function createTestContext(overrides: Record<string, string> = {}): Promise<TestContext> {
  const name = `doorstroom_t_${randomBytes(6).toString('hex')}`;
  const adminUrl = inject('databaseUrl');
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name} TEMPLATE ${inject('templateDatabase')}`);
  await admin.end();

  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: withDatabase(adminUrl, name),
    DATABASE_POOL_MAX: '5',
    REDIS_URL: inject('redisUrl'),
    QUEUE_BACKEND: inject('queueBackend'),
    QUEUE_PREFIX: `test-${name}`,
    JWT_SECRET: TEST_JWT_SECRET,
    PII_HMAC_KEY: randomBytes(32).toString('base64'),
    PII_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    LOG_LEVEL: 'info',
    ...overrides,
  });
  const logs: string[] = [];
  const sink = new Writable({ write: (chunk, _enc, done) => { logs.push(chunk.toString()); done(); } });
  const services = createServices(config, pino(loggerOptions(config.logLevel), sink));
  const app = await buildApp(services);
  await app.ready();

  const token = (role: Role, org: string, sub = `${role}-${org}`) => mintToken(TEST_JWT_SECRET, { sub, role, org }, '1h');
  return {
    services,
    app,
    config,
    logs,
    token,
    as: (role, org, sub) => ({ authorization: `Bearer ${token(role, org, sub)}` }),
    async close() {
      await app.close();
      await services.queues.purge();
      await closeServices(services);
      const cleanup = new pg.Client({ connectionString: adminUrl });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}
