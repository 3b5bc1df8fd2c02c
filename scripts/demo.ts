import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import pg from 'pg';
import { loadConfig } from '../src/config.js';
import { createServices, closeServices } from '../src/services.js';
import { seedDemo, DEMO_COHORT } from '../src/demo/seed.js';
import { main } from '../src/main.js';
import { mintToken } from './token.js';

/**
 * `npm run demo`: the whole service on a seeded demo region, on this machine.
 * First run writes a development .env (random secrets), then starts the database (the embedded
 * PostgreSQL in .data/postgres unless DATABASE_URL is set), the API and the worker, seeds the
 * region, runs the transition check and shows what an officer sees.
 */
const ENV_FILE = '.env';

if (!existsSync(ENV_FILE)) {
  writeFileSync(
    ENV_FILE,
    [
      '# Written by `npm run demo` for development. Production sets real variables (see README).',
      'NODE_ENV=development',
      '# No DATABASE_URL / REDIS_URL: an embedded PostgreSQL (.data/postgres) holds the data and the jobs.',
      '# Set them here or in the environment to use your own PostgreSQL and Redis.',
      'QUEUE_PREFIX=doorstroom-demo',
      `JWT_SECRET=${randomBytes(32).toString('hex')}`,
      `PII_HMAC_KEY=${randomBytes(32).toString('base64')}`,
      `PII_ENCRYPTION_KEY=${randomBytes(32).toString('base64')}`,
      'LOG_LEVEL=warn',
      '',
    ].join('\n'),
  );
  console.log(`wrote ${ENV_FILE} with development settings`);
}

const loaded = loadConfig();
// An external server may not have the demo database yet; the embedded one creates its own.
if (loaded.database.url) await createDatabaseIfMissing(loaded.database.url);
const { config } = await main(); // starts the database, migrates, starts the worker and the API

const services = createServices(config);
const seeded = await seedDemo(services);
const api = `http://127.0.0.1:${config.port}`;
if (config.jwt.algorithm !== 'HS256') throw new Error('the demo mints tokens with JWT_SECRET');
const secret = config.jwt.secret;

const [gemeente] = (await services.database.pool.query<{ code: string; name: string }>(
  `select code, name from organisations where kind = 'gemeente' order by code limit 1`,
)).rows;
const [vestiging] = (await services.database.pool.query<{ code: string; name: string }>(
  `select code, name from organisations where kind = 'vestiging' order by code limit 1`,
)).rows;
const tokens = {
  admin: mintToken(secret, { sub: 'demo-admin', role: 'admin', org: 'RMC01' }),
  officer: mintToken(secret, { sub: 'demo-leerplicht', role: 'officer', org: gemeente!.code }),
  mentor: mintToken(secret, { sub: 'demo-mentor', role: 'mentor', org: vestiging!.code }),
};

const call = async (path: string, token: string, init: RequestInit = {}) => {
  const res = await fetch(api + path, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

const started = await call('/v1/checks', tokens.admin, { method: 'POST', body: '{}' });
let run = started.body;
for (let i = 0; i < 120 && started.status === 202 && !['done', 'failed'].includes(String(run.status)); i++) {
  await new Promise((r) => setTimeout(r, 500));
  run = (await call(`/v1/checks/${String(started.body.id)}`, tokens.admin)).body;
}
const signals = await call('/v1/signals?limit=5&status=open', tokens.officer);
await closeServices(services);

const line = '─'.repeat(78);
console.log(`
${line}
Doorstroom demo is running: ${api}   (API docs: ${api}/docs)
${describeBackends()}
${seeded.seeded ? 'Seeded' : 'Found'} a demo region with ${seeded.pupils} leavers of cohort ${DEMO_COHORT}.
Transition check: ${run.status === 'done' ? `opened ${String(run.opened)}, closed ${String(run.closed)} signals (as of ${String(run.asOf)})` : `status ${String(run.status ?? started.status)}`}

Tokens (valid 8 hours; mint more with npm run token -- --role officer --org ${gemeente!.code}):
  leerplicht officer, ${gemeente!.name} (${gemeente!.code}):
    OFFICER=${tokens.officer}
  mentor, ${vestiging!.name} (${vestiging!.code}):
    MENTOR=${tokens.mentor}
  admin:
    ADMIN=${tokens.admin}

What the officer of ${gemeente!.name} sees first:
${((signals.body.items as Array<{ kind: string; status: string; pupil: { name: string; birthDate: string | null } }> | undefined) ?? [])
  .map((s) => `  ${s.kind.padEnd(15)} ${s.status.padEnd(15)} ${s.pupil.name} (${s.pupil.birthDate ?? 'geboortedatum onbekend'})`)
  .join('\n') || '  (no open signals)'}

Try:
  curl -s -H "Authorization: Bearer $OFFICER" ${api}/v1/signals?status=open | head -c 600
${line}
Ctrl-C stops the API and the worker${config.database.embedded ? ' and the embedded PostgreSQL (the next run reuses its data)' : ''}.`);

function describeBackends(): string {
  const db = config.database.embedded
    ? `embedded PostgreSQL in ${config.database.embedded.dir} (${config.database.url!.replace(/:[^:@/]*@/, ':***@')})`
    : `PostgreSQL at ${new URL(config.database.url!).host}`;
  return `Database: ${db}; jobs: BullMQ on ${config.queues.backend === 'redis' ? 'Redis' : 'PostgreSQL'}.`;
}

async function createDatabaseIfMissing(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const server = new URL(url);
  server.pathname = '/postgres';
  const client = new pg.Client({ connectionString: server.toString() });
  try {
    await client.connect();
  } catch (err) {
    console.error(`Cannot reach PostgreSQL at ${server.host}: ${err instanceof Error ? err.message : String(err)}`);
    console.error('Start it (see README) or set DATABASE_URL.');
    process.exit(1);
  }
  const exists = await client.query('select 1 from pg_database where datname = $1', [name]);
  if (!exists.rowCount) await client.query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`);
  await client.end();
}

