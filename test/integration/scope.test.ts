import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { desc, eq } from 'drizzle-orm';
import type { Role } from '../../src/domain/access.js';
import { auditLog } from '../../src/db/schema.js';
import { createTestContext, type TestContext } from '../support/context.js';
import { insertPupil, nextBsn, seedOrganisations } from '../support/fixtures.js';
import { dossierBody, enrol } from '../support/dossier-fixtures.js';

/**
 * One organisation never sees another's pupils, for every role and every read: the list, the
 * pupil, the dossier. Out of scope is 404 (the pupil's existence is not confirmed), a role that
 * may not act is 403.
 */
let ctx: TestContext;
const P: Record<'a' | 'b' | 'c' | 'd' | 'e', string> = { a: '', b: '', c: '', d: '', e: '' };
let dossierOfA = '';

beforeAll(async () => {
  ctx = await createTestContext();
  await seedOrganisations(ctx.services);
  const s = ctx.services;
  P.a = (await insertPupil(s, { schoolCode: '11AA00', gemeenteCode: 'GM9901' })).id;
  P.b = (await insertPupil(s, { schoolCode: '11AA01', gemeenteCode: 'GM9902' })).id;
  P.c = (await insertPupil(s, { schoolCode: '22BB00', gemeenteCode: 'GM9903' })).id;
  P.d = (await insertPupil(s, { schoolCode: '22BB00', gemeenteCode: 'GM9901' })).id;
  P.e = (await insertPupil(s, { schoolCode: '11AA00', gemeenteCode: 'GM9903' })).id;
  await enrol(s, P.d, '33CC');
  await enrol(s, P.e, '44DD');
  await enrol(s, P.a, '33CC');

  const mentor = ctx.as('mentor', '11AA00');
  const created = await ctx.app.inject({ method: 'POST', url: '/v1/dossiers', headers: mentor, payload: dossierBody({ pupilId: P.a }) });
  dossierOfA = created.json().id;
  await ctx.app.inject({ method: 'POST', url: `/v1/dossiers/${dossierOfA}/definitief`, headers: mentor });
});
afterAll(() => ctx.close());

const SCOPES: Array<[Role, string, Array<keyof typeof P>]> = [
  ['mentor', '11AA00', ['a', 'e']],
  ['mentor', '11AA01', ['b']],
  ['mentor', '22BB00', ['c', 'd']],
  ['mentor', '11AA', ['a', 'b', 'e']],
  ['mbo', '33CC', ['a', 'd']],
  ['mbo', '44DD', ['e']],
  ['officer', 'GM9901', ['a', 'd']],
  ['officer', 'GM9902', ['b']],
  ['officer', 'GM9903', ['c', 'e']],
  ['officer', 'RMC01', ['a', 'b', 'd']],
  ['admin', 'RMC01', ['a', 'b', 'c', 'd', 'e']],
];

const known = () => new Set(Object.values(P));

describe.each(SCOPES)('%s %s', (role, org, visible) => {
  const headers = () => ctx.as(role, org);

  it(`lists exactly pupils ${visible.join(', ')}`, async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/v1/pupils?limit=500', headers: headers() });
    expect(res.statusCode).toBe(200);
    const ids = res.json().items.map((p: { id: string }) => p.id).filter((id: string) => known().has(id));
    expect(new Set(ids)).toEqual(new Set(visible.map((k) => P[k])));
  });

  it('reads a pupil within scope and gets 404 for every other', async () => {
    for (const key of Object.keys(P) as Array<keyof typeof P>) {
      const res = await ctx.app.inject({ method: 'GET', url: `/v1/pupils/${P[key]}`, headers: headers() });
      expect([key, res.statusCode]).toEqual([key, visible.includes(key) ? 200 : 404]);
    }
  });

  it(`${visible.includes('a') ? 'reads' : 'gets 404 for'} the dossier of pupil a`, async () => {
    const res = await ctx.app.inject({ method: 'GET', url: `/v1/dossiers/${dossierOfA}`, headers: headers() });
    // A mentor of another vestiging of the same BRIN does not see the pupil, so not the dossier either.
    expect(res.statusCode).toBe(visible.includes('a') ? 200 : 404);
    const list = await ctx.app.inject({ method: 'GET', url: '/v1/dossiers?limit=500', headers: headers() });
    expect(list.json().items.map((d: { id: string }) => d.id)).toEqual(visible.includes('a') ? [dossierOfA] : []);
  });
});

describe('roles that may not act', () => {
  it('answers 403, not 404, to a role that may not do this', async () => {
    const officer = ctx.as('officer', 'GM9901');
    const mbo = ctx.as('mbo', '33CC');
    const cases = [
      { method: 'POST' as const, url: '/v1/dossiers', headers: officer, payload: dossierBody({ pupilId: P.a }) },
      { method: 'POST' as const, url: '/v1/dossiers/batch', headers: officer, payload: { items: [dossierBody({ pupilId: P.a })] } },
      { method: 'PUT' as const, url: `/v1/dossiers/${dossierOfA}`, headers: mbo, payload: { ...dossierBody({}), pupil: undefined } },
      { method: 'POST' as const, url: `/v1/dossiers/${dossierOfA}/definitief`, headers: officer },
      { method: 'POST' as const, url: `/v1/dossiers/${dossierOfA}/ontvangen`, headers: ctx.as('mentor', '11AA00') },
      { method: 'PUT' as const, url: `/v1/pupils/${P.a}/destination`, headers: mbo, payload: { destination: 'werk' } },
      { method: 'GET' as const, url: `/v1/pupils/${P.a}/identifier`, headers: officer },
      { method: 'GET' as const, url: '/v1/audit', headers: ctx.as('mentor', '11AA00') },
    ];
    for (const c of cases) {
      const res = await ctx.app.inject(c);
      expect([c.method, c.url, res.statusCode]).toEqual([c.method, c.url, 403]);
    }
  });
});

describe('audit of reads', () => {
  const rowsFor = (sub: string) => ctx.services.database.db.select().from(auditLog).where(eq(auditLog.actorSub, sub)).orderBy(desc(auditLog.id));

  it('records who listed which pupils', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/v1/pupils?limit=500', headers: ctx.as('officer', 'RMC01', 'officer-rmc') });
    const returned = res.json().items.map((p: { id: string }) => p.id);
    const [row] = await rowsFor('officer-rmc');
    expect(row).toMatchObject({ actorRole: 'officer', actorOrg: 'RMC01', action: 'pupil.list', resourceType: 'pupil', requestId: expect.any(String) });
    expect(new Set(row!.pupilIds)).toEqual(new Set(returned));
  });

  it('records a read of one pupil and of a dossier', async () => {
    await ctx.app.inject({ method: 'GET', url: `/v1/pupils/${P.d}`, headers: ctx.as('mbo', '33CC', 'intake-1') });
    await ctx.app.inject({ method: 'GET', url: `/v1/dossiers/${dossierOfA}`, headers: ctx.as('mbo', '33CC', 'intake-1') });
    const rows = await rowsFor('intake-1');
    expect(rows.map((r) => [r.action, r.actorRole, r.actorOrg, r.pupilIds])).toEqual([
      ['dossier.read', 'mbo', '33CC', [P.a]],
      ['pupil.read', 'mbo', '33CC', [P.d]],
    ]);
  });

  it('writes nothing for a read that failed or found nothing', async () => {
    const headers = ctx.as('mentor', '22BB00', 'mentor-elsewhere');
    expect((await ctx.app.inject({ method: 'GET', url: `/v1/pupils/${P.a}`, headers })).statusCode).toBe(404);
    expect((await ctx.app.inject({ method: 'GET', url: `/v1/dossiers/${dossierOfA}`, headers })).statusCode).toBe(404);
    expect((await ctx.app.inject({ method: 'GET', url: `/v1/pupils/${P.a}/identifier`, headers })).statusCode).toBe(404);
    expect((await ctx.app.inject({ method: 'GET', url: `/v1/pupils/${P.a}/identifier`, headers: ctx.as('officer', 'GM9901', 'officer-403') })).statusCode).toBe(403);
    expect(await rowsFor('mentor-elsewhere')).toEqual([]);
    expect(await rowsFor('officer-403')).toEqual([]);
  });
});

describe('redaction', () => {
  it('keeps BSN, surname and birth date out of the logs', async () => {
    const bsn = nextBsn();
    const surname = 'Verborgenhuis';
    const birthDate = '2009-12-31';
    const pupil = await insertPupil(ctx.services, { bsn, surname, birthDate, schoolCode: '11AA00' });
    const mentor = ctx.as('mentor', '11AA00');
    const body = dossierBody({ bsn }, { personalia: { roepnaam: 'Sam', achternaam: surname, geboortedatum: birthDate } });
    expect((await ctx.app.inject({ method: 'POST', url: '/v1/dossiers', headers: mentor, payload: body })).statusCode).toBe(201);
    await ctx.app.inject({ method: 'GET', url: '/v1/pupils?limit=500', headers: mentor });
    await ctx.app.inject({ method: 'GET', url: `/v1/pupils/${pupil.id}`, headers: mentor });
    await ctx.app.inject({ method: 'GET', url: `/v1/pupils/${pupil.id}/identifier`, headers: mentor });

    // A careless log line with the sensitive keys at several depths: the redact paths must catch it.
    ctx.services.logger.info({ bsn, pupil: { bsn, surname, birthDate }, dossier: { personalia: { achternaam: surname, geboortedatum: birthDate } } }, 'redaction probe');

    const logs = ctx.logs.join('\n');
    expect(logs).toContain('redaction probe');
    expect(logs).toContain('[redacted]');
    expect(logs).not.toContain(bsn);
    expect(logs).not.toContain(surname);
    expect(logs).not.toContain(birthDate);
  });
});
