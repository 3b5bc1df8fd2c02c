import { cohortCalendar, addDays } from '../domain/calendar.js';
import { seededRandom, syntheticBsn, syntheticOnderwijsnummer, type Random } from '../domain/identifiers.js';
import type { Destination, VvaStatus } from '../domain/transition.js';

/**
 * Deterministic synthetic data for the demo and the benchmarks: the same seed gives the same
 * region, pupils and outcomes. Every person is invented: names are drawn from common-name
 * lists at random, BSNs pass the elfproef but start with 9 (see syntheticBsn).
 */

export interface SyntheticOrg {
  code: string;
  kind: 'vmbo' | 'vestiging' | 'mbo' | 'gemeente' | 'regio';
  name: string;
  parentCode: string | null;
}

export interface SyntheticEnrolment {
  mboBrin: string;
  crebo: string;
  niveau: number;
  leerweg: 'BOL' | 'BBL';
  status: VvaStatus;
  appliedOn: string | null;
  startDate: string | null;
  endDate: string | null;
}

/** What the generator intended for this pupil; tests and benchmarks check results against it. */
export type Outcome = 'gestart' | 'elders' | 'niet_aangemeld' | 'niet_geplaatst' | 'aangeboden' | 'uitgevallen' | 'vrijgesteld';

export interface SyntheticPupil {
  bsn: string | null;
  onderwijsnummer: string | null;
  leerlingnummer: string;
  givenName: string;
  infix: string | null;
  surname: string;
  birthDate: string;
  postcode: string;
  gemeenteCode: string;
  schoolCode: string;
  klas: string;
  leerweg: 'BB' | 'KB' | 'GL' | 'TL' | 'GT';
  cohort: string;
  destination: Destination | null;
  outcome: Outcome;
  enrolments: SyntheticEnrolment[];
}

export interface WorldSize {
  regions: number;
  municipalities: number;
  vmboSchools: number;
  vestigingen: number;
  mbos: number;
}

const GIVEN = ['Daan', 'Sem', 'Noah', 'Lucas', 'Liam', 'Levi', 'Finn', 'Milan', 'Jesse', 'Bram', 'Mohammed', 'Adam', 'Luuk', 'Thijs', 'Ryan',
  'Emma', 'Julia', 'Tess', 'Sophie', 'Zoë', 'Mila', 'Sara', 'Evi', 'Noor', 'Lotte', 'Fenna', 'Yara', 'Lina', 'Fleur', 'Saar', 'Aya', 'Chloë', 'Renée'];
const SURNAMES = ['Jansen', 'Bakker', 'Visser', 'Smit', 'Meijer', 'Mulder', 'Bos', 'Vos', 'Peters', 'Hendriks', 'Dekker', 'Brouwer', 'Dijkstra',
  'Yılmaz', 'Kaya', 'El Amrani', 'Koç', 'Boukhari', 'Janssens', 'Willems', 'Kok', 'Prins', 'Huisman', 'Postma', 'Kuipers', 'Veenstra', 'Özdemir'];
const INFIXES = ['van', 'de', 'van der', 'van den', 'van de', 'den', 'ter'];
const PLACES = ['Ooster', 'Wester', 'Noord', 'Zuid', 'Hoog', 'Laag', 'Nieuw', 'Oud', 'Groot', 'Klein'];
const PLACE_ENDS = ['dorp', 'veen', 'wijk', 'horst', 'broek', 'dam', 'meer', 'berg', 'hout', 'zijl', 'kerk', 'wolde'];
/** Crebo codes with their niveau (synthetic, shaped like the real register). */
const PROGRAMMES: Array<[string, number]> = [
  ['25591', 1], ['25252', 2], ['25180', 2], ['25491', 3], ['25655', 4], ['25187', 4], ['25411', 3], ['25225', 2], ['25482', 4], ['25604', 3],
];

const pick = <T>(random: Random, list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
const letters = (random: Random, n: number) => Array.from({ length: n }, () => String.fromCharCode(65 + Math.floor(random() * 26))).join('');

/** Organisations of a synthetic world. Codes are valid in shape but chosen to be no real ones (GM6xxx/GM99xx). */
export function syntheticOrganisations(size: WorldSize, seed = 1): SyntheticOrg[] {
  const random = seededRandom(seed);
  const orgs: SyntheticOrg[] = [];
  const placeName = (i: number) => `${PLACES[i % PLACES.length]}${PLACE_ENDS[Math.floor(i / PLACES.length) % PLACE_ENDS.length]}${i >= 120 ? ` ${Math.floor(i / 120) + 1}` : ''}`;
  for (let r = 1; r <= size.regions; r++) orgs.push({ code: `RMC${String(r).padStart(2, '0')}`, kind: 'regio', name: `Regio ${placeName(r * 3)}`, parentCode: null });
  const gemBase = size.municipalities <= 99 ? 9900 : 6000;
  for (let g = 0; g < size.municipalities; g++) {
    orgs.push({ code: `GM${gemBase + g + 1}`, kind: 'gemeente', name: placeName(g), parentCode: `RMC${String((g % size.regions) + 1).padStart(2, '0')}` });
  }
  const brins = new Set<string>();
  const newBrin = () => {
    for (;;) {
      const brin = `${String(10 + Math.floor(random() * 90))}${letters(random, 2)}`;
      if (!brins.has(brin)) return brins.add(brin), brin;
    }
  };
  const schools = Array.from({ length: size.vmboSchools }, (_, i) => {
    const brin = newBrin();
    orgs.push({ code: brin, kind: 'vmbo', name: `${pick(random, ['Vmbo', 'Vakcollege', 'Scholengemeenschap', 'Lyceum'])} ${placeName(i + 7)}`, parentCode: null });
    return brin;
  });
  for (let v = 0; v < size.vestigingen; v++) {
    const brin = schools[v % schools.length]!;
    const nr = Math.floor(v / schools.length);
    orgs.push({ code: `${brin}${String(nr).padStart(2, '0')}`, kind: 'vestiging', name: `${orgs.find((o) => o.code === brin)!.name} locatie ${nr + 1}`, parentCode: brin });
  }
  for (let m = 0; m < size.mbos; m++) orgs.push({ code: newBrin(), kind: 'mbo', name: `ROC ${placeName(m + 40)}`, parentCode: null });
  return orgs;
}

/** The share of each outcome: about one in six leavers has no mbo enrolment on the check date. */
const OUTCOMES: Array<[Outcome, number]> = [
  ['gestart', 0.78], ['elders', 0.05], ['niet_aangemeld', 0.05], ['niet_geplaatst', 0.04], ['aangeboden', 0.03], ['uitgevallen', 0.04], ['vrijgesteld', 0.01],
];

/** Leavers of one cohort, streamed: a million pupils never sit in memory at once. */
export function* syntheticPupils(orgs: SyntheticOrg[], count: number, cohort: string, seed = 2): Generator<SyntheticPupil> {
  const random = seededRandom(seed);
  const calendar = cohortCalendar(cohort);
  const endYear = Number(cohort.slice(5));
  const gemeenten = orgs.filter((o) => o.kind === 'gemeente').map((o) => o.code);
  const vestigingen = orgs.filter((o) => o.kind === 'vestiging').map((o) => o.code);
  const mbos = orgs.filter((o) => o.kind === 'mbo').map((o) => o.code);
  for (let i = 0; i < count; i++) {
    // Most leavers are 16; some are older (turning 18 over the summer, or already RMC age).
    const ageRoll = random();
    const yearsOld = ageRoll < 0.7 ? 16 : ageRoll < 0.9 ? 17 : ageRoll < 0.98 ? 18 : 19;
    const birthDate = addDays(`${endYear - yearsOld - 1}-08-01`, Math.floor(random() * 365));
    const withoutBsn = random() < 0.01;
    const enrolment = (status: VvaStatus, extra: Partial<SyntheticEnrolment> = {}): SyntheticEnrolment => {
      const [crebo, niveau] = pick(random, PROGRAMMES);
      return {
        mboBrin: pick(random, mbos), crebo, niveau, leerweg: random() < 0.85 ? 'BOL' : 'BBL', status,
        appliedOn: addDays(`${endYear}-01-15`, Math.floor(random() * 70)), startDate: null, endDate: null, ...extra,
      };
    };
    let roll = random();
    const outcome = OUTCOMES.find(([, share]) => (roll -= share) < 0)?.[0] ?? 'gestart';
    const start = addDays(`${endYear}-08-24`, Math.floor(random() * 8));
    const enrolments: SyntheticEnrolment[] = {
      gestart: () => [enrolment('ingeschreven', { startDate: start })],
      elders: () => [],
      niet_aangemeld: () => [],
      niet_geplaatst: () => [enrolment(random() < 0.5 ? 'aangemeld' : 'leidt_niet_tot_inschrijving')],
      aangeboden: () => [enrolment('onderwijsovereenkomst_aangeboden')],
      uitgevallen: () => [enrolment('uitgeschreven', { startDate: start, endDate: addDays(calendar.startdatum, 5 + Math.floor(random() * 20)) })],
      vrijgesteld: () => [],
    }[outcome]();
    yield {
      bsn: withoutBsn ? null : syntheticBsn(random),
      onderwijsnummer: withoutBsn ? syntheticOnderwijsnummer(random) : null,
      leerlingnummer: String(100000 + i),
      givenName: pick(random, GIVEN),
      infix: random() < 0.2 ? pick(random, INFIXES) : null,
      surname: pick(random, SURNAMES),
      birthDate,
      postcode: `${1000 + Math.floor(random() * 8999)}${letters(random, 2)}`,
      gemeenteCode: pick(random, gemeenten),
      schoolCode: pick(random, vestigingen),
      klas: `4${pick(random, ['A', 'B', 'C', 'D'])}`,
      leerweg: pick(random, ['BB', 'KB', 'KB', 'GL', 'TL', 'TL', 'GT'] as const),
      cohort,
      destination: outcome === 'elders' ? pick(random, ['havo_vwo', 'havo_vwo', 'werk', 'buitenland'] as const) : outcome === 'vrijgesteld' ? 'vrijstelling' : null,
      outcome,
      enrolments,
    };
  }
}
