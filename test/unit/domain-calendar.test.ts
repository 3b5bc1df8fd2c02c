import { describe, expect, it } from 'vitest';
import {
  addDays,
  cohortCalendar,
  compareDates,
  isIsoDate,
  parseCohort,
  schoolYearOf,
  todayIn,
} from '../../src/domain/calendar.js';

describe('parseCohort', () => {
  it.each([
    ['2025-2026', { name: '2025-2026', startYear: 2025, endYear: 2026 }],
    ['1999-2000', { name: '1999-2000', startYear: 1999, endYear: 2000 }],
    ['2025-2027', null],
    ['2026-2025', null],
    ['2025-2025', null],
    ['2025/2026', null],
    ['25-26', null],
    ['2025-2026 ', null],
  ])('accepts only two consecutive years: %j', (value, expected) => {
    expect(parseCohort(value)).toEqual(expected);
  });
});

describe('schoolYearOf', () => {
  it.each([
    ['2026-07-31', '2025-2026'],
    ['2026-08-01', '2026-2027'],
    ['2026-01-01', '2025-2026'],
    ['2025-12-31', '2025-2026'],
    ['2024-02-29', '2023-2024'],
  ])('puts %j in school year %j (1 August - 31 July)', (date, year) => {
    expect(schoolYearOf(date)).toBe(year);
  });
});

describe('cohortCalendar', () => {
  it('places every key date in the year the cohort leaves vmbo', () => {
    expect(cohortCalendar('2025-2026')).toEqual({
      aanmelddatum: '2026-04-01',
      plaatsingsdatum: '2026-07-01',
      startdatum: '2026-09-01',
      teldatum: '2026-10-01',
      monitorUntil: '2027-07-31',
    });
  });

  it.each([
    ['08-25', '2026-08-25'],
    ['09-08', '2026-09-08'],
  ])('lets a region move the start date to %j', (startDate, startdatum) => {
    expect(cohortCalendar('2025-2026', { startDate }).startdatum).toBe(startdatum);
  });

  it.each([['07-01'], ['10-01'], ['02-30'], ['9-1'], ['2026-09-01'], ['']])(
    'refuses start date %j that would break the order plaatsingsdatum < startdatum < teldatum',
    (startDate) => {
      expect(() => cohortCalendar('2025-2026', { startDate })).toThrow(RangeError);
    },
  );

  it.each([['2025-2027'], ['2025'], ['']])('refuses the malformed cohort %j', (cohort) => {
    expect(() => cohortCalendar(cohort)).toThrow(RangeError);
  });
});

describe('addDays', () => {
  it.each([
    ['2026-08-31', 1, '2026-09-01'],
    ['2026-12-31', 1, '2027-01-01'],
    ['2024-02-28', 1, '2024-02-29'],
    ['2026-02-28', 1, '2026-03-01'],
    ['2026-03-01', -1, '2026-02-28'],
    ['2026-01-01', -1, '2025-12-31'],
    ['2026-09-01', 0, '2026-09-01'],
    ['2026-04-01', 365, '2027-04-01'],
    ['0050-01-01', 1, '0050-01-02'],
  ])('moves %j by %j days to %j across month, year and leap-day boundaries', (date, n, expected) => {
    expect(addDays(date, n)).toBe(expected);
  });

  it('refuses a date that does not exist', () => {
    expect(() => addDays('2026-02-29', 1)).toThrow(RangeError);
  });
});

describe('compareDates', () => {
  it.each([
    ['2026-09-01', '2026-09-02', -1],
    ['2026-09-02', '2026-09-01', 1],
    ['2026-09-01', '2026-09-01', 0],
    ['2025-12-31', '2026-01-01', -1],
  ])('orders %j against %j as %j', (a, b, expected) => {
    expect(compareDates(a, b)).toBe(expected);
  });

  it('refuses a non-ISO date instead of comparing text', () => {
    expect(() => compareDates('1-9-2026', '2026-09-01')).toThrow(RangeError);
  });
});

describe('isIsoDate', () => {
  it.each([
    ['2024-02-29', true],
    ['2026-02-29', false],
    ['2026-04-31', false],
    ['2026-13-01', false],
    ['2026-00-10', false],
    ['2026-9-1', false],
    ['01-09-2026', false],
  ])('recognises only real calendar dates: %j', (value, expected) => {
    expect(isIsoDate(value)).toBe(expected);
  });
});

describe('todayIn', () => {
  it('is the date in the given zone, not in UTC', () => {
    const lateEvening = new Date('2026-08-31T22:30:00Z'); // 00:30 on 1 September in Amsterdam (CEST)
    expect(todayIn('Europe/Amsterdam', lateEvening)).toBe('2026-09-01');
    expect(todayIn('UTC', lateEvening)).toBe('2026-08-31');
    expect(todayIn('Europe/Amsterdam', new Date('2026-12-31T22:59:59Z'))).toBe('2026-12-31'); // CET: 23:59:59
    expect(todayIn('Europe/Amsterdam', new Date('2026-12-31T23:00:00Z'))).toBe('2027-01-01');
  });
});
