import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { seededRandom, syntheticOnderwijsnummer } from '../../src/domain/identifiers.js';
import { auditLog, enrolmentEvents, enrolments, pupilIdentifiers, pupils } from '../../src/db/schema.js';
import { createTestContext, type TestContext } from '../support/context.js';
import { insertPupil, nextBsn, seedOrganisations } from '../support/fixtures.js';
import { invalidBsn } from '../fixtures/imports.js';

let ctx: TestContext;
const mbo = () => ctx.as('mbo', '33CC');

beforeAll(async () => {
  ctx = await createTestContext();
  await seedOrganisations(ctx.services);
});
afterAll(() => ctx.close());

const send = (items: unknown[], headers = mbo()) => ctx.app.inject({ method: 'POST', url: '/v1/enrolments', headers, payload: { items } });
const count = async (table: typeof enrolmentEvents | typeof enrolments | typeof pupils) =>
  (await ctx.services.database.db.select({ n: sql<number>`count(*)::int` }).from(table))[0]!.n;

describe('POST /v1/enrolments', () => {
  const known = { bsn: '' };
  const newcomer = nextBsn();
  let batch: Record<string, unknown>[];

  beforeAll(async () => {
    known.bsn = (await insertPupil(ctx.services)).bsn;
    batch = [
      { bsn: known.bsn, brin: '33CC', crebo: '25180', niveau: 2, leerweg: 'BOL', status: 'aangemeld', aanmelddatum: '2026-03-01' },
      { bsn: known.bsn, brin: '33CC', crebo: '25181', niveau: 3, leerweg: 'BBL', status: 'aangemeld', aanmelddatum: '2026-03-02' },
      { bsn: newcomer, brin: '33CC', crebo: '25180', status: 'aangemeld' },
    ];
  });

  it('stores a batch, creating a pupil for a number no school sent yet, and audits it', async () => {
    const pupilsBefore = await count(pupils);
    const res = await send(batch);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ created: 3, updated: 0, unchanged: 0 });
    expect(body.items.map((i: { status: string }) => i.status)).toEqual(['created', 'created', 'created']);
    expect(body.items[0].pupilId).toBe(body.items[1].pupilId);
    expect(await count(pupils)).toBe(pupilsBefore + 1);
    expect(await count(enrolmentEvents)).toBe(3);

    const [audit] = await ctx.services.database.db.select().from(auditLog).where(eq(auditLog.action, 'enrolment.write'));
    expect(audit!.pupilIds.sort()).toEqual([...new Set(body.items.map((i: { pupilId: string }) => i.pupilId))].sort());
    expect(ctx.logs.join('\n')).not.toContain(newcomer);

    const jobs = await ctx.services.queues.get('monitoring').getJobs(['waiting', 'delayed']);
    const queued = jobs.filter((j) => j.name === 'evaluate').flatMap((j) => (j.data as { pupilIds: string[] }).pupilIds);
    expect(queued).toEqual(expect.arrayContaining(body.items.map((i: { pupilId: string }) => i.pupilId)));
  });

  it('is idempotent: the same batch again is all unchanged and adds no history', async () => {
    const events = await count(enrolmentEvents);
    const first = (await send(batch)).json();
    const again = await send(batch);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ created: 0, updated: 0, unchanged: 3 });
    expect(again.json().items.map((i: { id: string }) => i.id)).toEqual(first.items.map((i: { id: string }) => i.id));
    expect(await count(enrolmentEvents)).toBe(events);
    expect(await count(enrolments)).toBe(3);
  });

  it('updates a later status in place, keeps fields the message left out, and adds one history row', async () => {
    const events = await count(enrolmentEvents);
    const res = await send([{ bsn: known.bsn, brin: '33CC', crebo: '25180', status: 'ingeschreven', startdatum: '2026-09-01' }]);
    expect(res.json()).toMatchObject({ created: 0, updated: 1, unchanged: 0 });
    const [row] = await ctx.services.database.db.select().from(enrolments).where(eq(enrolments.id, res.json().items[0].id));
    expect(row).toMatchObject({ status: 'ingeschreven', niveau: 2, leerweg: 'BOL', appliedOn: '2026-03-01', startDate: '2026-09-01' });
    expect(await count(enrolmentEvents)).toBe(events + 1);
    const history = await ctx.services.database.db.select().from(enrolmentEvents).where(eq(enrolmentEvents.enrolmentId, row!.id)).orderBy(enrolmentEvents.id);
    expect(history.map((h) => h.status)).toEqual(['aangemeld', 'ingeschreven']);
    expect(history[1]).toMatchObject({ source: 'api', startDate: '2026-09-01' });
    expect(await count(enrolments)).toBe(3);
  });

  it('links an onderwijsnummer and the BSN that replaced it to one pupil', async () => {
    const own = syntheticOnderwijsnummer(seededRandom(77));
    const first = (await send([{ onderwijsnummer: own, brin: '33CC', crebo: '25300', status: 'aangemeld' }])).json();
    const bsn = nextBsn();
    const second = await send([{ bsn, onderwijsnummer: own, brin: '33CC', crebo: '25300', status: 'onderwijsovereenkomst_aangeboden' }]);
    expect(second.json()).toMatchObject({ updated: 1 });
    expect(second.json().items[0].pupilId).toBe(first.items[0].pupilId);
    const ids = await ctx.services.database.db.select().from(pupilIdentifiers).where(eq(pupilIdentifiers.pupilId, first.items[0].pupilId));
    expect(ids.map((i) => i.kind).sort()).toEqual(['bsn', 'onderwijsnummer']);
  });

  it('rejects the whole batch with row and column when one item is bad, and stores nothing', async () => {
    const before = [await count(enrolments), await count(enrolmentEvents), await count(pupils)];
    const bad = invalidBsn(3);
    const res = await send([
      { bsn: nextBsn(), brin: '33CC', crebo: '25400', status: 'aangemeld' },
      { bsn: bad, brin: '33CC', crebo: '25400', status: 'aangemeld' },
      { bsn: nextBsn(), brin: '44DD', crebo: '25400', status: 'aangemeld' },
    ]);
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({
      type: 'urn:doorstroom:problem:rows-rejected',
      errors: [
        { row: 2, column: 'bsn', reason: expect.any(String) },
        { row: 3, column: 'brin', reason: 'must be your own BRIN' },
      ],
    });
    expect(res.body).not.toContain(bad);
    expect([await count(enrolments), await count(enrolmentEvents), await count(pupils)]).toEqual(before);
  });

  it('rejects an unknown mbo and the same application twice in one batch (admin), storing nothing', async () => {
    const before = await count(enrolments);
    const twice = nextBsn();
    const res = await send(
      [
        { bsn: nextBsn(), brin: '99ZZ', crebo: '25500', status: 'aangemeld' },
        { bsn: twice, brin: '44DD', crebo: '25500', status: 'aangemeld' },
        { bsn: twice, brin: '44DD', crebo: '25500', status: 'teruggetrokken' },
      ],
      ctx.as('admin', 'RMC01'),
    );
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([
      { row: 1, column: 'brin', reason: 'not a known mbo institution (BRIN)' },
      { row: 3, column: 'crebo', reason: 'same application as row 2' },
    ]);
    expect(await count(enrolments)).toBe(before);
  });

  it('refuses unknown fields, a mentor, and more than 1000 items', async () => {
    expect((await send([{ bsn: nextBsn(), brin: '33CC', crebo: '25180', status: 'aangemeld', colour: 'red' }])).statusCode).toBe(400);
    expect((await send([{ bsn: nextBsn(), brin: '33CC', crebo: '25180', status: 'aangemeld' }], ctx.as('mentor', '11AA00'))).statusCode).toBe(403);
    const many = Array.from({ length: 1001 }, () => ({ bsn: nextBsn(), brin: '33CC', crebo: '25180', status: 'aangemeld' }));
    expect((await send(many)).statusCode).toBe(400);
  });

  it('handles a full batch of 1000 in one go', async () => {
    const items = Array.from({ length: 1000 }, (_, i) => ({ bsn: nextBsn(), brin: '33CC', crebo: String(26000 + (i % 3)), status: 'aangemeld' }));
    const res = await send(items);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ created: 1000 });
  });
});
