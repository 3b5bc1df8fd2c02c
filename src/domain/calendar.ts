/**
 * Dates, school years and the yearly calendar of a cohort.
 *
 * Dates are ISO strings `YYYY-MM-DD`: plain data that compares correctly as text and carries no
 * timezone, so "1 September" never turns into 31 August at 23:00 UTC. Nothing here reads the
 * clock; the date is always a parameter.
 *
 * A cohort is named by the school year (1 August - 31 July) in which its pupils leave vmbo:
 * cohort `2025-2026` leaves in summer 2026 and should start at mbo around 1 September 2026.
 */

/** An ISO calendar date `YYYY-MM-DD`. An alias, not a brand: rows and JSON carry plain strings. */
export type IsoDate = string;

export interface CohortYears {
  /** `2025-2026` */
  name: string;
  startYear: number;
  /** The calendar year in which the pupils leave vmbo; all key dates of the cohort fall in it. */
  endYear: number;
}

export interface CohortCalendar {
  /** 1 April: applying before it gives toelatingsrecht; no application after it is a signal. */
  aanmelddatum: IsoDate;
  /** 1 July: by now an application should have led to an offer or enrolment. */
  plaatsingsdatum: IsoDate;
  /** Check start date, default 1 September; a region may configure another one. */
  startdatum: IsoDate;
  /** 1 October: the reference date for enrolment and counting early school leavers. */
  teldatum: IsoDate;
  /** Last day the cohort is monitored: the end of the school year after leaving. */
  monitorUntil: IsoDate;
}

export interface CohortCalendarOverrides {
  /** `MM-DD` in the cohort's end year, strictly between the plaatsingsdatum and the teldatum. */
  startDate?: string;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTH_DAY = /^(\d{2})-(\d{2})$/;

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** True for a real calendar date (no 2026-02-29, no 2026-13-01). */
export function isIsoDate(value: string): boolean {
  const m = ISO_DATE.exec(value);
  if (!m) return false;
  const month = Number(m[2]);
  return month >= 1 && month <= 12 && Number(m[3]) >= 1 && Number(m[3]) <= daysInMonth(Number(m[1]), month);
}

export interface DateParts {
  year: number;
  month: number;
  day: number;
}

/** Splits a date into numbers; throws RangeError on anything that is not a real ISO date. */
export function dateParts(date: IsoDate): DateParts {
  if (!isIsoDate(date)) throw new RangeError('not an ISO date (YYYY-MM-DD)');
  return { year: Number(date.slice(0, 4)), month: Number(date.slice(5, 7)), day: Number(date.slice(8, 10)) };
}

export function formatDate(year: number, month: number, day: number): IsoDate {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** -1, 0 or 1. Valid ISO dates order correctly as text, so this is a checked string compare. */
export function compareDates(a: IsoDate, b: IsoDate): -1 | 0 | 1 {
  dateParts(a);
  dateParts(b);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The date n days later (n may be negative), across month and year ends and leap days. */
export function addDays(date: IsoDate, n: number): IsoDate {
  if (!Number.isInteger(n)) throw new RangeError('days must be a whole number');
  const { year, month, day } = dateParts(date);
  // setUTCFullYear, not Date.UTC: Date.UTC maps years 0..99 to 1900..1999.
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day + n);
  return formatDate(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
}

/** Parses `2025-2026`; null unless the second year directly follows the first. */
export function parseCohort(value: string): CohortYears | null {
  const m = /^(\d{4})-(\d{4})$/.exec(value);
  if (!m) return null;
  const startYear = Number(m[1]);
  const endYear = Number(m[2]);
  if (endYear !== startYear + 1) return null;
  return { name: value, startYear, endYear };
}

/** The school year (1 August - 31 July) a date falls in, named like a cohort. */
export function schoolYearOf(date: IsoDate): string {
  const { year, month } = dateParts(date);
  const startYear = month >= 8 ? year : year - 1;
  return `${startYear}-${startYear + 1}`;
}

/**
 * The key dates of a cohort. Throws RangeError for a malformed cohort or start date: a wrong
 * calendar would silently signal a whole cohort on the wrong day, so it must not pass.
 */
export function cohortCalendar(cohort: string, overrides: CohortCalendarOverrides = {}): CohortCalendar {
  const years = parseCohort(cohort);
  if (!years) throw new RangeError('cohort must be two consecutive years, e.g. 2025-2026');
  const y = years.endYear;
  const calendar: CohortCalendar = {
    aanmelddatum: formatDate(y, 4, 1),
    plaatsingsdatum: formatDate(y, 7, 1),
    startdatum: formatDate(y, 9, 1),
    teldatum: formatDate(y, 10, 1),
    monitorUntil: formatDate(y + 1, 7, 31),
  };
  if (overrides.startDate !== undefined) {
    const m = MONTH_DAY.exec(overrides.startDate);
    const startdatum = m ? `${String(y).padStart(4, '0')}-${overrides.startDate}` : '';
    // The transition rules assume plaatsingsdatum < startdatum < teldatum.
    if (!isIsoDate(startdatum) || startdatum <= calendar.plaatsingsdatum || startdatum >= calendar.teldatum) {
      throw new RangeError('startDate must be MM-DD after 1 July and before 1 October');
    }
    calendar.startdatum = startdatum;
  }
  return calendar;
}

/** One formatter per time zone: building one costs ~100 µs, formatting with it ~2 µs (an evaluate job asks once per batch). */
const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** Today in the service's calendar zone: "1 September" must not start at 22:00 UTC on 31 August. */
export function todayIn(timeZone: string, now: Date = new Date()): IsoDate {
  let format = dayFormats.get(timeZone);
  if (!format) {
    // en-CA formats as YYYY-MM-DD.
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormats.set(timeZone, format);
  }
  return format.format(now);
}
