import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { auditLog, pupils } from '../../src/db/schema.js';
import { createTestContext, type TestContext } from '../support/context.js';
import { insertPupil, seedOrganisations } from '../support/fixtures.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
  await seedOrganisations(ctx.services);
});
afterAll(() => ctx.close());

describe('shutting down', () => {
  it('waits for a request whose client hung up, so its work and audit record are not cut off', async () => {
    const { db, pool } = ctx.services.database;
    const pupil = await insertPupil(ctx.services);
    await ctx.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = ctx.app.server.address() as AddressInfo;

    // Hold the pupil's row, so the request's UPDATE waits for this test to let go.
    const holder = await pool.connect();
    await holder.query('begin');
    await holder.query('select 1 from pupils where id = $1 for update', [pupil.id]);
    const body = JSON.stringify({ destination: 'werk', hasStartkwalificatie: false });
    const request = http.request({
      host: '127.0.0.1', port, method: 'PUT', path: `/v1/pupils/${pupil.id}/destination`,
      headers: { ...ctx.as('mentor', '11AA00'), 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    });
    request.on('error', () => {});
    request.end(body);
    // Polled on another connection: inside the holder's transaction pg_stat_activity stays as first read.
    for (;;) {
      const { rows } = await pool.query<{ n: number }>(
        `select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
      );
      if (rows[0]!.n === 1) break;
      await sleep(10);
    }
    request.destroy(); // the client hangs up while its handler waits

    const order: string[] = [];
    const closing = ctx.app.close().then(() => order.push('closed'));
    await sleep(200); // a close that does not wait for the handler resolves within a millisecond or two
    order.push('released');
    await holder.query('commit');
    holder.release();
    await closing;

    expect(order).toEqual(['released', 'closed']);
    const [row] = await db.select({ destination: pupils.destination }).from(pupils).where(eq(pupils.id, pupil.id));
    expect(row!.destination).toBe('werk');
    const audited = await db.select().from(auditLog).where(and(eq(auditLog.action, 'pupil.destination.update'), eq(auditLog.resourceId, pupil.id)));
    expect(audited).toHaveLength(1);
  });
});
