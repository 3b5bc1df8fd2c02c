import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { cohortCalendar } from '../src/domain/calendar.js';
import { loadTest, type LoadTarget } from './api.js';
import { copyBaseline, handWrittenCheck, parseFloor, writeFloor } from './baselines.js';
import type { ImportView } from './client.js';
import { benchCohort, benchData, type BenchData } from './data.js';
import { RssSampler, procMemory, spawnChild } from './memory.js';
import { benchReports } from './reports.js';
import { createStack, drainQueues, serverFacts, type Stack } from './stack.js';
import { Results, mb, seconds } from './table.js';

/**
 * `npm run bench`: Doorstroom at national scale on this machine. Generates a seeded national
 * cohort, drives the real system (HTTP upload, BullMQ worker, POST /v1/checks, GET /v1/signals)
 * and sets each figure beside what the database or a bare fastify route does alone. Missed
 * targets print FAIL; a wrong answer (row or signal counts) exits non-zero.
 *
 * Flags: --pupils N (120000), --memory-pupils N (1000000), --skip-memory,
 * --only import|check|api|reports, --keep (keep the databases), --profile (CPU profiles of the
 * worker and API processes into bench/data/profiles), --duration S (10), --connections N (50).
 */

const { values: flags } = parseArgs({
  options: {
    pupils: { type: 'string', default: '120000' },
    'memory-pupils': { type: 'string', default: '1000000' },
    'skip-memory': { type: 'boolean', default: false },
    only: { type: 'string' },
    keep: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
  },
});
const ONLY = ['import', 'check', 'api', 'reports'] as const;
if (flags.only !== undefined && !(ONLY as readonly string[]).includes(flags.only)) {
  console.error(`--only must be one of ${ONLY.join(', ')}`);
  process.exit(2);
}
const wants = (phase: (typeof ONLY)[number]) => flags.only === undefined || flags.only === phase;
const pupils = Number(flags.pupils);
const memoryPupils = Number(flags['memory-pupils']);
if (![pupils, memoryPupils].every((n) => Number.isInteger(n) && n >= 1000)) {
  console.error('--pupils and --memory-pupils must be whole numbers of at least 1000');
  process.exit(2);
}
const runMemory = wants('import') && !flags['skip-memory'];

const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const runId = `${process.pid}-${Date.now().toString(36)}`;
const resultsDir = join(import.meta.dirname, 'results');
// Profiles go beside the generated data (git-ignored), not with the results.
const profiles = flags.profile ? { cpuProfDir: join(import.meta.dirname, 'data', 'profiles') } : {};
const IMPORT_TIMEOUT_MS = 30 * 60_000;

const results = new Results();
const { cohort, asOf } = benchCohort();
const calendar = cohortCalendar(cohort);
const log = (message: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${message}`);

/**
 * Uploads a file and waits for the import, timing the whole, the upload and the worker's own
 * part, and collecting where the worker's time went (its phases and the import's statements).
 */
async function importThrough(stack: Stack, file: string, fields: Record<string, string>) {
  const cpuBefore = (await stack.worker!.usage()).cpuMs;
  const finished = stack.worker!.waitFor('importFinished');
  finished.catch(() => {});
  const started = performance.now();
  const id = await stack.client.upload(file, fields);
  const uploadMs = performance.now() - started;
  const view = await stack.client.waitForImport(id, IMPORT_TIMEOUT_MS);
  const ms = performance.now() - started;
  // From the worker taking the job to its commit: finished_at is the clock at the end of the
  // import's transaction (clock_timestamp(), not the transaction's start).
  const workerMs = view.startedAt && view.finishedAt ? Date.parse(view.finishedAt) - Date.parse(view.startedAt) : NaN;
  // CPU the worker process spent: what the import costs in Node, whatever else the machine runs.
  const workerCpuMs = (await stack.worker!.usage()).cpuMs - cpuBefore;
  const breakdown = await Promise.race([finished.then((m) => m.importFinished), sleep(5000).then(() => null)]);
  return { ms, uploadMs, workerMs, workerCpuMs, view, breakdown };
}

/** The worker's phases as one figure, and its statements printed (and kept in the results). */
function reportBreakdown(label: string, run: Awaited<ReturnType<typeof importThrough>>) {
  if (!run.breakdown) return;
  const { ms, statements } = run.breakdown;
  results.figure({ figure: `  ${label} worker phases`, value: Object.entries(ms).map(([phase, t]) => `${phase} ${seconds(t)}`).join(', ') });
  log(`${label}: statements of the import (wall ms / PostgreSQL backend CPU ms):`);
  for (const s of statements) if (s.ms >= 20) console.log(`  ${String(s.ms).padStart(6)} ${String(s.pgCpuMs ?? '?').padStart(6)}  ${s.sql}`);
}

function verifyImport(label: string, view: ImportView, expected: { rows: number; created: number; rejected: number; warnings: Record<string, number> | null }) {
  results.verify(`${label}: status`, view.status, 'done');
  results.verify(`${label}: counts`, view.counts, { rows: expected.rows, created: expected.created, updated: 0, unchanged: 0, rejected: expected.rejected });
  results.verify(`${label}: warnings`, view.warnings, expected.warnings);
}

async function runCheck(stack: Stack) {
  const started = performance.now();
  const { body } = await stack.client.call<{ id: string }>('POST', '/v1/checks', { body: { asOf }, expect: [202] });
  for (;;) {
    const { body: run } = await stack.client.call<CheckRunView>('GET', `/v1/checks/${body.id}`, { expect: [200] });
    if (run.status === 'done' || run.status === 'failed') {
      // POST to the poll that saw it done: what a client waits, queueing included.
      const e2eMs = performance.now() - started;
      const workerMs = run.startedAt ? Date.now() - Date.parse(run.startedAt) : NaN;
      return { e2eMs, workerMs, run };
    }
    if (performance.now() - started > 10 * 60_000) throw new Error('check run did not finish in 10 minutes');
    await sleep(10);
  }
}

interface CheckRunView {
  id: string;
  status: string;
  evaluated: number;
  opened: number;
  reopened: number;
  closed: number;
  counts: Record<string, number>;
  error: string | null;
  startedAt: string | null;
  finishedAt: string | null;
}

async function openSignals(stack: Stack, column: 'kind' | 'authority' | 'audience'): Promise<Record<string, number>> {
  const { rows } = await stack.services.database.pool.query<{ key: string | null; n: number }>(
    `select ${column} as key, count(*)::int as n from signals where cohort = $1 and status = 'open' group by 1`,
    [cohort],
  );
  return Object.fromEntries(rows.map((r) => [r.key ?? 'none', r.n]));
}

async function importPhase(stack: Stack, data: BenchData) {
  log(`import: uploading ${data.leerlingen.rows} rows (${mb(data.leerlingen.bytes / 1024)})`);
  const sampler = new RssSampler(stack.worker!.pid).start();
  const pupilsImport = await importThrough(stack, data.leerlingen.file, { kind: 'leerlingen', cohort });
  const peak = sampler.stop();
  results.details.import = { ...pupilsImport, view: { ...pupilsImport.view, errors: pupilsImport.view.errors.length }, rss: sampler.curve() };
  verifyImport('leerlingen import', pupilsImport.view, {
    rows: data.leerlingen.rows, created: data.leerlingen.validRows, rejected: data.leerlingen.badRows, warnings: null,
  });
  // The first page of errors (up to 1000) must be exactly the broken BSNs, named by their column.
  const errors = pupilsImport.view.errors;
  results.verify(
    'leerlingen import: the rejected rows are the broken BSNs',
    { listed: errors.length, other: errors.find((e) => e.column !== 'BSN' || !/elfproef|check fails/.test(e.reason)) ?? null },
    { listed: Math.min(data.leerlingen.badRows, 1000), other: null },
  );
  const followUpMs = await drainQueues(stack.services, 10 * 60_000);
  log(`import: ${seconds(pupilsImport.ms)}; evaluate follow-up ${seconds(followUpMs)}`);

  let copyMs: number | undefined;
  let floorMs: number | undefined;
  let parseMs: number | undefined;
  if (wants('import')) {
    const copy = await copyBaseline(stack.services.database.pool, data.leerlingen.file);
    results.verify('COPY baseline: rows loaded', copy.rows, data.leerlingen.rows);
    results.details.copy = copy;
    copyMs = copy.ms;
    const floor = await writeFloor(stack.services.database.pool);
    results.verify('write floor: pupils inserted', floor.rows, data.leerlingen.validRows);
    results.details.writeFloor = floor;
    floorMs = floor.ms;
    const parsed = await parseFloor(data.leerlingen.file);
    results.verify('read floor: rows parsed', parsed.rows, data.leerlingen.rows);
    results.details.parseFloor = parsed;
    parseMs = parsed.ms;
  }
  const ratio = copyMs ? pupilsImport.ms / copyMs : undefined;
  results.figure({
    figure: `import ${data.leerlingen.rows} rows (upload→done)`,
    value: `${seconds(pupilsImport.ms)} (${Math.round(data.leerlingen.rows / (pupilsImport.ms / 1000))} rows/s)`,
    baseline: copyMs ? `COPY ${seconds(copyMs)}` : undefined,
    ratio,
    target: '≤ 3× COPY',
    pass: ratio === undefined ? undefined : ratio <= 3,
  });
  if (parseMs && copyMs) {
    results.figure({
      figure: '  read floor (csv-parse alone)',
      value: `${seconds(parseMs)}: the export parsed by the service's CSV parser, nothing else`,
      baseline: `COPY ${seconds(copyMs)}`,
      ratio: parseMs / copyMs,
    });
  }
  if (floorMs && copyMs) {
    results.figure({
      figure: '  write floor (PostgreSQL alone)',
      value: `${seconds(floorMs)}: the imported rows inserted into the real tables, nothing else`,
      baseline: `COPY ${seconds(copyMs)}`,
      ratio: floorMs / copyMs,
    });
  }
  results.figure({ figure: '  of which upload (HTTP→stored)', value: seconds(pupilsImport.uploadMs) });
  results.figure({ figure: '  of which worker (started→done)', value: `${seconds(pupilsImport.workerMs)} (${seconds(pupilsImport.workerCpuMs)} CPU in Node)` });
  reportBreakdown('leerlingen', pupilsImport);
  results.figure({ figure: `  evaluate jobs after it`, value: seconds(followUpMs) });
  results.figure({ figure: `worker peak RSS, ${data.leerlingen.rows}-row import`, value: mb(Math.max(peak.peakKb, peak.hwmKb ?? 0)) });
  results.details.importPeakKb = Math.max(peak.peakKb, peak.hwmKb ?? 0);

  const enrolments = data.inschrijvingen!;
  log(`enrolments: uploading ${enrolments.rows} rows`);
  const enrolmentImport = await importThrough(stack, enrolments.file, { kind: 'inschrijvingen' });
  verifyImport('inschrijvingen import', enrolmentImport.view, {
    rows: enrolments.rows, created: enrolments.rows, rejected: 0, warnings: enrolments.newPupils ? { newPupils: enrolments.newPupils } : null,
  });
  const enrolmentFollowUpMs = await drainQueues(stack.services, 10 * 60_000);
  results.details.enrolments = { ...enrolmentImport, view: { ...enrolmentImport.view, errors: enrolmentImport.view.errors.length }, followUpMs: enrolmentFollowUpMs };
  results.figure({
    figure: `enrolment import ${enrolments.rows} rows`,
    value: `${seconds(enrolmentImport.ms)} (${Math.round(enrolments.rows / (enrolmentImport.ms / 1000))} rows/s)`,
  });
  results.figure({ figure: '  of which upload (HTTP→stored)', value: seconds(enrolmentImport.uploadMs) });
  results.figure({ figure: '  of which worker (started→done)', value: `${seconds(enrolmentImport.workerMs)} (${seconds(enrolmentImport.workerCpuMs)} CPU in Node)` });
  reportBreakdown('inschrijvingen', enrolmentImport);
}

async function checkPhase(stack: Stack, data: BenchData) {
  const expected = data.expected!;
  // A nightly check runs hours after the day's imports, when autovacuum has analysed them.
  await stack.services.database.pool.query('vacuum analyze');
  log(`check: as of ${asOf}, expecting ${expected.total} signals`);
  const first = await runCheck(stack);
  results.details.check = first;
  results.verify('check: run status', first.run.status, 'done');
  results.verify('check: pupils evaluated', first.run.evaluated, data.leerlingen.validRows);
  results.verify('check: signals opened', [first.run.opened, first.run.reopened, first.run.closed], [expected.total, 0, 0]);
  results.verify('check: open signals by kind', await openSignals(stack, 'kind'), expected.byKind);
  results.verify('check: open signals by authority', await openSignals(stack, 'authority'), expected.byAuthority);
  results.verify('check: open signals by audience', await openSignals(stack, 'audience'), expected.byAudience);

  const second = await runCheck(stack);
  results.details.secondCheck = second;
  results.verify('second check, same date: nothing changes', [second.run.status, second.run.opened, second.run.reopened, second.run.closed], ['done', 0, 0, 0]);

  let baselineMs: number | undefined;
  if (wants('check')) {
    const hand = await handWrittenCheck(stack.services.database.pool, asOf, cohort, calendar.teldatum);
    results.details.handWritten = hand;
    results.verify('hand-written check: signals by kind', hand.byKind, expected.byKind);
    results.verify('hand-written check: same signals as the service', hand.differences, 0);
    baselineMs = hand.ms;
  }
  const ratio = baselineMs ? first.e2eMs / baselineMs : undefined;
  results.figure({
    figure: `nightly check, ${data.leerlingen.validRows} pupils`,
    value: `${seconds(first.e2eMs)} POST→done`,
    baseline: baselineMs ? `1 statement ${seconds(baselineMs)}` : undefined,
    ratio,
    target: '≤ 1.5× and < 5 s',
    pass: first.e2eMs < 5000 && (ratio === undefined || ratio <= 1.5),
  });
  results.figure({ figure: 'second check, same date', value: `${seconds(second.e2eMs)} POST→done`, target: '< 1 s', pass: second.e2eMs < 1000 });
}

async function reportsPhase(stack: Stack, data: BenchData) {
  log('reports');
  const timings = await benchReports(stack.services, cohort);
  results.details.reports = timings;
  results.verify('reports: pupils of the cohort', timings.pupils, data.leerlingen.validRows);
  for (const [name, ms] of Object.entries(timings)) {
    if (!name.endsWith('Ms')) continue;
    results.figure({ figure: `report ${name.slice(0, -2)}`, value: `${ms} ms`, target: '< 1000 ms', pass: ms < 1000 });
  }
}

async function apiPhase(stack: Stack, data: BenchData) {
  const expected = data.expected!;
  const gemeenten = Object.entries(expected.byGemeente).sort(([a, x], [b, y]) => y - x || a.localeCompare(b)).map(([g]) => g);
  // Correctness first: an officer paging through the whole list sees exactly the pupils the rules predict.
  for (const gemeente of gemeenten.slice(0, 3)) {
    let seen = 0;
    let cursor: string | null = null;
    const token = stack.token('officer', gemeente);
    do {
      const query: string = `/v1/signals?status=open&limit=500${cursor ? `&cursor=${cursor}` : ''}`;
      const { body } = await stack.client.call<{ items: Array<{ gemeenteCode: string }>; nextCursor: string | null }>('GET', query, { token, expect: [200] });
      seen += body.items.filter((s) => s.gemeenteCode === gemeente).length;
      cursor = body.nextCursor;
    } while (cursor);
    results.verify(`GET /v1/signals: officer of ${gemeente} pages through all their signals`, seen, expected.byGemeente[gemeente]);
  }

  const targets: LoadTarget[] = [];
  for (const gemeente of gemeenten.slice(0, 40)) {
    targets.push({ path: '/v1/signals?status=open&limit=50', authorization: `Bearer ${stack.token('officer', gemeente)}` });
  }
  for (let r = 1; r <= 10; r++) {
    const authorization = `Bearer ${stack.token('officer', `RMC${String(r).padStart(2, '0')}`)}`;
    let cursor: string | null = null;
    for (let page = 0; page < 3; page++) {
      const path: string = `/v1/signals?status=open&limit=50${cursor ? `&cursor=${cursor}` : ''}`;
      targets.push({ path, authorization });
      const { body } = await stack.client.call<{ nextCursor: string | null }>('GET', path, { token: authorization.slice(7), expect: [200] });
      if (!(cursor = body.nextCursor)) break;
    }
  }
  const { body: page } = await stack.client.call<unknown>('GET', targets[0]!.path, { token: targets[0]!.authorization!.slice(7), expect: [200] });
  const options = { connections: Number(flags.connections), durationSeconds: Number(flags.duration), warmupSeconds: 2 };

  log(`api: GET /v1/signals, ${options.connections} connections for ${options.durationSeconds} s over ${targets.length} pages`);
  const api = await loadTest(stack.client.base, targets, options);
  // The same load on an API that keeps no pages (SIGNAL_LIST_CACHE_MB=0): every request renders its page.
  log('api: the same without kept pages');
  const fresh = await spawnChild({ mode: 'api', env: { ...stack.env, SIGNAL_LIST_CACHE_MB: '0' } });
  const uncached = await loadTest(`http://127.0.0.1:${fresh.port}`, targets, options).finally(() => fresh.stop());
  const bare = await spawnChild({ mode: 'bare', env: {}, payload: page });
  log('api: the bare fastify ceiling');
  const ceiling = await loadTest(`http://127.0.0.1:${bare.port}`, targets.map((t) => ({ path: t.path })), options).finally(() => bare.stop());
  results.details.api = { api, uncached, ceiling, targets: targets.length };
  for (const [name, r] of [['GET /v1/signals', api], ['GET /v1/signals without kept pages', uncached]] as const) {
    results.verify(`${name} under load: every answer 2xx`, { non2xx: r.non2xx, errors: r.errors, timeouts: r.timeouts }, { non2xx: 0, errors: 0, timeouts: 0 });
  }
  results.verify('bare fastify under load: every answer 2xx', { non2xx: ceiling.non2xx, errors: ceiling.errors }, { non2xx: 0, errors: 0 });
  results.figure({
    figure: `GET /v1/signals, ${options.connections} connections`,
    value: `${api.rps} req/s, p50 ${api.p50} ms, p99 ${api.p99} ms`,
    baseline: `bare ${ceiling.rps} req/s, p99 ${ceiling.p99} ms`,
    ratio: ceiling.rps / api.rps,
    target: 'p99 < 30 ms',
    pass: api.p99 < 30,
  });
  results.figure({
    figure: '  every page rendered (no cache)',
    value: `${uncached.rps} req/s, p50 ${uncached.p50} ms, p99 ${uncached.p99} ms`,
  });
}

async function memoryPhase(): Promise<void> {
  const data = await benchData({ pupils: memoryPupils, cohort, asOf, withEnrolments: false });
  const stack = await createStack({
    serverUrl, redisUrl, database: `doorstroom_bench_mem_${process.pid}`, prefix: `bench-${runId}-mem`,
    uploadMaxBytes: Math.max(200 * 1_048_576, data.leerlingen.bytes + 1_048_576), worker: profiles,
  });
  try {
    log(`memory: importing ${data.leerlingen.rows} rows (${mb(data.leerlingen.bytes / 1024)}) in a worker process`);
    const worker = stack.worker!;
    const baseKb = procMemory(worker.pid)?.rssKb ?? 0;
    const sampler = new RssSampler(worker.pid).start();
    // The worker's own view once a second: whether a rise in RSS is the JS heap or native memory.
    const heap: Array<[number, number, number]> = [];
    let asking = false;
    const heapTimer = setInterval(() => {
      if (asking) return; // a busy worker answers late; one question at a time
      asking = true;
      const second = heap.length;
      worker.usage().then(
        (u) => heap.push([second, Math.round(u.heapUsedKb / 1024), Math.round(u.rssKb / 1024)]),
        () => {},
      ).finally(() => (asking = false));
    }, 1000);
    const run = await importThrough(stack, data.leerlingen.file, { kind: 'leerlingen', cohort }).finally(() => clearInterval(heapTimer));
    const peak = sampler.stop();
    const own = await worker.usage();
    const peakKb = Math.max(peak.peakKb, peak.hwmKb ?? 0, own.maxRssKb);
    results.details.memory = { run: { ...run, view: { ...run.view, errors: run.view.errors.length } }, baseKb, peak, own, rss: sampler.curve(30), heapAndRssMbPerSecond: heap };
    verifyImport(`${data.leerlingen.rows}-row import`, run.view, {
      rows: data.leerlingen.rows, created: data.leerlingen.validRows, rejected: data.leerlingen.badRows, warnings: null,
    });
    results.figure({
      figure: `worker peak RSS, ${data.leerlingen.rows}-row import`,
      value: mb(peakKb),
      baseline: `idle ${mb(baseKb)}`,
      target: '≤ 300 MB',
      pass: peakKb <= 300 * 1024,
    });
    const smallKb = results.details.importPeakKb as number | undefined;
    if (smallKb) {
      results.figure({ figure: `  flat in file size (${+(data.leerlingen.rows / pupils).toFixed(1)}× the rows)`, value: `${(peakKb / smallKb).toFixed(2)}× the ${pupils}-row peak`, target: '≤ 1.25×', pass: peakKb / smallKb <= 1.25 });
    }
    results.figure({
      figure: `import ${data.leerlingen.rows} rows (upload→done)`,
      value: `${seconds(run.ms)} (${Math.round(data.leerlingen.rows / (run.ms / 1000))} rows/s)`,
    });
    results.figure({ figure: '  of which worker (started→done)', value: `${seconds(run.workerMs)} (${seconds(run.workerCpuMs)} CPU in Node)` });
    reportBreakdown(`${data.leerlingen.rows}-row`, run);
  } finally {
    await stack.close(flags.keep);
  }
}

async function main(): Promise<void> {
  log(`cohort ${cohort}, check date ${asOf}; ${pupils} pupils${runMemory ? `, memory run ${memoryPupils}` : ''}`);
  const [load] = os.loadavg();
  if (load! > os.cpus().length) {
    log(`WARNING: load average ${load!.toFixed(1)} on ${os.cpus().length} cores: other work is running, the timings will be too slow`);
  }
  const data = await benchData({ pupils, cohort, asOf, withEnrolments: true });
  log(`data: ${data.cached ? 'cached' : `generated in ${seconds(data.generatedMs)}`}: ${data.leerlingen.rows} pupils (${data.leerlingen.badRows} with a broken BSN), ${data.inschrijvingen!.rows} enrolments`);
  if (runMemory) {
    const big = await benchData({ pupils: memoryPupils, cohort, asOf, withEnrolments: false });
    log(`data: ${big.cached ? 'cached' : `generated in ${seconds(big.generatedMs)}`}: ${big.leerlingen.rows} pupils for the memory run`);
  }

  const stack = await createStack({
    serverUrl, redisUrl, database: `doorstroom_bench_${process.pid}`, prefix: `bench-${runId}`, uploadMaxBytes: 200 * 1_048_576, worker: profiles, api: profiles,
  });
  results.details.server = await serverFacts(stack.services, redisUrl);
  try {
    await importPhase(stack, data);
    if (wants('check') || wants('api') || wants('reports')) await checkPhase(stack, data);
    await stack.stopWorker();
    // Officers read the signals hours after the night's check, when autovacuum has vacuumed and
    // analysed the rows it wrote; right after it the planner still sees the empty table of before
    // the check, and the index cannot answer alone until the table's pages are marked all-visible.
    await stack.services.database.pool.query('vacuum analyze');
    if (wants('reports')) await reportsPhase(stack, data);
    if (wants('api')) await apiPhase(stack, data);
  } finally {
    await stack.close(flags.keep);
  }
  if (runMemory) await memoryPhase();
}

const startedAt = new Date();
const startLoad = os.loadavg();
try {
  await main();
} catch (error) {
  results.errors.push(error instanceof Error ? (error.stack ?? error.message) : String(error));
}
results.print();
const file = results.write(resultsDir, {
  date: startedAt.toISOString(),
  durationSeconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
  params: { pupils, memoryPupils: runMemory ? memoryPupils : null, cohort, asOf, only: flags.only ?? null },
  loadAverage: { start: startLoad, end: os.loadavg() },
  machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.type()} ${os.release()}` },
});
console.log(`\nresults: ${file}${flags.keep ? ` (databases kept: doorstroom_bench_${process.pid}, doorstroom_bench_mem_${process.pid})` : ''}`);
process.exit(results.wrong ? 1 : 0);
