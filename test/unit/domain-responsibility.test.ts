import { describe, expect, it } from 'vitest';
import {
  ageOn,
  isStartkwalificatie,
  leerplichtEndsOn,
  obligationOn,
  responsibleAuthority,
  type Diploma,
} from '../../src/domain/responsibility.js';

describe('ageOn', () => {
  it.each([
    ['2008-09-15', '2026-09-14', 17],
    ['2008-09-15', '2026-09-15', 18], // birthday on the check date
    ['2008-09-15', '2026-09-16', 18],
    ['2008-02-29', '2026-02-28', 17], // 29 February, non-leap year: still 17
    ['2008-02-29', '2026-03-01', 18], // ... a year older on 1 March, like Postgres age()
    ['2008-02-29', '2028-02-29', 20], // leap year: on the day itself
    ['2008-02-29', '2028-02-28', 19],
    ['2008-12-31', '2026-12-30', 17],
    ['2008-01-01', '2008-01-01', 0],
    ['2020-06-01', '2020-01-01', 0], // before birth: as Postgres, -(0 years 5 months)
    ['2021-06-01', '2020-01-01', -1],
  ])('born %j, on %j is %j years old, as Postgres age() counts', (birth, date, age) => {
    expect(ageOn(birth, date)).toBe(age);
  });
});

describe('leerplichtEndsOn', () => {
  it.each([
    ['2010-07-31', '2026-07-31'], // turns 16 on the last day of the school year
    ['2010-08-01', '2027-07-31'], // turns 16 on the first day of the next one
    ['2010-03-15', '2026-07-31'],
    ['2010-12-01', '2027-07-31'],
  ])('ends leerplicht of a pupil born %j on 31 July of the school year they turn 16: %j', (birth, end) => {
    expect(leerplichtEndsOn(birth)).toBe(end);
  });
});

describe('obligationOn', () => {
  it.each([
    // born 2010-03-15: turns 16 in school year 2025-2026
    ['2010-03-15', '2026-07-31', false, 'leerplichtig'],
    ['2010-03-15', '2026-08-01', false, 'kwalificatieplichtig'],
    ['2010-03-15', '2026-07-31', true, 'leerplichtig'], // a diploma does not end leerplicht
    ['2010-03-15', '2026-08-01', true, 'geen'],
    ['2010-03-15', '2028-03-14', false, 'kwalificatieplichtig'],
    ['2010-03-15', '2028-03-15', false, 'rmc'], // 18th birthday on the check date
    ['2010-03-15', '2033-03-14', false, 'rmc'],
    ['2010-03-15', '2033-03-15', false, 'geen'], // 23rd birthday: out of scope
    ['2010-03-15', '2030-01-01', true, 'geen'],
    ['2008-02-29', '2026-02-28', false, 'kwalificatieplichtig'],
    ['2008-02-29', '2026-03-01', false, 'rmc'],
  ])('born %j on %j with startkwalificatie %j is %j', (birth, date, sk, obligation) => {
    expect(obligationOn(birth, date, sk)).toBe(obligation);
  });
});

describe('responsibleAuthority', () => {
  it.each([
    ['a leerplichtig pupil', '2010-03-15', false, '2026-05-01', 'leerplicht'],
    ['a kwalificatieplichtig pupil', '2009-01-10', false, '2026-05-01', 'leerplicht'],
    ['a pupil before turning 18 over the summer', '2008-08-10', false, '2026-07-01', 'leerplicht'],
    ['the same pupil after turning 18 over the summer', '2008-08-10', false, '2026-09-01', 'rmc'],
    ['a 22-year-old', '2003-09-02', false, '2026-09-01', 'rmc'],
    ['a 23-year-old', '2003-09-01', false, '2026-09-01', null],
    ['a 17-year-old with a startkwalificatie', '2009-01-10', true, '2026-05-01', null],
    ['a 19-year-old with a startkwalificatie', '2007-01-10', true, '2026-05-01', null],
  ] as const)('gives %s (born %j, startkwalificatie %j) on %j to %j', (_label, birthDate, sk, date, authority) => {
    expect(responsibleAuthority({ birthDate, hasStartkwalificatie: sk }, date)).toBe(authority);
  });
});

describe('isStartkwalificatie', () => {
  it.each<[Diploma, boolean]>([
    [{ kind: 'havo' }, true],
    [{ kind: 'vwo' }, true],
    [{ kind: 'mbo', niveau: 2 }, true],
    [{ kind: 'mbo', niveau: 3 }, true],
    [{ kind: 'mbo', niveau: 4 }, true],
    [{ kind: 'vmbo' }, false],
    [{ kind: 'mbo', niveau: 1 }, false], // Entree
  ])('counts %j as a startkwalificatie: %j', (diploma, expected) => {
    expect(isStartkwalificatie(diploma)).toBe(expected);
  });
});
