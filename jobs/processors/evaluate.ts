import { checkSignals } from '../../src/db/check-sql.js';
import { todayIn } from '../../src/domain/calendar.js';
import { tryDispatchPending } from '../../src/notify/outbox.js';
import type { Processor } from '../worker.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Re-judges the pupils an import or enrolment batch touched, with the same SQL as the nightly
 * check, so their signals open or close within a minute of the data instead of the next night.
 * It records no check run: the signal events it writes carry no run id.
 */
export const evaluate: Processor<'evaluate'> = async (job, services) => {
  const pupilIds = [...new Set(job.data.pupilIds.filter((id) => UUID.test(id)))];
  const asOf = todayIn(services.config.timezone);
  const outcome = await services.database.db.transaction((trx) => checkSignals(trx, { asOf, pupilIds }));
  if (outcome.changes.length > 0) await tryDispatchPending(services);
  return { asOf, evaluated: outcome.evaluated, opened: outcome.opened, reopened: outcome.reopened, closed: outcome.closed };
};
