import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

/**
 * Load on a listening server with autocannon: 50 connections for 10 s, cycling through a list
 * of requests (officers of different municipalities and regions, first and later pages). The
 * same harness runs against a bare fastify route that answers a fixed page with no auth and no
 * database: the ceiling of this machine for an HTTP+JSON round trip.
 */

export interface LoadTarget {
  path: string;
  authorization?: string;
}

export interface LoadResult {
  requests: number;
  rps: number;
  p50: number;
  p97_5: number;
  p99: number;
  max: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
}

export interface LoadOptions {
  connections: number;
  durationSeconds: number;
  /** A short unmeasured run first: JIT, connection pools and caches warm up. */
  warmupSeconds: number;
}

async function once(base: string, targets: readonly LoadTarget[], connections: number, duration: number) {
  let next = 0;
  return autocannon({
    url: base,
    connections,
    duration,
    timeout: 10,
    requests: [
      {
        method: 'GET',
        setupRequest: (request) => {
          const target = targets[next++ % targets.length]!;
          return {
            ...request,
            path: target.path,
            headers: { ...request.headers, ...(target.authorization ? { authorization: target.authorization } : {}) },
          };
        },
      },
    ],
  });
}

const CHILD = '--load-generator';

export function loadTest(base: string, targets: readonly LoadTarget[], options: LoadOptions): Promise<LoadResult> {
  const child = fork(fileURLToPath(import.meta.url), [CHILD], { execArgv: ['--import', 'tsx'] });
  return new Promise((resolve, reject) => {
    child.once('message', (result: LoadResult) => resolve(result));
    child.once('exit', (code) => reject(new Error(`the load generator exited (code ${code}) without a result`)));
    child.send({ base, targets, options });
  });
}

if (process.argv[2] === CHILD) {
  process.once('message', async ({ base, targets, options }: { base: string; targets: LoadTarget[]; options: LoadOptions }) => {
    process.send!(await measure(base, targets, options), () => process.exit(0));
  });
}

async function measure(base: string, targets: readonly LoadTarget[], options: LoadOptions): Promise<LoadResult> {
  if (options.warmupSeconds > 0) await once(base, targets, options.connections, options.warmupSeconds);
  const r = await once(base, targets, options.connections, options.durationSeconds);
  return {
    requests: r.requests.total,
    rps: Math.round(r.requests.total / r.duration),
    p50: r.latency.p50,
    p97_5: r.latency.p97_5,
    p99: r.latency.p99,
    max: r.latency.max,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    statusCodes: Object.fromEntries(Object.entries(r.statusCodeStats).map(([code, s]) => [code, Number(s.count)])),
  };
}
