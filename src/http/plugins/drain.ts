import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    /** Counted by the drain plugin until its reply is on its way. */
    inFlight: boolean;
  }
}

/**
 * Shutdown waits for the requests still being handled. fastify's close() resolves as soon as no
 * socket is open, and a client that hung up leaves none while its handler still runs: the pools
 * closed right after would fail that handler half-way (its transaction rolls back, the work is
 * lost, an error is logged). A request counts from onRequest until its reply is on its way
 * (onSend, which runs for a client that hung up too, after the audit hook wrote its record) or
 * sent (onResponse); closing waits until none is left, at most `graceMs`.
 */
export default fp(async function drain(app: FastifyInstance, opts: { graceMs: number }) {
  let running = 0;
  let drained: (() => void) | null = null;
  const done = (request: FastifyRequest) => {
    if (!request.inFlight) return;
    request.inFlight = false;
    if (--running === 0) drained?.();
  };

  app.decorateRequest('inFlight', false);
  // Callback hooks: on every request, they cost less than async ones.
  app.addHook('onRequest', (request, _reply, next) => {
    request.inFlight = true;
    running++;
    next();
  });
  app.addHook('onSend', (request, _reply, payload, next) => {
    done(request);
    next(null, payload);
  });
  app.addHook('onResponse', (request, _reply, next) => {
    done(request);
    next();
  });
  app.addHook('onClose', async () => {
    if (running === 0) return;
    app.log.info({ running }, 'waiting for requests still being handled');
    await new Promise<void>((resolve) => {
      drained = resolve;
      setTimeout(resolve, opts.graceMs).unref();
    });
  });
});
