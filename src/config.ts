import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnv } from 'node:util';
import { z } from 'zod';

/**
 * The one place that reads process.env. Everything else receives a Config.
 * Secrets have no defaults: a missing one stops the process at start-up, naming the variable.
 */

const base64Key = (bytes: number) =>
  z
    .string()
    .refine((s) => Buffer.from(s, 'base64').length === bytes, `must be ${bytes} bytes, base64-encoded`);

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const cron = z.string().regex(/^(\S+\s+){4}\S+$/, 'must be a 5-field cron expression');

const EnvSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    ROLE: z.enum(['all', 'api', 'worker']).default('all'),
    HOST: z.string().default('0.0.0.0'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    PUBLIC_URL: z.url().optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

    DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL').optional(),
    // Without DATABASE_URL: a PostgreSQL run by this process (src/db/embedded.ts), for trying and developing.
    EMBEDDED_DB: bool.optional(),
    EMBEDDED_DB_DIR: z.string().min(1).optional(),
    EMBEDDED_DB_PORT: z.coerce.number().int().min(0).max(65535).optional(),
    DATABASE_POOL_MAX: z.coerce.number().int().min(1).default(10),
    MIGRATE_ON_START: bool.default(true),

    REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// URL').optional(),
    QUEUE_BACKEND: z.enum(['redis', 'postgres']).optional(),
    QUEUE_PREFIX: z.string().min(1).default('doorstroom'),
    WORKER_CONCURRENCY: z.coerce.number().int().min(1).default(4),

    JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    JWT_PUBLIC_KEY: z.string().includes('BEGIN PUBLIC KEY', { message: 'must be a PEM public key' }).optional(),
    JWT_JWKS_URL: z.url().optional(),
    JWT_ISSUER: z.string().optional(),
    JWT_AUDIENCE: z.string().optional(),

    PII_HMAC_KEY: base64Key(32),
    PII_ENCRYPTION_KEY: base64Key(32),

    BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
    UPLOAD_MAX_BYTES: z.coerce.number().int().min(1024).default(200 * 1_048_576),

    TIMEZONE: z.string().default('Europe/Amsterdam'),
    CHECK_CRON: cron.default('0 2 * * *'),

    SMTP_URL: z.string().regex(/^smtps?:\/\//, 'must be an smtp:// URL').optional(),
    MAIL_FROM: z.string().default('Doorstroom <noreply@doorstroom.invalid>'),
    WEBHOOK_ATTEMPTS: z.coerce.number().int().min(1).default(8),
    WEBHOOK_BACKOFF_MS: z.coerce.number().int().min(1).default(30_000),
    METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),

    REPORT_MIN_CELL: z.coerce.number().int().min(0).default(5),
    SIGNAL_LIST_CACHE_MB: z.coerce.number().min(0).default(64),
  })
  .superRefine((env, ctx) => {
    if (!env.DATABASE_URL) {
      if (env.NODE_ENV === 'production') {
        ctx.addIssue({ code: 'custom', path: ['DATABASE_URL'], message: 'required in production (the embedded database is for trying and developing)' });
      } else if (env.EMBEDDED_DB === false) {
        ctx.addIssue({ code: 'custom', path: ['DATABASE_URL'], message: 'required when EMBEDDED_DB=false' });
      }
    }
    if (env.QUEUE_BACKEND === 'redis' && !env.REDIS_URL) {
      ctx.addIssue({ code: 'custom', path: ['REDIS_URL'], message: 'required when QUEUE_BACKEND=redis' });
    }
    const verifiers = [env.JWT_SECRET, env.JWT_PUBLIC_KEY, env.JWT_JWKS_URL].filter(Boolean).length;
    if (verifiers !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['JWT_SECRET'],
        message: 'set exactly one of JWT_SECRET (HS256), JWT_PUBLIC_KEY (RS256) or JWT_JWKS_URL',
      });
    }
    if (env.NODE_ENV === 'production' && env.JWT_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: 'HS256 is for development; use JWT_PUBLIC_KEY or JWT_JWKS_URL in production' });
    }
    if (env.PII_HMAC_KEY === env.PII_ENCRYPTION_KEY) {
      ctx.addIssue({ code: 'custom', path: ['PII_ENCRYPTION_KEY'], message: 'must differ from PII_HMAC_KEY' });
    }
    try {
      new Intl.DateTimeFormat('en', { timeZone: env.TIMEZONE });
    } catch {
      ctx.addIssue({ code: 'custom', path: ['TIMEZONE'], message: 'unknown IANA time zone' });
    }
  });

export type Env = z.infer<typeof EnvSchema>;

export interface Config {
  env: Env['NODE_ENV'];
  role: Env['ROLE'];
  host: string;
  port: number;
  publicUrl: string;
  logLevel: Env['LOG_LEVEL'];
  /**
   * `url` is DATABASE_URL; without it, `embedded` says where this process runs its own server, and
   * startDatabase() (src/db/embedded.ts) returns the config with the url filled in.
   */
  database: { url?: string; embedded?: EmbeddedDatabase; poolMax: number; migrateOnStart: boolean };
  /** `url` is set whenever queues.backend is 'redis'; `prefix` namespaces the BullMQ keys. */
  redis: { url?: string; prefix: string };
  /** Where BullMQ keeps its jobs: Redis, or tables in the service's PostgreSQL database (schema `bullmq`). */
  queues: { backend: QueueBackend };
  worker: { concurrency: number };
  jwt:
    | { algorithm: 'HS256'; secret: string; issuer?: string; audience?: string }
    | { algorithm: 'RS256'; publicKey: string; issuer?: string; audience?: string }
    | { algorithm: 'JWKS'; jwksUrl: string; issuer?: string; audience?: string };
  pii: { hmacKey: Buffer; encryptionKey: Buffer };
  limits: { bodyBytes: number; uploadBytes: number };
  timezone: string;
  checkCron: string;
  mail: { smtpUrl?: string; from: string };
  /** Webhook and e-mail deliveries: BullMQ attempts and the first exponential backoff delay. */
  webhooks: { attempts: number; backoffMs: number };
  /** When set, GET /metrics needs `Authorization: Bearer <token>`. */
  metrics: { token?: string };
  reports: { minCell: number };
  /** Bytes of rendered signal-list pages the API keeps (src/db/signal-page-cache.ts); 0: none. */
  signalListCacheBytes: number;
}

export type QueueBackend = 'redis' | 'postgres';

export interface EmbeddedDatabase {
  /** The data directory, absolute. */
  dir: string;
  /** undefined: 54329, or a free port when that one is taken; 0: a free port. */
  port?: number;
  /** The database the service uses in it (created on first start). */
  database: string;
}

/** The project root: the default embedded data directory lives under it, wherever the process was started. */
const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

export class ConfigError extends Error {}

/**
 * The environment: process.env over an optional `.env` file (written by `npm run demo` for a
 * development machine; production sets real variables and has no such file).
 */
export function readEnvironment(envFile = '.env'): Record<string, string | undefined> {
  const fromFile = existsSync(envFile) ? parseEnv(readFileSync(envFile, 'utf8')) : {};
  return { ...fromFile, ...process.env };
}

/** Parses an environment (readEnvironment() at start-up, a literal object in tests). */
export function loadConfig(source: Record<string, string | undefined> = readEnvironment()): Config {
  // An empty variable means "not set": that is how shells and compose files leave them.
  const env = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const claims = { issuer: e.JWT_ISSUER, audience: e.JWT_AUDIENCE };
  return {
    env: e.NODE_ENV,
    role: e.ROLE,
    host: e.HOST,
    port: e.PORT,
    publicUrl: e.PUBLIC_URL ?? `http://localhost:${e.PORT}`,
    logLevel: e.LOG_LEVEL,
    database: {
      url: e.DATABASE_URL,
      embedded:
        e.DATABASE_URL || !(e.EMBEDDED_DB ?? e.NODE_ENV !== 'production')
          ? undefined
          : { dir: path.resolve(PROJECT_ROOT, e.EMBEDDED_DB_DIR ?? '.data/postgres'), port: e.EMBEDDED_DB_PORT, database: 'doorstroom' },
      poolMax: e.DATABASE_POOL_MAX,
      migrateOnStart: e.MIGRATE_ON_START,
    },
    redis: { url: e.REDIS_URL, prefix: e.QUEUE_PREFIX },
    queues: { backend: e.QUEUE_BACKEND ?? (e.REDIS_URL ? 'redis' : 'postgres') },
    worker: { concurrency: e.WORKER_CONCURRENCY },
    jwt: e.JWT_SECRET
      ? { algorithm: 'HS256', secret: e.JWT_SECRET, ...claims }
      : e.JWT_PUBLIC_KEY
        ? { algorithm: 'RS256', publicKey: e.JWT_PUBLIC_KEY, ...claims }
        : { algorithm: 'JWKS', jwksUrl: e.JWT_JWKS_URL!, ...claims },
    pii: { hmacKey: Buffer.from(e.PII_HMAC_KEY, 'base64'), encryptionKey: Buffer.from(e.PII_ENCRYPTION_KEY, 'base64') },
    limits: { bodyBytes: e.BODY_LIMIT_BYTES, uploadBytes: e.UPLOAD_MAX_BYTES },
    timezone: e.TIMEZONE,
    checkCron: e.CHECK_CRON,
    mail: { smtpUrl: e.SMTP_URL, from: e.MAIL_FROM },
    webhooks: { attempts: e.WEBHOOK_ATTEMPTS, backoffMs: e.WEBHOOK_BACKOFF_MS },
    metrics: { token: e.METRICS_TOKEN },
    reports: { minCell: e.REPORT_MIN_CELL },
    signalListCacheBytes: Math.round(e.SIGNAL_LIST_CACHE_MB * 1_048_576),
  };
}
