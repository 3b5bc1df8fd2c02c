import type { JobData, JobName } from '../../jobs/queues.js';
import type { Services } from '../services.js';

const EVALUATE_CHUNK = 1000;
const ENQUEUE_TIMEOUT_MS = 3000;

/**
 * Adds a job, but gives up after a few seconds: the queue connection retries forever while
 * Redis is away, and neither a request nor an import may hang on that. Returns whether the job
 * was added; callers that must not lose work have a sweep or the nightly check behind them.
 */
export async function enqueueBestEffort<N extends JobName>(
  services: Services,
  name: N,
  data: JobData[N],
  opts?: { jobId?: string },
): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      services.queues.add(name, data, opts),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out')), ENQUEUE_TIMEOUT_MS);
      }),
    ]);
    return true;
  } catch (error) {
    services.logger.warn({ job: name, err: error instanceof Error ? error.message : String(error) }, 'could not enqueue job');
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** Asks monitoring to re-evaluate these pupils, in jobs of at most 1000. */
export async function enqueueEvaluate(services: Services, pupilIds: readonly string[]): Promise<void> {
  for (let i = 0; i < pupilIds.length; i += EVALUATE_CHUNK) {
    if (!(await enqueueBestEffort(services, 'evaluate', { pupilIds: pupilIds.slice(i, i + EVALUATE_CHUNK) }))) return;
  }
}

/**
 * The pupils an import created or changed, read through one cursor in pages of 1000, so a large
 * import stays small in memory and the table is scanned once (not once per page).
 */
export async function enqueueEvaluateForImport(services: Services, importId: string): Promise<void> {
  const client = await services.database.pool.connect();
  try {
    await client.query('begin read only');
    await client.query(
      `declare changed no scroll cursor for
       select pupil_id from import_pupils where import_id = $1 and action <> 'unchanged'`,
      [importId],
    );
    for (;;) {
      const { rows } = await client.query<{ pupil_id: string }>(`fetch ${EVALUATE_CHUNK} from changed`);
      if (!rows.length) break;
      if (!(await enqueueBestEffort(services, 'evaluate', { pupilIds: rows.map((r) => r.pupil_id) }))) break;
    }
    await client.query('commit');
    client.release();
  } catch (error) {
    client.release(true);
    throw error;
  }
}
