import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { auditLog, enrolmentEvents, importPupils, imports, pupils } from '../../src/db/schema.js';
import { createTestContext, type TestContext } from '../support/context.js';
import { insertPupil, seedOrganisations } from '../support/fixtures.js';
import { dossierBody, enrol } from '../support/dossier-fixtures.js';

let ctx: TestContext;
const mentor = () => ctx.as('mentor', '11AA00', 'mentor-1');

beforeAll(async () => {
  ctx = await createTestContext();
  await seedOrganisations(ctx.services);
});
afterAll(() => ctx.close());

const get = (url: string, headers: { authorization: string }) => ctx.app.inject({ method: 'GET', url, headers });

describe('GET /v1/pupils', () => {
  it('pages through every pupil exactly once, newest first', async () => {
    const made = [];
    for (let i = 0; i < 5; i++) made.push((await insertPupil(ctx.services, { schoolCode: '11AA01', cohort: '2024-2025' })).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await get(`/v1/pupils?cohort=2024-2025&limit=2${cursor ? `&cursor=${cursor}` : ''}`, ctx.as('mentor', '11AA01'));
      expect(res.statusCode).toBe(200);
      const body: { items: Array<{ id: string }>; nextCursor: string | null } = res.json();
      seen.push(...body.items.map((p) => p.id));
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...made].reverse());
  });

  it('filters by cohort, school (vestiging or BRIN) and gemeente', async () => {
    const a = await insertPupil(ctx.services, { schoolCode: '11AA00', gemeenteCode: 'GM9902', cohort: '2025-2026' });
    const b = await insertPupil(ctx.services, { schoolCode: '11AA01', gemeenteCode: 'GM9902', cohort: '2025-2026' });
    const admin = ctx.as('admin', 'RMC01');
    const ids = async (query: string) => (await get(`/v1/pupils?${query}&limit=500`, admin)).json().items.map((p: { id: string }) => p.id);
    expect(await ids('school=11AA00&gemeente=GM9902')).toEqual([a.id]);
    expect(await ids('school=11AA&gemeente=GM9902')).toEqual([b.id, a.id]);
    expect(await ids('school=11AA&gemeente=GM9902&cohort=2024-2025')).toEqual([]);
    expect((await get('/v1/pupils?cohort=2025-2027', admin)).statusCode).toBe(400);
  });

  it('shows names and school but no identifier', async () => {
    const p = await insertPupil(ctx.services, { givenName: 'Noor', surname: 'Lijstmans' });
    const res = await get('/v1/pupils?limit=500', mentor());
    const item = res.json().items.find((i: { id: string }) => i.id === p.id);
    expect(item).toEqual({
      id: p.id, givenName: 'Noor', infix: null, surname: 'Lijstmans', birthDate: '2010-03-15', schoolCode: '11AA00',
      gemeenteCode: 'GM9901', cohort: '2025-2026', leerweg: null, destination: null, updatedAt: expect.any(String),
    });
    expect(res.body).not.toContain(p.bsn);
  });

  it('rejects a cursor it did not hand out', async () => {
    expect((await get('/v1/pupils?cursor=bm9wZQ', mentor())).statusCode).toBe(400);
  });
});

describe('GET /v1/pupils/:id', () => {
  it('shows enrolments with history, and a timeline of imports, dossier versions and receipt', async () => {
    const p = await insertPupil(ctx.services);
    const enrolmentId = await enrol(ctx.services, p.id, '33CC');
    await ctx.services.database.db.insert(enrolmentEvents).values([
      { enrolmentId, status: 'aangemeld', appliedOn: '2026-03-01', source: 'api' },
      { enrolmentId, status: 'onderwijsovereenkomst_aangeboden', appliedOn: '2026-03-01', source: 'api' },
    ]);
    await enrol(ctx.services, p.id, '44DD', 'aangemeld', '25270');
    const [imp] = await ctx.services.database.db
      .insert(imports)
      .values({ kind: 'leerlingen', orgCode: '11AA00', schoolCode: '11AA00', sizeBytes: 10, sha256: createHash('sha256').update(p.id).digest(), status: 'done', createdBy: 'mentor-1', finishedAt: new Date(Date.now() - 60_000) })
      .returning();
    await ctx.services.database.db.insert(importPupils).values({ importId: imp!.id, pupilId: p.id, row: 2, action: 'created' });

    const created = await ctx.app.inject({ method: 'POST', url: '/v1/dossiers', headers: mentor(), payload: dossierBody({ pupilId: p.id }) });
    const dossierId = created.json().id;
    await ctx.app.inject({ method: 'POST', url: `/v1/dossiers/${dossierId}/definitief`, headers: mentor() });
    await ctx.app.inject({ method: 'POST', url: `/v1/dossiers/${dossierId}/ontvangen`, headers: ctx.as('mbo', '33CC', 'intake-33') });

    const res = await get(`/v1/pupils/${p.id}`, mentor());
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.identifier).toEqual({ kind: 'bsn', last4: p.bsn.slice(-4) });
    expect(res.body).not.toContain(p.bsn);
    expect(body.enrolments).toHaveLength(2);
    expect(body.enrolments[0]).toMatchObject({ mboBrin: '33CC', crebo: '25269', niveau: 2, leerweg: 'BOL', status: 'aangemeld', appliedOn: '2026-03-01' });
    expect(body.enrolments[0].history.map((h: { status: string }) => h.status)).toEqual(['aangemeld', 'onderwijsovereenkomst_aangeboden']);
    expect(body.timeline.map((e: { type: string; status?: string }) => [e.type, e.status])).toEqual([
      ['import', undefined],
      ['dossier_version', 'concept'],
      ['dossier_version', 'definitief'],
      ['dossier_version', 'ontvangen'],
      ['dossier_ontvangen', undefined],
    ]);
    expect(body.timeline[0]).toMatchObject({ importId: imp!.id, kind: 'leerlingen', action: 'created', orgCode: '11AA00' });
    expect(body.timeline[4]).toMatchObject({ dossierId, receivedBy: 'intake-33', receivedOrg: '33CC' });

    // The mbo: its own application only, no other school's upload, no concept version.
    const asMbo = (await get(`/v1/pupils/${p.id}`, ctx.as('mbo', '33CC'))).json();
    expect(asMbo.enrolments.map((e: { mboBrin: string }) => e.mboBrin)).toEqual(['33CC']);
    expect(asMbo.timeline.map((e: { type: string; status?: string }) => e.status ?? e.type)).toEqual(['definitief', 'ontvangen', 'dossier_ontvangen']);
  });

  it('answers 404 for an unknown id', async () => {
    expect((await get('/v1/pupils/00000000-0000-4000-8000-000000000000', ctx.as('admin', 'RMC01'))).statusCode).toBe(404);
  });
});

describe('GET /v1/pupils/:id/identifier', () => {
  it('shows the full number to the own school, uncached and audited', async () => {
    const p = await insertPupil(ctx.services);
    const res = await get(`/v1/pupils/${p.id}/identifier`, mentor());
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ kind: 'bsn', value: p.bsn });
    expect(res.headers['cache-control']).toBe('no-store');
    const [row] = await ctx.services.database.db.select().from(auditLog).where(eq(auditLog.action, 'pupil.identifier.read'));
    expect(row).toMatchObject({ actorSub: 'mentor-1', actorRole: 'mentor', actorOrg: '11AA00', pupilIds: [p.id] });
    expect(JSON.stringify(row)).not.toContain(p.bsn);
  });

  it('refuses the mbo and the officer (403) and another school (404)', async () => {
    const p = await insertPupil(ctx.services);
    await enrol(ctx.services, p.id, '33CC');
    expect((await get(`/v1/pupils/${p.id}/identifier`, ctx.as('mbo', '33CC'))).statusCode).toBe(403);
    expect((await get(`/v1/pupils/${p.id}/identifier`, ctx.as('officer', 'GM9901'))).statusCode).toBe(403);
    expect((await get(`/v1/pupils/${p.id}/identifier`, ctx.as('mentor', '22BB00'))).statusCode).toBe(404);
    expect((await get(`/v1/pupils/${p.id}/identifier`, ctx.as('admin', 'RMC01'))).json().value).toBe(p.bsn);
  });
});

describe('destination', () => {
  const put = (id: string, payload: Record<string, unknown>, headers = mentor()) => ctx.app.inject({ method: 'PUT', url: `/v1/pupils/${id}/destination`, headers, payload });

  it('records a destination other than mbo, queues a re-evaluation, and clears it', async () => {
    const p = await insertPupil(ctx.services);
    const res = await put(p.id, { destination: 'havo_vwo', note: 'Doorstroom naar havo 4', hasStartkwalificatie: false });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ pupilId: p.id, destination: 'havo_vwo', note: 'Doorstroom naar havo 4', recordedAt: expect.any(String) });
    const jobs = await ctx.services.queues.get('monitoring').getJobs(['waiting', 'delayed', 'active', 'prioritized']);
    expect(jobs.some((j) => j.name === 'evaluate' && (j.data as { pupilIds: string[] }).pupilIds.includes(p.id))).toBe(true);
    expect((await get(`/v1/pupils/${p.id}`, ctx.as('officer', 'GM9901'))).json()).toMatchObject({ destination: 'havo_vwo', destinationNote: 'Doorstroom naar havo 4' });

    const cleared = await ctx.app.inject({ method: 'DELETE', url: `/v1/pupils/${p.id}/destination`, headers: mentor() });
    expect(cleared.statusCode).toBe(204);
    const [row] = await ctx.services.database.db.select().from(pupils).where(eq(pupils.id, p.id));
    expect(row).toMatchObject({ destination: null, destinationNote: null, destinationRecordedAt: null });

    const actions = await ctx.services.database.db.select({ action: auditLog.action }).from(auditLog).where(eq(auditLog.resourceId, p.id));
    expect(actions.map((a) => a.action)).toEqual(expect.arrayContaining(['pupil.destination.update', 'pupil.destination.clear']));
  });

  it('stores the change even when the queue is down', async () => {
    const p = await insertPupil(ctx.services);
    const queues = ctx.services.queues;
    const original = queues.add;
    queues.add = async () => { throw new Error('Connection is closed.'); };
    try {
      const res = await put(p.id, { destination: 'werk' });
      expect(res.statusCode).toBe(200);
    } finally {
      queues.add = original;
    }
    expect(ctx.logs.some((l) => l.includes('could not enqueue evaluate'))).toBe(true);
  });

  it('refuses an officer (403), another school (404) and an unknown destination (400)', async () => {
    const p = await insertPupil(ctx.services);
    expect((await put(p.id, { destination: 'werk' }, ctx.as('officer', 'GM9901'))).statusCode).toBe(403);
    expect((await put(p.id, { destination: 'werk' }, ctx.as('mentor', '22BB00'))).statusCode).toBe(404);
    expect((await put(p.id, { destination: 'mbo' })).statusCode).toBe(400);
    expect((await put(p.id, { destination: 'werk', colour: 'red' })).statusCode).toBe(400);
  });
});
