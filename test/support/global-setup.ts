import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { runMigrations } from '../../src/db/migrate.js';
import { resolveBackends } from './backends.js';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    templateDatabase: string;
    redisUrl: string;
  }
}

/**
 * Once per run: find PostgreSQL and Redis, migrate a template database once; each test file
 * then clones it (CREATE DATABASE ... TEMPLATE), which takes milliseconds, so files never
 * share data and never depend on leftovers or order.
 */
export default async function setup(project: TestProject) {
  const backends = await resolveBackends();
  const template = `doorstroom_tpl_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: backends.databaseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${template}`);
  const pool = new pg.Pool({ connectionString: withDatabase(backends.databaseUrl, template), max: 1 });
  await runMigrations(pool);
  await pool.end();

  project.provide('databaseUrl', backends.databaseUrl);
  project.provide('templateDatabase', template);
  project.provide('redisUrl', backends.redisUrl);

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
