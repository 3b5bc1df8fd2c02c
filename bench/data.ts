import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, statSync, writeFileSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { cohortCalendar } from '../src/domain/calendar.js';
import { seededRandom, syntheticBsn, syntheticOnderwijsnummer } from '../src/domain/identifiers.js';
import { signalFor } from '../src/domain/transition.js';
import {
  syntheticOrganisations, syntheticPupils, type SyntheticEnrolment, type SyntheticOrg, type SyntheticPupil, type WorldSize,
} from '../src/demo/synthetic.js';

/**
 * The benchmark's data: a national world (342 municipalities in 39 RMC regions, 400 vmbo
 * vestigingen, 70 mbo institutions), a leerlingvolgsysteem export of a whole cohort as CSV with
 * the quirks of real exports, and the mbo's enrolment file for the same pupils. Everything is
 * seeded, so a given size gives the same bytes every run; the files are cached in bench/data/
 * (git-ignored) under a name that carries the size, cohort and format version.
 *
 * While writing, the generator also works out what a correct import and check must produce:
 * how many rows are rejected (exactly the rows given a broken BSN), how many enrolments name a
 * pupil no school export mentioned, and the signals the pure rules (signalFor) predict. The
 * benchmark fails when the service's answer differs.
 */

export const BENCH_WORLD: WorldSize = { regions: 39, municipalities: 342, vmboSchools: 250, vestigingen: 400, mbos: 70 };
export const ORG_SEED = 2026;
export const PUPIL_SEED = 1015;
/** Bump when the file format changes: cached files with another version are not reused. */
const FORMAT_VERSION = 'v3';
/**
 * The code the files and their expectations come from: when the generator or the rules change,
 * the cache must not hand back counts the new rules would not predict.
 */
const SOURCES = ['bench/data.ts', 'src/demo/synthetic.ts', 'src/domain/transition.ts', 'src/domain/responsibility.ts', 'src/domain/calendar.ts', 'src/domain/identifiers.ts'];

function sourceStamp(): string {
  const hash = createHash('sha256');
  for (const file of SOURCES) hash.update(readFileSync(join(import.meta.dirname, '..', file)));
  return hash.digest('hex').slice(0, 8);
}
/** One row in this many (those with a BSN) carries a BSN whose elfproef fails. */
const BAD_ROW_EVERY = 1000;

export const DATA_DIR = join(import.meta.dirname, 'data');

export function benchOrganisations(): SyntheticOrg[] {
  return syntheticOrganisations(BENCH_WORLD, ORG_SEED);
}

/**
 * The cohort to generate: the one that leaves vmbo next calendar year, and a check date in its
 * autumn. Its monitoring window has not started yet on the day the benchmark runs, so the
 * evaluate jobs an import triggers (they judge pupils as of today) leave it alone and the timed
 * check starts from no signals at all.
 */
export function benchCohort(today = new Date()): { cohort: string; asOf: string } {
  const y = today.getUTCFullYear();
  return { cohort: `${y}-${y + 1}`, asOf: `${y + 1}-10-15` };
}

export interface ExpectedSignals {
  total: number;
  byKind: Record<string, number>;
  byAuthority: Record<string, number>;
  byAudience: Record<string, number>;
  byGemeente: Record<string, number>;
}

export interface BenchData {
  pupils: number;
  cohort: string;
  asOf: string;
  leerlingen: { file: string; bytes: number; rows: number; badRows: number; validRows: number };
  inschrijvingen: { file: string; bytes: number; rows: number; newPupils: number } | null;
  expected: ExpectedSignals | null;
  generatedMs: number;
}

export interface DataOptions {
  pupils: number;
  cohort: string;
  asOf: string;
  /** The 1M memory file needs no enrolments and no expectations. */
  withEnrolments: boolean;
}

/** Writes (or reuses) the export, the enrolment file and the expectations for a size. */
export async function benchData(options: DataOptions): Promise<BenchData & { cached: boolean }> {
  mkdirSync(DATA_DIR, { recursive: true });
  const base = `${options.pupils}-${options.cohort}-${FORMAT_VERSION}-${sourceStamp()}${options.withEnrolments ? '' : '-bare'}`;
  const manifest = join(DATA_DIR, `bench-${base}.json`);
  if (existsSync(manifest)) {
    const data = JSON.parse(readFileSync(manifest, 'utf8')) as BenchData;
    const intact = [data.leerlingen, data.inschrijvingen].every((f) => !f || (existsSync(f.file) && statSync(f.file).size === f.bytes));
    if (intact && data.asOf === options.asOf) return { ...data, cached: true };
  }
  const started = performance.now();
  const data = await generate(options, join(DATA_DIR, `leerlingen-${base}.csv`), join(DATA_DIR, `inschrijvingen-${base}.csv`));
  data.generatedMs = Math.round(performance.now() - started);
  writeFileSync(manifest, JSON.stringify(data, null, 2));
  return { ...data, cached: false };
}

/** A write stream fed in ~1 MiB strings, waiting for the disk when it is behind. */
class Sink {
  private readonly stream: WriteStream;
  private parts: string[] = [];
  private size = 0;
  bytes = 0;

  constructor(file: string) {
    this.stream = createWriteStream(file);
  }

  async write(text: string): Promise<void> {
    this.parts.push(text);
    this.size += text.length;
    if (this.size >= 1 << 20) await this.flush();
  }

  async flush(): Promise<void> {
    if (!this.parts.length) return;
    const chunk = Buffer.from(this.parts.join(''), 'utf8');
    this.parts = [];
    this.size = 0;
    this.bytes += chunk.length;
    if (!this.stream.write(chunk)) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    await this.flush();
    this.stream.end();
    await once(this.stream, 'finish');
  }
}

const MAGISTER_HEADER = ['Stamnr', 'Roepnaam', 'Tussenv.', 'Achternaam', 'Geb.datum', 'BSN', 'Postcode', 'Woonplaats', 'Gemeente', 'Klas', 'Leerweg'];
/**
 * The Magister columns, plus the two a national (or school board) export needs: the vestiging,
 * since one file spans 400 of them, and the destination, which is how a school records a pupil
 * going to havo, work or abroad.
 */
export const EXPORT_HEADER = [...MAGISTER_HEADER, 'Vestiging', 'Vervolgopleiding'];
const ENROLMENT_HEADER = ['BRIN', 'BSN', 'Onderwijsnummer', 'Crebo', 'Niveau', 'Leerweg', 'VVA status', 'Aanmelddatum', 'Startdatum', 'Einddatum'];

const LEERWEG_TEXT: Record<SyntheticPupil['leerweg'], string[]> = {
  BB: ['BB', 'vmbo-b 4', 'Basisberoepsgerichte leerweg'],
  KB: ['KB', 'vmbo-k 4', 'Kaderberoepsgerichte leerweg'],
  GL: ['GL', 'vmbo-gl 4', 'Gemengde leerweg'],
  TL: ['TL', 'mavo 4', 'Theoretische leerweg'],
  GT: ['GT', 'vmbo-gt 4', 'Gemengd/theoretisch'],
};
const DESTINATION_TEXT: Record<string, string[]> = {
  havo_vwo: ['havo 4', 'Havo', 'VAVO havo'],
  werk: ['werk', 'Gaat werken'],
  buitenland: ['buitenland', 'Emigratie (buitenland)'],
  vrijstelling: ['vrijstelling'],
};
const STATUS_TEXT: Record<SyntheticEnrolment['status'], string> = {
  aangemeld: 'Aangemeld',
  onderwijsovereenkomst_aangeboden: 'Onderwijsovereenkomst aangeboden',
  leidt_niet_tot_inschrijving: 'Leidt niet tot inschrijving',
  teruggetrokken: 'Teruggetrokken',
  ingeschreven: 'Ingeschreven',
  uitgeschreven: 'Uitgeschreven',
};

/** 2010-03-07 -> 07-03-2010, and now and then 7-3-2010 as Excel writes it. */
function dutchDate(iso: string, short: boolean): string {
  const [y, m, d] = iso.split('-');
  return short ? `${Number(d)}-${Number(m)}-${y}` : `${d}-${m}-${y}`;
}

function csvCell(value: string): string {
  return /[;"\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

const bump = (map: Record<string, number>, key: string) => {
  map[key] = (map[key] ?? 0) + 1;
};

async function generate(options: DataOptions, leerlingenFile: string, inschrijvingenFile: string): Promise<BenchData> {
  const { pupils: count, cohort, asOf } = options;
  const orgs = benchOrganisations();
  const gemeenteName = new Map(orgs.filter((o) => o.kind === 'gemeente').map((o) => [o.code, o.name]));
  const calendar = cohortCalendar(cohort);
  // Quirks are drawn from their own stream, so they never shift the pupils themselves.
  const quirk = seededRandom(PUPIL_SEED ^ 0x9e3779b9);
  const renumber = seededRandom(PUPIL_SEED ^ 0x85ebca6b);
  const used = new Set<string>();
  const unique = (value: string, fresh: () => string) => {
    let v = value;
    while (used.has(v)) v = fresh();
    used.add(v);
    return v;
  };

  const out = new Sink(leerlingenFile);
  const enrolmentsOut = options.withEnrolments ? new Sink(inschrijvingenFile) : null;
  const export_ = `Magister - Leerlingen uitstroom ${cohort} (landelijk, ${count} leerlingen) - aangemaakt ${dutchDate(`${cohort.slice(5)}-06-15`, false)} 09:12`;
  await out.write(`\uFEFF${export_}\r\n${EXPORT_HEADER.join(';')}\r\n`);
  await enrolmentsOut?.write(`${ENROLMENT_HEADER.join(';')}\n`);

  let rows = 0;
  let badRows = 0;
  let enrolmentRows = 0;
  let newPupils = 0;
  const expected: ExpectedSignals = { total: 0, byKind: {}, byAuthority: {}, byAudience: {}, byGemeente: {} };

  let index = 0;
  for (const pupil of syntheticPupils(orgs, count, cohort, PUPIL_SEED)) {
    // The generator draws numbers at random; two pupils must not share one (that would be the
    // same child twice, which the import rightly rejects), so a repeat is drawn again.
    const bsn = pupil.bsn ? unique(pupil.bsn, () => syntheticBsn(renumber)) : null;
    const own = pupil.onderwijsnummer ? unique(pupil.onderwijsnummer, () => syntheticOnderwijsnummer(renumber)) : null;
    const bad = bsn !== null && index % BAD_ROW_EVERY === BAD_ROW_EVERY - 223;
    index++;
    // A broken check digit: the elfproef fails, and a number starting with 9 is no onderwijsnummer either.
    const fileNumber = bad ? bsn.slice(0, 8) + String((Number(bsn[8]) + 1) % 10) : (bsn ?? own!);

    const gemeente = gemeenteName.get(pupil.gemeenteCode)!;
    const gemeenteCell = quirk() < 0.1 ? (quirk() < 0.5 ? pupil.gemeenteCode : pupil.gemeenteCode.slice(2)) : gemeente;
    const postcode = `${pupil.postcode.slice(0, 4)} ${pupil.postcode.slice(4)}`;
    const surname = quirk() < 0.05 ? `"${pupil.surname}"` : csvCell(pupil.surname);
    const intended = pupil.destination
      ? DESTINATION_TEXT[pupil.destination]![Math.floor(quirk() * DESTINATION_TEXT[pupil.destination]!.length)]!
      : pupil.enrolments.length && quirk() < 0.3 ? 'mbo (ROC)' : '';
    const cells = [
      pupil.leerlingnummer, csvCell(pupil.givenName), pupil.infix ?? '', surname, dutchDate(pupil.birthDate, quirk() < 0.05),
      fileNumber, postcode, csvCell(gemeente), csvCell(gemeenteCell), pupil.klas,
      LEERWEG_TEXT[pupil.leerweg][Math.floor(quirk() * 3)]!, pupil.schoolCode, intended,
    ];
    await out.write(`${cells.join(';')}\r\n`);
    rows++;

    if (bad) {
      badRows++;
      // The mbo has the right number: its enrolment makes a bare pupil the school never sent.
      if (pupil.enrolments.length) newPupils++;
    } else if (options.withEnrolments) {
      const signal = signalFor(
        { birthDate: pupil.birthDate, cohort, hasStartkwalificatie: false, destination: pupil.destination, enrolments: pupil.enrolments },
        asOf,
        calendar,
      );
      if (signal) {
        expected.total++;
        bump(expected.byKind, signal.kind);
        bump(expected.byAuthority, signal.authority ?? 'none');
        bump(expected.byAudience, signal.audience);
        bump(expected.byGemeente, pupil.gemeenteCode);
      }
    }
    if (enrolmentsOut) {
      for (const e of pupil.enrolments) {
        const asBsn = bsn !== null;
        await enrolmentsOut.write(
          [
            e.mboBrin, asBsn ? bsn : '', asBsn ? '' : own!, e.crebo, String(e.niveau), e.leerweg, STATUS_TEXT[e.status],
            e.appliedOn ?? '', e.startDate ?? '', e.endDate ?? '',
          ].join(';') + '\n',
        );
        enrolmentRows++;
      }
    }
  }
  await out.close();
  await enrolmentsOut?.close();
  return {
    pupils: count,
    cohort,
    asOf,
    leerlingen: { file: leerlingenFile, bytes: out.bytes, rows, badRows, validRows: rows - badRows },
    inschrijvingen: enrolmentsOut ? { file: inschrijvingenFile, bytes: enrolmentsOut.bytes, rows: enrolmentRows, newPupils } : null,
    expected: options.withEnrolments ? expected : null,
    generatedMs: 0,
  };
}
