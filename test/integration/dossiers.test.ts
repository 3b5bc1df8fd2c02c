import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { auditLog, dossiers, dossierVersions } from '../../src/db/schema.js';
import { createTestContext, type TestContext } from '../support/context.js';
import { insertPupil, nextBsn, seedOrganisations } from '../support/fixtures.js';
import { dossierBody, enrol } from '../support/dossier-fixtures.js';

let ctx: TestContext;
let mentor: { authorization: string };
const mbo33 = () => ctx.as('mbo', '33CC', 'intake-33');
const mbo44 = () => ctx.as('mbo', '44DD', 'intake-44');

beforeAll(async () => {
  ctx = await createTestContext();
  await seedOrganisations(ctx.services);
  mentor = ctx.as('mentor', '11AA00', 'mentor-1');
});
afterAll(() => ctx.close());

async function create(body: Record<string, unknown>, headers = mentor) {
  return ctx.app.inject({ method: 'POST', url: '/v1/dossiers', headers, payload: body });
}

async function createFor(pupilId: string, overrides: Record<string, unknown> = {}): Promise<string> {
  const res = await create(dossierBody({ pupilId }, overrides));
  expect(res.statusCode).toBe(201);
  return res.json().id;
}

const finalise = (id: string) => ctx.app.inject({ method: 'POST', url: `/v1/dossiers/${id}/definitief`, headers: mentor });
const receive = (id: string, headers = mbo33()) => ctx.app.inject({ method: 'POST', url: `/v1/dossiers/${id}/ontvangen`, headers });
const read = (id: string, headers: { authorization: string }) => ctx.app.inject({ method: 'GET', url: `/v1/dossiers/${id}`, headers });

describe('creating a dossier', () => {
  it('creates a concept from a BSN and stores the pupil id, never the number', async () => {
    const pupil = await insertPupil(ctx.services);
    const res = await create(dossierBody({ bsn: pupil.bsn }));
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(res.headers.location).toBe(`/v1/dossiers/${body.id}`);
    expect(body).toMatchObject({ pupilId: pupil.id, schoolCode: '11AA00', status: 'concept', version: 1, hiddenSections: [] });
    expect(Object.keys(body.sections)).toEqual(['personalia', 'schoolloopbaan', 'resultaten', 'ondersteuning', 'verzuim', 'advies', 'lob', 'toestemming']);
    expect(body.sections.toestemming).toMatchObject({ gedeeldeSecties: [], deelMetLeerplicht: { ondersteuning: false, verzuim: false } });

    const [stored] = await ctx.services.database.db.select({ content: sql<string>`${dossierVersions.content}::text` }).from(dossierVersions).where(eq(dossierVersions.dossierId, body.id));
    expect(stored!.content).not.toContain(pupil.bsn);
    expect(stored!.content).not.toContain('"pupil"');
    expect(JSON.stringify(body)).not.toContain(pupil.bsn);
  });

  it('answers a resend of the same dossier with the existing one, and other content with 409', async () => {
    const pupil = await insertPupil(ctx.services);
    const first = await create(dossierBody({ bsn: pupil.bsn }));
    const again = await create(dossierBody({ pupilId: pupil.id }));
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ id: first.json().id, version: 1 });
    const different = await create(dossierBody({ bsn: pupil.bsn }, { advies: { advies: 'Anders', contactpersoon: { naam: 'X' } } }));
    expect(different.statusCode).toBe(409);
    expect(different.json().detail).toContain(first.json().id);
    const count = await ctx.services.database.db.$count(dossiers, eq(dossiers.pupilId, pupil.id));
    expect(count).toBe(1);
  });

  it('does not find a pupil of another school, nor an unknown number (404)', async () => {
    const other = await insertPupil(ctx.services, { schoolCode: '22BB00' });
    expect((await create(dossierBody({ bsn: other.bsn }))).statusCode).toBe(404);
    expect((await create(dossierBody({ pupilId: other.id }))).statusCode).toBe(404);
    expect((await create(dossierBody({ bsn: nextBsn() }))).statusCode).toBe(404);
  });

  it('rejects an invalid number without repeating it', async () => {
    const res = await create(dossierBody({ bsn: '123456789' }));
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([{ path: 'body.pupil.bsn', reason: 'not a valid BSN (elfproef fails)' }]);
    expect(res.body).not.toContain('123456789');
  });

  it('rejects unknown fields and a refusal without its reason', async () => {
    const pupil = await insertPupil(ctx.services);
    expect((await create(dossierBody({ pupilId: pupil.id }, { hobby: 'voetbal' }))).statusCode).toBe(400);
    const refused = await create(dossierBody({ pupilId: pupil.id }, { toestemming: { leerlingGezien: true, oudersGezien: true, akkoord: false } }));
    expect(refused.statusCode).toBe(400);
    expect(refused.json().detail).toContain('redenGeenAkkoord');
  });

  it('forbids an officer, an mbo and an admin to write a dossier (403)', async () => {
    const pupil = await insertPupil(ctx.services);
    for (const headers of [ctx.as('officer', 'GM9901'), mbo33(), ctx.as('admin', 'RMC01')]) {
      expect((await create(dossierBody({ pupilId: pupil.id }), headers)).statusCode).toBe(403);
    }
  });
});

describe('the warme overdracht', () => {
  it('keeps a concept from the mbo, even where the pupil applied', async () => {
    const pupil = await insertPupil(ctx.services);
    await enrol(ctx.services, pupil.id, '33CC');
    const id = await createFor(pupil.id);
    expect((await read(id, mbo33())).statusCode).toBe(404);
    expect((await receive(id)).statusCode).toBe(404);
    const list = await ctx.app.inject({ method: 'GET', url: `/v1/dossiers?pupilId=${pupil.id}`, headers: mbo33() });
    expect(list.json().items).toEqual([]);
  });

  it('never lets a dossier reach an mbo where the pupil did not apply', async () => {
    const pupil = await insertPupil(ctx.services);
    await enrol(ctx.services, pupil.id, '33CC');
    const id = await createFor(pupil.id);
    await finalise(id);
    expect((await read(id, mbo44())).statusCode).toBe(404);
    expect((await receive(id, mbo44())).statusCode).toBe(404);
    expect((await read(id, mbo33())).statusCode).toBe(200);
  });

  it('finalises, lets the mentor correct, and records the receipt once', async () => {
    const pupil = await insertPupil(ctx.services);
    await enrol(ctx.services, pupil.id, '33CC');
    const id = await createFor(pupil.id);

    const final = await finalise(id);
    expect(final.json()).toMatchObject({ status: 'definitief', version: 2, finalisedAt: expect.any(String) });
    expect((await finalise(id)).json()).toMatchObject({ status: 'definitief', version: 2 });

    const corrected = await ctx.app.inject({
      method: 'PUT', url: `/v1/dossiers/${id}`, headers: { ...mentor, 'if-match': '"v2"' },
      payload: { ...dossierBody({}), pupil: undefined, advies: { advies: 'Niveau 3 BOL', contactpersoon: { naam: 'Mentor' } } },
    });
    expect(corrected.statusCode).toBe(200);
    expect(corrected.json()).toMatchObject({ status: 'definitief', version: 3 });
    expect((await read(id, mbo33())).json().sections.advies.advies).toBe('Niveau 3 BOL');

    const stale = await ctx.app.inject({ method: 'PUT', url: `/v1/dossiers/${id}`, headers: { ...mentor, 'if-match': '"v2"' }, payload: { ...dossierBody({}), pupil: undefined } });
    expect(stale.statusCode).toBe(412);

    const receipt = await receive(id);
    expect(receipt.statusCode).toBe(201);
    expect(receipt.json()).toMatchObject({ dossierId: id, version: 4, receivedBy: 'intake-33', receivedOrg: '33CC', receivedAt: expect.any(String) });
    const repeat = await receive(id);
    expect(repeat.statusCode).toBe(200);
    expect(repeat.json()).toEqual(receipt.json());

    const seenBySchool = (await read(id, mentor)).json();
    expect(seenBySchool).toMatchObject({ status: 'ontvangen', version: 4, receipt: { receivedBy: 'intake-33', receivedOrg: '33CC' } });

    const afterReceipt = await ctx.app.inject({ method: 'PUT', url: `/v1/dossiers/${id}`, headers: mentor, payload: { ...dossierBody({}), pupil: undefined } });
    expect(afterReceipt.statusCode).toBe(409);
    expect((await finalise(id)).statusCode).toBe(409);

    const versions = await ctx.app.inject({ method: 'GET', url: `/v1/dossiers/${id}/versions`, headers: mentor });
    expect(versions.json().items.map((v: { version: number; status: string }) => [v.version, v.status])).toEqual([
      [4, 'ontvangen'], [3, 'definitief'], [2, 'definitief'], [1, 'concept'],
    ]);
  });

  it('lets only one mbo confirm receipt', async () => {
    const pupil = await insertPupil(ctx.services);
    await enrol(ctx.services, pupil.id, '33CC');
    await enrol(ctx.services, pupil.id, '44DD');
    const id = await createFor(pupil.id);
    await finalise(id);
    expect((await receive(id)).statusCode).toBe(201);
    expect((await receive(id, mbo44())).statusCode).toBe(409);
  });

  it('makes no new version for an unchanged correction', async () => {
    const pupil = await insertPupil(ctx.services);
    const id = await createFor(pupil.id);
    const res = await ctx.app.inject({ method: 'PUT', url: `/v1/dossiers/${id}`, headers: mentor, payload: { ...dossierBody({}), pupil: undefined } });
    expect(res.json()).toMatchObject({ version: 1, status: 'concept' });
  });

  it('keeps the versions from the mbo and the officer (403)', async () => {
    const pupil = await insertPupil(ctx.services);
    await enrol(ctx.services, pupil.id, '33CC');
    const id = await createFor(pupil.id);
    await finalise(id);
    expect((await ctx.app.inject({ method: 'GET', url: `/v1/dossiers/${id}/versions`, headers: mbo33() })).statusCode).toBe(403);
    expect((await ctx.app.inject({ method: 'GET', url: `/v1/dossiers/${id}/versions`, headers: ctx.as('officer', 'GM9901') })).statusCode).toBe(403);
    expect((await ctx.app.inject({ method: 'GET', url: `/v1/dossiers/${id}/versions`, headers: ctx.as('admin', 'RMC01') })).statusCode).toBe(200);
  });
});

describe('access per section', () => {
  async function finalDossier(overrides: Record<string, unknown>) {
    const pupil = await insertPupil(ctx.services);
    await enrol(ctx.services, pupil.id, '33CC');
    const id = await createFor(pupil.id, overrides);
    await finalise(id);
    return id;
  }
  const consent = (extra: Record<string, unknown>) => ({ toestemming: { leerlingGezien: true, oudersGezien: true, akkoord: true, ...extra } });

  it('shows the mbo the basics, plus what the pupil chose to share', async () => {
    const basic = (await read(await finalDossier({}), mbo33())).json();
    expect(Object.keys(basic.sections)).toEqual(['personalia', 'schoolloopbaan', 'resultaten', 'advies', 'lob']);
    expect(basic.hiddenSections).toEqual(['ondersteuning', 'verzuim', 'toestemming']);

    const shared = (await read(await finalDossier(consent({ gedeeldeSecties: ['ondersteuning'] })), mbo33())).json();
    expect(shared.sections.ondersteuning).toMatchObject({ behoefte: 'extra tijd bij toetsen' });
    expect(shared.sections).not.toHaveProperty('verzuim');
  });

  it('shows the mbo only personalia and schoolloopbaan without agreement', async () => {
    const id = await finalDossier({ toestemming: { leerlingGezien: true, oudersGezien: false, akkoord: false, redenGeenAkkoord: 'Ouders niet bereikt', gedeeldeSecties: ['verzuim'] } });
    const body = (await read(id, mbo33())).json();
    expect(Object.keys(body.sections)).toEqual(['personalia', 'schoolloopbaan']);
  });

  it('never shows the officer support needs or absence unless the dossier marks them shareable', async () => {
    const plain = (await read(await finalDossier(consent({ gedeeldeSecties: ['ondersteuning', 'verzuim'] })), ctx.as('officer', 'GM9901'))).json();
    expect(Object.keys(plain.sections)).toEqual(['personalia', 'schoolloopbaan', 'resultaten', 'advies']);
    expect(plain.hiddenSections).toEqual(['ondersteuning', 'verzuim', 'lob', 'toestemming']);

    const marked = (await read(await finalDossier(consent({ deelMetLeerplicht: { verzuim: true } })), ctx.as('officer', 'RMC01'))).json();
    expect(marked.sections.verzuim).toMatchObject({ ongeoorloofdUren: 24 });
    expect(marked.sections).not.toHaveProperty('ondersteuning');
  });

  it('shows a secret address to the school only', async () => {
    const id = await finalDossier({
      personalia: { roepnaam: 'Sam', achternaam: 'Testpersoon', geboortedatum: '2010-03-15', adres: { straat: 'Geheimstraat', huisnummer: '9', postcode: '9999 ZZ', woonplaats: 'Testdorp', geheim: true } },
    });
    expect((await read(id, mentor)).json().sections.personalia.adres.straat).toBe('Geheimstraat');
    for (const headers of [mbo33(), ctx.as('officer', 'GM9901')]) {
      const res = await read(id, headers);
      expect(res.json().sections.personalia).not.toHaveProperty('adres');
      expect(res.body).not.toContain('Geheimstraat');
    }
  });

  it('gives an admin metadata only', async () => {
    const body = (await read(await finalDossier({}), ctx.as('admin', 'RMC01'))).json();
    expect(body.sections).toEqual({});
    expect(body.hiddenSections).toHaveLength(8);
    expect(body.status).toBe('definitief');
  });
});

describe('batch', () => {
  const batch = (items: unknown[]) => ctx.app.inject({ method: 'POST', url: '/v1/dossiers/batch', headers: mentor, payload: { items } });

  it('creates every dossier in one go, and a resend changes nothing', async () => {
    const pupils = await Promise.all([1, 2, 3].map(() => insertPupil(ctx.services, { schoolCode: '11AA00' })));
    const items = pupils.map((p, i) => dossierBody(i === 0 ? { bsn: p.bsn } : { pupilId: p.id }));
    const res = await batch(items);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ created: 3, unchanged: 0 });
    expect(res.json().items.map((i: { pupilId: string }) => i.pupilId)).toEqual(pupils.map((p) => p.id));
    const again = await batch(items);
    expect(again.json()).toMatchObject({ created: 0, unchanged: 3 });
  });

  it('stores nothing when one item is wrong, and names row and column', async () => {
    const good = await insertPupil(ctx.services);
    const elsewhere = await insertPupil(ctx.services, { schoolCode: '22BB00' });
    const twice = await insertPupil(ctx.services);
    const broken = dossierBody({ pupilId: good.id });
    delete broken.advies;
    const res = await batch([
      dossierBody({ pupilId: twice.id }),
      broken,
      dossierBody({ bsn: elsewhere.bsn }),
    ]);
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([{ row: 2, column: 'advies', reason: expect.any(String) }]);

    const second = await batch([dossierBody({ pupilId: twice.id }), dossierBody({ bsn: elsewhere.bsn }), dossierBody({ pupilId: twice.id })]);
    expect(second.statusCode).toBe(422);
    expect(second.json().errors).toEqual([
      { row: 2, column: 'pupil', reason: 'no such pupil at your school' },
      { row: 3, column: 'pupil', reason: 'the same pupil as row 1' },
    ]);
    expect(second.body).not.toContain(elsewhere.bsn);
    expect(await ctx.services.database.db.$count(dossiers, eq(dossiers.pupilId, twice.id))).toBe(0);
  });

  it('refuses more than 200 items', async () => {
    const res = await batch(Array.from({ length: 201 }, () => ({})));
    expect(res.statusCode).toBe(400);
  });
});

describe('audit of dossiers', () => {
  it('records create, read and receipt with actor, role, org and pupil', async () => {
    const pupil = await insertPupil(ctx.services);
    await enrol(ctx.services, pupil.id, '33CC');
    const id = await createFor(pupil.id);
    await finalise(id);
    await read(id, mbo33());
    await receive(id);
    const rows = await ctx.services.database.db
      .select()
      .from(auditLog)
      .where(sql`${auditLog.pupilIds} @> ARRAY[${pupil.id}]::uuid[]`)
      .orderBy(auditLog.id);
    expect(rows.map((r) => [r.action, r.actorSub, r.actorRole, r.actorOrg, r.resourceId])).toEqual([
      ['dossier.create', 'mentor-1', 'mentor', '11AA00', id],
      ['dossier.finalise', 'mentor-1', 'mentor', '11AA00', id],
      ['dossier.read', 'intake-33', 'mbo', '33CC', id],
      ['dossier.receive', 'intake-33', 'mbo', '33CC', id],
    ]);
  });
});
