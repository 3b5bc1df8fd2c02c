import type { Services } from '../src/services.js';

/** Recurring jobs, upserted at every worker start (idempotent: stable scheduler ids). */
export async function scheduleRecurringJobs(services: Services): Promise<void> {
  const { queues, config } = services;
  // Stable, versioned ids: every worker upserts the same schedulers, so each runs once per tick.
  await queues.get('notifications').upsertJobScheduler('sweep-v1', { every: 60_000 }, { name: 'sweep', data: {} });
  // A tick carries no run id: the check job takes (or creates) the one run of that date.
  await queues
    .get('monitoring')
    .upsertJobScheduler('nightly-check-v1', { pattern: config.checkCron, tz: config.timezone }, { name: 'check', data: { checkRunId: '' } });
}
