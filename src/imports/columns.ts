import { ImportFileError } from './errors.js';
import { normaliseKey } from './normalise.js';

/** What a file holds: a school's pupil export, or an mbo's enrolments (VVA). */
export type ImportKind = 'leerlingen' | 'inschrijvingen';

const IDENTIFIER_ALIASES = {
  bsn: ['BSN', 'Burgerservicenummer', 'Sofinummer', 'PGN', 'Persoonsgebonden nummer'],
  onderwijsnummer: ['Onderwijsnummer', 'OWN'],
} as const;

/**
 * Header aliases per kind, from domain.md. The table is per kind because the same word means
 * different things: `Niveau` is the vmbo leerweg in a pupil export but the mbo level in an
 * enrolment file. Within a field, earlier aliases win when a file has several matching columns.
 */
const PUPIL_ALIASES = {
  ...IDENTIFIER_ALIASES,
  leerlingnummer: ['Leerlingnummer', 'Stamnummer', 'Stamnr', 'Llnr'],
  vestiging: ['Vestiging', 'Brinvestiging', 'Brin vestiging', 'Vestigingscode', 'School'],
  roepnaam: ['Roepnaam', 'Voornaam', 'Voornamen'],
  tussenvoegsel: ['Tussenvoegsel', 'Tussenvoegsels', 'Tussenv.', 'Voorvoegsel'],
  achternaam: ['Achternaam', 'Geslachtsnaam'],
  volledigeNaam: ['Volledige naam', 'Naam', 'Leerling'],
  geboortedatum: ['Geboortedatum', 'Geb.datum', 'Geb. datum'],
  postcode: ['Postcode'],
  woonplaats: ['Woonplaats', 'Plaats'],
  gemeente: ['Woongemeente', 'Gemeentecode', 'Gemeente'],
  klas: ['Klas', 'Stamgroep', 'Groep'],
  leerweg: ['Leerweg', 'Opleiding', 'Niveau'],
  profiel: ['Profiel', 'Sector', 'Afdeling'],
  uitslag: ['Uitslag', 'Examenresultaat', 'Resultaat'],
  bestemming: ['Bestemming', 'Vervolgopleiding', 'Uitstroom'],
} as const;

const ENROLMENT_ALIASES = {
  ...IDENTIFIER_ALIASES,
  brin: ['BRIN', 'Brin instelling', 'Instelling'],
  crebo: ['Crebo', 'Crebocode', 'Opleidingscode'],
  niveau: ['Niveau'],
  leerweg: ['Leerweg', 'BOL/BBL'],
  status: ['Status', 'VVA status', 'Inschrijvingsstatus'],
  aanmelddatum: ['Aanmelddatum', 'Datum aanmelding'],
  startdatum: ['Startdatum', 'Begindatum', 'Ingangsdatum'],
  einddatum: ['Einddatum', 'Uitschrijfdatum', 'Datum uitschrijving'],
  statusdatum: ['Statusdatum', 'Datum status'],
} as const;

export type PupilField = keyof typeof PUPIL_ALIASES;
export type EnrolmentField = keyof typeof ENROLMENT_ALIASES;

const ALIASES: Record<ImportKind, Record<string, readonly string[]>> = {
  leerlingen: PUPIL_ALIASES,
  inschrijvingen: ENROLMENT_ALIASES,
};

/**
 * Columns a file of this kind cannot do without, beyond an identifier: without them every row
 * would fail, so the file is refused up front. `a|b` means either will do.
 */
const REQUIRED: Record<ImportKind, readonly string[]> = {
  leerlingen: ['achternaam|volledigeNaam', 'geboortedatum'],
  inschrijvingen: ['brin', 'crebo', 'status'],
};

export const IDENTIFIER_REQUIREMENT = 'bsn|onderwijsnummer';

/** Where a field's values are: the cell index in a row, and the header as written in the file. */
export interface Column {
  index: number;
  header: string;
}

export type ColumnMap<F extends string> = Partial<Record<F, Column>>;

/** An explicit choice of header per field; null or '' says "do not use any column". */
export type ColumnMapping = Readonly<Record<string, string | null | undefined>>;

export interface ColumnProblem {
  reason: 'no_identifier_column' | 'missing_columns' | 'unknown_mapping';
  /** Required fields without a column; `a|b` means one of them. */
  missing: string[];
  /** Mapping keys that name no field of this kind, or a header that is not in the file. */
  unknownMapping: string[];
}

export type ColumnMatch<F extends string> =
  | { ok: true; columns: ColumnMap<F>; ignored: string[] }
  | { ok: false; problem: ColumnProblem };

const normalisedAliases = new Map<string, Map<string, readonly string[]>>();
for (const [kind, table] of Object.entries(ALIASES)) {
  const byField = new Map<string, readonly string[]>();
  for (const [field, aliases] of Object.entries(table)) byField.set(field, aliases.map(normaliseKey));
  normalisedAliases.set(kind, byField);
}
const identifierKeys = new Set(Object.values(IDENTIFIER_ALIASES).flat().map(normaliseKey));

/** Whether a header names a BSN or onderwijsnummer column; used to find the header row. */
export function isIdentifierHeader(header: string): boolean {
  return identifierKeys.has(normaliseKey(header));
}

export function fieldsOf(kind: ImportKind): string[] {
  return Object.keys(ALIASES[kind]);
}

export function matchColumns(headers: readonly string[], kind: 'leerlingen', mapping?: ColumnMapping): ColumnMatch<PupilField>;
export function matchColumns(headers: readonly string[], kind: 'inschrijvingen', mapping?: ColumnMapping): ColumnMatch<EnrolmentField>;
export function matchColumns(headers: readonly string[], kind: ImportKind, mapping?: ColumnMapping): ColumnMatch<string>;
export function matchColumns(headers: readonly string[], kind: ImportKind, mapping: ColumnMapping = {}): ColumnMatch<string> {
  const aliases = normalisedAliases.get(kind)!;
  const keys = headers.map(normaliseKey);
  const used = new Set<number>();
  const columns: ColumnMap<string> = {};
  const decided = new Set<string>();
  const unknownMapping: string[] = [];

  // An explicit mapping is the user's word: it wins over aliases and claims its column first.
  for (const [field, header] of Object.entries(mapping)) {
    if (!aliases.has(field)) {
      unknownMapping.push(field);
      continue;
    }
    decided.add(field);
    if (header === null || header === undefined || header.trim() === '') continue;
    const index = findHeader(headers, keys, header, used);
    if (index === -1) unknownMapping.push(field);
    else {
      used.add(index);
      columns[field] = { index, header: headers[index]! };
    }
  }

  for (const [field, fieldAliases] of aliases) {
    if (decided.has(field)) continue;
    for (const alias of fieldAliases) {
      const index = keys.findIndex((key, i) => key === alias && !used.has(i));
      if (index !== -1) {
        used.add(index);
        columns[field] = { index, header: headers[index]! };
        break;
      }
    }
  }

  const missing = [IDENTIFIER_REQUIREMENT, ...REQUIRED[kind]].filter(
    (requirement) => !requirement.split('|').some((field) => columns[field]),
  );
  if (unknownMapping.length > 0 || missing.length > 0) {
    const reason =
      unknownMapping.length > 0 ? 'unknown_mapping' : missing.includes(IDENTIFIER_REQUIREMENT) ? 'no_identifier_column' : 'missing_columns';
    return { ok: false, problem: { reason, missing, unknownMapping } };
  }
  const ignored = headers.filter((header, i) => !used.has(i) && header.trim() !== '');
  return { ok: true, columns, ignored };
}

/** Exact (trimmed) header first; then the normalised form, but only when that is unambiguous. */
function findHeader(headers: readonly string[], keys: readonly string[], wanted: string, used: Set<number>): number {
  const exact = headers.findIndex((header, i) => header.trim() === wanted.trim() && !used.has(i));
  if (exact !== -1) return exact;
  const key = normaliseKey(wanted);
  const matches = keys.flatMap((k, i) => (k === key && key !== '' && !used.has(i) ? [i] : []));
  return matches.length === 1 ? matches[0]! : -1;
}

/** Turns a column problem into the error the import job reports for the whole file. */
export function columnProblemError(problem: ColumnProblem): ImportFileError {
  switch (problem.reason) {
    case 'unknown_mapping':
      return new ImportFileError(
        'unknown_mapping',
        `The column mapping names fields or headers that do not exist: ${problem.unknownMapping.join(', ')}`,
      );
    case 'no_identifier_column':
      return new ImportFileError('no_identifier_column', 'The file has no BSN or onderwijsnummer column');
    case 'missing_columns':
      return new ImportFileError('missing_columns', `The file lacks required columns: ${problem.missing.join(', ')}`);
  }
}
