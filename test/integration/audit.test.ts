import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { auditLog } from '../../src/db/schema.js';
import { createTestContext, type TestContext } from '../support/context.js';
import { insertPupil, seedOrganisations } from '../support/fixtures.js';

let ctx: TestContext;
const admin = () => ctx.as('admin', 'RMC01', 'admin-1');
let p1 = '';
let p2 = '';

beforeAll(async () => {
  ctx = await createTestContext();
  await seedOrganisations(ctx.services);
  p1 = (await insertPupil(ctx.services)).id;
  p2 = (await insertPupil(ctx.services)).id;
  // Reads through the API, so the rows are the ones the service writes.
  await ctx.app.inject({ method: 'GET', url: `/v1/pupils/${p1}`, headers: ctx.as('mentor', '11AA00', 'mentor-1') });
  await ctx.app.inject({ method: 'GET', url: `/v1/pupils/${p2}`, headers: ctx.as('mentor', '11AA00', 'mentor-1') });
  await ctx.app.inject({ method: 'GET', url: '/v1/pupils', headers: ctx.as('officer', 'GM9901', 'officer-1') });
  await ctx.app.inject({ method: 'GET', url: `/v1/pupils/${p1}`, headers: ctx.as('officer', 'GM9901', 'officer-1') });
});
afterAll(() => ctx.close());

type Entry = { id: number; action: string; actorSub: string; pupilIds: string[]; at: string };
const audit = async (query = '') => {
  const res = await ctx.app.inject({ method: 'GET', url: `/v1/audit${query}`, headers: admin() });
  expect(res.statusCode).toBe(200);
  return res.json() as { items: Entry[]; nextCursor: string | null };
};

describe('GET /v1/audit', () => {
  it('lists entries newest first with who, role, org, action and pupils', async () => {
    const { items } = await audit();
    expect(items.map((i) => [i.actorSub, i.action])).toEqual([
      ['officer-1', 'pupil.read'],
      ['officer-1', 'pupil.list'],
      ['mentor-1', 'pupil.read'],
      ['mentor-1', 'pupil.read'],
    ]);
    expect(items[0]).toMatchObject({ actorRole: 'officer', actorOrg: 'GM9901', resourceType: 'pupil', resourceId: p1, pupilIds: [p1] });
  });

  it('finds every entry that touched a pupil, also lists', async () => {
    const { items } = await audit(`?pupilId=${p2}`);
    expect(items.map((i) => [i.actorSub, i.action])).toEqual([
      ['officer-1', 'pupil.list'],
      ['mentor-1', 'pupil.read'],
    ]);
  });

  it('filters by actor, action and since', async () => {
    expect((await audit('?actor=mentor-1')).items).toHaveLength(2);
    expect((await audit('?action=pupil.list')).items.map((i) => i.actorSub)).toEqual(['officer-1']);
    expect((await audit(`?since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).items).toEqual([]);
  });

  it('pages through every entry once', async () => {
    const all = (await audit()).items.map((i) => i.id);
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: Entry[]; nextCursor: string | null } = await audit(`?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all);
  });

  it('is not itself audited', async () => {
    const before = await ctx.services.database.db.$count(auditLog);
    await audit();
    expect(await ctx.services.database.db.$count(auditLog)).toBe(before);
  });

  it('is for admins only', async () => {
    for (const headers of [ctx.as('mentor', '11AA00'), ctx.as('officer', 'GM9901'), ctx.as('mbo', '33CC')]) {
      expect((await ctx.app.inject({ method: 'GET', url: '/v1/audit', headers })).statusCode).toBe(403);
    }
  });

  it('can answer the pupil filter from the GIN index', async () => {
    const plan = await ctx.services.database.db.transaction(async (tx) => {
      await tx.execute(sql`set local enable_seqscan = off`);
      return tx.execute(sql`explain select * from ${auditLog} where ${auditLog.pupilIds} @> ARRAY[${p1}]::uuid[]`);
    });
    expect(JSON.stringify(plan.rows)).toContain('audit_log_pupil_ids_idx');
  });
});
