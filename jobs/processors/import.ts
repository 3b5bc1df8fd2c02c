import { runImport } from '../../src/imports/run-import.js';
import type { Processor } from '../worker.js';

/** One uploaded file. The last attempt records a lasting failure; earlier ones just throw to be retried. */
export const processImport: Processor<'import'> = async (job, services) => {
  const attempts = job.opts.attempts ?? 1;
  await runImport(services, job.data.importId, { finalAttempt: job.attemptsMade + 1 >= attempts });
};
