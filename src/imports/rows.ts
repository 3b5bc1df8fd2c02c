import { parseIdentifier } from '../domain/identifiers.js';
import type { ColumnMap, EnrolmentField, PupilField } from './columns.js';
import { splitFullName } from './names.js';
import {
  parseBrin,
  parseCrebo,
  parseDate,
  parseDestination,
  parseExamResult,
  parseGemeente,
  parseMboLeerweg,
  parseNiveau,
  parsePostcode,
  parseVestiging,
  parseVmboLeerweg,
  parseVvaStatus,
  type Destination,
  type ExamResult,
  type GemeenteRef,
  type MboLeerweg,
  type MboNiveau,
  type Parsed,
  type VmboLeerweg,
  type VvaStatus,
} from './values.js';

/** One problem in one cell; `column` is the header as in the file, or the field name. */
export interface RowError {
  row: number;
  column: string;
  reason: string;
}

export type RowResult<T> = { ok: true; value: T } | { ok: false; errors: RowError[] };

/** Validated nine-digit numbers. Both may be present: the pupil's onderwijsnummer became a BSN. */
export interface Identifiers {
  bsn?: string;
  onderwijsnummer?: string;
}

export interface PupilRow {
  row: number;
  identifiers: Identifiers;
  leerlingnummer?: string;
  vestiging?: string;
  /** Optional: a missing given name must not cost a pupil their place in the chain. */
  roepnaam?: string;
  tussenvoegsel?: string;
  achternaam: string;
  geboortedatum: string;
  postcode?: string;
  woonplaats?: string;
  gemeente?: GemeenteRef;
  klas?: string;
  leerweg?: VmboLeerweg;
  profiel?: string;
  uitslag?: ExamResult;
  bestemming?: Destination;
}

export interface EnrolmentRow {
  row: number;
  identifiers: Identifiers;
  brin: string;
  crebo: string;
  niveau?: MboNiveau;
  leerweg?: MboLeerweg;
  status: VvaStatus;
  aanmelddatum?: string;
  startdatum?: string;
  einddatum?: string;
  statusdatum?: string;
}

// Pupils in a vmbo export today were born in this window; outside it the date is a typo.
const EARLIEST_BIRTH_DATE = '1990-01-01';
const LATEST_BIRTH_DATE = '2020-12-31';

/**
 * Reads the cells of one row at a time by field, collecting every error instead of stopping at
 * the first. One reader serves all rows of an import.
 */
class CellReader<F extends string> {
  private cells: readonly string[] = [];
  private errors: (RowError & { index: number })[] = [];
  row = 0;

  constructor(private readonly columns: ColumnMap<F>) {}

  start(cells: readonly string[], row: number): void {
    this.cells = cells;
    this.row = row;
    if (this.errors.length) this.errors = [];
  }

  has(field: F): boolean {
    return this.columns[field] !== undefined;
  }

  text(field: F): string | undefined {
    const column = this.columns[field];
    const value = column ? this.cells[column.index]?.trim() : undefined;
    return value ? value : undefined;
  }

  columnName(field: F): string {
    return this.columns[field]?.header.trim() || field;
  }

  error(field: F, reason: string): void {
    const index = this.columns[field]?.index ?? Number.MAX_SAFE_INTEGER;
    this.errors.push({ row: this.row, column: this.columnName(field), reason, index });
  }

  parse<T>(field: F, parser: (raw: string) => Parsed<T> | null): T | undefined {
    const raw = this.text(field);
    const parsed = raw === undefined ? null : parser(raw);
    if (parsed === null) return undefined;
    if (!parsed.ok) {
      this.error(field, parsed.reason);
      return undefined;
    }
    return parsed.value;
  }

  required<T>(field: F, parser: (raw: string) => Parsed<T> | null, what: string): T | undefined {
    if (this.text(field) === undefined) {
      this.error(field, `${what} is required`);
      return undefined;
    }
    return this.parse(field, parser);
  }

  get failed(): boolean {
    return this.errors.length > 0;
  }

  /** The row's errors in the order of the file's columns, as a user reads the row. */
  failure<T>(): RowResult<T> {
    const errors = this.errors.sort((a, b) => a.index - b.index).map(({ row, column, reason }) => ({ row, column, reason }));
    this.errors = [];
    return { ok: false, errors };
  }
}

/**
 * A parser that remembers its answers, for cells whose values repeat down a file (a leerweg, a
 * municipality, a status, a birth date): each distinct value is parsed once per import. The
 * rules stay in values.ts; this only saves doing them again.
 */
function remembered<T>(parser: (raw: string) => Parsed<T> | null, limit = 4096): (raw: string) => Parsed<T> | null {
  const answers = new Map<string, Parsed<T> | null>();
  return (raw) => {
    let answer = answers.get(raw);
    if (answer === undefined) {
      answer = parser(raw);
      // A copy of the key: the cell may be a slice that would keep a whole chunk of the file alive.
      if (answers.size < limit) answers.set(Buffer.from(raw, 'utf8').toString('utf8'), answer);
    }
    return answer;
  };
}

type IdentifierField = 'bsn' | 'onderwijsnummer';

/**
 * Both columns accept either kind of number: PGN (persoonsgebonden nummer) is a BSN or an
 * onderwijsnummer, and a school may have typed the new BSN into the onderwijsnummer column.
 * parseIdentifier's reasons never contain the number.
 */
function readIdentifiers<F extends string>(reader: CellReader<F | IdentifierField>): Identifiers {
  const identifiers: Identifiers = {};
  let seen = false;
  for (const field of IDENTIFIER_FIELDS) {
    const raw = reader.text(field);
    if (raw === undefined) continue;
    seen = true;
    // A number that passes both checks (possible when it starts with 10 and ends in 8) is taken
    // as the kind its column names.
    const preferred = parseIdentifier(raw, field);
    const parsed = preferred.ok ? preferred : parseIdentifier(raw);
    if (!parsed.ok) reader.error(field, parsed.reason);
    else if (identifiers[parsed.id.kind] !== undefined && identifiers[parsed.id.kind] !== parsed.id.value) {
      reader.error(field, `holds a different ${parsed.id.kind === 'bsn' ? 'BSN' : 'onderwijsnummer'} than the other identifier column`);
    } else identifiers[parsed.id.kind] = parsed.id.value;
  }
  if (!seen) {
    reader.error(reader.has('bsn') || !reader.has('onderwijsnummer') ? 'bsn' : 'onderwijsnummer', 'BSN or onderwijsnummer is required');
  }
  return identifiers;
}
const IDENTIFIER_FIELDS = ['bsn', 'onderwijsnummer'] as const;

export type RowMapper<T> = (cells: readonly string[], row: number) => RowResult<T>;

/** Maps the rows of one pupil export; made once per file, as it remembers repeated values. */
export function pupilRowMapper(columns: ColumnMap<PupilField>): RowMapper<PupilRow> {
  const r = new CellReader<PupilField>(columns);
  const date = remembered(parseDate);
  const vestiging = remembered(parseVestiging);
  const gemeente = remembered(parseGemeente);
  const leerweg = remembered(parseVmboLeerweg);
  const uitslag = remembered(parseExamResult);
  const bestemming = remembered(parseDestination);

  return (cells, row) => {
    r.start(cells, row);
    const identifiers = readIdentifiers(r);

    // Separate name parts win; the full-name column is only split when there is no surname.
    let achternaam = r.text('achternaam');
    let roepnaam = r.text('roepnaam');
    let tussenvoegsel = r.text('tussenvoegsel');
    if (achternaam === undefined) {
      const split = r.parse('volledigeNaam', splitFullName);
      if (split) {
        achternaam = split.achternaam;
        roepnaam ??= split.roepnaam;
        tussenvoegsel ??= split.tussenvoegsel;
      } else if (r.text('volledigeNaam') === undefined) {
        r.error(r.has('achternaam') || !r.has('volledigeNaam') ? 'achternaam' : 'volledigeNaam', 'achternaam is required');
      }
    }

    const geboortedatum = r.required('geboortedatum', date, 'geboortedatum');
    if (geboortedatum && (geboortedatum < EARLIEST_BIRTH_DATE || geboortedatum > LATEST_BIRTH_DATE)) {
      r.error('geboortedatum', 'implausible birth date (expected between 1990 and 2020)');
    }
    const leerlingnummer = r.text('leerlingnummer');
    const vestigingValue = r.parse('vestiging', vestiging);
    const postcode = r.parse('postcode', parsePostcode);
    const woonplaats = r.text('woonplaats');
    const gemeenteValue = r.parse('gemeente', gemeente);
    const klas = r.text('klas');
    const leerwegValue = r.parse('leerweg', leerweg);
    const profiel = r.text('profiel');
    const uitslagValue = r.parse('uitslag', uitslag);
    const bestemmingValue = r.parse('bestemming', bestemming);
    if (r.failed) return r.failure();

    // Absent fields are left out, not set to undefined.
    const value: PupilRow = { row, identifiers, achternaam: achternaam!, geboortedatum: geboortedatum! };
    if (leerlingnummer !== undefined) value.leerlingnummer = leerlingnummer;
    if (vestigingValue !== undefined) value.vestiging = vestigingValue;
    if (roepnaam !== undefined) value.roepnaam = roepnaam;
    if (tussenvoegsel !== undefined) value.tussenvoegsel = tussenvoegsel;
    if (postcode !== undefined) value.postcode = postcode;
    if (woonplaats !== undefined) value.woonplaats = woonplaats;
    if (gemeenteValue !== undefined) value.gemeente = gemeenteValue;
    if (klas !== undefined) value.klas = klas;
    if (leerwegValue !== undefined) value.leerweg = leerwegValue;
    if (profiel !== undefined) value.profiel = profiel;
    if (uitslagValue !== undefined) value.uitslag = uitslagValue;
    if (bestemmingValue !== undefined) value.bestemming = bestemmingValue;
    return { ok: true, value };
  };
}

/** Maps the rows of one enrolment file; made once per file, as it remembers repeated values. */
export function enrolmentRowMapper(columns: ColumnMap<EnrolmentField>): RowMapper<EnrolmentRow> {
  const r = new CellReader<EnrolmentField>(columns);
  const date = remembered(parseDate);
  const brin = remembered(parseBrin);
  const crebo = remembered(parseCrebo);
  const status = remembered(parseVvaStatus);
  const niveau = remembered(parseNiveau);
  const leerweg = remembered(parseMboLeerweg);

  return (cells, row) => {
    r.start(cells, row);
    const identifiers = readIdentifiers(r);
    const brinValue = r.required('brin', brin, 'BRIN');
    const creboValue = r.required('crebo', crebo, 'crebo');
    const statusValue = r.required('status', status, 'status');
    const niveauValue = r.parse('niveau', niveau);
    const leerwegValue = r.parse('leerweg', leerweg);
    const aanmelddatum = r.parse('aanmelddatum', date);
    const startdatum = r.parse('startdatum', date);
    const einddatum = r.parse('einddatum', date);
    const statusdatum = r.parse('statusdatum', date);
    if (r.failed) return r.failure();

    const value: EnrolmentRow = { row, identifiers, brin: brinValue!, crebo: creboValue!, status: statusValue! };
    if (niveauValue !== undefined) value.niveau = niveauValue;
    if (leerwegValue !== undefined) value.leerweg = leerwegValue;
    if (aanmelddatum !== undefined) value.aanmelddatum = aanmelddatum;
    if (startdatum !== undefined) value.startdatum = startdatum;
    if (einddatum !== undefined) value.einddatum = einddatum;
    if (statusdatum !== undefined) value.statusdatum = statusdatum;
    return { ok: true, value };
  };
}

/** One row on its own; an import maps its rows with pupilRowMapper. */
export function mapPupilRow(cells: readonly string[], columns: ColumnMap<PupilField>, row: number): RowResult<PupilRow> {
  return pupilRowMapper(columns)(cells, row);
}

/** One row on its own; an import maps its rows with enrolmentRowMapper. */
export function mapEnrolmentRow(cells: readonly string[], columns: ColumnMap<EnrolmentField>, row: number): RowResult<EnrolmentRow> {
  return enrolmentRowMapper(columns)(cells, row);
}
