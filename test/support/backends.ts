import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres, stopEmbeddedPostgres } from '../../src/db/embedded.js';

/**
 * Where the tests find PostgreSQL and Redis: DATABASE_URL / REDIS_URL when set (CI), otherwise
 * containers when a container runtime answers, otherwise one embedded PostgreSQL for the whole
 * run, with BullMQ on its PostgreSQL backend. testcontainers is imported lazily and its runtime
 * probe is capped, so a machine without Docker neither loads it for long nor waits on it.
 */
export interface Backends {
  databaseUrl: string;
  /** Absent: no Redis anywhere; the queues run on PostgreSQL. */
  redisUrl?: string;
  queueBackend: 'redis' | 'postgres';
  /** What the run uses, for the first line of the output. */
  description: string;
  stop(): Promise<void>;
}

const RUNTIME_PROBE_MS = 15_000;
/** Each run's embedded server lives in `<tmp>/doorstroom-test-XXXXXX/data`, beside an `owner` file with the run's pid. */
const RUN_DIR_PREFIX = 'doorstroom-test-';

export async function resolveBackends(env: NodeJS.ProcessEnv = process.env): Promise<Backends> {
  let databaseUrl = env.DATABASE_URL || undefined;
  let redisUrl = env.REDIS_URL || undefined;
  const stops: Array<() => Promise<unknown>> = [];
  const sources: string[] = [];
  if (databaseUrl) sources.push('PostgreSQL from DATABASE_URL');
  if (redisUrl) sources.push('Redis from REDIS_URL');

  if ((!databaseUrl || !redisUrl) && (await containerRuntime())) {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const { RedisContainer } = await import('@testcontainers/redis');
    const [postgres, redis] = await Promise.all([
      databaseUrl ? null : new PostgreSqlContainer('postgres:16-alpine').start(),
      redisUrl ? null : new RedisContainer('redis:7-alpine').start(),
    ]);
    if (postgres) {
      databaseUrl = postgres.getConnectionUri();
      stops.push(() => postgres.stop());
      sources.push('PostgreSQL in a container');
    }
    if (redis) {
      redisUrl = redis.getConnectionUrl();
      stops.push(() => redis.stop());
      sources.push('Redis in a container');
    }
  }

  if (!databaseUrl) {
    await removeAbandonedRuns();
    const runDir = await fs.mkdtemp(path.join(os.tmpdir(), RUN_DIR_PREFIX));
    await fs.chmod(runDir, 0o755); // the server may run as the postgres OS user
    await fs.writeFile(path.join(runDir, 'owner'), `${process.pid}\n`);
    const server = await startEmbeddedPostgres({
      dir: path.join(runDir, 'data'),
      port: 0,
      persistent: false,
      // Throwaway data: durability only costs time. Each test file holds a few pools.
      settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', max_connections: '400' },
    }).catch(async (err: unknown) => {
      await fs.rm(runDir, { recursive: true, force: true });
      throw err;
    });
    databaseUrl = server.url('postgres');
    stops.push(async () => {
      await server.stop();
      await fs.rm(runDir, { recursive: true, force: true });
    });
    sources.push(`embedded PostgreSQL on port ${server.port}`);
  }

  const queueBackend = redisUrl ? 'redis' : 'postgres';
  return {
    databaseUrl,
    redisUrl,
    queueBackend,
    description: `${sources.join(', ')}; BullMQ on ${queueBackend === 'redis' ? 'Redis' : 'PostgreSQL'}`,
    stop: async () => {
      await Promise.all(stops.map((s) => s()));
    },
  };
}

/**
 * Servers of runs that were interrupted (Ctrl-C skips vitest's teardown): their owner is gone.
 * A directory without an owner file yet belongs to a run that is just starting.
 */
async function removeAbandonedRuns(): Promise<void> {
  const tmp = os.tmpdir();
  const runs = (await fs.readdir(tmp)).filter((name) => name.startsWith(RUN_DIR_PREFIX));
  for (const name of runs) {
    const runDir = path.join(tmp, name);
    const owner = Number(await fs.readFile(path.join(runDir, 'owner'), 'utf8').catch(() => ''));
    if (!owner || isAlive(owner)) continue;
    await stopEmbeddedPostgres(path.join(runDir, 'data')).catch(() => {});
    await fs.rm(runDir, { recursive: true, force: true }).catch(() => {});
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether a container runtime answers, within RUNTIME_PROBE_MS. */
async function containerRuntime(): Promise<boolean> {
  const probe = (async () => {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return true;
  })().catch(() => false);
  const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), RUNTIME_PROBE_MS).unref());
  return Promise.race([probe, timeout]);
}
