import crypto from 'node:crypto';
import type pg from 'pg';
import type { Identifiers, PupilRow, RowError } from './rows.js';
import { takeSealed, type SealedIdentifiers } from './sealing.js';
import { analyzeIfLarge, copyLine, hexBytes, lockMergeTargets, lockPupilMerge, readRejections, type ProblemLabels, type Rejections } from './staging.js';

/**
 * The pupil side of an import: rows of a leerlingvolgsysteem export are staged in a TEMP table
 * and merged into `pupils` with a handful of set-based statements. A pupil is found by any
 * number it was ever known by, else by the school's leerlingnummer; a row with both a BSN and
 * the old onderwijsnummer links both to the one record.
 */

export const PUPIL_STAGING = 'pupil_staging';

/** A row as staged; digests and ciphertexts in hex, as COPY text wants them. */
export interface StagedPupil extends SealedIdentifiers {
  row: number;
  /** The plain numbers, until sealedPupilLine replaces them by their digests and ciphertexts. */
  identifiers?: Identifiers;
  schoolCode: string;
  leerlingnummer?: string;
  givenName?: string;
  infix?: string;
  surname: string;
  birthDate: string;
  postcode?: string;
  woonplaats?: string;
  gemeenteCode?: string;
  klas?: string;
  leerweg?: string;
  profiel?: string;
  examResult?: string;
  destination?: string;
  rowHash: string;
}

export const PUPIL_STAGING_COLUMNS = [
  'row', 'bsn_hmac', 'bsn_cipher', 'own_hmac', 'own_cipher', 'school_code', 'leerlingnummer', 'given_name', 'infix',
  'surname', 'birth_date', 'postcode', 'woonplaats', 'gemeente_code', 'klas', 'leerweg', 'profiel', 'exam_result',
  'destination', 'row_hash',
] as const;

/**
 * The COPY line of a staged row, once its identifiers are sealed: `next` hands out the hex
 * digest and ciphertext of its BSN, then of its onderwijsnummer (sealing.ts). The row digest
 * covers every imported field, so an identical row in a later export is recognised as unchanged;
 * it is taken over the digests' hex, as it always was (a changed digest would make every stored
 * pupil look changed to the next import).
 */
export function sealedPupilLine(p: StagedPupil, next: () => string, cohort: string | null): string {
  Object.assign(p, takeSealed(p.identifiers ?? {}, next));
  p.identifiers = undefined;
  p.rowHash = rowDigest(
    digestText(
      p.bsnHmac, p.ownHmac, p.schoolCode, p.leerlingnummer, p.givenName, p.infix, p.surname, p.birthDate, p.postcode,
      p.woonplaats, p.gemeenteCode, p.klas, p.leerweg, p.profiel, p.examResult, p.destination, cohort,
    ),
  );
  return pupilCopyLine(p);
}

/** The fields joined by \u0001, an absent one as \u0000. */
function digestText(...fields: (string | null | undefined)[]): string {
  let text = fields[0] ?? '\u0000';
  for (let i = 1; i < fields.length; i++) text += `\u0001${fields[i] ?? '\u0000'}`;
  return text;
}

function pupilCopyLine(p: StagedPupil): string {
  return copyLine([
    p.row, hexBytes(p.bsnHmac), hexBytes(p.bsnCipher), hexBytes(p.ownHmac), hexBytes(p.ownCipher), p.schoolCode,
    p.leerlingnummer, p.givenName, p.infix, p.surname, p.birthDate, p.postcode, p.woonplaats, p.gemeenteCode, p.klas,
    p.leerweg, p.profiel, p.examResult, p.destination, hexBytes(p.rowHash),
  ]);
}

/** Known organisations, loaded once per import so rows resolve without a query each. */
export interface PupilLookups {
  /** Vestiging code or lower-cased name -> code, limited to what the uploader may import into. */
  vestigingen: Map<string, string>;
  /** The vestiging for rows without a vestiging column (the form field or the mentor's own). */
  defaultSchool: string | null;
  gemeenteCodes: Set<string>;
  /** Lower-cased municipality name -> code. */
  gemeenteNames: Map<string, string>;
  cohort: string | null;
}

export type StageResult = { ok: true; value: StagedPupil } | { ok: false; errors: RowError[] };

// One-shot hashing (Node 20.12+) is several times cheaper per row than a Hash object.
const rowDigest: (text: string) => string =
  typeof crypto.hash === 'function'
    ? (text) => crypto.hash('sha256', text, 'hex')
    : (text) => crypto.createHash('sha256').update(text).digest('hex');

// Plain toLowerCase: a locale-aware one costs more than the rest of a row's parsing.
const lower = (s: string) => s.trim().replace(/\s+/g, ' ').toLowerCase();

/**
 * Turns a parsed row into what the staging table holds, but for the sealing: the vestiging and
 * municipality resolved; the identifiers still plain until sealedPupilLine.
 */
export function stagePupil(row: PupilRow, lookups: PupilLookups, vestigingColumn: string): StageResult {
  let schoolCode: string | null = lookups.defaultSchool;
  if (row.vestiging !== undefined) {
    schoolCode = lookups.vestigingen.get(row.vestiging) ?? lookups.vestigingen.get(lower(row.vestiging)) ?? null;
    if (!schoolCode) {
      return { ok: false, errors: [{ row: row.row, column: vestigingColumn, reason: 'not a vestiging you may import pupils for' }] };
    }
  }
  if (!schoolCode) {
    return { ok: false, errors: [{ row: row.row, column: vestigingColumn, reason: 'vestiging is required (send the school field or a vestiging column)' }] };
  }

  const g = row.gemeente;
  const gemeenteCode =
    (g?.code && lookups.gemeenteCodes.has(g.code) ? g.code : undefined) ??
    (g?.name ? lookups.gemeenteNames.get(lower(g.name)) : undefined) ??
    (row.woonplaats ? lookups.gemeenteNames.get(lower(row.woonplaats)) : undefined);

  return {
    ok: true,
    value: {
      row: row.row,
      identifiers: row.identifiers,
      schoolCode,
      leerlingnummer: row.leerlingnummer,
      givenName: row.roepnaam,
      infix: row.tussenvoegsel,
      surname: row.achternaam,
      birthDate: row.geboortedatum,
      postcode: row.postcode,
      woonplaats: row.woonplaats,
      gemeenteCode,
      klas: row.klas,
      leerweg: row.leerweg,
      profiel: row.profiel,
      examResult: row.uitslag,
      // An mbo destination is known from the enrolments themselves; only the others are recorded.
      destination: row.bestemming === 'mbo' ? undefined : row.bestemming,
      rowHash: '',
    },
  };
}

export async function createPupilStaging(client: pg.PoolClient): Promise<void> {
  await client.query(`
    create temp table ${PUPIL_STAGING} (
      row integer not null,
      bsn_hmac bytea, bsn_cipher bytea, own_hmac bytea, own_cipher bytea,
      school_code text not null, leerlingnummer text,
      given_name text, infix text, surname text not null, birth_date date not null,
      postcode text, woonplaats text, gemeente_code text, klas text, leerweg text, profiel text,
      exam_result text, destination text, row_hash bytea not null
    ) on commit drop`);
}

/** The staged rows with what the merge decided for each: the pupil, or why the row is rejected. */
const ROWS = 'pupil_rows';

/** How rejected rows name their column: the file's headers. */
export interface PupilLabels {
  identifier: string;
  onderwijsnummer: string;
  leerlingnummer: string;
}

const pupilProblems = (labels: PupilLabels): ProblemLabels => ({
  two_pupils: { column: labels.onderwijsnummer, reason: () => 'the BSN and the onderwijsnummer belong to two different pupils' },
  lln_other_number: { column: labels.leerlingnummer, reason: () => 'the leerlingnummer belongs to a pupil with another BSN or onderwijsnummer' },
  lln_taken: { column: labels.leerlingnummer, reason: () => 'the leerlingnummer is already used by another pupil of this school' },
  same_pupil: { column: labels.identifier, reason: (first) => `same pupil as row ${first}` },
});

/**
 * Resolves every staged row to an existing pupil (or a new id) in one pass, then rejects the
 * rows that cannot be merged safely: numbers of two different pupils, a leerlingnummer taken by
 * someone else, and a second row for the same pupil. Writes nothing outside the temp tables,
 * so strict mode rolls back cheaply; takes the pupil-merge lock for the rest of the transaction.
 */
export async function checkPupils(client: pg.PoolClient, labels: PupilLabels): Promise<Rejections> {
  await lockPupilMerge(client);
  // A leerlingnummer may link a new BSN to a pupil known by an onderwijsnummer, but never
  // replace a number of the same kind: that is another child, or a reused leerlingnummer.
  const { rowCount } = await client.query(`
    create temp table ${ROWS} on commit drop as
    select s.*, m.existing_id, coalesce(m.existing_id, gen_random_uuid()) as pupil_id,
      b.pupil_id is not null as bsn_known, o.pupil_id is not null as own_known,
      case
        when b.pupil_id <> o.pupil_id then 'two_pupils'
        when m.by_number is null and l.id is not null and exists (
          select 1 from pupil_identifiers i where i.pupil_id = l.id
            and ((i.kind = 'bsn' and s.bsn_hmac is not null) or (i.kind = 'onderwijsnummer' and s.own_hmac is not null))
        ) then 'lln_other_number'
        when m.by_number <> l.id then 'lln_taken'
      end as problem,
      null::integer as first_row
    from ${PUPIL_STAGING} s
    left join pupil_identifiers b on b.hmac = s.bsn_hmac
    left join pupil_identifiers o on o.hmac = s.own_hmac
    left join pupils l on l.school_code = s.school_code and l.leerlingnummer = s.leerlingnummer
    cross join lateral (select coalesce(b.pupil_id, o.pupil_id) as by_number, coalesce(b.pupil_id, o.pupil_id, l.id) as existing_id) m
    -- In pupil order (the output column): the writes below then add to the indexes on pupil ids
    -- in key order, which costs half what random order does.
    order by pupil_id`);
  await analyzeIfLarge(client, ROWS, rowCount, ['problem', 'existing_id']);
  // Rows that share a pupil, a number or a leerlingnummer with an earlier row describe the same
  // child twice: the first row counts, the others are reported.
  for (const key of ['existing_id', 'bsn_hmac', 'own_hmac', 'school_code, leerlingnummer']) {
    const columns = key.split(', ');
    await client.query(`
      update ${ROWS} r set problem = 'same_pupil', first_row = d.first
      from (
        select ${key}, min(row) as first from ${ROWS}
        where problem is null and ${columns.map((c) => `${c} is not null`).join(' and ')}
        group by ${key} having count(*) > 1
      ) d
      where ${columns.map((c) => `r.${c} = d.${c}`).join(' and ')} and r.row > d.first and r.problem is null`);
  }
  return readRejections(client, ROWS, pupilProblems(labels));
}

export interface MergeCounts {
  created: number;
  updated: number;
  unchanged: number;
}

/**
 * Writes the checked rows: new pupils, changed pupils (only when the row's digest differs),
 * numbers not known yet, and which pupils this import mentioned. An empty cell never erases
 * what is known; the school and cohort follow the latest export.
 */
export async function applyPupils(client: pg.PoolClient, importId: string, cohort: string | null): Promise<MergeCounts & { gemeenteUnknown: number }> {
  // The first export of a school finds nobody: then there is nothing to compare or update.
  const found = await lockMergeTargets(client, importId, { table: ROWS, column: 'existing_id' });
  await client.query(
    `insert into pupils (id, given_name, infix, surname, birth_date, postcode, woonplaats, gemeente_code, school_code,
       leerlingnummer, klas, leerweg, profiel, exam_result, cohort, destination, destination_recorded_at, row_hash)
     select pupil_id, given_name, infix, surname, birth_date, postcode, woonplaats, gemeente_code, school_code,
       leerlingnummer, klas, leerweg, profiel, exam_result, $1, destination,
       case when destination is not null then now() end, row_hash
     from ${ROWS} where problem is null and existing_id is null`,
    [cohort],
  );
  // Before the update below, while the stored digest still tells changed rows from unchanged ones.
  const action = found
    ? `case when r.existing_id is null then 'created' when p.row_hash is not distinct from r.row_hash then 'unchanged' else 'updated' end`
    : `'created'`;
  const { rows } = await client.query<{ created: number; updated: number; unchanged: number; gemeente_unknown: number }>(
    `with mentioned as (
       insert into import_pupils (import_id, pupil_id, row, action)
       select $1, r.pupil_id, r.row, ${action}
       from ${ROWS} r ${found ? 'left join pupils p on p.id = r.existing_id' : ''}
       where r.problem is null
       returning action
     )
     select count(*) filter (where action = 'created')::int as created, count(*) filter (where action = 'updated')::int as updated,
       count(*) filter (where action = 'unchanged')::int as unchanged,
       -- Rows whose municipality the file did not make known; an earlier export may still have.
       (select count(*) from ${ROWS} where problem is null and gemeente_code is null)::int as gemeente_unknown
     from mentioned`,
    [importId],
  );
  const { created, updated, unchanged, gemeente_unknown: gemeenteUnknown } = rows[0]!;
  if (found) {
    await client.query(
      `update pupils p set
         given_name = coalesce(s.given_name, p.given_name),
         infix = coalesce(s.infix, p.infix),
         surname = s.surname,
         birth_date = s.birth_date,
         postcode = coalesce(s.postcode, p.postcode),
         woonplaats = coalesce(s.woonplaats, p.woonplaats),
         gemeente_code = coalesce(s.gemeente_code, p.gemeente_code),
         school_code = s.school_code,
         leerlingnummer = coalesce(s.leerlingnummer, p.leerlingnummer),
         klas = coalesce(s.klas, p.klas),
         leerweg = coalesce(s.leerweg, p.leerweg),
         profiel = coalesce(s.profiel, p.profiel),
         exam_result = coalesce(s.exam_result, p.exam_result),
         cohort = coalesce($1, p.cohort),
         destination = coalesce(s.destination, p.destination),
         destination_recorded_at = case when s.destination is not null and s.destination is distinct from p.destination
                                        then now() else p.destination_recorded_at end,
         row_hash = s.row_hash,
         updated_at = now()
       from ${ROWS} s
       where s.problem is null and p.id = s.existing_id and p.row_hash is distinct from s.row_hash`,
      [cohort],
    );
  }
  await client.query(`
    insert into pupil_identifiers (hmac, pupil_id, kind, cipher)
    select bsn_hmac, pupil_id, 'bsn', bsn_cipher from ${ROWS} where problem is null and bsn_hmac is not null and not bsn_known
    union all
    select own_hmac, pupil_id, 'onderwijsnummer', own_cipher from ${ROWS} where problem is null and own_hmac is not null and not own_known
    on conflict (hmac) do nothing`);
  return { created, updated, unchanged, gemeenteUnknown };
}
