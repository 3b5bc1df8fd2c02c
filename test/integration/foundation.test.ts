import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../support/context.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

describe('health', () => {
  it('answers /healthz without a token', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('reports PostgreSQL and the queue backend reachable on /readyz', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/readyz' });
    const queue = ctx.services.queues.backend === 'redis' ? 'redis' : 'queue';
    expect(res.json()).toEqual({ status: 'ok', checks: { postgres: 'ok', [queue]: 'ok' } });
  });
});

describe('authentication', () => {
  it('answers 401 problem+json without a token', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/v1/organisations' });
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ type: 'urn:doorstroom:problem:unauthorized', status: 401 });
  });

  it('answers 401 for a token signed with another secret', async () => {
    const { mintToken } = await import('../../scripts/token.js');
    const forged = mintToken('another-secret-that-is-at-least-32-characters', { sub: 'x', role: 'admin', org: 'RMC01' });
    const res = await ctx.app.inject({ method: 'GET', url: '/v1/organisations', headers: { authorization: `Bearer ${forged}` } });
    expect(res.statusCode).toBe(401);
  });

  it('answers 401 when the org does not fit the role', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/v1/organisations', headers: ctx.as('officer', '12AB00') });
    expect(res.statusCode).toBe(401);
  });
});

describe('organisations', () => {
  it('lets an admin create a region and a municipality in it, and anyone read them', async () => {
    const admin = ctx.as('admin', 'RMC01');
    const region = await ctx.app.inject({ method: 'PUT', url: '/v1/organisations/RMC01', headers: admin, payload: { kind: 'regio', name: 'Regio Test', checkStartDate: '09-01' } });
    expect(region.statusCode).toBe(201);
    const gm = await ctx.app.inject({ method: 'PUT', url: '/v1/organisations/GM9901', headers: admin, payload: { kind: 'gemeente', name: 'Testdorp', parentCode: 'RMC01' } });
    expect(gm.statusCode).toBe(201);
    const again = await ctx.app.inject({ method: 'PUT', url: '/v1/organisations/GM9901', headers: admin, payload: { kind: 'gemeente', name: 'Testdorp aan Zee', parentCode: 'RMC01' } });
    expect(again.statusCode).toBe(200);

    const list = await ctx.app.inject({ method: 'GET', url: '/v1/organisations?kind=gemeente', headers: ctx.as('officer', 'GM9901') });
    expect(list.json().items).toEqual([expect.objectContaining({ code: 'GM9901', name: 'Testdorp aan Zee', parentCode: 'RMC01' })]);
  });

  it('forbids a mentor to change organisations', async () => {
    const res = await ctx.app.inject({ method: 'PUT', url: '/v1/organisations/12AB', headers: ctx.as('mentor', '12AB00'), payload: { kind: 'vmbo', name: 'X' } });
    expect(res.statusCode).toBe(403);
  });

  it('rejects unknown fields and a code that does not fit the kind', async () => {
    const admin = ctx.as('admin', 'RMC01');
    const unknown = await ctx.app.inject({ method: 'PUT', url: '/v1/organisations/12AB', headers: admin, payload: { kind: 'vmbo', name: 'X', colour: 'red' } });
    expect(unknown.statusCode).toBe(400);
    const badCode = await ctx.app.inject({ method: 'PUT', url: '/v1/organisations/GM0001', headers: admin, payload: { kind: 'mbo', name: 'X' } });
    expect(badCode.statusCode).toBe(400);
  });
});
