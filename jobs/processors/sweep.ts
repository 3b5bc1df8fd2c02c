import { requeueStrandedImports } from '../../src/imports/requeue.js';
import { queueRecentDigests } from '../../src/notify/digest.js';
import { dispatchPending } from '../../src/notify/outbox.js';
import type { Processor } from '../worker.js';

/**
 * Queues the outbox rows that were written while Redis was down (or whose producer crashed
 * between commit and enqueue), imports stored but never queued, and the digests of recent
 * scheduled check runs in case their check could not queue them. Runs every minute from the
 * job scheduler.
 */
export const sweep: Processor<'sweep'> = async (_job, services) => {
  const result = await dispatchPending(services);
  const imports = await requeueStrandedImports(services);
  const digestRuns = await queueRecentDigests(services);
  if (result.requeued) services.logger.info(result, 'outbox sweep repaired deliveries');
  if (imports) services.logger.info({ imports }, 'sweep queued stranded imports');
  return { ...result, imports, digestRuns };
};
