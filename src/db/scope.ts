import { sql, type SQL } from 'drizzle-orm';
import type { Caller } from '../domain/access.js';
import { isBrin, isRmcRegion } from '../domain/organisations.js';
import { enrolments, organisations, pupils } from './schema.js';

/**
 * The one rule for which pupils a caller may see, as a condition over `pupils`:
 * a mentor the pupils of the own school (a BRIN covers all its vestigingen), an mbo the pupils
 * who applied or enrolled there, an officer the pupils living in the own municipality (or in
 * any municipality of the own RMC region), an admin everyone. Every query that reads pupil
 * data goes through this, so a pupil outside it is a 404, never a leak.
 */
export function pupilScope(caller: Caller): SQL {
  switch (caller.role) {
    case 'admin':
      return sql`true`;
    case 'mentor':
      return isBrin(caller.org)
        ? sql`${pupils.schoolCode} like ${`${caller.org}%`}`
        : sql`${pupils.schoolCode} = ${caller.org}`;
    case 'mbo':
      return sql`exists (select 1 from ${enrolments} where ${enrolments.pupilId} = ${pupils.id} and ${enrolments.mboBrin} = ${caller.org})`;
    case 'officer':
      return gemeenteScope(caller.org, pupils.gemeenteCode);
  }
}

/** An officer's municipalities: the own gemeente, or every gemeente of the own RMC region. */
export function gemeenteScope(org: string, column: SQL | typeof pupils.gemeenteCode): SQL {
  return isRmcRegion(org)
    ? sql`${column} in (select ${organisations.code} from ${organisations} where ${organisations.parentCode} = ${org})`
    : sql`${column} = ${org}`;
}
