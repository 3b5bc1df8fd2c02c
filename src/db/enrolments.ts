import type pg from 'pg';
import type { Pii } from '../privacy/pii.js';
import {
  ENROLMENT_STAGING, ENROLMENT_STAGING_COLUMNS, applyEnrolments, checkEnrolments, createEnrolmentStaging, enrolmentCopyLine,
  enrolmentOutcomes, type EnrolmentInput, type StagedOutcome,
} from '../imports/merge-enrolments.js';
import type { MergeCounts } from '../imports/merge-pupils.js';
import type { RowError } from '../imports/rows.js';
import { CopyWriter, prepareSession, tuneTransaction } from '../imports/staging.js';

export type BatchResult =
  | { ok: true; counts: MergeCounts; items: StagedOutcome[] }
  | { ok: false; errors: RowError[] };

/**
 * A JSON batch of applications and enrolments, all or nothing: it goes through the same staging
 * table and merge as a file import, in one transaction, and is rolled back when any item is
 * rejected (unknown mbo, two pupils' numbers, the same application twice).
 */
export async function writeEnrolmentBatch(pool: pg.Pool, pii: Pii, inputs: readonly EnrolmentInput[]): Promise<BatchResult> {
  const client = await pool.connect();
  let copy: CopyWriter | undefined;
  try {
    await prepareSession(client);
    await client.query('begin');
    await tuneTransaction(client);
    await createEnrolmentStaging(client);
    copy = new CopyWriter(client, ENROLMENT_STAGING, ENROLMENT_STAGING_COLUMNS);
    for (const input of inputs) if (copy.push(enrolmentCopyLine(pii, input))) await copy.drain();
    await copy.end();
    const rejected = await checkEnrolments(client, { brin: 'brin', crebo: 'crebo', onderwijsnummer: 'onderwijsnummer' });
    if (rejected.count > 0) {
      await client.query('rollback');
      client.release();
      return { ok: false, errors: rejected.errors };
    }
    const { created, updated, unchanged } = await applyEnrolments(client, 'api', null);
    const items = await enrolmentOutcomes(client);
    await client.query('commit');
    client.release();
    return { ok: true, counts: { created, updated, unchanged }, items };
  } catch (error) {
    copy?.abort(error instanceof Error ? error : new Error('batch aborted'));
    client.release(true);
    throw error;
  }
}
