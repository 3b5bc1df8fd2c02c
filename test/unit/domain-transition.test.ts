import { describe, expect, it } from 'vitest';
import { cohortCalendar } from '../../src/domain/calendar.js';
import {
  closeReason,
  monitoredCohorts,
  monitoringCalendar,
  signalFor,
  transitionStatus,
  type AutoCloseReason,
  type EnrolmentFact,
  type PupilFacts,
  type Signal,
  type TransitionStatus,
  type VvaStatus,
} from '../../src/domain/transition.js';

// Cohort 2025-2026: aanmelddatum 2026-04-01, plaatsingsdatum 2026-07-01, startdatum 2026-09-01,
// teldatum 2026-10-01, monitorUntil 2027-07-31.
const C = cohortCalendar('2025-2026');

/** Born 2010-03-15: leerplichtig until 2026-07-31, kwalificatieplichtig after. */
function pupil(overrides: Partial<PupilFacts> = {}): PupilFacts {
  return {
    birthDate: '2010-03-15',
    cohort: '2025-2026',
    hasStartkwalificatie: false,
    destination: null,
    enrolments: [],
    ...overrides,
  };
}

function fact(status: VvaStatus, dates: Partial<Omit<EnrolmentFact, 'status'>> = {}): EnrolmentFact {
  return { status, appliedOn: null, startDate: null, endDate: null, ...dates };
}

const applied = fact('aangemeld', { appliedOn: '2026-03-01' });
const offered = fact('onderwijsovereenkomst_aangeboden', { appliedOn: '2026-03-01' });
const rejected = fact('leidt_niet_tot_inschrijving', { appliedOn: '2026-03-01' });
const withdrawn = fact('teruggetrokken', { appliedOn: '2026-03-01' });
const enrolled = fact('ingeschreven', { appliedOn: '2026-03-01', startDate: '2026-09-01' });
const droppedOut = fact('uitgeschreven', { appliedOn: '2026-03-01', startDate: '2026-09-01', endDate: '2026-09-20' });
/** An enrolment the mbo reports on 2026-09-10, starting 2026-09-15. */
const lateEnrolment = fact('ingeschreven', { appliedOn: '2026-09-10', startDate: '2026-09-15' });

/** Puts the date in the test name and leaves the facts object out of it (too long to read). */
function rows<T>(table: [string, PupilFacts, string, T][]): [string, PupilFacts, string, T][] {
  return table.map(([label, facts, date, expected]) => {
    const outcome = typeof expected === 'string' ? `: ${expected}` : '';
    return [`${label} (on ${date})${outcome}`, facts, date, expected];
  });
}

describe('transitionStatus', () => {
  it.each(rows<TransitionStatus>([
    ['no application yet', pupil(), '2026-03-01', 'niet_aangemeld'],
    ['an open application', pupil({ enrolments: [applied] }), '2026-03-02', 'aangemeld'],
    ['an application reported after D is not known on D', pupil({ enrolments: [applied] }), '2026-02-28', 'niet_aangemeld'],
    ['an offer', pupil({ enrolments: [applied, offered] }), '2026-05-01', 'geplaatst'],
    ['an enrolment starting later', pupil({ enrolments: [enrolled] }), '2026-06-01', 'geplaatst'],
    ['an enrolment without a start date', pupil({ enrolments: [fact('ingeschreven')] }), '2026-06-01', 'geplaatst'],
    ['every application failed', pupil({ enrolments: [rejected, withdrawn] }), '2026-05-01', 'niet_geplaatst'],
    ['one failed, one still open', pupil({ enrolments: [rejected, applied] }), '2026-05-01', 'aangemeld'],
    ['enrolment starting on D', pupil({ enrolments: [enrolled] }), '2026-09-01', 'gestart'],
    ['no enrolment on the start date', pupil(), '2026-09-01', 'niet_gestart'],
    ['only an application on the start date', pupil({ enrolments: [applied] }), '2026-09-01', 'niet_gestart'],
    ['an offer but no enrolment on the start date', pupil({ enrolments: [offered] }), '2026-09-02', 'niet_gestart'],
    ['an offer but no enrolment on the start date itself', pupil({ enrolments: [applied, offered] }), '2026-09-01', 'niet_gestart'],
    ['an enrolment starting after the start date', pupil({ enrolments: [fact('ingeschreven', { appliedOn: '2026-06-01', startDate: '2026-10-05' })] }), '2026-09-20', 'geplaatst'],
    ['an enrolment without a start date after the start date', pupil({ enrolments: [fact('ingeschreven', { appliedOn: '2026-06-01' })] }), '2026-09-20', 'geplaatst'],
    ['a later enrolment wins over an application that failed', pupil({ enrolments: [rejected, fact('ingeschreven', { appliedOn: '2026-08-01', startDate: '2026-09-15' })] }), '2026-09-02', 'geplaatst'],
    ['a dropout stays uitgevallen with an enrolment starting later elsewhere', pupil({ enrolments: [droppedOut, fact('ingeschreven', { appliedOn: '2026-09-22', startDate: '2026-11-01' })] }), '2026-09-25', 'uitgevallen'],
    ['enrolled, not yet deregistered', pupil({ enrolments: [droppedOut] }), '2026-09-19', 'gestart'],
    ['deregistered on D', pupil({ enrolments: [droppedOut] }), '2026-09-20', 'uitgevallen'],
    ['deregistered, then enrolled elsewhere', pupil({ enrolments: [droppedOut, fact('ingeschreven', { startDate: '2026-09-25' })] }), '2026-09-26', 'gestart'],
    ['deregistered, then went to work', pupil({ destination: 'werk', enrolments: [droppedOut] }), '2026-09-26', 'elders'],
    ['deregistered before starting', pupil({ enrolments: [fact('uitgeschreven', { startDate: '2026-09-01', endDate: '2026-08-20' })] }), '2026-08-21', 'niet_geplaatst'],
    ['a havo pupil before the start date', pupil({ destination: 'havo_vwo' }), '2026-05-01', 'elders'],
    ['a havo pupil after the start date', pupil({ destination: 'havo_vwo' }), '2026-09-02', 'elders'],
    ['an active mbo enrolment wins over a known destination', pupil({ destination: 'werk', enrolments: [enrolled] }), '2026-09-02', 'gestart'],
    ['vrijstelling wins over everything', pupil({ destination: 'vrijstelling', enrolments: [enrolled] }), '2026-09-02', 'vrijgesteld'],
    ['an enrolment reported after D is not known on D', pupil({ enrolments: [fact('ingeschreven', { appliedOn: '2026-09-20', startDate: '2026-09-01' })] }), '2026-09-10', 'niet_gestart'],
  ]))('%s', (_name, facts, date, expected) => {
    expect(transitionStatus(facts, date, C)).toBe(expected);
  });

  describe('a late enrolment (reported 2026-09-10, starting 2026-09-15)', () => {
    it.each<[string, TransitionStatus]>([
      ['2026-09-02', 'niet_gestart'], // not known yet
      ['2026-09-09', 'niet_gestart'], // the day before the mbo reported it
      ['2026-09-10', 'geplaatst'], // known: enrolled, starting later, so placed and not lost
      ['2026-09-12', 'geplaatst'],
      ['2026-09-14', 'geplaatst'],
      ['2026-09-15', 'gestart'],
    ])('on %s is %s', (date, expected) => {
      expect(transitionStatus(pupil({ enrolments: [lateEnrolment] }), date, C)).toBe(expected);
    });

    it('is geplaatst before the start date when the enrolment was known then', () => {
      const early = fact('ingeschreven', { appliedOn: '2026-08-20', startDate: '2026-09-15' });
      expect(transitionStatus(pupil({ enrolments: [early] }), '2026-08-25', C)).toBe('geplaatst');
    });
  });
});

describe('signalFor', () => {
  it.each(rows<Signal | null>([
    // niet_aangemeld: to the school, from the day after the aanmelddatum
    ['does not signal before the aanmelddatum', pupil(), '2026-03-31', null],
    ['does not signal on the aanmelddatum itself', pupil(), '2026-04-01', null],
    ['signals a pupil without application the day after the aanmelddatum, to the school', pupil(), '2026-04-02', { kind: 'niet_aangemeld', audience: 'school', authority: 'leerplicht' }],
    ['does not signal an applied pupil before the plaatsingsdatum', pupil({ enrolments: [applied] }), '2026-06-30', null],
    // niet_geplaatst: to the school while an application is open, else also to the officer
    ['signals an open application on the plaatsingsdatum, to the school only', pupil({ enrolments: [applied] }), '2026-07-01', { kind: 'niet_geplaatst', audience: 'school', authority: 'leerplicht' }],
    ['signals failed applications on the plaatsingsdatum, to school and officer', pupil({ enrolments: [rejected] }), '2026-07-01', { kind: 'niet_geplaatst', audience: 'both', authority: 'leerplicht' }],
    ['does not signal failed applications before the plaatsingsdatum', pupil({ enrolments: [rejected, withdrawn] }), '2026-06-30', null],
    ['does not signal a pupil with an offer', pupil({ enrolments: [offered] }), '2026-07-01', null],
    ['does not signal a pupil with an enrolment starting later', pupil({ enrolments: [enrolled] }), '2026-08-01', null],
    ['does not signal a pupil enrolled to start after the start date', pupil({ enrolments: [lateEnrolment] }), '2026-09-12', null],
    ['signals a pupil with only an offer after the start date, to the officer', pupil({ enrolments: [offered] }), '2026-09-02', { kind: 'niet_gestart', audience: 'officer', authority: 'leerplicht' }],
    // niet_gestart: to the officer of the responsible authority
    ['signals a pupil not started on the start date, to leerplicht', pupil(), '2026-09-01', { kind: 'niet_gestart', audience: 'officer', authority: 'leerplicht' }],
    ['does not signal a pupil who started at an mbo', pupil({ enrolments: [enrolled] }), '2026-09-02', null],
    ['does not signal a kwalificatieplicht-free pupil with a startkwalificatie', pupil({ hasStartkwalificatie: true }), '2026-09-01', null],
    ['signals a pupil who turned 18 over the summer to rmc', pupil({ birthDate: '2008-08-10' }), '2026-09-01', { kind: 'niet_gestart', audience: 'officer', authority: 'rmc' }],
    ['signals the same pupil before the summer to leerplicht', pupil({ birthDate: '2008-08-10' }), '2026-04-02', { kind: 'niet_aangemeld', audience: 'school', authority: 'leerplicht' }],
    ['does not signal a 23-year-old to an officer', pupil({ birthDate: '2003-08-15' }), '2026-09-01', null],
    ['signals a 22-year-old to rmc', pupil({ birthDate: '2003-09-15' }), '2026-09-01', { kind: 'niet_gestart', audience: 'officer', authority: 'rmc' }],
    ['signals to leerplicht the day before an 18th birthday', pupil({ birthDate: '2008-09-15' }), '2026-09-14', { kind: 'niet_gestart', audience: 'officer', authority: 'leerplicht' }],
    ['signals to rmc on the 18th birthday itself', pupil({ birthDate: '2008-09-15' }), '2026-09-15', { kind: 'niet_gestart', audience: 'officer', authority: 'rmc' }],
    ['still signals someone born on 29 February on 28 February of the year they turn 23', pupil({ birthDate: '2004-02-29' }), '2027-02-28', { kind: 'niet_gestart', audience: 'officer', authority: 'rmc' }],
    ['stops signalling someone born on 29 February on 1 March of the year they turn 23', pupil({ birthDate: '2004-02-29' }), '2027-03-01', null],
    // uitgevallen: to the officer, only when the last enrolment ended before the teldatum
    ['signals a dropout before the teldatum, to the officer', pupil({ enrolments: [droppedOut] }), '2026-09-21', { kind: 'uitgevallen', audience: 'officer', authority: 'leerplicht' }],
    ['keeps signalling a dropout from before the teldatum after it', pupil({ enrolments: [droppedOut] }), '2026-11-01', { kind: 'uitgevallen', audience: 'officer', authority: 'leerplicht' }],
    ['does not signal a dropout on the teldatum', pupil({ enrolments: [fact('uitgeschreven', { startDate: '2026-09-01', endDate: '2026-10-01' })] }), '2026-10-02', null],
    ['does not signal a dropout after the teldatum', pupil({ enrolments: [fact('uitgeschreven', { startDate: '2026-09-01', endDate: '2026-11-15' })] }), '2026-11-20', null],
    ['judges a dropout by the last enrolment that ended', pupil({ enrolments: [droppedOut, fact('uitgeschreven', { startDate: '2026-09-25', endDate: '2026-10-15' })] }), '2026-10-20', null],
    ['does not signal a dropout nobody is responsible for', pupil({ birthDate: '2003-08-15', enrolments: [droppedOut] }), '2026-09-21', null],
    // other destinations
    ['does not signal a havo pupil before the aanmelddatum ends', pupil({ destination: 'havo_vwo' }), '2026-04-02', null],
    ['does not signal a havo pupil on the plaatsingsdatum', pupil({ destination: 'havo_vwo' }), '2026-07-01', null],
    ['does not signal a havo pupil on the start date', pupil({ destination: 'havo_vwo' }), '2026-09-01', null],
    ['does not signal a pupil with vrijstelling', pupil({ destination: 'vrijstelling' }), '2026-09-01', null],
    // monitoring window
    ['still signals on the last monitored day', pupil(), '2027-07-31', { kind: 'niet_gestart', audience: 'officer', authority: 'leerplicht' }],
    ['stops signalling after monitorUntil', pupil(), '2027-08-01', null],
  ]))('%s', (_name, facts, date, expected) => {
    expect(signalFor(facts, date, C)).toEqual(expected);
  });

  it.each<[string, Signal['kind'] | null]>([
    ['2026-09-02', 'niet_gestart'],
    ['2026-09-10', null],
    ['2026-09-12', null],
    ['2026-09-15', null],
  ])('stops signalling a late enrolment once the mbo reports it (on %s: %s)', (date, kind) => {
    expect(signalFor(pupil({ enrolments: [lateEnrolment] }), date, C)?.kind ?? null).toBe(kind);
  });
});

describe('closeReason', () => {
  const nietGeplaatst: Signal = { kind: 'niet_geplaatst', audience: 'school', authority: 'leerplicht' };
  const nietGestart: Signal = { kind: 'niet_gestart', audience: 'officer', authority: 'leerplicht' };
  const uitgevallen: Signal = { kind: 'uitgevallen', audience: 'officer', authority: 'rmc' };

  const table: [TransitionStatus, Signal | null, AutoCloseReason][] = [
    ['gestart', null, 'ingeschreven'],
    ['elders', null, 'elders_onderwijs_of_werk'],
    ['vrijgesteld', null, 'vrijstelling'],
    ['geplaatst', null, 'geplaatst'], // e.g. a late enrolment closes niet_gestart
    ['aangemeld', null, 'aangemeld'],
    ['aangemeld', nietGeplaatst, 'aangemeld'], // the pupil applied: that is why niet_aangemeld closed
    ['niet_geplaatst', nietGeplaatst, 'opgevolgd'],
    ['niet_gestart', nietGestart, 'opgevolgd'],
    ['uitgevallen', uitgevallen, 'opgevolgd'],
    ['niet_gestart', null, 'buiten_doelgroep'], // e.g. turned 23
    ['uitgevallen', null, 'buiten_doelgroep'],
  ];
  it.each(
    table.map(([status, signal, reason]) => {
      const name = `records ${reason} when the status becomes ${status} with ${signal?.kind ?? 'no'} new signal`;
      return [name, status, signal, reason] as const;
    }),
  )('%s', (_name, status, signal, reason) => {
    expect(closeReason(status, signal)).toBe(reason);
  });

  it('closes a niet_gestart signal as geplaatst when a late enrolment is reported', () => {
    const facts = pupil({ enrolments: [lateEnrolment] });
    expect(signalFor(facts, '2026-09-09', C)?.kind).toBe('niet_gestart');
    expect(signalFor(facts, '2026-09-10', C)).toBeNull();
    expect(closeReason(transitionStatus(facts, '2026-09-10', C), null)).toBe('geplaatst');
  });

  it('closes a niet_gestart signal as buiten_doelgroep when the pupil turns 23', () => {
    const facts = pupil({ birthDate: '2003-09-10' });
    const before = signalFor(facts, '2026-09-09', C);
    const after = signalFor(facts, '2026-09-10', C);
    expect(before?.kind).toBe('niet_gestart');
    expect(after).toBeNull();
    expect(closeReason(transitionStatus(facts, '2026-09-10', C), after)).toBe('buiten_doelgroep');
  });
});

describe('monitoredCohorts', () => {
  it.each<[string, string[]]>([
    ['2026-03-31', ['2024-2025']],
    ['2026-04-01', ['2024-2025', '2025-2026']],
    ['2026-07-31', ['2024-2025', '2025-2026']],
    ['2026-08-01', ['2025-2026']],
    ['2027-07-31', ['2025-2026', '2026-2027']],
    ['2027-08-01', ['2026-2027']],
  ])('on %s covers %j', (date, cohorts) => {
    expect(monitoredCohorts(date)).toEqual(cohorts);
  });
});

describe('monitoringCalendar', () => {
  it.each<[string | null, string]>([
    [null, '2026-09-01'],
    ['08-25', '2026-08-25'],
    ['09-15', '2026-09-15'],
    ['02-30', '2026-09-01'], // no such day
    ['10-01', '2026-09-01'], // not before the teldatum
    ['07-01', '2026-09-01'], // not after the plaatsingsdatum
  ])('with region start date %s starts on %s', (startDate, startdatum) => {
    expect(monitoringCalendar('2025-2026', startDate).startdatum).toBe(startdatum);
  });
});
