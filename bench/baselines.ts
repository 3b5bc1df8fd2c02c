import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import type pg from 'pg';
import { parse } from 'csv-parse';
import { from as copyFrom } from 'pg-copy-streams';
import { EXPORT_HEADER } from './data.js';

/**
 * What the database alone can do, on the same machine and the same rows: the floors the
 * service's figures are set against.
 */

/** Median of a few runs: one slow outlier (a checkpoint, autovacuum) should not set the floor. */
export async function medianOf(runs: number, once: () => Promise<number>): Promise<{ median: number; runs: number[] }> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await once());
  const sorted = [...times].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)]!, runs: times };
}

/** Drops everything up to and including the first newline: the export's title line (and the BOM before it). */
function skipFirstLine(): Transform {
  let skipping = true;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (!skipping) return done(null, chunk);
      const newline = chunk.indexOf(0x0a);
      if (newline === -1) return done();
      skipping = false;
      done(null, chunk.subarray(newline + 1));
    },
  });
}

/**
 * PostgreSQL's own COPY of the export into a bare table with the same columns (all text, no
 * index, no constraint): the file read from disk and streamed over the same kind of connection
 * the service uses. Returns the milliseconds of the best-of-median run and the rows loaded.
 */
export async function copyBaseline(pool: pg.Pool, file: string, runs = 3): Promise<{ ms: number; runs: number[]; rows: number }> {
  const columns = EXPORT_HEADER.map((_, i) => `c${i} text`).join(', ');
  await pool.query(`drop table if exists bench_copy_export; create table bench_copy_export (${columns})`);
  let rows = 0;
  const result = await medianOf(runs, async () => {
    await pool.query('truncate bench_copy_export');
    const client = await pool.connect();
    try {
      const started = performance.now();
      const copy = client.query(copyFrom(`copy bench_copy_export from stdin with (format csv, delimiter ';', header)`));
      await pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), skipFirstLine(), copy);
      const ms = performance.now() - started;
      rows = Number(copy.rowCount);
      return ms;
    } finally {
      client.release();
    }
  });
  await pool.query('drop table bench_copy_export');
  return { ms: result.median, runs: result.runs, rows };
}

/**
 * The read floor of an import: csv-parse, the parser the service uses, with its options, reading
 * the export and nothing else (no decoding checks, mapping, validation or sealing). Runs in
 * this process, which is otherwise idle while it does.
 */
export async function parseFloor(file: string, runs = 3): Promise<{ ms: number; runs: number[]; rows: number }> {
  let rows = 0;
  const result = await medianOf(runs, async () => {
    const started = performance.now();
    const parser = createReadStream(file, { highWaterMark: 1 << 20 }).pipe(
      parse({ delimiter: ';', from_line: 2, relax_column_count: true, relax_quotes: true, skip_empty_lines: false }),
    );
    rows = 0;
    for await (const record of parser as AsyncIterable<string[]>) if (record.length > 1) rows++;
    return performance.now() - started;
  });
  return { ms: result.median, runs: result.runs, rows: rows - 1 }; // minus the header line
}

/**
 * The write floor of an import: the rows the pupil import wrote, inserted again by PostgreSQL
 * alone, from plain tables into `pupils`, `import_pupils` and `pupil_identifiers` emptied
 * (TRUNCATE, rolled back afterwards) so their indexes, constraints and triggers start as a
 * first import finds them. No parsing, validation, sealing or lookups: no import that keeps
 * these tables as they are can be faster. Beside COPY into a bare table it shows how much of
 * the import's ratio the tables themselves take.
 */
export async function writeFloor(pool: pg.Pool, runs = 3): Promise<{ ms: number; runs: number[]; rows: number }> {
  const copies = { bench_floor_pupils: 'pupils', bench_floor_mentions: 'import_pupils', bench_floor_identifiers: 'pupil_identifiers' };
  for (const [copy, table] of Object.entries(copies)) await pool.query(`create table ${copy} as select * from ${table}`);
  const client = await pool.connect();
  let rows = 0;
  try {
    const result = await medianOf(runs, async () => {
      await client.query('begin');
      try {
        await client.query(`truncate ${Object.values(copies).join(', ')} cascade`);
        const started = performance.now();
        // In id order, as the import writes them.
        rows = (await client.query('insert into pupils select * from bench_floor_pupils order by id')).rowCount ?? 0;
        await client.query('insert into import_pupils select * from bench_floor_mentions');
        await client.query('insert into pupil_identifiers select * from bench_floor_identifiers');
        return performance.now() - started;
      } finally {
        await client.query('rollback');
      }
    });
    return { ms: result.median, runs: result.runs, rows };
  } finally {
    client.release();
    await pool.query(`drop table ${Object.keys(copies).join(', ')}`);
  }
}

/**
 * The nightly check by hand: one INSERT ... SELECT of the signals a date in the autumn raises
 * (after the start date only niet_gestart and uitgevallen can arise, with the default start
 * date), found with an anti-join against active enrolments, into a copy of the signals table
 * (same indexes and foreign key). It knows nothing of earlier runs, events, notifications or
 * other cohorts: it is the least work that finds the same pupils and writes the same signals.
 */
export const HAND_WRITTEN_CHECK = `
  insert into bench_signals (pupil_id, kind, cohort, audience, authority, gemeente_code, school_code)
  select p.id, case when f.last_end is not null then 'uitgevallen' else 'niet_gestart' end, p.cohort, 'officer',
    a.authority, p.gemeente_code, p.school_code
  from pupils p
  cross join lateral (
    select case
      when $1::date <= make_date(extract(year from p.birth_date)::int + 16
        + case when extract(month from p.birth_date) >= 8 then 1 else 0 end, 7, 31) then 'leerplicht'
      when p.has_startkwalificatie then null
      when date_part('year', age($1::date, p.birth_date)) < 18 then 'leerplicht'
      when date_part('year', age($1::date, p.birth_date)) < 23 then 'rmc'
    end as authority
  ) a
  left join (
    select e.pupil_id,
      max(e.end_date) filter (where e.status in ('ingeschreven', 'uitgeschreven') and e.start_date <= $1::date and e.end_date <= $1::date) as last_end,
      bool_or(e.status = 'ingeschreven' and (e.start_date is null or e.start_date > $1::date)) as later
    from enrolments e
    where e.applied_on is null or e.applied_on <= $1::date
    group by e.pupil_id
  ) f on f.pupil_id = p.id
  where p.cohort = $2 and p.destination is null and a.authority is not null
    and not exists (
      select 1 from enrolments e
      where e.pupil_id = p.id and (e.applied_on is null or e.applied_on <= $1::date)
        and e.status in ('ingeschreven', 'uitgeschreven') and e.start_date <= $1::date and (e.end_date is null or e.end_date > $1::date))
    and (f.last_end < $3::date or (f.last_end is null and f.later is not true))`;

export interface HandWrittenResult {
  ms: number;
  runs: number[];
  byKind: Record<string, number>;
  /** Signals in one set and not the other (pupil, kind, authority, audience, municipality, school). */
  differences: number;
}

/** Runs the hand-written statement (median of a few) and compares what it wrote with the service's open signals. */
export async function handWrittenCheck(pool: pg.Pool, asOf: string, cohort: string, teldatum: string, runs = 3): Promise<HandWrittenResult> {
  // The same table as the service writes: its indexes, constraints and foreign key, so the
  // ratio measures the check's logic and bookkeeping, not the cost of the signals table itself.
  await pool.query(`drop table if exists bench_signals; create table bench_signals (like signals including all);
    alter table bench_signals add foreign key (pupil_id) references pupils (id) on delete cascade`);
  const result = await medianOf(runs, async () => {
    await pool.query('truncate bench_signals');
    const started = performance.now();
    await pool.query(HAND_WRITTEN_CHECK, [asOf, cohort, teldatum]);
    return performance.now() - started;
  });
  const { rows } = await pool.query<{ kind: string; n: number }>('select kind, count(*)::int as n from bench_signals group by kind');
  const { rows: diff } = await pool.query<{ n: number }>(
    `with mine as (select pupil_id, kind, cohort, audience, authority, gemeente_code, school_code from bench_signals),
          theirs as (select pupil_id, kind, cohort, audience, authority, gemeente_code, school_code from signals
                     where cohort = $1 and status <> 'afgesloten')
     select ((select count(*) from (select * from mine except select * from theirs) a)
           + (select count(*) from (select * from theirs except select * from mine) b))::int as n`,
    [cohort],
  );
  await pool.query('drop table bench_signals');
  return { ms: result.median, runs: result.runs, byKind: Object.fromEntries(rows.map((r) => [r.kind, r.n])), differences: diff[0]!.n };
}

/** EXPLAIN (ANALYZE, BUFFERS) of a statement inside a rolled-back transaction, for the README's findings. */
export async function explainAnalyze(pool: pg.Pool, statement: string, params: unknown[]): Promise<string> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    const { rows } = await client.query<{ 'QUERY PLAN': string }>(`explain (analyze, buffers) ${statement}`, params);
    return rows.map((r) => r['QUERY PLAN']).join('\n');
  } finally {
    await client.query('rollback').catch(() => {});
    client.release();
  }
}
