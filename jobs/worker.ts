import type { Job, Worker } from 'bullmq';
import type { Services } from '../src/services.js';
import { queueNames, queueOf, type JobData, type JobName } from './queues.js';
import { processors } from './processors/index.js';
import { instrumentWorker, metricsFor } from '../src/http/plugins/metrics.js';

export type Processor<N extends JobName> = (job: Job<JobData[N], unknown, N>, services: Services) => Promise<unknown>;
export type Processors = { [N in JobName]: Processor<N> };

export interface RunningWorker {
  workers: Worker[];
  close(): Promise<void>;
}

/** Starts one BullMQ worker per queue. Every job name has exactly one processor (checked by the type). */
export async function startWorker(services: Services, handlers: Processors = processors): Promise<RunningWorker> {
  const { config, logger } = services;
  const workers = queueNames.map((queue) => {
    const worker = services.queues.createWorker(
      queue,
      async (job: Job) => {
        const name = job.name as JobName;
        const handler = handlers[name] as Processor<JobName> | undefined;
        if (!handler || queueOf[name] !== queue) throw new Error(`No processor for job ${job.name} on queue ${queue}`);
        return handler(job as Job<JobData[JobName], unknown, JobName>, services);
      },
      { concurrency: queue === 'imports' ? Math.min(2, config.worker.concurrency) : config.worker.concurrency },
    );
    worker.on('failed', (job, err) => logger.warn({ queue, job: job?.name, jobId: job?.id, attempt: job?.attemptsMade, err: err.message }, 'job failed'));
    worker.on('error', (err) => logger.error({ queue, err: err.message }, 'worker error'));
    instrumentWorker(worker, metricsFor(services));
    return worker;
  });
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  logger.info({ queues: queueNames }, 'worker started');
  return {
    workers,
    // close() lets running jobs finish; jobs not started stay in Redis for the next worker.
    close: async () => {
      await Promise.all(workers.map((w) => w.close()));
    },
  };
}
