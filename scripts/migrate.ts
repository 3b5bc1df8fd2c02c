import { loadConfig } from '../src/config.js';
import { createDatabase } from '../src/db/client.js';
import { runMigrations } from '../src/db/migrate.js';
import { startDatabase } from '../src/db/embedded.js';

/** `npm run migrate`: applies pending migrations and exits non-zero if one fails. */
const server = await startDatabase(loadConfig());
const database = createDatabase(server.url, 1);
try {
  await runMigrations(database.pool);
  console.log('migrations applied');
} catch (err) {
  console.error('migration failed:', err instanceof Error ? err.message : err);
  process.exitCode = 1;
} finally {
  await database.close();
  await server.stop();
}
