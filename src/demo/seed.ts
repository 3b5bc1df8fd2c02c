import { sql } from 'drizzle-orm';
import { enrolments, organisations, pupilIdentifiers, pupils } from '../db/schema.js';
import type { Services } from '../services.js';
import { syntheticOrganisations, syntheticPupils, type SyntheticPupil, type WorldSize } from './synthetic.js';

export const DEMO_WORLD: WorldSize = { regions: 1, municipalities: 4, vmboSchools: 3, vestigingen: 4, mbos: 2 };
export const DEMO_COHORT = '2025-2026';

/**
 * Seeds the demo region: organisations, a cohort of leavers with a realistic mix of outcomes,
 * and their mbo applications and enrolments. Idempotent: a seeded database is left as it is.
 */
export async function seedDemo(services: Services, pupilCount = 300): Promise<{ seeded: boolean; pupils: number }> {
  const { db } = services.database;
  const orgs = syntheticOrganisations(DEMO_WORLD, 7);
  await db.insert(organisations).values(orgs).onConflictDoNothing();
  const [{ count }] = (await db.execute<{ count: number }>(sql`select count(*)::int as count from ${pupils}`)).rows as [{ count: number }];
  if (count > 0) return { seeded: false, pupils: count };

  let batch: SyntheticPupil[] = [];
  for (const pupil of syntheticPupils(orgs, pupilCount, DEMO_COHORT, 11)) {
    batch.push(pupil);
    if (batch.length === 1000) await insertBatch(services, batch.splice(0));
  }
  await insertBatch(services, batch);
  return { seeded: true, pupils: pupilCount };
}

async function insertBatch(services: Services, batch: SyntheticPupil[]): Promise<void> {
  if (!batch.length) return;
  const { pii } = services;
  await services.database.db.transaction(async (trx) => {
    const ids = await trx
      .insert(pupils)
      .values(
        batch.map((p) => ({
          givenName: p.givenName, infix: p.infix, surname: p.surname, birthDate: p.birthDate, postcode: p.postcode,
          gemeenteCode: p.gemeenteCode, schoolCode: p.schoolCode, leerlingnummer: p.leerlingnummer, klas: p.klas,
          leerweg: p.leerweg, cohort: p.cohort, destination: p.destination,
        })),
      )
      .returning({ id: pupils.id });
    await trx.insert(pupilIdentifiers).values(
      batch.map((p, i) => {
        const id = p.bsn ? { kind: 'bsn' as const, value: p.bsn } : { kind: 'onderwijsnummer' as const, value: p.onderwijsnummer! };
        return { hmac: pii.hmac(id.value), pupilId: ids[i]!.id, kind: id.kind, cipher: pii.encrypt(id) };
      }),
    );
    const rows = batch.flatMap((p, i) => p.enrolments.map((e) => ({ ...e, pupilId: ids[i]!.id, leerweg: e.leerweg, statusDate: e.endDate ?? e.startDate ?? e.appliedOn })));
    if (rows.length) await trx.insert(enrolments).values(rows);
  });
}
