import { enqueueDigest } from '../../src/notify/digest.js';
import { tryDispatchPending } from '../../src/notify/outbox.js';
import { todayIn } from '../../src/domain/calendar.js';
import { executeCheckRun, scheduledRunFor } from '../../src/db/check-runs.js';
import type { Processor } from '../worker.js';

/**
 * One check run. A manual run comes with its id (POST /v1/checks created it); a tick of the
 * nightly scheduler comes without one and takes tonight's run, creating it if needed: one run
 * per date, so however many workers there are and however often a tick is retried, the night
 * is checked once.
 */
export const check: Processor<'check'> = async (job, services) => {
  const scheduled = job.data.checkRunId === '';
  const runId = scheduled ? await scheduledRunFor(services, todayIn(services.config.timezone)) : job.data.checkRunId;
  const result = await executeCheckRun(services, runId);
  if (!result.executed) {
    services.logger.info({ checkRunId: runId, status: result.run?.status ?? 'missing' }, 'check run skipped');
    return { checkRunId: runId, skipped: true };
  }
  const { run, outcome } = result;
  services.logger.info(
    { checkRunId: run.id, asOf: run.asOf, evaluated: run.evaluated, opened: run.opened, reopened: run.reopened, closed: run.closed },
    'check run done',
  );
  if (outcome.changes.length > 0) await tryDispatchPending(services);
  if (scheduled) {
    try {
      await enqueueDigest(services, run.id);
    } catch (err) {
      services.logger.warn({ checkRunId: run.id, err: err instanceof Error ? err.message : String(err) }, 'digest not queued');
    }
  }
  return { checkRunId: run.id, opened: run.opened, reopened: run.reopened, closed: run.closed };
};
