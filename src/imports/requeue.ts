import type { Services } from '../services.js';
import { enqueueBestEffort } from './evaluate.js';

/** Long enough that an upload still busy queueing its own job is left alone. */
const GRACE = '1 minute';

/**
 * The sweep's safety net for uploads: an import is stored and marked queued before its job is
 * added, so a queue outage (or a crash) in between leaves an import nobody will run. Queue those
 * again; the import id is the job id, so an import whose job does exist is not queued twice.
 */
export async function requeueStrandedImports(services: Services): Promise<number> {
  const { rows } = await services.database.pool.query<{ id: string }>(
    `select id from imports where status = 'queued' and created_at < now() - interval '${GRACE}' order by created_at`,
  );
  let queued = 0;
  for (const { id } of rows) {
    if (!(await enqueueBestEffort(services, 'import', { importId: id }, { jobId: id }))) break;
    queued++;
  }
  return queued;
}
