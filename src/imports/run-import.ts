import type pg from 'pg';
import type { Logger } from 'pino';
import { HttpProblem } from '../http/problems.js';
import type { Services } from '../services.js';
import { matchColumns, type ColumnMap, type EnrolmentField, type ImportKind, type PupilField } from './columns.js';
import { ImportFileError } from './errors.js';
import { enqueueEvaluateForImport } from './evaluate.js';
import { postgresFileStore, type FileStore } from './file-store.js';
import {
  ENROLMENT_STAGING, ENROLMENT_STAGING_COLUMNS, applyEnrolments, checkEnrolments, createEnrolmentStaging, sealedEnrolmentLine,
} from './merge-enrolments.js';
import {
  PUPIL_STAGING, PUPIL_STAGING_COLUMNS, applyPupils, checkPupils, createPupilStaging, sealedPupilLine, stagePupil,
  type MergeCounts, type PupilLookups, type StagedPupil,
} from './merge-pupils.js';
import { enrolmentRowMapper, pupilRowMapper, type EnrolmentRow, type RowError } from './rows.js';
import { SealingQueue, inlineSealer, threadSealer, type IdentifierSealer } from './sealing.js';
import { CopyWriter, MAX_REPORTED_REJECTIONS, prepareSession, tuneTransaction, type Rejections } from './staging.js';
import { openTable, type Table } from './table.js';

/**
 * The import job: stream the stored file through the parser into a staging table inside one
 * transaction, merge it set-based, and record the outcome. Safe to retry: a crash rolls the
 * transaction back and the next attempt starts from a clean slate; an import already done is
 * left alone.
 */

/** Row errors kept per import; all are counted. */
const MAX_STORED_ROW_ERRORS = MAX_REPORTED_REJECTIONS;
const PROGRESS_INTERVAL_MS = 1000;
/** Parsing is most of the work; the last stretch of progress is the merge. */
const PARSE_SHARE = 0.95;
/** From this size a file's identifiers are sealed in a thread beside the parser (sealing.ts). */
export const SEAL_IN_THREAD_BYTES = 1_048_576;

export interface ImportProblem {
  type: string;
  title: string;
  detail?: string;
  missing?: string[];
}

/** The file as a whole cannot be imported; retrying will not help. */
export class InvalidFile extends Error {
  constructor(readonly problem: ImportProblem) {
    super(problem.detail ?? problem.title);
  }
}

function problemOf(kind: 'invalid-file' | 'rows-rejected' | 'internal', detail: string, missing?: string[]): ImportProblem {
  const body = new HttpProblem(kind, detail).toBody();
  return { type: body.type, title: body.title, detail, ...(missing?.length ? { missing } : {}) };
}

export interface ImportRecord {
  id: string;
  kind: ImportKind;
  orgCode: string;
  createdRole: string | null;
  schoolCode: string | null;
  cohort: string | null;
  strict: boolean;
  mapping: Record<string, string | null> | null;
  sizeBytes: number;
}

export interface MatchedFile {
  columns: ColumnMap<string>;
  described: { matched: Record<string, string>; ignored: string[] };
}

/**
 * Decides whether a table can be imported at all, from its header alone: the upload runs this
 * on the stored file so the sender hears at once, the job runs it again before reading rows.
 */
export function matchFile(table: Table, imp: Pick<ImportRecord, 'kind' | 'mapping' | 'schoolCode'>): MatchedFile {
  const match = matchColumns(table.headers, imp.kind, imp.mapping ?? undefined);
  if (!match.ok) {
    const { reason, missing, unknownMapping } = match.problem;
    const detail =
      reason === 'unknown_mapping'
        ? `The column mapping names fields or headers that do not exist: ${unknownMapping.join(', ')}`
        : reason === 'no_identifier_column'
          ? `The file has no BSN or onderwijsnummer column; missing: ${missing.join(', ')}`
          : `The file lacks required columns: ${missing.join(', ')}`;
    throw new InvalidFile(problemOf('invalid-file', detail, reason === 'unknown_mapping' ? unknownMapping : missing));
  }
  if (imp.kind === 'leerlingen' && !imp.schoolCode && !match.columns.vestiging) {
    throw new InvalidFile(problemOf('invalid-file', 'The file has no vestiging column: send the school field with the upload', ['vestiging']));
  }
  const matched = Object.fromEntries(Object.entries(match.columns).map(([field, column]) => [field, column!.header]));
  return { columns: match.columns, described: { matched, ignored: match.ignored } };
}

export function fileError(error: ImportFileError): InvalidFile {
  return new InvalidFile(problemOf('invalid-file', error.message));
}

export interface RunOptions {
  /** The last attempt BullMQ will make: a failure now is final and is recorded as such. */
  finalAttempt: boolean;
  /** From this file size the identifiers are sealed in a thread (default SEAL_IN_THREAD_BYTES). */
  sealInThreadFromBytes?: number;
}

export async function runImport(services: Services, importId: string, { finalAttempt, sealInThreadFromBytes = SEAL_IN_THREAD_BYTES }: RunOptions): Promise<void> {
  const { pool } = services.database;
  const store = postgresFileStore(pool);
  const log = services.logger.child({ importId });
  const { rows } = await pool.query<ImportRecord & { status: string; problemType: string | null }>(
    `select id, kind, org_code as "orgCode", created_role as "createdRole", school_code as "schoolCode", cohort, strict,
            mapping, size_bytes as "sizeBytes", status, problem->>'type' as "problemType"
     from imports where id = $1`,
    [importId],
  );
  const imp = rows[0];
  if (!imp) return void log.warn('import job for an import that no longer exists');
  if (imp.status === 'done') {
    // An earlier attempt committed but did not get to tidy up: finish that, and nothing else.
    await store.remove(importId);
    await enqueueEvaluateForImport(services, importId);
    return;
  }
  if (imp.status === 'failed') {
    // Only a failure a re-run could fix keeps its file.
    if (!imp.problemType?.endsWith(':internal')) await store.remove(importId);
    return;
  }

  await pool.query(
    `update imports set status = 'running', started_at = now(), finished_at = null, progress = 0, rows = 0, created = 0,
       updated = 0, unchanged = 0, rejected = 0, warnings = null, problem = null
     where id = $1`,
    [importId],
  );
  await pool.query('delete from import_row_errors where import_id = $1', [importId]);

  try {
    const outcome = await importFile(services, store, imp, log, imp.sizeBytes >= sealInThreadFromBytes);
    await store.remove(importId);
    log.info({ kind: imp.kind, status: outcome.status, ...outcome.counts, ms: outcome.ms }, 'import finished');
    if (outcome.status === 'done') await enqueueEvaluateForImport(services, importId);
  } catch (error) {
    if (error instanceof InvalidFile || error instanceof ImportFileError) {
      const problem = error instanceof InvalidFile ? error.problem : fileError(error).problem;
      await pool.query(
        `update imports set status = 'failed', problem = $2, finished_at = clock_timestamp() where id = $1`,
        [importId, JSON.stringify(problem)],
      );
      await store.remove(importId); // the file held personal data, and a retry would fail the same way
      log.info({ kind: imp.kind, problem: problem.detail }, 'import refused');
      return;
    }
    log.warn({ err: error instanceof Error ? error.message : String(error), finalAttempt }, 'import attempt failed');
    if (finalAttempt) {
      // The stored file is kept: the cause (a database outage) may pass, and an admin can re-run it.
      await pool
        .query(`update imports set status = 'failed', problem = $2, finished_at = clock_timestamp() where id = $1 and status = 'running'`, [
          importId,
          JSON.stringify(problemOf('internal', 'The import could not be completed; the file is kept so it can be run again')),
        ])
        .catch(() => {});
    }
    throw error;
  }
}

interface Outcome {
  status: 'done' | 'failed';
  counts: MergeCounts & { rows: number; rejected: number };
  /** Where the time went, for the log: milliseconds per phase. */
  ms: Record<string, number>;
}

/** Milliseconds per phase, each from the end of the one before. */
function phaseTimer() {
  let last = performance.now();
  const laps: Record<string, number> = {};
  return {
    laps,
    lap(phase: string) {
      const now = performance.now();
      laps[phase] = Math.round(now - last);
      last = now;
    },
  };
}

/** One file's rows on their way to the staging COPY: mapped, checked, and queued for sealing. */
interface Stager {
  /** A promise to wait for when the sealing queue is full, else undefined. */
  row(cells: readonly string[], row: number): Promise<void> | undefined;
  finish(): Promise<void>;
}

type Reject = (errors: RowError[]) => void;

function pupilStager(
  columns: ColumnMap<PupilField>, lookups: PupilLookups, vestigingColumn: string, cohort: string | null,
  sealer: IdentifierSealer, copy: CopyWriter, reject: Reject,
): Stager {
  const map = pupilRowMapper(columns);
  const queue = new SealingQueue<StagedPupil>(sealer, (p, next) => copy.push(sealedPupilLine(p, next, cohort)), () => copy.drain());
  return {
    row(cells, row) {
      const mapped = map(cells, row);
      const staged = mapped.ok ? stagePupil(mapped.value, lookups, vestigingColumn) : mapped;
      if (staged.ok) return queue.add(staged.value, staged.value.identifiers ?? {});
      reject(staged.errors);
      return undefined;
    },
    finish: () => queue.finish(),
  };
}

function enrolmentStager(
  columns: ColumnMap<EnrolmentField>, ownBrin: string | null, brinColumn: string,
  sealer: IdentifierSealer, copy: CopyWriter, reject: Reject,
): Stager {
  const map = enrolmentRowMapper(columns);
  const queue = new SealingQueue<EnrolmentRow>(sealer, (r, next) => copy.push(sealedEnrolmentLine(r, next)), () => copy.drain());
  return {
    row(cells, row) {
      const mapped = map(cells, row);
      if (!mapped.ok) reject(mapped.errors);
      else if (ownBrin && mapped.value.brin !== ownBrin) reject([{ row, column: brinColumn, reason: 'rows must carry your own BRIN' }]);
      else return queue.add(mapped.value, mapped.value.identifiers);
      return undefined;
    },
    finish: () => queue.finish(),
  };
}

async function importFile(services: Services, store: FileStore, imp: ImportRecord, log: Logger, sealInThread: boolean): Promise<Outcome> {
  const { pool } = services.database;
  const timer = phaseTimer();
  const pupilLookups = imp.kind === 'leerlingen' ? await loadPupilLookups(pool, imp) : null;
  const ownBrin = imp.kind === 'inschrijvingen' && imp.createdRole !== 'admin' ? imp.orgCode : null;

  const bytes = { read: 0 };
  const table = await openTable(counted(store.open(imp.id), bytes));
  let file: MatchedFile;
  try {
    file = matchFile(table, imp);
  } catch (error) {
    await table.close();
    throw error;
  }
  await pool.query('update imports set format = $2, encoding = $3, columns = $4 where id = $1', [
    imp.id, table.format, table.encoding ?? null, JSON.stringify(file.described),
  ]);
  const header = (field: string, fallback = field) => file.columns[field]?.header ?? fallback;

  const errors: RowError[] = [];
  let rows = 0;
  let rejected = 0;
  const reject = (rowErrors: RowError[]) => {
    rejected++;
    for (const e of rowErrors) if (errors.length < MAX_STORED_ROW_ERRORS) errors.push(e);
  };
  const progress = progressReporter(pool, imp.id, log);

  const client = await pool.connect();
  let released = false;
  const release = (destroy?: boolean) => {
    if (!released) client.release(destroy);
    released = true;
  };
  let copy: CopyWriter | undefined;
  let sealer: IdentifierSealer | undefined;
  try {
    await prepareSession(client);
    await client.query('begin');
    await tuneTransaction(client);
    if (imp.kind === 'leerlingen') {
      await createPupilStaging(client);
      copy = new CopyWriter(client, PUPIL_STAGING, PUPIL_STAGING_COLUMNS);
    } else {
      await createEnrolmentStaging(client);
      copy = new CopyWriter(client, ENROLMENT_STAGING, ENROLMENT_STAGING_COLUMNS);
    }

    const brinColumn = header('brin');
    // Rows go to COPY once their identifiers are sealed, in a thread of their own for a large file.
    sealer = sealInThread ? threadSealer(services.config.pii) : inlineSealer(services.pii);
    const stage = pupilLookups
      ? pupilStager(file.columns as ColumnMap<PupilField>, pupilLookups, header('vestiging'), imp.cohort, sealer, copy, reject)
      : enrolmentStager(file.columns as ColumnMap<EnrolmentField>, ownBrin, brinColumn, sealer, copy, reject);
    for await (const { row, cells } of table.rows) {
      rows++;
      const full = stage.row(cells, row);
      if (full) await full;
      progress.report((PARSE_SHARE * bytes.read) / imp.sizeBytes, rows, rejected);
    }
    await stage.finish();
    await sealer.close();
    await copy.end();
    await progress.stop();
    timer.lap('parseAndStage');
    if (bytes.read === 0) throw new ImportFileError('empty', 'The stored file is gone; upload it again');

    let merged: Rejections;
    if (imp.kind === 'leerlingen') {
      const identifier = header('bsn', header('onderwijsnummer', 'bsn'));
      merged = await checkPupils(client, { identifier, onderwijsnummer: header('onderwijsnummer', identifier), leerlingnummer: header('leerlingnummer') });
    } else {
      merged = await checkEnrolments(client, { brin: brinColumn, crebo: header('crebo'), onderwijsnummer: header('onderwijsnummer', header('bsn')) });
    }
    timer.lap('check');
    rejected += merged.count;
    errors.push(...merged.errors.slice(0, Math.max(0, MAX_STORED_ROW_ERRORS - errors.length)));
    errors.sort((a, b) => a.row - b.row);

    if (imp.strict && rejected > 0) {
      await client.query('rollback');
      release();
      await pool.query(
        `update imports set status = 'failed', progress = 1, rows = $2, rejected = $3, encoding = $4, problem = $5, finished_at = clock_timestamp()
         where id = $1`,
        [imp.id, rows, rejected, table.encoding ?? null, JSON.stringify(problemOf('rows-rejected', `${rejected} of ${rows} rows are not valid; in strict mode nothing was imported`))],
      );
      await insertRowErrors(pool, imp.id, errors);
      return { status: 'failed', counts: { rows, rejected, created: 0, updated: 0, unchanged: 0 }, ms: timer.laps };
    }

    // Only an import rerun by hand has these; a crashed attempt's rolled back with it.
    await client.query('delete from import_pupils where import_id = $1', [imp.id]);
    let counts: MergeCounts;
    let warnings: Record<string, number>;
    if (imp.kind === 'leerlingen') {
      const { gemeenteUnknown, ...pupils } = await applyPupils(client, imp.id, imp.cohort);
      counts = pupils;
      warnings = gemeenteUnknown ? { gemeenteUnknown } : {};
    } else {
      const { newPupils, ...enrolments } = await applyEnrolments(client, 'import', imp.id);
      counts = enrolments;
      warnings = newPupils ? { newPupils } : {};
    }
    timer.lap('apply');
    // The outcome commits with the data: a retry after this point finds the import done.
    await insertRowErrors(client, imp.id, errors);
    await client.query(
      `update imports set status = 'done', progress = 1, rows = $2, created = $3, updated = $4, unchanged = $5, rejected = $6,
         encoding = $7, warnings = $8, finished_at = clock_timestamp()
       where id = $1`,
      [imp.id, rows, counts.created, counts.updated, counts.unchanged, rejected, table.encoding ?? null, Object.keys(warnings).length ? JSON.stringify(warnings) : null],
    );
    await client.query('commit');
    release();
    timer.lap('commit');
    return { status: 'done', counts: { ...counts, rows, rejected }, ms: timer.laps };
  } catch (error) {
    await progress.stop();
    await sealer?.close();
    copy?.abort(error instanceof Error ? error : new Error('import aborted'));
    await table.close();
    // Dropping the connection rolls the transaction back whatever state COPY left it in.
    release(true);
    throw error;
  }
}

async function* counted(input: AsyncIterable<Buffer>, bytes: { read: number }): AsyncGenerator<Buffer> {
  for await (const chunk of input) {
    bytes.read += chunk.length;
    yield chunk;
  }
}

/** Progress and running counts, written through the pool (outside the transaction) at most once a second. */
function progressReporter(pool: pg.Pool, importId: string, log: Logger) {
  let last = Date.now();
  let pending: Promise<void> | null = null;
  return {
    report(progress: number, rows: number, rejected: number) {
      const now = Date.now();
      if (pending || now - last < PROGRESS_INTERVAL_MS) return;
      last = now;
      pending = pool
        .query('update imports set progress = $2, rows = $3, rejected = $4 where id = $1', [importId, Math.min(progress, PARSE_SHARE), rows, rejected])
        .then(
          () => {},
          (error: unknown) => log.warn({ err: error instanceof Error ? error.message : String(error) }, 'progress update failed'),
        )
        .finally(() => {
          pending = null;
        });
    },
    async stop() {
      last = Infinity;
      await pending;
    },
  };
}

async function insertRowErrors(ex: pg.Pool | pg.PoolClient, importId: string, errors: RowError[]): Promise<void> {
  if (!errors.length) return;
  await ex.query(
    `insert into import_row_errors (import_id, row, "column", reason)
     select $1, * from unnest($2::int[], $3::text[], $4::text[])`,
    [importId, errors.map((e) => e.row), errors.map((e) => e.column), errors.map((e) => e.reason)],
  );
}

async function loadPupilLookups(pool: pg.Pool, imp: ImportRecord): Promise<PupilLookups> {
  const { rows } = await pool.query<{ code: string; kind: string; name: string; parent_code: string | null }>(
    `select code, kind, name, parent_code from organisations where kind in ('vestiging', 'gemeente')`,
  );
  const lower = (s: string) => s.trim().replace(/\s+/g, ' ').toLocaleLowerCase('nl');
  const mayUse = (code: string, parent: string | null) =>
    imp.createdRole === 'admin' || code === imp.orgCode || parent === imp.orgCode;

  const vestigingen = new Map<string, string>();
  const names = new Map<string, string | null>();
  const gemeenteCodes = new Set<string>();
  const gemeenteNames = new Map<string, string>();
  for (const org of rows) {
    if (org.kind === 'gemeente') {
      gemeenteCodes.add(org.code);
      gemeenteNames.set(lower(org.name), org.code);
    } else if (mayUse(org.code, org.parent_code)) {
      vestigingen.set(org.code, org.code);
      const key = lower(org.name);
      names.set(key, names.has(key) ? null : org.code); // a name two vestigingen share decides nothing
    }
  }
  for (const [name, code] of names) if (code && !vestigingen.has(name)) vestigingen.set(name, code);
  return { vestigingen, defaultSchool: imp.schoolCode, gemeenteCodes, gemeenteNames, cohort: imp.cohort };
}
