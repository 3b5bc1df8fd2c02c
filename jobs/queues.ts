import { createPostgresBackend, Queue, Worker, type JobsOptions, type Processor as BullProcessor } from 'bullmq';
import { Redis } from 'ioredis';

/**
 * Every job the service runs: its queue and its payload type. The API (producer) and the
 * worker (consumer) share this map, so a payload is typed at both ends, and the worker
 * refuses to start when a job name has no processor.
 */
export interface JobData {
  /** Parse and store one uploaded file. */
  import: { importId: string };
  /** The set-based transition check over every monitored cohort. */
  check: { checkRunId: string };
  /** Re-evaluate just these pupils after an import or enrolment batch touched them. */
  evaluate: { pupilIds: string[] };
  /** Deliver one outbox row (webhook). */
  deliver: { outboxId: number };
  /** E-mail digests after a check run. */
  digest: { checkRunId: string };
  /** Enqueue outbox rows and imports that never reached Redis. */
  sweep: Record<string, never>;
}
export type JobName = keyof JobData;

export const queueOf = {
  import: 'imports',
  check: 'monitoring',
  evaluate: 'monitoring',
  deliver: 'notifications',
  digest: 'notifications',
  sweep: 'notifications',
} as const satisfies Record<JobName, string>;
export type QueueName = (typeof queueOf)[JobName];
export const queueNames = [...new Set(Object.values(queueOf))] as QueueName[];

const DEFAULTS: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 2_000 },
  removeOnComplete: { age: 7 * 24 * 3600, count: 10_000 },
  removeOnFail: { age: 30 * 24 * 3600 },
};

export type QueueBackend = 'redis' | 'postgres';

export interface Queues {
  add<N extends JobName>(name: N, data: JobData[N], opts?: JobsOptions): Promise<void>;
  get(name: QueueName): Queue;
  all(): Queue[];
  /** A BullMQ worker on this backend (it opens its own connections; close() releases them). */
  createWorker(name: QueueName, processor: BullProcessor, opts: { concurrency: number }): Worker;
  /** Resolves when the backend answers (Redis PING, or a query on the PostgreSQL queue tables). */
  ping(): Promise<void>;
  /** Removes every job and scheduler of these queues (tests). */
  purge(): Promise<void>;
  backend: QueueBackend;
  /** Redis key prefix; the PostgreSQL backend keeps its tables in schema `bullmq` of the database instead. */
  prefix: string;
  close(): Promise<void>;
}

export function redisConnection(url: string): Redis {
  // BullMQ needs maxRetriesPerRequest: null so blocking commands survive a Redis restart.
  return new Redis(url, { maxRetriesPerRequest: null, lazyConnect: false });
}

/**
 * `url` is Redis for the redis backend, the service's PostgreSQL database for the postgres
 * backend (BullMQ creates and migrates its own schema there). The rest of the code only sees Queues.
 */
export interface QueueOptions {
  backend?: QueueBackend;
  url: string;
  prefix: string;
}

/** The queue options of a configuration whose database URL is resolved (see src/db/embedded.ts). */
export function queueOptions(config: {
  database: { url?: string };
  redis: { url?: string; prefix: string };
  queues: { backend: QueueBackend };
}): QueueOptions {
  const url = config.queues.backend === 'redis' ? config.redis.url : config.database.url;
  if (!url) throw new Error(`the ${config.queues.backend} queue backend has no URL`);
  return { backend: config.queues.backend, url, prefix: config.redis.prefix };
}

export function createQueues(options: QueueOptions): Queues {
  return options.backend === 'postgres' ? postgresQueues(options) : redisQueues(options);
}

function redisQueues({ url, prefix }: QueueOptions): Queues {
  const connection = redisConnection(url);
  connection.on('error', () => {}); // reported through /readyz and failed adds, not as a crash
  const queues = new Map(
    queueNames.map((name) => {
      const queue = new Queue(name, { connection, prefix, defaultJobOptions: DEFAULTS });
      queue.on('error', () => {}); // surfaces as a rejected add(); an unheard 'error' event would crash the process
      return [name, queue] as const;
    }),
  );
  return {
    ...common(queues),
    backend: 'redis',
    prefix,
    createWorker(name, processor, { concurrency }) {
      // Its own connection: a worker blocks on it while waiting for jobs.
      const own = redisConnection(url);
      const worker = new Worker(name, processor, { connection: own, prefix, concurrency });
      worker.on('closed', () => own.disconnect());
      return worker;
    },
    async ping() {
      await connection.ping();
    },
    async purge() {
      let cursor = '0';
      do {
        const [next, keys] = await connection.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
        if (keys.length) await connection.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    },
    async close() {
      await Promise.all([...queues.values()].map((q) => q.close()));
      connection.disconnect();
    },
  };
}

function postgresQueues({ url, prefix }: QueueOptions): Queues {
  // Every queue and worker owns a small pool; `migrate` creates or upgrades BullMQ's schema under its advisory lock.
  const connection = (max: number) => ({ connectionString: url, migrate: true, max, application_name: 'doorstroom-queue' });
  const queues = new Map(
    queueNames.map((name) => {
      const queue = new Queue(name, { connection: connection(2), defaultJobOptions: DEFAULTS }, createPostgresBackend);
      queue.on('error', () => {}); // as above: a rejected call reports it
      // The same class on another backend: its type parameter differs, its methods do not.
      return [name, queue as unknown as Queue] as const;
    }),
  );
  const first = queues.get(queueNames[0]!)!;
  return {
    ...common(queues),
    backend: 'postgres',
    prefix,
    createWorker(name, processor, { concurrency }) {
      const worker = new Worker(name, processor, { connection: connection(concurrency + 1), concurrency }, createPostgresBackend);
      return worker as unknown as Worker;
    },
    async ping() {
      await first.getJobCountByTypes('waiting');
    },
    async purge() {
      await Promise.all([...queues.values()].map((q) => q.obliterate({ force: true })));
    },
    async close() {
      await Promise.all([...queues.values()].map((q) => q.close()));
    },
  };
}

function common(queues: Map<QueueName, Queue>): Pick<Queues, 'get' | 'all' | 'add'> {
  return {
    get: (name) => queues.get(name)!,
    all: () => [...queues.values()],
    async add(name, data, opts) {
      await queues.get(queueOf[name])!.add(name, data, opts);
    },
  };
}
