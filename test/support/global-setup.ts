import pg from 'pg';
import { runMigrations as migrateQueueSchema } from 'bullmq';
import type { TestProject } from 'vitest/node';
import { runMigrations } from '../../src/db/migrate.js';
import { resolveBackends } from './backends.js';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    templateDatabase: string;
    /** Absent when no Redis is available: then queueBackend is 'postgres'. */
    redisUrl: string | undefined;
    /** What createTestContext() uses unless a test overrides QUEUE_BACKEND. */
    queueBackend: 'redis' | 'postgres';
  }
}

/**
 * Once per run: find PostgreSQL and Redis (or start the embedded PostgreSQL), migrate a template
 * database once, BullMQ's PostgreSQL schema included; each test file
 * then clones it (CREATE DATABASE ... TEMPLATE), which takes milliseconds, so files never
 * share data and never depend on leftovers or order.
 */
export default async function setup(project: TestProject) {
  const backends = await resolveBackends();
  console.log(`integration tests: ${backends.description}`);
  const template = `doorstroom_tpl_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: backends.databaseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${template}`);
  const pool = new pg.Pool({ connectionString: withDatabase(backends.databaseUrl, template), max: 1 });
  await runMigrations(pool);
  // Every file's database then has the queue tables, whichever backend its test picks.
  const client = await pool.connect();
  await migrateQueueSchema(client).finally(() => client.release());
  await pool.end();

  project.provide('databaseUrl', backends.databaseUrl);
  project.provide('templateDatabase', template);
  project.provide('redisUrl', backends.redisUrl);
  project.provide('queueBackend', backends.queueBackend);

  return async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
    await admin.end();
    await backends.stop();
  };
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
