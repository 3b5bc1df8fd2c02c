import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HttpProblem } from '../problems.js';

/**
 * The BullMQ dashboard (bull-board) at /admin/queues, for admins only.
 *
 * A browser cannot put a bearer token on the page's own asset and API requests, so besides
 * `Authorization: Bearer <admin JWT>` (scripts, curl) the entry page accepts the token once as
 * `?token=<admin JWT>`: it is verified like any bearer token, exchanged for a cookie and the
 * browser is redirected (303) to the same URL without it. The cookie (`doorstroom_queues`) is valid
 * for /admin/queues only, HttpOnly, SameSite=Strict, and expires after 15 minutes (or with the
 * JWT, if sooner); after that, open the page with ?token= again. It carries the admin's `sub`
 * and its expiry under an HMAC keyed from PII_HMAC_KEY, so every API replica accepts it.
 * Logged URLs drop the query string, so the token does not reach the logs.
 */

const COOKIE = 'doorstroom_queues';
const COOKIE_SECONDS = 15 * 60;

export default async function queuesUi(app: FastifyInstance) {
  const { services } = app;
  const base = app.prefix;
  const key = Buffer.from(hkdfSync('sha256', services.config.pii.hmacKey, Buffer.alloc(0), 'doorstroom:admin-queues-cookie', 32));
  const mac = (body: string) => createHmac('sha256', key).update(body).digest('base64url');

  const issueCookie = (sub: string, jwtExp: number | undefined): string => {
    const exp = Math.min(Math.floor(Date.now() / 1000) + COOKIE_SECONDS, jwtExp ?? Infinity);
    const body = Buffer.from(JSON.stringify({ sub, exp })).toString('base64url');
    return `${body}.${mac(body)}`;
  };
  const readCookie = (request: FastifyRequest): { sub: string } | null => {
    const raw = request.headers.cookie?.split(/;\s*/).find((c) => c.startsWith(`${COOKIE}=`))?.slice(COOKIE.length + 1);
    const [body, tag] = raw?.split('.') ?? [];
    if (!body || !tag) return null;
    const expected = Buffer.from(mac(body));
    const given = Buffer.from(tag);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
    try {
      const claims = JSON.parse(Buffer.from(body, 'base64url').toString()) as { sub?: unknown; exp?: unknown };
      return typeof claims.sub === 'string' && typeof claims.exp === 'number' && claims.exp > Date.now() / 1000 ? { sub: claims.sub } : null;
    } catch {
      return null;
    }
  };

  // bull-board installs its own error handler for its routes, so refusals are sent from here.
  const refuse = (request: FastifyRequest, reply: FastifyReply, problem: HttpProblem) =>
    reply
      .status(problem.status)
      .type('application/problem+json')
      .headers(problem.status === 401 ? { 'www-authenticate': 'Bearer' } : {})
      .send(problem.toBody(request.url.split('?')[0]));

  app.addHook('onRequest', async (request, reply) => {
    if (readCookie(request)) return;
    const query = request.query as Record<string, unknown> | undefined;
    // Only a page load trades a token for the cookie; the dashboard's own calls carry the cookie.
    const fromQuery = request.method === 'GET' && typeof query?.token === 'string' ? query.token : undefined;
    if (fromQuery) request.headers.authorization = `Bearer ${fromQuery}`;
    try {
      await app.authenticate(request);
    } catch (err) {
      if (err instanceof HttpProblem) return refuse(request, reply, err);
      throw err;
    }
    if (request.caller.role !== 'admin') return refuse(request, reply, new HttpProblem('forbidden', 'The queue dashboard is for admins'));
    if (!fromQuery) return;

    const { exp } = (request.user ?? {}) as { exp?: number };
    const secure = request.protocol === 'https' || services.config.env === 'production' ? '; Secure' : '';
    const url = new URL(request.url, 'http://localhost');
    url.searchParams.delete('token');
    return reply
      .header('set-cookie', `${COOKIE}=${issueCookie(request.caller.sub, exp)}; Path=${base}; Max-Age=${COOKIE_SECONDS}; HttpOnly; SameSite=Strict${secure}`)
      .header('cache-control', 'no-store')
      .redirect(url.pathname + url.search, 303);
  });

  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(base);
  createBullBoard({
    queues: services.queues.all().map((queue) => new BullMQAdapter(queue)),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Doorstroom queues' } },
  });
  await app.register(serverAdapter.registerPlugin());
}
