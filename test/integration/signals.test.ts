import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { createTestContext, type TestContext } from '../support/context.js';
import { insertPupil, seedOrganisations } from '../support/fixtures.js';
import { auditLog, checkRuns, dossiers, dossierVersions, enrolmentEvents, enrolments, pupils, signals } from '../../src/db/schema.js';
import { executeCheckRun } from '../../src/db/check-runs.js';
import { todayIn } from '../../src/domain/calendar.js';
import { checkSignals } from '../../src/db/check-sql.js';
import { cohortCalendar } from '../../src/domain/calendar.js';
import { transitionStatus } from '../../src/domain/transition.js';
import type { DossierContent } from '../../src/domain/dossier.js';
import { SignalList } from '../../src/http/routes/signals.js';

let ctx: TestContext;
const db = () => ctx.services.database.db;

type SignalInsert = typeof signals.$inferInsert;
const ids: Record<string, string> = {};
const pupilOf: Record<string, { id: string; bsn: string }> = {};

async function runCheck(asOf: string) {
  const [run] = await db().insert(checkRuns).values({ asOf, trigger: 'manual', createdBy: 'test' }).returning();
  return executeCheckRun(ctx.services, run!.id);
}

async function get(url: string, headers: Record<string, string>) {
  return ctx.app.inject({ method: 'GET', url, headers });
}
const listIds = async (headers: Record<string, string>, query = '') => {
  const res = await get(`/v1/signals${query}`, headers);
  expect(res.statusCode).toBe(200);
  return (res.json().items as Array<{ id: string }>).map((s) => s.id);
};
const named = (...keys: string[]) => keys.map((k) => ids[k]!);
const sorted = (a: string[]) => [...a].sort();

const content = (deelMetLeerplicht: { ondersteuning: boolean; verzuim: boolean }): DossierContent => ({
  personalia: { roepnaam: 'Sam', achternaam: 'Testpersoon', geboortedatum: '2010-03-15' },
  schoolloopbaan: { vestiging: '11AA00', schooljaren: [{ schooljaar: '2025-2026', leerjaar: 4, leerweg: 'KB' }] },
  ondersteuning: { behoefte: 'extra tijd bij toetsen', opp: true },
  verzuim: { geoorloofdUren: 12, ongeoorloofdUren: 30, leerplichtBetrokken: true },
  advies: { advies: 'mbo niveau 2', contactpersoon: { naam: 'Mentor Een' } },
  toestemming: { leerlingGezien: true, oudersGezien: true, akkoord: true, gedeeldeSecties: [], deelMetLeerplicht },
});

beforeAll(async () => {
  ctx = await createTestContext();
  await seedOrganisations(ctx.services);
  // Signals the check makes: niet_gestart for pupils without enrolment on 2 September.
  pupilOf.a = await insertPupil(ctx.services, { givenName: 'Anna', gemeenteCode: 'GM9901', schoolCode: '11AA00' });
  pupilOf.b = await insertPupil(ctx.services, { givenName: 'Bram', gemeenteCode: 'GM9902', schoolCode: '11AA01' });
  pupilOf.c = await insertPupil(ctx.services, { givenName: 'Cas', gemeenteCode: 'GM9903', schoolCode: '22BB00' });
  await db().update(pupils).set({ postcode: '1234 AB', woonplaats: 'Testdorp' }).where(eq(pupils.id, pupilOf.a.id));
  await runCheck('2026-09-02');
  for (const key of ['a', 'b', 'c']) {
    const [s] = await db().select().from(signals).where(eq(signals.pupilId, pupilOf[key]!.id));
    ids[key] = s!.id;
  }
  // And signals for the school, inserted as the check would have made them earlier in the year.
  pupilOf.d = await insertPupil(ctx.services, { givenName: 'Daan', gemeenteCode: 'GM9901', schoolCode: '11AA00', cohort: '2026-2027' });
  pupilOf.e = await insertPupil(ctx.services, { givenName: 'Eva', gemeenteCode: 'GM9901', schoolCode: '11AA01', cohort: '2026-2027' });
  pupilOf.f = await insertPupil(ctx.services, { givenName: 'Fien', gemeenteCode: 'GM9901', schoolCode: '11AA00', cohort: '2026-2027' });
  const extra: Array<[string, SignalInsert]> = [
    ['d', { pupilId: pupilOf.d.id, kind: 'niet_aangemeld', cohort: '2026-2027', audience: 'school', authority: 'leerplicht', gemeenteCode: 'GM9901', schoolCode: '11AA00', openedAt: new Date('2027-04-02T01:00:00Z') }],
    ['e', { pupilId: pupilOf.e.id, kind: 'niet_geplaatst', cohort: '2026-2027', audience: 'both', authority: 'leerplicht', gemeenteCode: 'GM9901', schoolCode: '11AA01', openedAt: new Date('2027-07-01T01:00:00Z') }],
    // 'both' without an authority: no officer to reach, so only the school sees it.
    ['f', { pupilId: pupilOf.f.id, kind: 'niet_geplaatst', cohort: '2026-2027', audience: 'both', authority: null, gemeenteCode: 'GM9901', schoolCode: '11AA00', openedAt: new Date('2027-07-01T01:00:00Z') }],
  ];
  for (const [key, values] of extra) {
    const [row] = await db().insert(signals).values(values).returning({ id: signals.id });
    ids[key] = row!.id;
  }
});
afterAll(() => ctx.close());

describe('who sees which signals', () => {
  it.each<[string, 'officer' | 'mentor' | 'admin', string, string[]]>([
    ['an officer sees the officer signals of the own municipality', 'officer', 'GM9901', ['a', 'e']],
    ['a region officer sees those of every municipality in the region', 'officer', 'RMC01', ['a', 'b', 'e']],
    ['an officer of another region sees only that region', 'officer', 'RMC02', ['c']],
    ['a mentor sees the school signals of the own vestiging', 'mentor', '11AA00', ['d', 'f']],
    ['a mentor of a BRIN sees those of all its vestigingen', 'mentor', '11AA', ['d', 'e', 'f']],
    ['an admin sees all', 'admin', 'RMC01', ['a', 'b', 'c', 'd', 'e', 'f']],
  ])('%s', async (_name, role, org, expected) => {
    expect(sorted(await listIds(ctx.as(role, org)))).toEqual(sorted(named(...expected)));
  });

  it("answers 404 for another municipality's signal, never its content", async () => {
    const res = await get(`/v1/signals/${ids.b}`, ctx.as('officer', 'GM9901'));
    expect(res.statusCode).toBe(404);
    expect(res.body).not.toContain('Bram');
    const patch = await ctx.app.inject({ method: 'PATCH', url: `/v1/signals/${ids.b}`, headers: { ...ctx.as('officer', 'GM9901'), 'if-match': '"1"' }, payload: { status: 'in_behandeling' } });
    expect(patch.statusCode).toBe(404);
  });

  it('answers 404 to a mentor for a signal meant for officers only', async () => {
    expect((await get(`/v1/signals/${ids.a}`, ctx.as('mentor', '11AA00'))).statusCode).toBe(404);
  });

  it('forbids the mbo', async () => {
    expect((await get('/v1/signals', ctx.as('mbo', '33CC'))).statusCode).toBe(403);
    expect((await get(`/v1/signals/${ids.a}`, ctx.as('mbo', '33CC'))).statusCode).toBe(403);
  });
});

describe('listing', () => {
  it.each<[string, string, string[]]>([
    ['by kind', '?kind=niet_gestart', ['a', 'b', 'c']],
    ['by municipality', '?gemeente=GM9902', ['b']],
    ['by cohort', '?cohort=2026-2027', ['d', 'e', 'f']],
    ['by authority', '?authority=leerplicht&cohort=2025-2026', ['a', 'b', 'c']],
    ['by opening time', '?since=2027-06-01', ['e', 'f']],
    ['by status', '?status=open&kind=niet_geplaatst', ['e', 'f']],
  ])('filters %s', async (_name, query, expected) => {
    expect(sorted(await listIds(ctx.as('admin', 'RMC01'), query))).toEqual(sorted(named(...expected)));
  });

  it.each([
    ['an admin', 'admin', 2, ['a', 'b', 'c', 'd', 'e', 'f']],
    // A region's page is merged from its municipalities' own (see src/db/signal-page.ts).
    ['a region officer', 'officer', 1, ['a', 'b', 'e']],
  ] as const)('pages newest first with a cursor, every signal exactly once: %s', async (_name, role, limit, expected) => {
    const caller = ctx.as(role, 'RMC01');
    const seen: Array<{ id: string; openedAt: string }> = [];
    let cursor: string | null = null;
    do {
      const res = await get(`/v1/signals?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`, caller);
      const body = res.json() as { items: Array<{ id: string; openedAt: string }>; nextCursor: string | null };
      expect(body.items.length).toBeLessThanOrEqual(limit);
      seen.push(...body.items);
      cursor = body.nextCursor;
    } while (cursor);
    expect(sorted(seen.map((s) => s.id))).toEqual(sorted(named(...expected)));
    const times = seen.map((s) => s.openedAt);
    expect(times).toEqual([...times].sort().reverse());
  });

  it('renders every item as the schema says, with the same summary the detail shows', async () => {
    const res = await get('/v1/signals?limit=500', ctx.as('admin', 'RMC01'));
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    const body = res.json();
    expect(SignalList.parse(body)).toEqual(body); // parsing drops unknown keys: equal means none
    const items = body.items as Array<{ id: string }>;
    expect(items).toHaveLength(Object.keys(ids).length);
    for (const item of items) {
      const { note: _note, enrolments: _e, events: _ev, dossiers: _d, pupil, ...detail } = (await get(`/v1/signals/${item.id}`, ctx.as('admin', 'RMC01'))).json();
      expect(item).toEqual({ ...detail, pupil: { id: pupil.id, name: pupil.name, birthDate: pupil.birthDate } });
    }
  });

  it('shows who the signal is about, without identifiers', async () => {
    const res = await get('/v1/signals?gemeente=GM9901&kind=niet_gestart', ctx.as('officer', 'GM9901'));
    expect(res.json().items).toEqual([
      expect.objectContaining({
        id: ids.a, kind: 'niet_gestart', status: 'open', audience: 'officer', authority: 'leerplicht', cohort: '2025-2026',
        gemeenteCode: 'GM9901', schoolCode: '11AA00', version: 1,
        pupil: { id: pupilOf.a!.id, name: 'Anna Testpersoon', birthDate: '2010-03-15' },
      }),
    ]);
    expect(res.body).not.toContain(pupilOf.a!.bsn);
  });
});

describe('the detail', () => {
  beforeAll(async () => {
    const [enrolment] = await db().insert(enrolments).values({ pupilId: pupilOf.a!.id, mboBrin: '33CC', crebo: '25168', status: 'leidt_niet_tot_inschrijving', appliedOn: '2026-03-01', statusDate: '2026-06-20' }).returning();
    await db().insert(enrolmentEvents).values([
      { enrolmentId: enrolment!.id, status: 'aangemeld', appliedOn: '2026-03-01', source: 'api', receivedAt: new Date('2026-03-01T10:00:00Z') },
      { enrolmentId: enrolment!.id, status: 'leidt_niet_tot_inschrijving', appliedOn: '2026-03-01', statusDate: '2026-06-20', source: 'api', receivedAt: new Date('2026-06-20T10:00:00Z') },
    ]);
    for (const [pupil, share] of [[pupilOf.a!, { ondersteuning: false, verzuim: true }], [pupilOf.b!, { ondersteuning: false, verzuim: false }]] as const) {
      const [dossier] = await db().insert(dossiers).values({ pupilId: pupil.id, schoolCode: '11AA00', status: 'definitief', createdBy: 'mentor' }).returning();
      await db().insert(dossierVersions).values({ dossierId: dossier!.id, version: 1, status: 'definitief', content: content(share), createdBy: 'mentor' });
    }
  });

  it("shows the pupil's status today, contact details, enrolment history and every change, with an ETag", async () => {
    const res = await get(`/v1/signals/${ids.a}`, ctx.as('officer', 'GM9901'));
    expect(res.statusCode).toBe(200);
    expect(res.headers.etag).toBe('"1"');
    const body = res.json();
    expect(body.pupil).toMatchObject({ id: pupilOf.a!.id, postcode: '1234 AB', woonplaats: 'Testdorp', gemeenteCode: 'GM9901', cohort: '2025-2026' });
    const today = todayIn('Europe/Amsterdam');
    const facts = { birthDate: '2010-03-15', cohort: '2025-2026', hasStartkwalificatie: false, destination: null,
      enrolments: [{ status: 'leidt_niet_tot_inschrijving' as const, appliedOn: '2026-03-01', startDate: null, endDate: null }] };
    expect(body.pupil).toMatchObject({ status: transitionStatus(facts, today, cohortCalendar('2025-2026')), statusAsOf: today });
    expect(body.enrolments).toEqual([
      expect.objectContaining({ mboBrin: '33CC', crebo: '25168', status: 'leidt_niet_tot_inschrijving', history: [
        expect.objectContaining({ status: 'aangemeld' }),
        expect.objectContaining({ status: 'leidt_niet_tot_inschrijving', statusDate: '2026-06-20' }),
      ] }),
    ]);
    expect(body.events).toEqual([expect.objectContaining({ action: 'opened', actor: null, toStatus: 'open' })]);
    expect(res.body).not.toContain(pupilOf.a!.bsn);
  });

  it('never shows an officer support needs, and absence only when the dossier shares it with leerplicht', async () => {
    const shared = (await get(`/v1/signals/${ids.a}`, ctx.as('officer', 'GM9901'))).json().dossiers[0];
    expect(Object.keys(shared.sections).sort()).toEqual(['advies', 'personalia', 'schoolloopbaan', 'verzuim']);
    expect(shared.hiddenSections).toContain('ondersteuning');
    expect(JSON.stringify(shared)).not.toContain('extra tijd');

    const notShared = (await get(`/v1/signals/${ids.b}`, ctx.as('officer', 'GM9902'))).json().dossiers[0];
    expect(Object.keys(notShared.sections).sort()).toEqual(['advies', 'personalia', 'schoolloopbaan']);
    expect(notShared.hiddenSections.sort()).toEqual(['ondersteuning', 'toestemming', 'verzuim']);
  });
});

describe('casework', () => {
  const patch = (id: string, headers: Record<string, string>, payload: unknown) =>
    ctx.app.inject({ method: 'PATCH', url: `/v1/signals/${id}`, headers, payload: payload as Record<string, unknown> });
  const officer1 = () => ctx.as('officer', 'GM9901', 'officer-1');
  const officer2 = () => ctx.as('officer', 'RMC01', 'officer-2');

  it('requires If-Match (428) and refuses a stale one (412)', async () => {
    const without = await patch(ids.a!, officer1(), { status: 'in_behandeling' });
    expect(without.statusCode).toBe(428);
    const stale = await patch(ids.a!, { ...officer1(), 'if-match': '"7"' }, { status: 'in_behandeling' });
    expect(stale.statusCode).toBe(412);
    expect(stale.json().type).toBe('urn:doorstroom:problem:precondition-failed');
  });

  it('lets two officers not overwrite each other: the second write with the old ETag gets 412', async () => {
    const etag = (await get(`/v1/signals/${ids.a}`, officer1())).headers.etag as string;
    expect((await get(`/v1/signals/${ids.a}`, officer2())).headers.etag).toBe(etag);

    const first = await patch(ids.a!, { ...officer1(), 'if-match': etag }, { status: 'in_behandeling', note: 'Ik bel de ouders' });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ status: 'in_behandeling', note: 'Ik bel de ouders', version: 2 });
    expect(first.headers.etag).toBe('"2"');

    const second = await patch(ids.a!, { ...officer2(), 'if-match': etag }, { status: 'afgesloten', reason: 'werk' });
    expect(second.statusCode).toBe(412);
    const [row] = await db().select().from(signals).where(eq(signals.id, ids.a!));
    expect(row).toMatchObject({ status: 'in_behandeling', version: 2, closedBy: null });
  });

  it('validates the move: a reason to close, no way back to open', async () => {
    const h = { ...officer1(), 'if-match': '"2"' };
    expect((await patch(ids.a!, h, { status: 'afgesloten' })).statusCode).toBe(400);
    expect((await patch(ids.a!, h, { status: 'afgesloten', reason: 'op_vakantie' })).statusCode).toBe(400);
    expect((await patch(ids.a!, h, { status: 'in_behandeling', reason: 'werk' })).statusCode).toBe(400);
    expect((await patch(ids.a!, h, { status: 'afgesloten', reason: 'anders' })).statusCode).toBe(400);
    expect((await patch(ids.a!, h, { colour: 'red' })).statusCode).toBe(400);
    expect((await patch(ids.a!, h, { status: 'open' })).statusCode).toBe(409);
  });

  it('closes with a reason and notes, records every change, and the check leaves it closed', async () => {
    const closed = await patch(ids.a!, { ...officer2(), 'if-match': '"2"' }, { status: 'afgesloten', reason: 'werk', note: 'Werkt bij een bakker' });
    expect(closed.statusCode).toBe(200);
    expect(closed.json()).toMatchObject({ status: 'afgesloten', closeReason: 'werk', closedBy: 'officer-2', version: 3 });

    const outcome = await db().transaction((trx) => checkSignals(trx, { asOf: '2026-09-03', pupilIds: [pupilOf.a!.id] }));
    expect(outcome).toMatchObject({ evaluated: 1, opened: 0, reopened: 0, closed: 0 });
    const detail = (await get(`/v1/signals/${ids.a}`, officer1())).json();
    expect(detail).toMatchObject({ status: 'afgesloten', closeReason: 'werk', version: 3 });
    expect(detail.events.map((e: { action: string; actor: string | null; fromStatus: string; toStatus: string; reason: string | null; note: string | null }) =>
      [e.action, e.actor, e.fromStatus, e.toStatus, e.reason, e.note])).toEqual([
      ['opened', null, null, 'open', null, null],
      ['status', 'officer-1', 'open', 'in_behandeling', null, 'Ik bel de ouders'],
      ['status', 'officer-2', 'in_behandeling', 'afgesloten', 'werk', 'Werkt bij een bakker'],
    ]);
  });

  it('takes a closed signal up again, and adds notes without changing the status', async () => {
    const reopened = await patch(ids.a!, { ...officer1(), 'if-match': '"3"' }, { status: 'in_behandeling' });
    expect(reopened.json()).toMatchObject({ status: 'in_behandeling', closedBy: null, closeReason: null, closedAt: null, version: 4 });
    const noted = await patch(ids.a!, { ...officer1(), 'if-match': '"4"' }, { note: 'Geen gehoor' });
    expect(noted.json()).toMatchObject({ status: 'in_behandeling', note: 'Geen gehoor', version: 5 });
  });

  it('lets a mentor handle the school signals, but not an admin', async () => {
    const mentor = await patch(ids.d!, { ...ctx.as('mentor', '11AA00'), 'if-match': '"1"' }, { status: 'afgesloten', reason: 'ingeschreven' });
    expect(mentor.statusCode).toBe(200);
    const adminTry = await patch(ids.e!, { ...ctx.as('admin', 'RMC01'), 'if-match': '"1"' }, { status: 'in_behandeling' });
    expect(adminTry.statusCode).toBe(403);
  });
});

describe('audit', () => {
  it('records every list, read and change with the pupils it showed', async () => {
    const marker = (await db().select({ max: sql<number>`coalesce(max(id), 0)::int` }).from(auditLog))[0]!.max;
    await get('/v1/signals?gemeente=GM9901', ctx.as('officer', 'GM9901', 'auditor'));
    await get(`/v1/signals/${ids.e}`, ctx.as('officer', 'GM9901', 'auditor'));
    await patch(ids.e!, { ...ctx.as('officer', 'GM9901', 'auditor'), 'if-match': '"1"' }, { note: 'Gezien' });
    await get(`/v1/signals/${ids.c}`, ctx.as('officer', 'GM9901', 'auditor')); // 404: showed nothing
    const rows = await db().select().from(auditLog).where(sql`${auditLog.id} > ${marker}`).orderBy(auditLog.id);
    expect(rows.map((r) => [r.action, r.actorSub, r.resourceId, sorted(r.pupilIds)])).toEqual([
      ['signal.list', 'auditor', null, sorted([pupilOf.a!.id, pupilOf.e!.id])],
      ['signal.read', 'auditor', ids.e, [pupilOf.e!.id]],
      ['signal.update', 'auditor', ids.e, [pupilOf.e!.id]],
    ]);
  });

  function patch(id: string, headers: Record<string, string>, payload: Record<string, unknown>) {
    return ctx.app.inject({ method: 'PATCH', url: `/v1/signals/${id}`, headers, payload });
  }
});
