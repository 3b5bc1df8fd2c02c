import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { loadConfig } from '../src/config.js';
import { createServices, closeServices } from '../src/services.js';
import { flowsReport } from '../src/reports/flows.js';
import { flowsSvg } from '../src/reports/sankey.js';
import { flowsCsv } from '../src/reports/csv.js';
const config = loadConfig({ DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/doorstroom_reportbench', REDIS_URL: 'redis://127.0.0.1:6379', JWT_SECRET: 'x'.repeat(40), PII_HMAC_KEY: randomBytes(32).toString('base64'), PII_ENCRYPTION_KEY: randomBytes(32).toString('base64') });
const services = createServices(config, pino({ level: 'silent' }));
const admin = { sub: 'b', role: 'admin' as const, org: 'RMC01' };
for (let i = 0; i < 3; i++) {
  let t = performance.now();
  const r = await flowsReport(services.database.db, admin, { cohort: '2025-2026', by: 'vestiging', detail: 'niveau' }, 5);
  const q = performance.now() - t; t = performance.now();
  const json = JSON.stringify(r); const j = performance.now() - t; t = performance.now();
  const svg = flowsSvg(r); const s = performance.now() - t; t = performance.now();
  const csv = flowsCsv(r); const c = performance.now() - t;
  console.log({ q, j, s, c, flows: r.flows.length, shown: r.flows.filter(f => f.count).length, nodes: r.nodes.length, jsonMB: json.length / 1e6, svgMB: svg.length / 1e6 });
}
await closeServices(services);
