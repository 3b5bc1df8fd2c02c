import pino, { type Logger } from 'pino';
import type { Config } from './config.js';
import { createDatabase, type Database } from './db/client.js';
import { createPii, type Pii } from './privacy/pii.js';
import { loggerOptions } from './logger.js';
import { createQueues, queueOptions, type Queues } from '../jobs/queues.js';

/** What the API and the worker share: one of each per process. */
export interface Services {
  config: Config;
  database: Database;
  pii: Pii;
  queues: Queues;
  logger: Logger;
}

/** `config.database.url` must be set: DATABASE_URL, or what startDatabase() (src/db/embedded.ts) resolved. */
export function createServices(config: Config, logger: Logger = pino(loggerOptions(config.logLevel))): Services {
  if (!config.database.url) throw new Error('config.database.url is not set: start the database first (startDatabase in src/db/embedded.ts)');
  return {
    config,
    logger,
    database: createDatabase(config.database.url, config.database.poolMax),
    pii: createPii(config.pii),
    queues: createQueues(queueOptions(config)),
  };
}

export async function closeServices(services: Services): Promise<void> {
  await services.queues.close();
  await services.database.close();
}
