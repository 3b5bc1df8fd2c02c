import { seededRandom, syntheticBsn, type PupilIdentifier } from '../../src/domain/identifiers.js';
import { organisations, pupilIdentifiers, pupils } from '../../src/db/schema.js';
import type { Services } from '../../src/services.js';

/**
 * A small synthetic region for integration tests:
 * RMC01 with GM9901 Testdorp and GM9902 Proefstad; GM9903 Elders in RMC02;
 * vmbo 11AA (vestigingen 11AA00, 11AA01) and 22BB (22BB00); mbo 33CC and 44DD.
 */
export async function seedOrganisations(services: Services): Promise<void> {
  await services.database.db.insert(organisations).values([
    { code: 'RMC01', kind: 'regio', name: 'Regio Een', checkStartDate: '09-01' },
    { code: 'RMC02', kind: 'regio', name: 'Regio Twee' },
    { code: 'GM9901', kind: 'gemeente', name: 'Testdorp', parentCode: 'RMC01' },
    { code: 'GM9902', kind: 'gemeente', name: 'Proefstad', parentCode: 'RMC01' },
    { code: 'GM9903', kind: 'gemeente', name: 'Elders', parentCode: 'RMC02' },
    { code: '11AA', kind: 'vmbo', name: 'Vmbo De Brug' },
    { code: '11AA00', kind: 'vestiging', name: 'De Brug Centrum', parentCode: '11AA' },
    { code: '11AA01', kind: 'vestiging', name: 'De Brug Noord', parentCode: '11AA' },
    { code: '22BB', kind: 'vmbo', name: 'Vakcollege Het Anker' },
    { code: '22BB00', kind: 'vestiging', name: 'Het Anker', parentCode: '22BB' },
    { code: '33CC', kind: 'mbo', name: 'ROC Testland' },
    { code: '44DD', kind: 'mbo', name: 'Vakschool Proef' },
  ]);
}

const random = seededRandom(20260901);
/** A fresh synthetic BSN (passes the elfproef, starts with 9). */
export const nextBsn = (): string => syntheticBsn(random);

export interface PupilFixture {
  bsn?: string;
  identifier?: PupilIdentifier;
  givenName?: string;
  surname?: string;
  birthDate?: string;
  schoolCode?: string | null;
  gemeenteCode?: string | null;
  cohort?: string | null;
  leerlingnummer?: string | null;
  destination?: string | null;
}

/** Inserts a pupil directly (bypassing imports), with its identifier stored the way imports store it. */
export async function insertPupil(services: Services, p: PupilFixture = {}): Promise<{ id: string; bsn: string }> {
  const identifier = p.identifier ?? { kind: 'bsn' as const, value: p.bsn ?? nextBsn() };
  const [row] = await services.database.db
    .insert(pupils)
    .values({
      givenName: p.givenName ?? 'Sam',
      surname: p.surname ?? 'Testpersoon',
      birthDate: p.birthDate ?? '2010-03-15',
      schoolCode: p.schoolCode === undefined ? '11AA00' : p.schoolCode,
      gemeenteCode: p.gemeenteCode === undefined ? 'GM9901' : p.gemeenteCode,
      cohort: p.cohort === undefined ? '2025-2026' : p.cohort,
      leerlingnummer: p.leerlingnummer ?? null,
      destination: p.destination ?? null,
    })
    .returning({ id: pupils.id });
  await services.database.db.insert(pupilIdentifiers).values({
    hmac: services.pii.hmac(identifier.value),
    pupilId: row!.id,
    kind: identifier.kind,
    cipher: services.pii.encrypt(identifier),
  });
  return { id: row!.id, bsn: identifier.value };
}
