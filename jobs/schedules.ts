import type { Services } from '../src/services.js';

/** Recurring jobs, upserted at every worker start (idempotent: stable scheduler ids). */
export async function scheduleRecurringJobs(services: Services): Promise<void> {
  const { queues, config } = services;
  // Stable, versioned ids: every worker upserts the same schedulers, so each runs once per tick.
  await queues.get('notifications').upsertJobScheduler('sweep-v1', { every: 60_000 }, { name: 'sweep', data: {} });
  void config;
}
