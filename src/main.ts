import pino from 'pino';
import { ConfigError, loadConfig, type Config } from './config.js';
import { loggerOptions } from './logger.js';
import { createServices, closeServices } from './services.js';
import { runMigrations } from './db/migrate.js';
import { startDatabase } from './db/embedded.js';
import { buildApp, buildOpsApp } from './http/app.js';
import { startWorker } from '../jobs/worker.js';
import { scheduleRecurringJobs } from '../jobs/schedules.js';

export interface Running {
  /** The configuration in use, with the database URL resolved (the embedded server's when DATABASE_URL is unset). */
  config: Config;
  stop(): Promise<void>;
}

/**
 * Starts the API, the worker, or both (ROLE), and stops them gracefully on SIGTERM/SIGINT.
 * Without DATABASE_URL it first starts the embedded PostgreSQL, and stops it last.
 */
export async function main(): Promise<Running> {
  const loaded = loadConfig();
  const logger = pino(loggerOptions(loaded.logLevel));
  const database = await startDatabase(loaded, (message) => logger.info(message));
  const { config } = database;
  const services = createServices(config, logger);

  const stops: Array<() => Promise<void>> = [];
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      logger.info('shutting down');
      for (const s of stops) await s();
      await closeServices(services);
      await database.stop(); // after every pool is closed, so nothing sees the server go away
    })());
  // Registered before the service starts, so even an interrupted start-up stops the embedded server.
  // SIGHUP too: a closed terminal must not leave it running.
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    process.once(signal, () => {
      const force = setTimeout(() => process.exit(1), 30_000).unref();
      stop().then(() => { clearTimeout(force); process.exit(0); }, (err) => { logger.error({ err }, 'shutdown failed'); process.exit(1); });
    });
  }

  try {
    if (config.database.migrateOnStart) await runMigrations(services.database.pool);
    if (config.role !== 'api') {
      const worker = await startWorker(services);
      stops.push(worker.close);
      await scheduleRecurringJobs(services);
    }
    // A worker-only process listens too: for its health checks and its own /metrics.
    const app = config.role === 'worker' ? await buildOpsApp(services) : await buildApp(services);
    stops.unshift(() => app.close()); // stop taking requests first
    await app.listen({ host: config.host, port: config.port });
  } catch (err) {
    await stop().catch(() => {});
    throw err;
  }
  logger.info({ database: database.embedded ? 'embedded' : 'external', queues: config.queues.backend }, 'started');
  return { config, stop };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err) => {
    if (err instanceof ConfigError) console.error(err.message);
    else console.error(err);
    process.exit(1);
  });
}
