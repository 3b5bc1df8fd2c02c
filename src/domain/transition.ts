/**
 * A pupil's transition status on a date, and the signal it raises. The nightly check runs the
 * same rules set-based in SQL; the two must give the same answer, so these are the exact
 * semantics (change both or neither).
 *
 * Inputs: date D, calendar C of the pupil's cohort (see cohortCalendar). Enrolment facts with
 * appliedOn not null and appliedOn > D are ignored: on D nobody knew them yet. Only the
 * remaining ("known") facts count below.
 *   ACTIVE: status in (ingeschreven, uitgeschreven), startDate not null, startDate <= D,
 *           and (endDate null or endDate > D).
 *   ENDED:  status in (ingeschreven, uitgeschreven), startDate not null, startDate <= D,
 *           endDate not null and endDate <= D.
 *   (An enrolment deregistered before its own start date is neither until D reaches the start
 *   date, and ENDED from then on: it then counts, and is signalled, as uitgevallen.)
 *
 * transitionStatus(facts, D, C), first match wins:
 *   1. destination = 'vrijstelling'                                        -> vrijgesteld
 *   2. an ACTIVE enrolment                                                  -> gestart
 *   3. destination not null (havo_vwo, vo, buitenland, werk, overig)       -> elders
 *   4. an ENDED enrolment                                                   -> uitgevallen
 *   5. a fact with status ingeschreven whose startDate is null or > D       -> geplaatst
 *      (also after the start date: a pupil who starts at the mbo on 15 September is placed,
 *      not lost, so an officer must not get niet_gestart for them)
 *   6. D >= C.startdatum                                                    -> niet_gestart
 *      (an offer alone, onderwijsovereenkomst_aangeboden, does not keep a pupil from this)
 *   7. a fact with status onderwijsovereenkomst_aangeboden                  -> geplaatst
 *   8. a fact with status aangemeld                                         -> aangemeld
 *   9. any known fact at all (all leidt_niet_tot_inschrijving, teruggetrokken, or uitgeschreven
 *      before starting)                                                     -> niet_geplaatst
 *  10. otherwise                                                            -> niet_aangemeld
 *
 * signalFor(facts, D, C), with authority = responsibleAuthority(pupil, D):
 *   - null when D < C.aanmelddatum or D > C.monitorUntil;
 *   - uitgevallen:   kind uitgevallen, audience officer, when the latest endDate of the ENDED
 *                    enrolments < C.teldatum and authority not null; else null;
 *   - niet_gestart:  kind niet_gestart, audience officer, when authority not null; else null;
 *   - aangemeld or niet_geplaatst, and D >= C.plaatsingsdatum: kind niet_geplaatst, audience
 *                    school when aangemeld (an application is still open), both when
 *                    niet_geplaatst;
 *   - niet_aangemeld and D > C.aanmelddatum: kind niet_aangemeld, audience school;
 *   - otherwise null.
 *   Every signal carries the authority on D, also school-facing ones, which may carry null (a
 *   'both' signal with authority null has no officer to reach, so it reaches the school only).
 *
 * closeReason(newStatus, newSignal): see its comment.
 */

import { cohortCalendar, parseCohort, type CohortCalendar, type IsoDate } from './calendar.js';
import { responsibleAuthority, type Authority } from './responsibility.js';

export type VvaStatus =
  | 'aangemeld'
  | 'onderwijsovereenkomst_aangeboden'
  | 'leidt_niet_tot_inschrijving'
  | 'teruggetrokken'
  | 'ingeschreven'
  | 'uitgeschreven';

export type Destination = 'havo_vwo' | 'vo' | 'buitenland' | 'werk' | 'vrijstelling' | 'overig';

export interface EnrolmentFact {
  status: VvaStatus;
  /** When the mbo reported the fact (the application date for applications); null = always known. */
  appliedOn: IsoDate | null;
  startDate: IsoDate | null;
  endDate: IsoDate | null;
}

export interface PupilFacts {
  birthDate: IsoDate;
  /** `2025-2026`: the school year in which the pupil leaves vmbo. */
  cohort: string;
  hasStartkwalificatie: boolean;
  /** A known destination other than mbo; null when none is known. */
  destination: Destination | null;
  enrolments: EnrolmentFact[];
}

export type TransitionStatus =
  | 'niet_aangemeld'
  | 'aangemeld'
  | 'niet_geplaatst'
  | 'geplaatst'
  | 'gestart'
  | 'niet_gestart'
  | 'uitgevallen'
  | 'elders'
  | 'vrijgesteld';

export type SignalKind = 'niet_aangemeld' | 'niet_geplaatst' | 'niet_gestart' | 'uitgevallen';
export type SignalAudience = 'school' | 'officer' | 'both';

export interface Signal {
  kind: SignalKind;
  audience: SignalAudience;
  authority: Authority | null;
}

/** Why an open signal closed by itself (not closed by a person). */
export type AutoCloseReason =
  | 'ingeschreven'
  | 'elders_onderwijs_of_werk'
  | 'vrijstelling'
  | 'geplaatst'
  | 'aangemeld'
  | 'opgevolgd'
  | 'buiten_doelgroep';

function isEnrolment(fact: EnrolmentFact): boolean {
  return fact.status === 'ingeschreven' || fact.status === 'uitgeschreven';
}

/** The facts known on D: a fact reported after D did not exist yet for a check run on D. */
export function knownOn(enrolments: readonly EnrolmentFact[], date: IsoDate): EnrolmentFact[] {
  return enrolments.filter((e) => e.appliedOn === null || e.appliedOn <= date);
}

export function isActiveOn(fact: EnrolmentFact, date: IsoDate): boolean {
  return (
    isEnrolment(fact) &&
    fact.startDate !== null &&
    fact.startDate <= date &&
    (fact.endDate === null || fact.endDate > date)
  );
}

export function isEndedOn(fact: EnrolmentFact, date: IsoDate): boolean {
  return (
    isEnrolment(fact) &&
    fact.startDate !== null &&
    fact.startDate <= date &&
    fact.endDate !== null &&
    fact.endDate <= date
  );
}

/** Enrolled, but starting after D or on a date the mbo has not reported yet. */
export function isEnrolledLater(fact: EnrolmentFact, date: IsoDate): boolean {
  return fact.status === 'ingeschreven' && (fact.startDate === null || fact.startDate > date);
}

export function transitionStatus(facts: PupilFacts, date: IsoDate, calendar: CohortCalendar): TransitionStatus {
  const known = knownOn(facts.enrolments, date);
  if (facts.destination === 'vrijstelling') return 'vrijgesteld';
  if (known.some((e) => isActiveOn(e, date))) return 'gestart';
  if (facts.destination !== null) return 'elders';
  if (known.some((e) => isEndedOn(e, date))) return 'uitgevallen';
  if (known.some((e) => isEnrolledLater(e, date))) return 'geplaatst';
  if (date >= calendar.startdatum) return 'niet_gestart';
  if (known.some((e) => e.status === 'onderwijsovereenkomst_aangeboden')) return 'geplaatst';
  if (known.some((e) => e.status === 'aangemeld')) return 'aangemeld';
  if (known.length > 0) return 'niet_geplaatst';
  return 'niet_aangemeld';
}

/** The latest endDate among the enrolments ended on D; null when none ended. */
export function lastEndDate(facts: PupilFacts, date: IsoDate): IsoDate | null {
  let latest: IsoDate | null = null;
  for (const e of knownOn(facts.enrolments, date)) {
    if (isEndedOn(e, date) && (latest === null || e.endDate! > latest)) latest = e.endDate;
  }
  return latest;
}

export function signalFor(facts: PupilFacts, date: IsoDate, calendar: CohortCalendar): Signal | null {
  if (date < calendar.aanmelddatum || date > calendar.monitorUntil) return null;
  const status = transitionStatus(facts, date, calendar);
  const authority = responsibleAuthority(facts, date);
  switch (status) {
    case 'uitgevallen': {
      // Leaving after the teldatum is counted as enrolled on 1 October: ordinary verzuim
      // work for the mbo, not a pupil lost in the transition.
      const ended = lastEndDate(facts, date);
      return ended !== null && ended < calendar.teldatum && authority !== null
        ? { kind: 'uitgevallen', audience: 'officer', authority }
        : null;
    }
    case 'niet_gestart':
      return authority !== null ? { kind: 'niet_gestart', audience: 'officer', authority } : null;
    case 'aangemeld':
    case 'niet_geplaatst':
      if (date < calendar.plaatsingsdatum) return null;
      // While an application is still open the school can chase it; once every application
      // has failed the officer must know too.
      return { kind: 'niet_geplaatst', audience: status === 'aangemeld' ? 'school' : 'both', authority };
    case 'niet_aangemeld':
      return date > calendar.aanmelddatum ? { kind: 'niet_aangemeld', audience: 'school', authority } : null;
    default:
      return null;
  }
}

/**
 * The reason recorded when an open signal closes because the pupil's new signal is of another
 * kind (or there is none). Call it only then: a signal of the same kind stays open. The status
 * wins over the new signal, because the reason explains what the pupil did:
 *   gestart -> ingeschreven, elders -> elders_onderwijs_of_werk, vrijgesteld -> vrijstelling,
 *   geplaatst -> geplaatst, aangemeld -> aangemeld (also when a niet_geplaatst signal follows);
 *   otherwise a new signal -> opgevolgd;
 *   otherwise -> buiten_doelgroep: nobody is responsible any more (turned 23, or kwalificatieplicht
 *   ended with a startkwalificatie), or the pupil is outside what the check signals (dropped out
 *   after the teldatum, or past monitorUntil).
 */
export function closeReason(newStatus: TransitionStatus, newSignal: Signal | null): AutoCloseReason {
  switch (newStatus) {
    case 'gestart':
      return 'ingeschreven';
    case 'elders':
      return 'elders_onderwijs_of_werk';
    case 'vrijgesteld':
      return 'vrijstelling';
    case 'geplaatst':
      return 'geplaatst';
    case 'aangemeld':
      return 'aangemeld';
    default:
      return newSignal !== null ? 'opgevolgd' : 'buiten_doelgroep';
  }
}

/**
 * The calendar the check uses for a pupil: the cohort's, with the region's start date when it
 * is a valid one. An invalid region setting falls back to 1 September instead of throwing: one
 * mistyped region must not stop the nightly check for every region (the SQL does the same).
 */
export function monitoringCalendar(cohort: string, regionStartDate: string | null): CohortCalendar {
  if (regionStartDate !== null) {
    try {
      return cohortCalendar(cohort, { startDate: regionStartDate });
    } catch {
      // fall through to the default start date
    }
  }
  return cohortCalendar(cohort);
}

/**
 * The cohorts whose monitoring window (aanmelddatum .. monitorUntil) contains D: the check on D
 * looks only at their pupils. Windows run from 1 April of the leaving year to 31 July a year
 * later, so at most two cohorts overlap.
 */
export function monitoredCohorts(date: IsoDate): string[] {
  const year = Number(date.slice(0, 4));
  const candidates = [year - 2, year - 1].map((start) => `${start}-${start + 1}`);
  return candidates.filter((name) => {
    if (!parseCohort(name)) return false;
    const c = cohortCalendar(name);
    return date >= c.aanmelddatum && date <= c.monitorUntil;
  });
}
