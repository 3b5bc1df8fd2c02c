import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { loadConfig } from '../src/config.js';
import { createServices, closeServices } from '../src/services.js';
import { buildApp } from '../src/http/app.js';

/**
 * `npm run openapi`: writes openapi.yaml from the route schemas (the single source).
 * Needs no database or Redis: the app is built, never started, with throwaway settings.
 */
export async function renderOpenApi(): Promise<string> {
  const config = loadConfig({
    DATABASE_URL: 'postgres://unused@127.0.0.1:1/unused',
    REDIS_URL: 'redis://127.0.0.1:1',
    JWT_SECRET: randomBytes(32).toString('hex'),
    PII_HMAC_KEY: randomBytes(32).toString('base64'),
    PII_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    LOG_LEVEL: 'silent',
  });
  const services = createServices(config);
  const app = await buildApp(services);
  await app.ready();
  const yaml = app.swagger({ yaml: true });
  await app.close();
  await closeServices(services).catch(() => {});
  return yaml;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(new URL('../openapi.yaml', import.meta.url), await renderOpenApi());
  console.log('openapi.yaml written');
  process.exit(0);
}
