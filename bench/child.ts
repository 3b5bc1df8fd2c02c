import Fastify from 'fastify';
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
 *
 * Protocol: the parent sends { mode, env, payload? }; the child answers { ready: true, port? };
 * { usage: true } is answered with the child's peak RSS; { stop: true } closes and exits.
 */

export type ChildMode = 'api' | 'worker' | 'bare';
export interface ChildStart {
  mode: ChildMode;
  env: Record<string, string>;
  /** bare: the body the ceiling route returns. */
  payload?: unknown;
}
export type ChildMessage =
  | { ready: true; port?: number }
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
  const services = createServices(config, pino(loggerOptions(config.logLevel)));
  if (message.mode === 'worker') {
    const worker = await startWorker(services);
    send({ ready: true });
    return async () => {
      await worker.close();
      await closeServices(services);
    };
  }
  const app = await buildApp(services);
  await app.listen({ host: '127.0.0.1', port: 0 });
  send({ ready: true, port: (app.server.address() as { port: number }).port });
  return async () => {
    await app.close();
    await closeServices(services);
  };
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
