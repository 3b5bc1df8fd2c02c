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

/** Reads one row's cells by field, collecting every error instead of stopping at the first. */
class CellReader<F extends string> {
  private readonly errors: (RowError & { index: number })[] = [];

  constructor(
    private readonly cells: readonly string[],
    private readonly columns: ColumnMap<F>,
    readonly row: number,
  ) {}

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

  result<T>(value: () => T): RowResult<T> {
    if (this.errors.length === 0) return { ok: true, value: value() };
    // In the order of the file's columns, as a user reads the row.
    const errors = this.errors.sort((a, b) => a.index - b.index).map(({ row, column, reason }) => ({ row, column, reason }));
    return { ok: false, errors };
  }
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
  for (const field of ['bsn', 'onderwijsnummer'] as const) {
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

export function mapPupilRow(cells: readonly string[], columns: ColumnMap<PupilField>, row: number): RowResult<PupilRow> {
  const r = new CellReader<PupilField>(cells, columns, row);
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

  const geboortedatum = r.required('geboortedatum', parseDate, 'geboortedatum');
  if (geboortedatum && (geboortedatum < EARLIEST_BIRTH_DATE || geboortedatum > LATEST_BIRTH_DATE)) {
    r.error('geboortedatum', 'implausible birth date (expected between 1990 and 2020)');
  }
  const optional: Partial<PupilRow> = {
    leerlingnummer: r.text('leerlingnummer'),
    vestiging: r.parse('vestiging', parseVestiging),
    roepnaam,
    tussenvoegsel,
    postcode: r.parse('postcode', parsePostcode),
    woonplaats: r.text('woonplaats'),
    gemeente: r.parse('gemeente', parseGemeente),
    klas: r.text('klas'),
    leerweg: r.parse('leerweg', parseVmboLeerweg),
    profiel: r.text('profiel'),
    uitslag: r.parse('uitslag', parseExamResult),
    bestemming: r.parse('bestemming', parseDestination),
  };
  return r.result(() => assignDefined({ row, identifiers, achternaam: achternaam!, geboortedatum: geboortedatum! }, optional));
}

export function mapEnrolmentRow(cells: readonly string[], columns: ColumnMap<EnrolmentField>, row: number): RowResult<EnrolmentRow> {
  const r = new CellReader<EnrolmentField>(cells, columns, row);
  const identifiers = readIdentifiers(r);
  const brin = r.required('brin', parseBrin, 'BRIN');
  const crebo = r.required('crebo', parseCrebo, 'crebo');
  const status = r.required('status', parseVvaStatus, 'status');
  const optional: Partial<EnrolmentRow> = {
    niveau: r.parse('niveau', parseNiveau),
    leerweg: r.parse('leerweg', parseMboLeerweg),
    aanmelddatum: r.parse('aanmelddatum', parseDate),
    startdatum: r.parse('startdatum', parseDate),
    einddatum: r.parse('einddatum', parseDate),
    statusdatum: r.parse('statusdatum', parseDate),
  };
  return r.result(() => assignDefined({ row, identifiers, brin: brin!, crebo: crebo!, status: status! }, optional));
}

/** Copies only the values that are present: absent fields are left out, not set to undefined. */
function assignDefined<T extends object>(target: T, values: Partial<T>): T {
  for (const key of Object.keys(values) as (keyof T)[]) {
    const value = values[key];
    if (value !== undefined) target[key] = value as T[keyof T];
  }
  return target;
}
