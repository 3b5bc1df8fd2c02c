import { loadConfig } from '../src/config.js';
import { createServices, closeServices } from '../src/services.js';
import { runMigrations } from '../src/db/migrate.js';
import { seedDemo } from '../src/demo/seed.js';

/** `tsx scripts/seed.ts`: migrates and seeds the demo region (used by docker compose). */
const services = createServices(loadConfig());
try {
  await runMigrations(services.database.pool);
  const result = await seedDemo(services);
  console.log(result.seeded ? `seeded the demo region with ${result.pupils} pupils` : `demo data already present (${result.pupils} pupils)`);
} finally {
  await closeServices(services);
}
