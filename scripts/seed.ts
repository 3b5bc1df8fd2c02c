import { loadConfig } from '../src/config.js';
import { createServices, closeServices } from '../src/services.js';
import { runMigrations } from '../src/db/migrate.js';
import { startDatabase } from '../src/db/embedded.js';
import { seedDemo } from '../src/demo/seed.js';

/** `tsx scripts/seed.ts`: migrates and seeds the demo region (used by docker compose; without DATABASE_URL, the embedded database). */
const database = await startDatabase(loadConfig());
const services = createServices(database.config);
try {
  await runMigrations(services.database.pool);
  const result = await seedDemo(services);
  console.log(result.seeded ? `seeded the demo region with ${result.pupils} pupils` : `demo data already present (${result.pupils} pupils)`);
} finally {
  await closeServices(services);
  await database.stop();
}
