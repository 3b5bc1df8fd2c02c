import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { loadConfig } from '../src/config.js';
import { createServices, closeServices } from '../src/services.js';
import { buildApp } from '../src/http/app.js';
import { mintToken } from '../scripts/token.js';
const secret = 'x'.repeat(40);
const config = loadConfig({ DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/doorstroom_reportbench', REDIS_URL: 'redis://127.0.0.1:6379', JWT_SECRET: secret, LOG_LEVEL: 'silent', PII_HMAC_KEY: randomBytes(32).toString('base64'), PII_ENCRYPTION_KEY: randomBytes(32).toString('base64') });
const services = createServices(config, pino({ level: 'silent' }));
const app = await buildApp(services); await app.ready();
const auth = { authorization: `Bearer ${mintToken(secret, { sub: 'b', role: 'admin', org: 'RMC01' })}` };
for (const [url, accept] of [['/v1/reports/flows?cohort=2025-2026', 'application/json'], ['/v1/reports/flows?cohort=2025-2026&detail=crebo', 'application/json'], ['/v1/reports/flows?cohort=2025-2026', 'text/csv'], ['/v1/reports/flows?cohort=2025-2026', 'image/svg+xml'], ['/v1/reports/monitor?cohort=2025-2026&asOf=2026-10-01', 'application/json'], ['/v1/reports/monitor?cohort=2025-2026&asOf=2026-10-01', 'text/csv']]) {
  const times: number[] = []; let size = 0; let status = 0;
  for (let i = 0; i < 3; i++) { const t = performance.now(); const r = await app.inject({ method: 'GET', url, headers: { ...auth, accept } }); times.push(performance.now() - t); size = r.rawPayload.length; status = r.statusCode; }
  console.log(status, accept.padEnd(18), url.padEnd(55), times.map(t => t.toFixed(0)).join(' '), 'ms', (size / 1e6).toFixed(1), 'MB');
}
await app.close(); await closeServices(services);
