import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { importChunks, imports } from '../../src/db/schema.js';
import { createTestContext, type TestContext } from '../support/context.js';
import { nextBsn, seedOrganisations } from '../support/fixtures.js';
import { csvBytes } from '../fixtures/imports.js';
import { upload as uploadTo } from '../support/uploads.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ UPLOAD_MAX_BYTES: '2048' });
  await seedOrganisations(ctx.services);
});
afterAll(() => ctx.close());

const upload = (file: Buffer) => uploadTo(ctx, ctx.as('mentor', '11AA00'), { kind: 'leerlingen' }, file);

describe('upload size limit', () => {
  it('answers 413 for a file over UPLOAD_MAX_BYTES and keeps nothing of it', async () => {
    const rows = [['BSN', 'Achternaam', 'Geboortedatum']];
    for (let i = 0; i < 100; i++) rows.push([nextBsn(), 'Groot', '01-01-2010']);
    const file = csvBytes(rows);
    expect(file.length).toBeGreaterThan(2048);
    const res = await upload(file);
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ type: 'urn:doorstroom:problem:payload-too-large' });
    const db = ctx.services.database.db;
    expect(await db.select({ n: sql<number>`count(*)::int` }).from(imports)).toEqual([{ n: 0 }]);
    expect(await db.select({ n: sql<number>`count(*)::int` }).from(importChunks)).toEqual([{ n: 0 }]);
  });

  it('accepts a file under the limit', async () => {
    const res = await upload(csvBytes([['BSN', 'Achternaam', 'Geboortedatum'], [nextBsn(), 'Klein', '01-01-2010']]));
    expect(res.statusCode).toBe(202);
  });
});
