import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import pino from 'pino';
import { Redis } from 'ioredis';
import { loadConfig } from '../src/config.js';
import { loggerOptions } from '../src/logger.js';
import { closeServices, createServices, type Services } from '../src/services.js';
import { runMigrations } from '../src/db/migrate.js';
import { organisations } from '../src/db/schema.js';
import type { Role } from '../src/domain/access.js';
import { mintToken } from '../scripts/token.js';
import { Api } from './client.js';
import { benchOrganisations } from './data.js';
import { spawnChild, type RunningChild, type SpawnOptions } from './memory.js';

/**
 * One system under test: a fresh database on the server of DATABASE_URL (migrated, with the
 * national organisations), a Redis key prefix of its own, an API process listening on
 * 127.0.0.1 and a worker process, configured through loadConfig with a literal environment and
 * secrets made for this run. The benchmark process keeps its own Services for checking results.
 */

export interface Stack {
  database: string;
  env: Record<string, string>;
  services: Services;
  api: RunningChild;
  worker: RunningChild | null;
  client: Api;
  token(role: Role, org: string): string;
  /** Stops the worker (the API benchmark runs with the worker idle, i.e. gone). */
  stopWorker(): Promise<void>;
  close(keep: boolean): Promise<void>;
}

export interface StackOptions {
  serverUrl: string;
  redisUrl: string;
  database: string;
  prefix: string;
  uploadMaxBytes: number;
  worker?: SpawnOptions;
  api?: SpawnOptions;
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function admin<T>(serverUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function createStack(options: StackOptions): Promise<Stack> {
  const { database } = options;
  if (!/^[a-z_][a-z0-9_]*$/.test(database)) throw new Error(`not a plain database name: ${database}`);
  await admin(options.serverUrl, async (c) => {
    await c.query(`drop database if exists ${database} with (force)`);
    await c.query(`create database ${database}`);
  });
  const secret = randomBytes(32).toString('hex');
  const env: Record<string, string> = {
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    DATABASE_URL: withDatabase(options.serverUrl, database),
    MIGRATE_ON_START: 'false',
    REDIS_URL: options.redisUrl,
    QUEUE_PREFIX: options.prefix,
    JWT_SECRET: secret,
    PII_HMAC_KEY: randomBytes(32).toString('base64'),
    PII_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    UPLOAD_MAX_BYTES: String(options.uploadMaxBytes),
  };
  const config = loadConfig(env);
  const services = createServices(config, pino(loggerOptions('warn')));
  await runMigrations(services.database.pool);
  await services.database.db.insert(organisations).values(benchOrganisations());

  const [api, worker] = await Promise.all([
    spawnChild({ mode: 'api', env }, options.api),
    spawnChild({ mode: 'worker', env }, options.worker),
  ]);
  const token = (role: Role, org: string) => mintToken(secret, { sub: `bench-${role}-${org}`, role, org }, '4h');
  const stack: Stack = {
    database,
    env,
    services,
    api,
    worker,
    client: new Api(`http://127.0.0.1:${api.port}`, { admin: token('admin', 'RMC01') }),
    token,
    async stopWorker() {
      await stack.worker?.stop();
      stack.worker = null;
    },
    async close(keep) {
      await Promise.all([stack.api.stop(), stack.worker?.stop()]);
      await removeRedisKeys(options.redisUrl, options.prefix);
      await closeServices(services);
      if (!keep) await admin(options.serverUrl, (c) => c.query(`drop database if exists ${database} with (force)`));
    },
  };
  return stack;
}

async function removeRedisKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** Waits until no queue of the stack has a job waiting, delayed or running; returns how long that took. */
export async function drainQueues(services: Services, timeoutMs: number): Promise<number> {
  const started = performance.now();
  for (;;) {
    const counts = await Promise.all(
      services.queues.all().map((q) => q.getJobCounts('active', 'waiting', 'delayed', 'prioritized', 'waiting-children')),
    );
    const pending = counts.reduce((sum, c) => sum + Object.values(c).reduce((a, b) => a + b, 0), 0);
    if (pending === 0) return performance.now() - started;
    if (performance.now() - started > timeoutMs) throw new Error(`queues still hold ${pending} jobs after ${timeoutMs} ms`);
    await sleep(100);
  }
}

export async function serverFacts(services: Services, redisUrl: string): Promise<Record<string, string>> {
  const { rows } = await services.database.pool.query<{ version: string; shared_buffers: string; work_mem: string }>(
    `select version(), current_setting('shared_buffers') as shared_buffers, current_setting('work_mem') as work_mem`,
  );
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  const info = await redis.info('server').finally(() => redis.disconnect());
  return {
    postgres: rows[0]!.version.split(' on ')[0]!,
    sharedBuffers: rows[0]!.shared_buffers,
    workMem: rows[0]!.work_mem,
    redis: /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown',
  };
}
