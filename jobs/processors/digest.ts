import { createDigests } from '../../src/notify/digest.js';
import type { Processor } from '../worker.js';

/** E-mail digests of one check run; safe to retry (one digest per subscription and run). */
export const digest: Processor<'digest'> = async (job, services) => createDigests(services, job.data.checkRunId);
