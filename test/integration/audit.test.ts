import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { AuditWriter } from '../../src/db/audit-writer.js';
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

describe('writing the audit log under load', () => {
  const mark = 'group-commit-test';
  const row = (n: number, actorSub: string | null = mark) =>
    ({ actorSub: actorSub as string, actorRole: 'admin', actorOrg: 'RMC01', action: 'test.write', resourceType: 'test', pupilIds: [p1], requestId: `r${n}` });
  const written = async (action = 'test.write') =>
    // The inserting transaction (xmin), not the time: two inserts can fall in one millisecond.
    await ctx.services.database.db
      .select({ requestId: auditLog.requestId, insert: sql<string>`${auditLog}.xmin::text` })
      .from(auditLog)
      .where(sql`${auditLog.action} = ${action}`);

  it('shares one insert among the records that arrive while another is under way', async () => {
    const writer = new AuditWriter(ctx.services.database.pool);
    await Promise.all(Array.from({ length: 20 }, (_, n) => writer.write([row(n)])));
    const rows = await written();
    expect(rows.map((r) => r.requestId).sort()).toEqual(Array.from({ length: 20 }, (_, n) => `r${n}`).sort());
    // The first went alone; the other 19 queued behind it and were committed together.
    expect(new Set(rows.map((r) => r.insert)).size).toBe(2);
  });

  it('fails every request of a batch that could not be written, and goes on with the next', async () => {
    const writer = new AuditWriter(ctx.services.database.pool);
    const results = await Promise.allSettled([writer.write([row(100)]), writer.write([row(101, null)]), writer.write([row(102)])]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected']);
    await writer.write([row(103)]);
    expect((await written()).map((r) => r.requestId)).toEqual(expect.arrayContaining(['r100', 'r103']));
    expect((await written()).map((r) => r.requestId)).not.toContain('r102');
  });

  it('records every one of many concurrent reads before answering it', async () => {
    const before = await ctx.services.database.db.$count(auditLog, sql`${auditLog.actorSub} = 'busy-mentor'`);
    const replies = await Promise.all(
      Array.from({ length: 30 }, () => ctx.app.inject({ method: 'GET', url: `/v1/pupils/${p1}`, headers: ctx.as('mentor', '11AA00', 'busy-mentor') })),
    );
    expect(replies.map((r) => r.statusCode)).toEqual(Array(30).fill(200));
    const ids = (await ctx.services.database.db.select({ requestId: auditLog.requestId }).from(auditLog).where(sql`${auditLog.actorSub} = 'busy-mentor'`)).map((r) => r.requestId);
    expect(ids).toHaveLength(before + 30);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
