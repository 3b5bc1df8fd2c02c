import pg from 'pg';
import { Redis } from 'ioredis';

/**
 * Where the tests find PostgreSQL and Redis: DATABASE_URL / REDIS_URL when set (CI), then the
 * standard local ports, otherwise containers when a container runtime answers. testcontainers is imported
 * lazily so a machine without Docker never loads it unless it has to.
 */
export interface Backends {
  databaseUrl: string;
  redisUrl: string;
  stop(): Promise<void>;
}

const LOCAL_POSTGRES = 'postgres://postgres@127.0.0.1:5432/postgres';
const LOCAL_REDIS = 'redis://127.0.0.1:6379';

export async function resolveBackends(env: NodeJS.ProcessEnv = process.env): Promise<Backends> {
  if (env.DATABASE_URL && env.REDIS_URL) {
    return { databaseUrl: env.DATABASE_URL, redisUrl: env.REDIS_URL, stop: async () => {} };
  }
  // A developer machine with the services on their standard ports needs no variables at all.
  if (!env.DATABASE_URL && !env.REDIS_URL && (await reachable(LOCAL_POSTGRES, LOCAL_REDIS))) {
    return { databaseUrl: LOCAL_POSTGRES, redisUrl: LOCAL_REDIS, stop: async () => {} };
  }
  try {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const { RedisContainer } = await import('@testcontainers/redis');
    const [postgres, redis] = await Promise.all([
      env.DATABASE_URL ? null : new PostgreSqlContainer('postgres:16-alpine').start(),
      env.REDIS_URL ? null : new RedisContainer('redis:7-alpine').start(),
    ]);
    return {
      databaseUrl: env.DATABASE_URL ?? postgres!.getConnectionUri(),
      redisUrl: env.REDIS_URL ?? redis!.getConnectionUrl(),
      stop: async () => {
        await Promise.all([postgres?.stop(), redis?.stop()]);
      },
    };
  } catch (err) {
    throw new Error(
      'Tests need PostgreSQL and Redis: set DATABASE_URL and REDIS_URL, or run a container runtime for testcontainers. ' +
        `(${err instanceof Error ? err.message : String(err)})`,
    );
  }
}

async function reachable(postgresUrl: string, redisUrl: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 1_000 });
  const redis = new Redis(redisUrl, { lazyConnect: true, connectTimeout: 1_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    await client.connect();
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
    redis.disconnect();
  }
}
