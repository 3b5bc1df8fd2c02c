import { Queue, type JobsOptions } from 'bullmq';
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

export interface Queues {
  add<N extends JobName>(name: N, data: JobData[N], opts?: JobsOptions): Promise<void>;
  get(name: QueueName): Queue;
  all(): Queue[];
  /** Connection options for workers, which need their own blocking connections. */
  connection: Redis;
  prefix: string;
  close(): Promise<void>;
}

export function redisConnection(url: string): Redis {
  // BullMQ needs maxRetriesPerRequest: null so blocking commands survive a Redis restart.
  return new Redis(url, { maxRetriesPerRequest: null, lazyConnect: false });
}

export function createQueues(redis: { url: string; prefix: string }): Queues {
  const connection = redisConnection(redis.url);
  connection.on('error', () => {}); // reported through /readyz and failed adds, not as a crash
  const queues = new Map(
    queueNames.map((name) => {
      const queue = new Queue(name, { connection, prefix: redis.prefix, defaultJobOptions: DEFAULTS });
      queue.on('error', () => {}); // surfaces as a rejected add(); an unheard 'error' event would crash the process
      return [name, queue] as const;
    }),
  );
  return {
    connection,
    prefix: redis.prefix,
    get: (name) => queues.get(name)!,
    all: () => [...queues.values()],
    async add(name, data, opts) {
      await queues.get(queueOf[name])!.add(name, data, opts);
    },
    async close() {
      await Promise.all([...queues.values()].map((q) => q.close()));
      connection.disconnect();
    },
  };
}
