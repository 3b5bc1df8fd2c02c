import pino from 'pino';
import { ConfigError, loadConfig } from './config.js';
import { loggerOptions } from './logger.js';
import { createServices, closeServices } from './services.js';
import { runMigrations } from './db/migrate.js';
import { buildApp } from './http/app.js';
import { startWorker } from '../jobs/worker.js';
import { scheduleRecurringJobs } from '../jobs/schedules.js';

/** Starts the API, the worker, or both (ROLE), and stops them gracefully on SIGTERM/SIGINT. */
export async function main(): Promise<() => Promise<void>> {
  const config = loadConfig();
  const logger = pino(loggerOptions(config.logLevel));
  const services = createServices(config, logger);
  if (config.database.migrateOnStart) await runMigrations(services.database.pool);

  const stops: Array<() => Promise<void>> = [];
  if (config.role !== 'api') {
    const worker = await startWorker(services);
    await scheduleRecurringJobs(services);
    stops.push(worker.close);
  }
  if (config.role !== 'worker') {
    const app = await buildApp(services);
    await app.listen({ host: config.host, port: config.port });
    stops.unshift(() => app.close()); // stop taking requests first
  }

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      logger.info('shutting down');
      for (const s of stops) await s();
      await closeServices(services);
    })());
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      const force = setTimeout(() => process.exit(1), 30_000).unref();
      stop().then(() => { clearTimeout(force); process.exit(0); }, (err) => { logger.error({ err }, 'shutdown failed'); process.exit(1); });
    });
  }
  return stop;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err) => {
    if (err instanceof ConfigError) console.error(err.message);
    else console.error(err);
    process.exit(1);
  });
}
