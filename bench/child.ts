import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import Fastify from 'fastify';
import pg from 'pg';
import pino from 'pino';
import { loadConfig } from '../src/config.js';
import { loggerOptions } from '../src/logger.js';
import { closeServices, createServices } from '../src/services.js';
import { buildApp } from '../src/http/app.js';
import { startWorker } from '../jobs/worker.js';

/**
 * One process of the system under test, started by the benchmark with an IPC channel: the API
 * (`api`), the worker (`worker`), or the ceiling (`bare`: a fastify route with no auth and no
 * database, answering a fixed page). They run apart from the benchmark process so the load
 * generator and the measured server never share an event loop, and so a worker's memory is its own.
 * The worker runs with production's V8 heap flags (WORKER_NODE_FLAGS in memory.ts, which forks it).
 *
 * Protocol: the parent sends { mode, env, payload? }; the child answers { ready: true, port? };
 * { usage: true } is answered with the child's peak RSS; { stop: true } closes and exits; after
 * each import the worker sends { importFinished } with its phases and statements.
 */

export type ChildMode = 'api' | 'worker' | 'bare';
export interface ChildStart {
  mode: ChildMode;
  env: Record<string, string>;
  /** bare: the body the ceiling route returns. */
  payload?: unknown;
}
/** One statement of an import's transaction: wall time, and the PostgreSQL backend's CPU when /proc shows it. */
export interface StatementTiming {
  sql: string;
  ms: number;
  pgCpuMs: number | null;
}
export interface ImportFinished {
  /** The worker's own phases, from its 'import finished' log line. */
  ms: Record<string, number>;
  statements: StatementTiming[];
}

export type ChildMessage =
  | { ready: true; port?: number }
  | { importFinished: ImportFinished }
  | { usage: { maxRssKb: number; rssKb: number; heapUsedKb: number; cpuMs: number } }
  | { error: string };

const send = (message: ChildMessage) => process.send?.(message);

async function start(message: ChildStart): Promise<() => Promise<void>> {
  if (message.mode === 'bare') {
    const app = Fastify({ logger: false });
    const payload = message.payload;
    app.get('/v1/signals', async () => payload);
    await app.listen({ host: '127.0.0.1', port: 0 });
    send({ ready: true, port: (app.server.address() as { port: number }).port });
    return () => app.close();
  }
  const config = loadConfig(message.env);
  if (message.mode === 'worker') {
    const services = createServices(config, pino({ ...loggerOptions('info'), level: 'info' }, importReporter(config.logLevel)));
    const worker = await startWorker(services);
    send({ ready: true });
    return async () => {
      await worker.close();
      await closeServices(services);
    };
  }
  const services = createServices(config, pino(loggerOptions(config.logLevel)));
  const app = await buildApp(services);
  await app.listen({ host: '127.0.0.1', port: 0 });
  send({ ready: true, port: (app.server.address() as { port: number }).port });
  return async () => {
    await app.close();
    await closeServices(services);
  };
}

/**
 * The worker logs at info into this stream: lines at the configured level or above go to stderr
 * as usual, and each 'import finished' line goes to the benchmark with the statements the
 * import ran, so it can say where the time went.
 */
function importReporter(level: string): Writable {
  const shown = pino.levels.values[level] ?? 40;
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line) continue;
        const record = JSON.parse(line) as { level: number; msg?: string; ms?: Record<string, number> };
        if (record.msg === 'import finished' && record.ms) {
          send({ importFinished: { ms: record.ms, statements: statements.splice(0) } });
        }
        if (record.level >= shown) process.stderr.write(`${line}\n`);
      }
      done();
    },
  });
}

/** CPU milliseconds a process has used, from /proc (null where there is none, or no such process). */
function cpuMsOf(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10; // utime + stime, in 10 ms ticks
  } catch {
    return null;
  }
}

/** Statements of an import's transaction (by the temp tables they name), from its COPY to its commit. */
const statements: StatementTiming[] = [];
const IMPORT_STATEMENT = /pupil_staging|pupil_rows|enrolment_staging|enrolment_rows|enrolment_changes|enrolment_new_pupils|import_pupils|^commit$/;

function timeImportStatements(): void {
  const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
  pg.Client.prototype.query = function (this: pg.Client & { processID?: number }, ...args: unknown[]) {
    const first = args[0] as string | { text?: string } | undefined;
    const sql = (typeof first === 'string' ? first : (first?.text ?? '')).replace(/\s+/g, ' ').trim();
    const result = query.apply(this, args);
    if (!IMPORT_STATEMENT.test(sql)) return result;
    if (/^copy (pupil|enrolment)_staging/.test(sql)) statements.length = 0; // a new import
    const pid = this.processID;
    const cpuBefore = cpuMsOf(pid);
    const started = performance.now();
    const record = () => {
      const cpuAfter = cpuMsOf(pid);
      statements.push({
        sql: sql.slice(0, 90),
        ms: Math.round(performance.now() - started),
        pgCpuMs: cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore,
      });
    };
    const pending = result as { then?: (ok: () => void, fail: () => void) => void; once?: (event: string, f: () => void) => void };
    if (typeof pending?.then === 'function') pending.then(record, () => {});
    else pending?.once?.('finish', record); // COPY FROM STDIN is a stream
    return result;
  } as typeof pg.Client.prototype.query;
}

let stop: (() => Promise<void>) | undefined;
const exit = async () => {
  try {
    await stop?.();
  } finally {
    process.exit(0);
  }
};

process.on('message', (message: ChildStart | { usage: true } | { stop: true }) => {
  if ('mode' in message) {
    if (message.mode === 'worker') timeImportStatements();
    start(message).then(
      (s) => {
        stop = s;
      },
      (error: unknown) => {
        send({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
        process.exit(1);
      },
    );
  } else if ('usage' in message) {
    const memory = process.memoryUsage();
    const usage = process.resourceUsage();
    send({
      usage: {
        maxRssKb: usage.maxRSS,
        rssKb: Math.round(memory.rss / 1024),
        heapUsedKb: Math.round(memory.heapUsed / 1024),
        cpuMs: Math.round((usage.userCPUTime + usage.systemCPUTime) / 1000),
      },
    });
  } else if ('stop' in message) {
    void exit();
  }
});
process.on('SIGTERM', () => void exit());
// The benchmark going away takes its children with it.
process.on('disconnect', () => void exit());
