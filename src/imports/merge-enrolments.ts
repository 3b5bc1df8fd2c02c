import type pg from 'pg';
import type { Pii } from '../privacy/pii.js';
import type { Identifiers } from './rows.js';
import type { MergeCounts } from './merge-pupils.js';
import { sealNow, takeSealed } from './sealing.js';
import { analyzeIfLarge, copyLine, hexBytes, lockMergeTargets, lockPupilMerge, readRejections, type Rejections } from './staging.js';

/**
 * The one definition of an enrolment upsert, for the file import and the JSON batch alike:
 * rows are staged in a TEMP table and merged with set-based statements. An application is one
 * row per mbo BRIN + pupil + crebo; a later message updates it in place, and a history row is
 * added only when something changed, so a retry or a repeated file adds nothing.
 */

export const ENROLMENT_STAGING = 'enrolment_staging';

export interface EnrolmentInput {
  row: number;
  identifiers: Identifiers;
  brin: string;
  crebo: string;
  niveau?: number;
  leerweg?: string;
  status: string;
  aanmelddatum?: string;
  startdatum?: string;
  einddatum?: string;
  statusdatum?: string;
}

export const ENROLMENT_STAGING_COLUMNS = [
  'row', 'bsn_hmac', 'bsn_cipher', 'own_hmac', 'own_cipher', 'brin', 'crebo', 'niveau', 'leerweg', 'status',
  'applied_on', 'start_date', 'end_date', 'status_date',
] as const;

/** The staging line for one row: identifiers only as HMAC digest and ciphertext. */
export function enrolmentCopyLine(pii: Pii, r: EnrolmentInput): string {
  return sealedEnrolmentLine(r, sealNow(pii, r.identifiers));
}

/**
 * The staging line for one row whose identifiers are sealed: `next` hands out the hex digest and
 * ciphertext of its BSN, then of its onderwijsnummer (sealing.ts).
 */
export function sealedEnrolmentLine(r: EnrolmentInput, next: () => string): string {
  const { bsnHmac, bsnCipher, ownHmac, ownCipher } = takeSealed(r.identifiers, next);
  return copyLine([
    r.row, hexBytes(bsnHmac), hexBytes(bsnCipher), hexBytes(ownHmac), hexBytes(ownCipher),
    r.brin, r.crebo, r.niveau, r.leerweg, r.status, r.aanmelddatum, r.startdatum, r.einddatum, r.statusdatum,
  ]);
}

export async function createEnrolmentStaging(client: pg.PoolClient): Promise<void> {
  await client.query(`
    create temp table ${ENROLMENT_STAGING} (
      row integer not null,
      bsn_hmac bytea, bsn_cipher bytea, own_hmac bytea, own_cipher bytea,
      brin text not null, crebo text not null, niveau smallint, leerweg text, status text not null,
      applied_on date, start_date date, end_date date, status_date date
    ) on commit drop`);
}

/** The staged rows with what the merge decided: the pupil (known, or one per new person), or a problem. */
const ROWS = 'enrolment_rows';

export interface EnrolmentLabels {
  brin: string;
  onderwijsnummer: string;
  crebo: string;
}

/**
 * Resolves rows to known pupils in one pass and rejects what cannot be merged: an unknown mbo,
 * numbers of two different pupils, and a second row for the same application. Writes nothing
 * outside the temp tables; takes the pupil-merge lock for the rest of the transaction.
 */
export async function checkEnrolments(client: pg.PoolClient, labels: EnrolmentLabels): Promise<Rejections> {
  await lockPupilMerge(client);
  const { rowCount } = await client.query(`
    create temp table ${ROWS} on commit drop as
    select s.*, coalesce(b.pupil_id, o.pupil_id) as pupil_id,
      b.pupil_id is not null as bsn_known, o.pupil_id is not null as own_known,
      case when b.pupil_id is null and o.pupil_id is null then coalesce(s.bsn_hmac, s.own_hmac) end as identity,
      case when org.code is null then 'unknown_brin' when b.pupil_id <> o.pupil_id then 'two_pupils' end as problem,
      null::integer as first_row
    from ${ENROLMENT_STAGING} s
    left join organisations org on org.code = s.brin and org.kind = 'mbo'
    left join pupil_identifiers b on b.hmac = s.bsn_hmac
    left join pupil_identifiers o on o.hmac = s.own_hmac`);
  await analyzeIfLarge(client, ROWS, rowCount, ['problem', 'pupil_id']);
  // A row with one number belongs to the pupil another row found by both numbers; among people
  // not known yet, a row with only the onderwijsnummer is the person another row gives a BSN for.
  for (const key of ['bsn_hmac', 'own_hmac']) {
    await client.query(`
      update ${ROWS} r set pupil_id = f.pupil_id, identity = null
      from (select distinct on (${key}) ${key}, pupil_id from ${ROWS} where pupil_id is not null and problem is null and ${key} is not null) f
      where r.pupil_id is null and r.${key} = f.${key}`);
  }
  await client.query(`
    update ${ROWS} r set identity = f.bsn_hmac
    from (select distinct on (own_hmac) own_hmac, bsn_hmac from ${ROWS} where identity is not null and bsn_hmac is not null and own_hmac is not null) f
    where r.identity is not null and r.bsn_hmac is null and r.own_hmac = f.own_hmac`);
  await client.query(`
    update ${ROWS} r set problem = 'same_application', first_row = d.first
    from (
      select brin, crebo, coalesce(pupil_id::text, encode(identity, 'hex')) as person, min(row) as first
      from ${ROWS} where problem is null group by 1, 2, 3 having count(*) > 1
    ) d
    where r.brin = d.brin and r.crebo = d.crebo and coalesce(r.pupil_id::text, encode(r.identity, 'hex')) = d.person
      and r.row > d.first and r.problem is null`);
  return readRejections(client, ROWS, {
    unknown_brin: { column: labels.brin, reason: () => 'not a known mbo institution (BRIN)' },
    two_pupils: { column: labels.onderwijsnummer, reason: () => 'the BSN and the onderwijsnummer belong to two different pupils' },
    same_application: { column: labels.crebo, reason: (first) => `same application as row ${first}` },
  });
}

export interface EnrolmentMerge extends MergeCounts {
  /** Bare pupils created for numbers no school export has mentioned yet. */
  newPupils: number;
}

/** Writes the checked rows. `importId` is null for the JSON batch. */
export async function applyEnrolments(client: pg.PoolClient, source: 'api' | 'import', importId: string | null): Promise<EnrolmentMerge> {
  // The pupils need no lock of their own: every row's pupil is new, or held by the upsert below
  // (its foreign key locks the pupil of a row it writes; a row it leaves alone is locked as the
  // conflict, and deleting the pupil must wait for that through the cascade to enrolments).
  if (importId) await lockMergeTargets(client, importId);
  const { rowCount: newPupils } = await client.query(`
    create temp table enrolment_new_pupils on commit drop as
    select identity, gen_random_uuid() as pupil_id from ${ROWS}
    where pupil_id is null and problem is null group by identity`);
  if (newPupils) {
    await client.query('insert into pupils (id) select pupil_id from enrolment_new_pupils');
    await client.query(`
      update ${ROWS} r set pupil_id = n.pupil_id from enrolment_new_pupils n
      where r.pupil_id is null and r.problem is null and r.identity = n.identity`);
  }
  await client.query(`
    insert into pupil_identifiers (hmac, pupil_id, kind, cipher)
    select * from (
      select distinct on (bsn_hmac) bsn_hmac, pupil_id, 'bsn', bsn_cipher from ${ROWS}
      where problem is null and bsn_hmac is not null and not bsn_known order by bsn_hmac, row
    ) b
    union all
    select * from (
      select distinct on (own_hmac) own_hmac, pupil_id, 'onderwijsnummer', own_cipher from ${ROWS}
      where problem is null and own_hmac is not null and not own_known order by own_hmac, row
    ) o
    on conflict (hmac) do nothing`);

  // A message that leaves a field out keeps what an earlier message said; the status always
  // follows. Only rows that changed come back from the upsert, so only they get a history row.
  // With the natural key, so the rows find their change by a hash join, not an index probe each.
  await client.query(`create temp table enrolment_changes (
      enrolment_id uuid primary key, mbo_brin text not null, pupil_id uuid not null, crebo text not null, inserted boolean not null
    ) on commit drop`);
  await client.query(
    `with up as (
       insert into enrolments as e (pupil_id, mbo_brin, crebo, niveau, leerweg, status, applied_on, start_date, end_date, status_date)
       select pupil_id, brin, crebo, niveau, leerweg, status, applied_on, start_date, end_date, status_date
       from ${ROWS} where problem is null
       on conflict (mbo_brin, pupil_id, crebo) do update set
         niveau = coalesce(excluded.niveau, e.niveau),
         leerweg = coalesce(excluded.leerweg, e.leerweg),
         status = excluded.status,
         applied_on = coalesce(excluded.applied_on, e.applied_on),
         start_date = coalesce(excluded.start_date, e.start_date),
         end_date = coalesce(excluded.end_date, e.end_date),
         status_date = coalesce(excluded.status_date, e.status_date),
         updated_at = now()
       where (e.niveau, e.leerweg, e.status, e.applied_on, e.start_date, e.end_date, e.status_date) is distinct from
             (coalesce(excluded.niveau, e.niveau), coalesce(excluded.leerweg, e.leerweg), excluded.status,
              coalesce(excluded.applied_on, e.applied_on), coalesce(excluded.start_date, e.start_date),
              coalesce(excluded.end_date, e.end_date), coalesce(excluded.status_date, e.status_date))
       returning e.*, (e.xmax = 0) as inserted
     ),
     history as (
       insert into enrolment_events (enrolment_id, status, niveau, leerweg, applied_on, start_date, end_date, status_date, source, import_id)
       select id, status, niveau, leerweg, applied_on, start_date, end_date, status_date, $1, $2 from up
     )
     insert into enrolment_changes select id, mbo_brin, pupil_id, crebo, inserted from up`,
    [source, importId],
  );
  if (importId) {
    await client.query(
      `insert into import_pupils (import_id, pupil_id, row, action)
       select distinct on (r.pupil_id) $1::uuid, r.pupil_id, r.row,
         case when c.inserted then 'created' when c.inserted is not null then 'updated' else 'unchanged' end
       from ${ROWS} r
       left join enrolment_changes c on c.mbo_brin = r.brin and c.pupil_id = r.pupil_id and c.crebo = r.crebo
       where r.problem is null
       order by r.pupil_id, case when c.inserted then 0 when c.inserted is not null then 1 else 2 end, r.row`,
      [importId],
    );
  }
  const { rows } = await client.query<{ created: number; updated: number; valid: number }>(`
    select count(*) filter (where inserted)::int as created, count(*) filter (where not inserted)::int as updated,
      (select count(*)::int from ${ROWS} where problem is null) as valid
    from enrolment_changes`);
  const { created, updated, valid } = rows[0]!;
  return { created, updated, unchanged: valid - created - updated, newPupils: newPupils ?? 0 };
}

export interface StagedOutcome {
  row: number;
  enrolmentId: string;
  pupilId: string;
  action: 'created' | 'updated' | 'unchanged';
}

/** Per row, in row order: what the JSON batch answers. */
export async function enrolmentOutcomes(client: pg.PoolClient): Promise<StagedOutcome[]> {
  const { rows } = await client.query<StagedOutcome>(`
    select r.row, e.id as "enrolmentId", r.pupil_id as "pupilId",
      case when c.inserted then 'created' when c.inserted is not null then 'updated' else 'unchanged' end as action
    from ${ROWS} r
    join enrolments e on e.mbo_brin = r.brin and e.pupil_id = r.pupil_id and e.crebo = r.crebo
    left join enrolment_changes c on c.enrolment_id = e.id
    where r.problem is null
    order by r.row`);
  return rows;
}
