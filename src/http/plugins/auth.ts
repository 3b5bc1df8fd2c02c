import fp from 'fastify-plugin';
import jwt, { type FastifyJWTOptions } from '@fastify/jwt';
import buildGetJwks from 'get-jwks';
import { z } from 'zod';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../../config.js';
import { orgKind } from '../../domain/organisations.js';
import { roles, type Caller, type Role } from '../../domain/access.js';
import { HttpProblem } from '../problems.js';

export { roles, type Caller, type Role };

const ALLOWED_ORGS: Record<Role, ReadonlyArray<ReturnType<typeof orgKind>>> = {
  mentor: ['vestiging', 'brin'],
  mbo: ['brin'],
  officer: ['gemeente', 'region'],
  admin: ['region', 'gemeente', 'brin', 'vestiging', null],
};

const Claims = z
  .object({ sub: z.string().min(1), role: z.enum(roles), org: z.string().min(1) })
  .refine((c) => ALLOWED_ORGS[c.role].includes(orgKind(c.org)), { message: 'org does not fit the role' });

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: Caller;
    user: Caller;
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** preHandler: 401 unless the request carries a valid token. */
    authenticate(request: FastifyRequest): Promise<void>;
    /** preHandler factory: 403 unless the caller has one of the roles. */
    requireRole(...roles: Role[]): (request: FastifyRequest) => Promise<void>;
  }
  interface FastifyRequest {
    caller: Caller;
  }
}

function jwtOptions(config: Config['jwt']): FastifyJWTOptions {
  // Verified tokens are remembered (until they expire, at most 10 minutes): officers' clients
  // send the same token with every request, and verifying it each time was ~5 % of the API's CPU
  // under load. fast-jwt keys the cache by a hash of the whole token.
  const verify = { allowedIss: config.issuer, allowedAud: config.audience, cache: 10_000 };
  switch (config.algorithm) {
    case 'HS256':
      return { secret: config.secret, verify: { ...verify, algorithms: ['HS256'] } };
    case 'RS256':
      return { secret: { public: config.publicKey }, verify: { ...verify, algorithms: ['RS256'] } };
    case 'JWKS': {
      const url = new URL(config.jwksUrl);
      const getJwks = buildGetJwks({ jwksPath: url.pathname, providerDiscovery: false });
      return {
        decode: { complete: true },
        verify: { ...verify, algorithms: ['RS256'] },
        // @fastify/jwt hands over the decoded token or just its header, depending on `decode`.
        secret: async (_request: FastifyRequest, token: unknown) => {
          type Header = { kid?: string; alg?: string };
          const header = (token as { header?: Header }).header ?? (token as Header);
          return getJwks.getPublicKey({ domain: url.origin, kid: header.kid, alg: header.alg });
        },
      };
    }
  }
}

export default fp(async function auth(app: FastifyInstance, opts: { jwt: Config['jwt'] }) {
  await app.register(jwt, jwtOptions(opts.jwt));
  app.decorateRequest('caller', null as unknown as Caller);

  app.decorate('authenticate', async (request: FastifyRequest) => {
    if (!request.headers.authorization?.startsWith('Bearer ')) {
      throw new HttpProblem('unauthorized', 'Send Authorization: Bearer <token>');
    }
    let decoded: unknown;
    try {
      decoded = await request.jwtVerify();
    } catch {
      throw new HttpProblem('unauthorized', 'The bearer token is invalid or expired');
    }
    const claims = Claims.safeParse(decoded);
    if (!claims.success) throw new HttpProblem('unauthorized', 'The token lacks valid sub, role and org claims');
    request.caller = claims.data;
  });

  app.decorate('requireRole', (...allowed: Role[]) => async (request: FastifyRequest) => {
    if (!allowed.includes(request.caller.role)) {
      throw new HttpProblem('forbidden', `This needs the role ${allowed.join(' or ')}`);
    }
  });
});
