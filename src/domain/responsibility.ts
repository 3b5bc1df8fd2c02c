/**
 * Who is responsible for a young person on a given date, after the Leerplichtwet and the RMC
 * rules:
 * - leerplichtig until 31 July of the school year (1 Aug - 31 Jul) in which the pupil turns 16;
 * - kwalificatieplichtig after that, until the 18th birthday or a startkwalificatie;
 * - rmc from 18 until the 23rd birthday, without a startkwalificatie;
 * - geen from 23, or with a startkwalificatie once no longer leerplichtig.
 * Leerplicht and kwalificatieplicht are enforced by the leerplichtambtenaar of the woongemeente,
 * 18-22 by the RMC region (Doorstroompunt); from 23 on nobody in this chain is.
 */

import { dateParts, formatDate, isLeapYear, schoolYearOf, type IsoDate } from './calendar.js';

export type Obligation = 'leerplichtig' | 'kwalificatieplichtig' | 'rmc' | 'geen';
export type Authority = 'leerplicht' | 'rmc';

export interface ResponsibilityFacts {
  birthDate: IsoDate;
  hasStartkwalificatie: boolean;
}

/**
 * Age in whole years on `date`. Someone born on 29 February becomes a year older on 1 March in
 * a non-leap year. This must equal PostgreSQL's `date_part('year', age(date, birth))`, which the
 * set-based nightly check uses; that is also why a date before the birth date gives the negated
 * age the other way round (Postgres computes a negative interval that way) instead of throwing.
 */
export function ageOn(birthDate: IsoDate, date: IsoDate): number {
  if (date < birthDate) return 0 - ageOn(date, birthDate); // 0 - x: never -0
  const birth = dateParts(birthDate);
  const on = dateParts(date);
  const beforeBirthday = on.month < birth.month || (on.month === birth.month && on.day < birth.day);
  return on.year - birth.year - (beforeBirthday ? 1 : 0);
}

/** The date someone reaches `years`, with 29 February moving to 1 March as in ageOn. */
export function birthdayOf(birthDate: IsoDate, years: number): IsoDate {
  const { year, month, day } = dateParts(birthDate);
  const target = year + years;
  if (month === 2 && day === 29 && !isLeapYear(target)) return formatDate(target, 3, 1);
  return formatDate(target, month, day);
}

/** Last day of leerplicht: 31 July of the school year in which the pupil turns 16. */
export function leerplichtEndsOn(birthDate: IsoDate): IsoDate {
  const schoolYear = schoolYearOf(birthdayOf(birthDate, 16));
  return `${schoolYear.slice(5)}-07-31`;
}

/**
 * The obligation on `date`. A startkwalificatie does not end leerplicht (a 15-year-old with a
 * diploma is still leerplichtig); it only ends kwalificatieplicht and RMC. Leerplicht really
 * starts at 5, but nobody that young reaches this service, so earlier dates count as leerplichtig.
 */
export function obligationOn(birthDate: IsoDate, date: IsoDate, hasStartkwalificatie: boolean): Obligation {
  if (date <= leerplichtEndsOn(birthDate)) return 'leerplichtig';
  if (hasStartkwalificatie) return 'geen';
  const age = ageOn(birthDate, date);
  if (age < 18) return 'kwalificatieplichtig';
  if (age < 23) return 'rmc';
  return 'geen';
}

/** Leerplicht covers both leerplicht and kwalificatieplicht; null when nobody is responsible. */
export function responsibleAuthority(pupil: ResponsibilityFacts, date: IsoDate): Authority | null {
  switch (obligationOn(pupil.birthDate, date, pupil.hasStartkwalificatie)) {
    case 'leerplichtig':
    case 'kwalificatieplichtig':
      return 'leerplicht';
    case 'rmc':
      return 'rmc';
    case 'geen':
      return null;
  }
}

export type MboNiveau = 1 | 2 | 3 | 4;

/** A diploma as far as the startkwalificatie question needs it. */
export type Diploma = { kind: 'vmbo' | 'havo' | 'vwo' } | { kind: 'mbo'; niveau: MboNiveau };

/**
 * havo, vwo and mbo niveau 2-4 are a startkwalificatie. A vmbo diploma is not (it is the
 * diploma these pupils leave with, which is why they must go on), nor is mbo Entree (niveau 1).
 */
export function isStartkwalificatie(diploma: Diploma): boolean {
  switch (diploma.kind) {
    case 'havo':
    case 'vwo':
      return true;
    case 'vmbo':
      return false;
    case 'mbo':
      return diploma.niveau >= 2;
  }
}
