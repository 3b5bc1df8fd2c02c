import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { loadConfig } from '../src/config.js';
import { createServices, closeServices } from '../src/services.js';
import { flowsReport } from '../src/reports/flows.js';
const config = loadConfig({ DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/doorstroom_reportbench', REDIS_URL: 'redis://127.0.0.1:6379', JWT_SECRET: 'x'.repeat(40), PII_HMAC_KEY: randomBytes(32).toString('base64'), PII_ENCRYPTION_KEY: randomBytes(32).toString('base64') });
const services = createServices(config, pino({ level: 'silent' }));
const admin = { sub: 'b', role: 'admin' as const, org: 'RMC01' };
for (let i = 0; i < 2; i++) {
  const r = await flowsReport(services.database.db, admin, { cohort: '2025-2026', by: 'vestiging', detail: 'crebo' }, 5);
  console.log(r.flows.length, r.nodes.length, JSON.stringify(r).length);
}
await closeServices(services);
