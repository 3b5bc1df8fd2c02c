import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { createTestContext, type TestContext } from '../support/context.js';
import { insertPupil, seedOrganisations } from '../support/fixtures.js';
import { auditLog, organisations, pupils, signals, signalListVersion } from '../../src/db/schema.js';
import type { Executor } from '../../src/db/client.js';

/**
 * The API keeps rendered signal-list pages under the signal list version (src/db/signal-page-cache.ts).
 * A kept page shows itself by showing a change made behind the triggers' back (session_replication_role
 * = replica turns them off); every real change must make the next read fresh.
 */

let ctx: TestContext;
const db = () => ctx.services.database.db;
const pupil: Record<string, string> = {};

type Item = { id: string; status: string; pupil: { id: string; name: string } };
async function list(org: string, query = '', role: 'officer' | 'mentor' = 'officer', sub = `officer-${org}`): Promise<Item[]> {
  const res = await ctx.app.inject({ method: 'GET', url: `/v1/signals${query}`, headers: ctx.as(role, org, sub) });
  expect(res.statusCode).toBe(200);
  return res.json().items;
}
const names = (items: Item[]) => items.map((i) => i.pupil.name).sort();

/** A change the signal list version does not see (its triggers off for this transaction). */
async function behindTheBack(change: (tx: Executor) => Promise<unknown>, on = ctx) {
  await on.services.database.db.transaction(async (tx) => {
    await tx.execute(sql`set local session_replication_role = replica`);
    await change(tx);
  });
}
const version = async () => (await db().select().from(signalListVersion))[0]!.value;

async function addSignal(key: string, gemeenteCode: string, openedAt: string) {
  pupil[key] = (await insertPupil(ctx.services, { givenName: key, gemeenteCode })).id;
  await db().insert(signals).values({
    pupilId: pupil[key]!, kind: 'niet_gestart', cohort: '2025-2026', audience: 'officer', authority: 'leerplicht',
    gemeenteCode, schoolCode: '11AA00', openedAt: new Date(openedAt),
  });
}

beforeAll(async () => {
  ctx = await createTestContext();
  await seedOrganisations(ctx.services);
  await addSignal('Anna', 'GM9901', '2026-10-01T01:00:00Z');
  await addSignal('Bram', 'GM9902', '2026-10-02T01:00:00Z');
  await addSignal('Cas', 'GM9903', '2026-10-03T01:00:00Z');
});
afterAll(() => ctx.close());

describe('kept signal-list pages', () => {
  it('are served again while nothing changed, and never after a change', async () => {
    expect(names(await list('GM9901'))).toEqual(['Anna Testpersoon']);
    await behindTheBack((tx) => tx.update(pupils).set({ givenName: 'Anneke' }).where(eq(pupils.id, pupil.Anna!)));
    expect(names(await list('GM9901'))).toEqual(['Anna Testpersoon']); // the kept page

    await db().update(pupils).set({ surname: 'Hernoemd' }).where(eq(pupils.id, pupil.Anna!));
    expect(names(await list('GM9901'))).toEqual(['Anneke Hernoemd']);
  });

  it('are kept per scope: the same URL shows each officer their own signals', async () => {
    expect(names(await list('GM9901'))).toEqual(['Anneke Hernoemd']);
    expect(names(await list('GM9902'))).toEqual(['Bram Testpersoon']);
    expect(names(await list('RMC01'))).toEqual(['Anneke Hernoemd', 'Bram Testpersoon']);
    expect(names(await list('RMC02'))).toEqual(['Cas Testpersoon']);
    // ...and per filter and page size.
    expect(names(await list('RMC01', '?limit=1'))).toEqual(['Bram Testpersoon']);
    expect(names(await list('RMC01', '?gemeente=GM9901'))).toEqual(['Anneke Hernoemd']);
  });

  it("show an officer's own change at once", async () => {
    const [item] = await list('GM9902');
    const res = await ctx.app.inject({
      method: 'PATCH', url: `/v1/signals/${item!.id}`, headers: { ...ctx.as('officer', 'GM9902'), 'if-match': '"1"' },
      payload: { status: 'in_behandeling' },
    });
    expect(res.statusCode).toBe(200);
    expect((await list('GM9902')).map((i) => i.status)).toEqual(['in_behandeling']);
    expect((await list('RMC01', '?status=open')).map((i) => i.pupil.name)).toEqual(['Anneke Hernoemd']);
  });

  it('show new and deleted signals, and a municipality moving to another region', async () => {
    expect(names(await list('RMC02'))).toEqual(['Cas Testpersoon']);
    await addSignal('Dirk', 'GM9903', '2026-10-04T01:00:00Z');
    expect(names(await list('RMC02'))).toEqual(['Cas Testpersoon', 'Dirk Testpersoon']);

    await db().delete(pupils).where(eq(pupils.id, pupil.Dirk!)); // erasure: its signals go with it
    expect(names(await list('RMC02'))).toEqual(['Cas Testpersoon']);

    await db().update(organisations).set({ parentCode: 'RMC01' }).where(eq(organisations.code, 'GM9903'));
    expect(names(await list('RMC02'))).toEqual([]);
    expect(names(await list('RMC01'))).toContain('Cas Testpersoon');
    await db().update(organisations).set({ parentCode: 'RMC02' }).where(eq(organisations.code, 'GM9903'));
    expect(names(await list('RMC02'))).toEqual(['Cas Testpersoon']);
  });

  it('are read under a version raised once per committed transaction, not by one rolled back', async () => {
    const before = await version();
    await db().transaction(async (tx) => {
      await tx.update(signals).set({ note: 'een' });
      await tx.update(signals).set({ note: 'twee' });
      await tx.update(pupils).set({ infix: null });
    });
    expect(await version()).toBe(before + 1);
    await expect(
      db().transaction(async (tx) => {
        await tx.update(signals).set({ note: 'drie' });
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await version()).toBe(before + 1);
    // A change to what no list shows leaves the kept pages alone.
    await db().update(pupils).set({ postcode: '1234 AB' });
    expect(await version()).toBe(before + 1);
  });

  it('are still audited, every read with the pupils it showed', async () => {
    const sub = 'audited-officer';
    for (let i = 0; i < 3; i++) await list('RMC02', '', 'officer', sub);
    const rows = await db().select().from(auditLog).where(eq(auditLog.actorSub, sub));
    expect(rows).toHaveLength(3);
    expect(rows.every((r) => r.action === 'signal.list' && r.pupilIds.length === 1 && r.pupilIds[0] === pupil.Cas)).toBe(true);
  });
});

describe('with SIGNAL_LIST_CACHE_MB=0', () => {
  let uncached: TestContext;
  beforeAll(async () => {
    uncached = await createTestContext({ SIGNAL_LIST_CACHE_MB: '0' });
    await seedOrganisations(uncached.services);
  });
  afterAll(() => uncached.close());

  it('reads every page afresh', async () => {
    const id = (await insertPupil(uncached.services, { givenName: 'Eva', gemeenteCode: 'GM9901' })).id;
    await uncached.services.database.db.insert(signals).values({
      pupilId: id, kind: 'niet_gestart', cohort: '2025-2026', audience: 'officer', authority: 'leerplicht', gemeenteCode: 'GM9901',
    });
    const read = async () => {
      const res = await uncached.app.inject({ method: 'GET', url: '/v1/signals', headers: uncached.as('officer', 'GM9901') });
      return (res.json().items as Item[]).map((i) => i.pupil.name);
    };
    expect(await read()).toEqual(['Eva Testpersoon']);
    await behindTheBack((tx) => tx.update(pupils).set({ givenName: 'Evi' }).where(eq(pupils.id, id)), uncached);
    expect(await read()).toEqual(['Evi Testpersoon']);
  });
});
