import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { startWorker, type RunningWorker } from '../../jobs/worker.js';
import { auditLog, enrolments, importChunks, importRowErrors, imports, pupilIdentifiers, pupils } from '../../src/db/schema.js';
import { createTestContext, type TestContext } from '../support/context.js';
import { nextBsn, seedOrganisations } from '../support/fixtures.js';
import { csvBytes, invalidBsn, onderwijsnummer, xlsxBytes } from '../fixtures/imports.js';
import { upload as uploadTo } from '../support/uploads.js';

let ctx: TestContext;
let worker: RunningWorker;
const mentor = () => ctx.as('mentor', '11AA00');

beforeAll(async () => {
  ctx = await createTestContext();
  await seedOrganisations(ctx.services);
  worker = await startWorker(ctx.services);
});
afterAll(async () => {
  await worker.close();
  await ctx.close();
});

const upload = (headers: Record<string, string>, fields: Record<string, string>, file: Buffer | null, filename?: string) =>
  uploadTo(ctx, headers, fields, file, filename);

/** Polls the import until the worker has finished it. */
async function finished(id: string, headers: Record<string, string> = mentor()) {
  for (let i = 0; i < 200; i++) {
    const res = await ctx.app.inject({ method: 'GET', url: `/v1/imports/${id}`, headers });
    const body = res.json();
    if (body.status === 'done' || body.status === 'failed') return body;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`import ${id} did not finish`);
}

async function importAndWait(headers: Record<string, string>, fields: Record<string, string>, file: Buffer, filename?: string) {
  const res = await upload(headers, fields, file, filename);
  expect(res.statusCode, res.body).toBe(202);
  return finished(res.json().id, headers);
}

const HEADER = ['Stamnr', 'BSN', 'Roepnaam', 'Tussenv.', 'Achternaam', 'Geb. datum', 'Postcode', 'Woonplaats', 'Gemeente', 'Klas'];

async function pupilByBsn(bsn: string) {
  const [row] = await ctx.services.database.db
    .select({ pupil: pupils })
    .from(pupilIdentifiers)
    .innerJoin(pupils, eq(pupils.id, pupilIdentifiers.pupilId))
    .where(eq(pupilIdentifiers.hmac, ctx.services.pii.hmac(bsn)));
  return row?.pupil;
}

describe('POST /v1/imports (leerlingen)', () => {
  const bsns = [nextBsn(), nextBsn(), nextBsn(), nextBsn()];
  let importId: string;

  it('stores the valid rows of a messy Windows-1252 export and reports the bad row by row number and column', async () => {
    const file = csvBytes(
      [
        HEADER,
        ['1001', bsns[0]!, 'Zoë', '', 'Müller', '3-2-2010', '1234 ab', 'Testdorp', '', '4KB'],
        ['1002', bsns[1]!, 'René', 'van der', 'Berg', '15-11-2009', '1234AB', 'Ergens', 'GM9902', '4KB'],
        ['1003', invalidBsn(7), 'Sam', '', 'Fout', '1-1-2010', '', '', '', '4KB'],
        ['1004', bsns[2]!, 'Anouk', '', 'Dekker', '2010-05-06', '', 'Nergenshuizen', '', '4GT'],
      ],
      { encoding: 'windows-1252' },
    );
    const res = await upload(mentor(), { kind: 'leerlingen', cohort: '2025-2026' }, file);
    expect(res.statusCode).toBe(202);
    importId = res.json().id;
    expect(res.json()).toEqual({ id: importId, status: 'queued' });
    expect(res.headers.location).toBe(`/v1/imports/${importId}`);

    const done = await finished(importId);
    expect(done).toMatchObject({
      status: 'done',
      progress: 1,
      format: 'csv',
      encoding: 'windows-1252',
      counts: { rows: 4, created: 3, updated: 0, unchanged: 0, rejected: 1 },
      warnings: { gemeenteUnknown: 1 },
      problem: null,
    });
    expect(done.errors).toEqual([{ row: 4, column: 'BSN', reason: expect.stringContaining('not a valid') }]);
    expect(done.columns.matched).toMatchObject({ bsn: 'BSN', leerlingnummer: 'Stamnr', geboortedatum: 'Geb. datum' });

    const zoe = await pupilByBsn(bsns[0]!);
    expect(zoe).toMatchObject({
      givenName: 'Zoë', surname: 'Müller', birthDate: '2010-02-03', postcode: '1234AB', gemeenteCode: 'GM9901',
      schoolCode: '11AA00', leerlingnummer: '1001', cohort: '2025-2026',
    });
    expect(await pupilByBsn(bsns[1]!)).toMatchObject({ givenName: 'René', infix: 'van der', gemeenteCode: 'GM9902' });
    expect(await pupilByBsn(bsns[2]!)).toMatchObject({ gemeenteCode: null, birthDate: '2010-05-06' });
  });

  it('asks monitoring to re-evaluate the pupils the import created', async () => {
    const created = await ctx.services.database.pool.query<{ pupil_id: string }>('select pupil_id from import_pupils where import_id = $1', [importId]);
    const queued = async () => {
      const jobs = await ctx.services.queues.get('monitoring').getJobs(['waiting', 'active', 'completed', 'failed', 'delayed']);
      return jobs.filter((j) => j.name === 'evaluate').flatMap((j) => (j.data as { pupilIds: string[] }).pupilIds);
    };
    for (let i = 0; i < 100 && (await queued()).length < created.rows.length; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await queued()).toEqual(expect.arrayContaining(created.rows.map((r) => r.pupil_id)));
  });

  it('keeps no personal data in the stored chunks, the identifiers or the log', async () => {
    const chunks = await ctx.services.database.db.select().from(importChunks).where(eq(importChunks.importId, importId));
    expect(chunks).toEqual([]);
    const stored = await ctx.services.database.db.select({ cipher: pupilIdentifiers.cipher }).from(pupilIdentifiers);
    for (const { cipher } of stored) for (const bsn of bsns) expect(cipher.toString('latin1')).not.toContain(bsn);
    const log = ctx.logs.join('\n');
    for (const bsn of [...bsns, invalidBsn(7)]) expect(log).not.toContain(bsn);
    expect(log).not.toContain('Müller');
  });

  it('audits the upload', async () => {
    const rows = await ctx.services.database.db.select().from(auditLog).where(eq(auditLog.resourceId, importId));
    expect(rows).toEqual([expect.objectContaining({ action: 'import.create', resourceType: 'import', actorOrg: '11AA00' })]);
  });

  it('recognises the same file uploaded twice and queues nothing new', async () => {
    const file = csvBytes([HEADER, ['2001', bsns[3]!, 'Lotte', '', 'Visser', '1-1-2010', '', '', '', '']]);
    const first = await importAndWait(mentor(), { kind: 'leerlingen' }, file);
    expect(first.counts.created).toBe(1);
    const jobs = async () => Object.values(await ctx.services.queues.get('imports').getJobCounts()).reduce((a, b) => a + b, 0);
    const jobsBefore = await jobs();
    const again = await upload(mentor(), { kind: 'leerlingen' }, file);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ id: first.id, duplicate: true, status: 'done' });
    expect(await jobs()).toBe(jobsBefore);
    const [{ n }] = (await ctx.services.database.pool.query<{ n: number }>(`select count(*)::int as n from imports where sha256 = (select sha256 from imports where id = $1)`, [first.id])).rows as [{ n: number }];
    expect(n).toBe(1);
  });

  it('updates pupils in place from a later export: changed rows updated, identical rows unchanged, no duplicates', async () => {
    const a = nextBsn();
    const b = nextBsn();
    const own = onderwijsnummer(42);
    const header = ['Leerlingnummer', 'BSN', 'Onderwijsnummer', 'Voornaam', 'Achternaam', 'Geboortedatum', 'Postcode'];
    const v1 = csvBytes([
      header,
      ['3001', a, '', 'Ada', 'Eerst', '01-01-2010', '1111AA'],
      ['3002', '', own, 'Bo', 'Tweede', '02-02-2010', '2222BB'],
      ['3003', b, '', 'Cas', 'Derde', '03-03-2010', '3333CC'],
    ]);
    const first = await importAndWait(mentor(), { kind: 'leerlingen', cohort: '2025-2026' }, v1);
    expect(first.counts).toMatchObject({ created: 3, updated: 0, unchanged: 0, rejected: 0 });
    const before = (await ctx.services.database.db.select({ total: sql<number>`count(*)::int` }).from(pupils))[0]!.total;

    // The second export: a new postcode for Ada, Bo got a BSN (the old onderwijsnummer still beside it), Cas as before.
    const boBsn = nextBsn();
    const v2 = csvBytes([
      header,
      ['3001', a, '', 'Ada', 'Eerst', '01-01-2010', '9999ZZ'],
      ['3002', boBsn, own, 'Bo', 'Tweede', '02-02-2010', '2222BB'],
      ['3003', b, '', 'Cas', 'Derde', '03-03-2010', '3333CC'],
    ]);
    const second = await importAndWait(mentor(), { kind: 'leerlingen', cohort: '2025-2026' }, v2);
    expect(second.counts).toMatchObject({ rows: 3, created: 0, updated: 2, unchanged: 1, rejected: 0 });
    const after = (await ctx.services.database.db.select({ total: sql<number>`count(*)::int` }).from(pupils))[0]!.total;
    expect(after).toBe(before);

    expect(await pupilByBsn(a)).toMatchObject({ postcode: '9999ZZ' });
    const bo = await pupilByBsn(boBsn);
    const known = await ctx.services.database.db.select().from(pupilIdentifiers).where(eq(pupilIdentifiers.pupilId, bo!.id));
    expect(known.map((k) => k.kind).sort()).toEqual(['bsn', 'onderwijsnummer']);
    expect(known.find((k) => k.kind === 'onderwijsnummer')!.hmac).toEqual(ctx.services.pii.hmac(own));

    const third = await importAndWait(mentor(), { kind: 'leerlingen', cohort: '2025-2026' }, Buffer.concat([v2, Buffer.from('\r\n')]));
    expect(third.counts).toMatchObject({ created: 0, updated: 0, unchanged: 3 });
  });

  it('rejects a second row for the same pupil in one file, naming the first', async () => {
    const same = nextBsn();
    const file = csvBytes([
      ['BSN', 'Achternaam', 'Geboortedatum'],
      [same, 'Dubbel', '01-01-2010'],
      [same, 'Dubbel', '01-01-2010'],
    ]);
    const done = await importAndWait(mentor(), { kind: 'leerlingen' }, file);
    expect(done.counts).toMatchObject({ created: 1, rejected: 1 });
    expect(done.errors).toEqual([{ row: 3, column: 'BSN', reason: 'same pupil as row 2' }]);
  });

  it('writes nothing in strict mode when one row is bad', async () => {
    const good = nextBsn();
    const file = csvBytes([
      ['BSN', 'Achternaam', 'Geboortedatum'],
      [good, 'Goed', '01-01-2010'],
      [good.slice(0, 8), 'Kort', '31-02-2010'],
    ]);
    const done = await importAndWait(mentor(), { kind: 'leerlingen', mode: 'strict' }, file);
    expect(done).toMatchObject({
      status: 'failed',
      strict: true,
      counts: { rows: 2, created: 0, rejected: 1 },
      problem: { type: 'urn:doorstroom:problem:rows-rejected' },
    });
    expect(done.errors).toEqual([
      { row: 3, column: 'BSN', reason: expect.any(String) },
      { row: 3, column: 'Geboortedatum', reason: expect.any(String) },
    ]);
    expect(await pupilByBsn(good)).toBeUndefined();
  });

  it('reads an XLSX export with a vestiging column for a BRIN-level mentor, and refuses another school\'s vestiging', async () => {
    const [x, y, z] = [nextBsn(), nextBsn(), nextBsn()];
    const file = await xlsxBytes((sheet) => {
      sheet.addRow(['Leerlingen 2025-2026']);
      sheet.addRow(['BSN', 'Achternaam', 'Roepnaam', 'Geboortedatum', 'Vestiging', 'Woongemeente']);
      sheet.addRow([Number(x), 'Xlsx', 'Een', new Date(Date.UTC(2010, 0, 31)), '11AA00', 'GM9901']);
      sheet.addRow([y, 'Xlsx', 'Twee', '28-02-2010', 'De Brug Noord', '9902']);
      sheet.addRow([z, 'Xlsx', 'Drie', '01-03-2010', '22BB00', '']);
    });
    const brin = ctx.as('mentor', '11AA');
    const done = await importAndWait(brin, { kind: 'leerlingen', cohort: '2025-2026' }, file, 'export.xlsx');
    expect(done).toMatchObject({ status: 'done', format: 'xlsx', counts: { rows: 3, created: 2, rejected: 1 } });
    expect(done.errors).toEqual([{ row: 5, column: 'Vestiging', reason: expect.any(String) }]);
    expect(await pupilByBsn(x)).toMatchObject({ schoolCode: '11AA00', birthDate: '2010-01-31', gemeenteCode: 'GM9901' });
    expect(await pupilByBsn(y)).toMatchObject({ schoolCode: '11AA01', gemeenteCode: 'GM9902' });
  });

  it('answers 422 at once for a file that is not a table', async () => {
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]), Buffer.alloc(200, 1)]);
    const res = await upload(mentor(), { kind: 'leerlingen' }, png, 'foto.png');
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ type: 'urn:doorstroom:problem:invalid-file', detail: expect.stringContaining('not a table') });
    const [failed] = await ctx.services.database.db.select().from(imports).where(eq(imports.id, res.json().importId));
    expect(failed).toMatchObject({ status: 'failed' });
  });

  it('answers 422 listing the missing field for a file without an identifier column', async () => {
    const file = csvBytes([['Naam', 'Geboortedatum'], ['Jan Jansen', '01-01-2010']]);
    const res = await upload(mentor(), { kind: 'leerlingen' }, file);
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ type: 'urn:doorstroom:problem:invalid-file', missing: ['bsn|onderwijsnummer'] });
  });

  it('uses an explicit column mapping for headers no alias knows', async () => {
    const who = nextBsn();
    const file = csvBytes([['Sofi nr', 'Familienaam', 'Geboren'], [who, 'Mapped', '05-05-2010']]);
    const done = await importAndWait(mentor(), { kind: 'leerlingen', mapping: JSON.stringify({ bsn: 'Sofi nr', achternaam: 'Familienaam', geboortedatum: 'Geboren' }) }, file);
    expect(done.counts).toMatchObject({ created: 1, rejected: 0 });
    expect(await pupilByBsn(who)).toMatchObject({ surname: 'Mapped', birthDate: '2010-05-05' });
  });

  it('answers 422 for an empty file, 415 for a body that is not multipart, 400 for fields after the file', async () => {
    const empty = await upload(mentor(), { kind: 'leerlingen' }, Buffer.alloc(0));
    expect(empty.statusCode).toBe(422);
    const json = await ctx.app.inject({ method: 'POST', url: '/v1/imports', headers: mentor(), payload: { kind: 'leerlingen' } });
    expect(json.statusCode).toBe(415);

    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(csvBytes([['BSN', 'Achternaam', 'Geboortedatum'], [nextBsn(), 'Laat', '01-01-2010']]))]), 'x.csv');
    form.append('kind', 'leerlingen');
    const request = new Request('http://localhost/', { method: 'POST', body: form });
    const late = await ctx.app.inject({
      method: 'POST', url: '/v1/imports', headers: { ...mentor(), 'content-type': request.headers.get('content-type')! },
      payload: Buffer.from(await request.arrayBuffer()),
    });
    expect(late.statusCode).toBe(400);
  });

  it('lets only mentors and admins upload pupils, and only mbo and admins upload enrolments', async () => {
    const file = csvBytes([['BSN', 'Achternaam', 'Geboortedatum'], [nextBsn(), 'Rol', '01-01-2010']]);
    expect((await upload(ctx.as('mbo', '33CC'), { kind: 'leerlingen' }, file)).statusCode).toBe(403);
    expect((await upload(mentor(), { kind: 'inschrijvingen' }, file)).statusCode).toBe(403);
    expect((await upload(mentor(), { kind: 'leerlingen', school: '11AA01' }, file)).statusCode).toBe(403);
    expect((await upload(ctx.as('officer', 'GM9901'), { kind: 'leerlingen' }, file)).statusCode).toBe(403);
  });
});

describe('GET /v1/imports', () => {
  it('shows an import only to the uploading school (and its BRIN), 404 to another school', async () => {
    const own = await ctx.app.inject({ method: 'GET', url: '/v1/imports?limit=500', headers: mentor() });
    expect(own.statusCode).toBe(200);
    const id = own.json().items[0].id as string;
    expect((await ctx.app.inject({ method: 'GET', url: `/v1/imports/${id}`, headers: ctx.as('mentor', '22BB00') })).statusCode).toBe(404);
    expect((await ctx.app.inject({ method: 'GET', url: `/v1/imports/${id}`, headers: ctx.as('mbo', '33CC') })).statusCode).toBe(404);
    expect((await ctx.app.inject({ method: 'GET', url: `/v1/imports/${id}`, headers: ctx.as('mentor', '11AA') })).statusCode).toBe(200);
    expect((await ctx.app.inject({ method: 'GET', url: `/v1/imports/${id}`, headers: ctx.as('admin', 'RMC01') })).statusCode).toBe(200);
    const other = await ctx.app.inject({ method: 'GET', url: '/v1/imports', headers: ctx.as('mentor', '22BB00') });
    expect(other.json()).toEqual({ items: [], nextCursor: null });
  });

  it('pages newest first with a cursor', async () => {
    const all = (await ctx.app.inject({ method: 'GET', url: '/v1/imports?limit=500', headers: mentor() })).json().items as { id: string }[];
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await ctx.app.inject({ method: 'GET', url: `/v1/imports?limit=2${cursor ? `&cursor=${cursor}` : ''}`, headers: mentor() });
      const body: { items: { id: string }[]; nextCursor: string | null } = res.json();
      seen.push(...body.items.map((i) => i.id));
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.map((i) => i.id));
    expect(all.length).toBeGreaterThan(3);
  });
});

describe('POST /v1/imports (inschrijvingen)', () => {
  it('stores an mbo file of applications, creates pupils not known yet and refuses rows of another BRIN', async () => {
    const known = await pupilByBsn(nextBsn()); // none: the numbers below are new or from the first export
    expect(known).toBeUndefined();
    const [p, q] = [nextBsn(), nextBsn()];
    const file = csvBytes(
      [
        ['BSN', 'BRIN', 'Crebo', 'Niveau', 'Leerweg', 'Status', 'Aanmelddatum'],
        [p, '33CC', '25180', '2', 'BOL', 'Aangemeld', '15-03-2026'],
        [p, '33CC', '25181', 'niveau 3', 'bbl', 'ingeschreven', '16-03-2026'],
        [q, '44DD', '25180', '2', 'BOL', 'aangemeld', '15-03-2026'],
        [q, '33CC', '2518', '2', 'BOL', 'aangemeld', '15-03-2026'],
      ],
      { delimiter: ',' },
    );
    const mbo = ctx.as('mbo', '33CC');
    const done = await importAndWait(mbo, { kind: 'inschrijvingen' }, file);
    expect(done).toMatchObject({ status: 'done', counts: { rows: 4, created: 2, rejected: 2 }, warnings: { newPupils: 1 } });
    expect(done.errors).toEqual([
      { row: 4, column: 'BRIN', reason: 'rows must carry your own BRIN' },
      { row: 5, column: 'Crebo', reason: expect.stringContaining('crebo') },
    ]);
    const pupil = await pupilByBsn(p);
    const rows = await ctx.services.database.db.select().from(enrolments).where(eq(enrolments.pupilId, pupil!.id));
    expect(rows.map((r) => [r.crebo, r.status, r.niveau, r.leerweg]).sort()).toEqual([
      ['25180', 'aangemeld', 2, 'BOL'],
      ['25181', 'ingeschreven', 3, 'BBL'],
    ]);
    expect(await pupilByBsn(q)).toBeUndefined();

    // The school's export arriving later fills in the same pupil.
    const later = await importAndWait(mentor(), { kind: 'leerlingen' }, csvBytes([['BSN', 'Achternaam', 'Geboortedatum'], [p, 'Laat', '01-01-2010']]));
    expect(later.counts).toMatchObject({ created: 0, updated: 1 });
    expect(await pupilByBsn(p)).toMatchObject({ id: pupil!.id, surname: 'Laat', schoolCode: '11AA00' });

    // Seen from the mbo's side the import is theirs; the mentor does not see it.
    expect((await ctx.app.inject({ method: 'GET', url: `/v1/imports/${done.id}`, headers: mentor() })).statusCode).toBe(404);
    const mine = await ctx.app.inject({ method: 'GET', url: '/v1/imports', headers: mbo });
    expect(mine.json().items.map((i: { id: string }) => i.id)).toEqual([done.id]);
  });
});

describe('the import job', () => {
  it('starts clean when retried after a crash, and leaves a finished import alone', async () => {
    const { runImport } = await import('../../src/imports/run-import.js');
    const { postgresFileStore } = await import('../../src/imports/file-store.js');
    const db = ctx.services.database.db;
    const who = nextBsn();
    const file = csvBytes([['BSN', 'Achternaam', 'Geboortedatum'], [who, 'Opnieuw', '01-01-2010'], ['123', 'Fout', '01-01-2010']]);

    // A worker died half-way: the import says "running" with stale counts and errors, its transaction rolled back.
    const [row] = await db
      .insert(imports)
      .values({ kind: 'leerlingen', orgCode: '11AA00', schoolCode: '11AA00', sizeBytes: file.length, sha256: Buffer.alloc(32, 7), status: 'running', created: 99, rejected: 99, createdBy: 'test', createdRole: 'mentor' })
      .returning({ id: imports.id });
    const id = row!.id;
    await db.insert(importRowErrors).values({ importId: id, row: 99, column: 'BSN', reason: 'stale' });
    await postgresFileStore(ctx.services.database.pool).put(id, [file]);

    await runImport(ctx.services, id, { finalAttempt: false });
    const done = await finished(id);
    expect(done.counts).toMatchObject({ rows: 2, created: 1, rejected: 1 });
    expect(done.errors).toEqual([{ row: 3, column: 'BSN', reason: expect.any(String) }]);

    await runImport(ctx.services, id, { finalAttempt: false }); // done: nothing happens
    expect((await finished(id)).counts).toEqual(done.counts);
    const [count] = await db.select({ n: sql<number>`count(*)::int` }).from(pupilIdentifiers).where(eq(pupilIdentifiers.hmac, ctx.services.pii.hmac(who)));
    expect(count!.n).toBe(1);
  });

  it('seals the identifiers of a large file in a thread, row for row as inline', async () => {
    const { runImport } = await import('../../src/imports/run-import.js');
    const { postgresFileStore } = await import('../../src/imports/file-store.js');
    const db = ctx.services.database.db;
    // More rows than one batch of the sealing queue, with either number or both, and a bad one.
    const people = Array.from({ length: 1203 }, (_, i) => ({ bsn: i % 3 === 1 ? '' : nextBsn(), own: i % 3 === 0 ? '' : onderwijsnummer(5000 + i) }));
    const file = csvBytes([
      ['BSN', 'Onderwijsnummer', 'Achternaam', 'Geboortedatum'],
      ...people.map((p, i) => [p.bsn, p.own, `Naam${i}`, '01-01-2010']),
      ['123', '', 'Fout', '01-01-2010'],
    ]);
    const [row] = await db
      .insert(imports)
      .values({ kind: 'leerlingen', orgCode: '11AA00', schoolCode: '11AA00', sizeBytes: file.length, sha256: Buffer.alloc(32, 8), status: 'queued', createdBy: 'test', createdRole: 'mentor' })
      .returning({ id: imports.id });
    await postgresFileStore(ctx.services.database.pool).put(row!.id, [file]);
    await runImport(ctx.services, row!.id, { finalAttempt: true, sealInThreadFromBytes: 0 });
    const done = await finished(row!.id);
    expect(done.counts).toMatchObject({ rows: 1204, created: 1203, rejected: 1 });
    expect(done.errors).toEqual([{ row: 1205, column: 'BSN', reason: expect.any(String) }]);

    for (const i of [0, 1, 2, 600, 1202]) {
      const { bsn: b, own } = people[i]!;
      const ids = await db.select().from(pupilIdentifiers).where(eq(pupilIdentifiers.hmac, ctx.services.pii.hmac(b || own)));
      expect(ids).toHaveLength(1);
      const pupil = await db.select().from(pupils).where(eq(pupils.id, ids[0]!.pupilId));
      expect(pupil[0]!.surname).toBe(`Naam${i}`);
      const numbers = await db.select().from(pupilIdentifiers).where(eq(pupilIdentifiers.pupilId, ids[0]!.pupilId));
      const plain = numbers.map((n) => ctx.services.pii.decrypt(n.cipher, n.kind)).sort();
      expect(plain).toEqual([b, own].filter(Boolean).sort());
    }
  });

  it('records when the import really finished, and its pupil links go with a deleted pupil or import', async () => {
    const who = [nextBsn(), nextBsn()];
    const file = csvBytes([['BSN', 'Achternaam', 'Geboortedatum'], [who[0]!, 'Een', '01-01-2010'], [who[1]!, 'Twee', '02-01-2010']]);
    const done = await importAndWait(mentor(), { kind: 'leerlingen' }, file);
    const { pool } = ctx.services.database;
    const links = async () =>
      (await pool.query<{ n: number }>('select count(*)::int as n from import_pupils where import_id = $1', [done.id])).rows[0]!.n;
    expect(await links()).toBe(2);

    // The pupils' created_at is the time the import's transaction began; finished_at comes after it.
    const { rows } = await pool.query<{ later: boolean }>(
      `select i.finished_at > max(p.created_at) as later from imports i
       join import_pupils l on l.import_id = i.id join pupils p on p.id = l.pupil_id where i.id = $1 group by i.finished_at`,
      [done.id],
    );
    expect(rows[0]!.later).toBe(true);

    await pool.query('delete from pupils where id = $1', [(await pupilByBsn(who[0]!))!.id]);
    expect(await links()).toBe(1);
    await pool.query('delete from imports where id = $1', [done.id]);
    expect(await links()).toBe(0);
  });
});
