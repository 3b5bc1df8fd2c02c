import type pg from 'pg';
import { Batcher } from './batcher.js';
import type { auditLog } from './schema.js';

/** A record as the writer takes it: the id and time are the database's. */
export type AuditRow = Omit<typeof auditLog.$inferInsert, 'id' | 'at'>;

/**
 * One prepared statement whatever the batch: the rows as one JSON parameter. Built by drizzle,
 * a batch of 50 page reads with their 50 pupil ids each cost the API more than the read.
 */
const insert = {
  name: 'audit_log_insert',
  text: `insert into audit_log (actor_sub, actor_role, actor_org, action, resource_type, resource_id, pupil_ids, request_id)
         select "actorSub", "actorRole", "actorOrg", action, "resourceType", "resourceId", coalesce("pupilIds", '{}'), "requestId"
         from json_to_recordset($1::json) as r("actorSub" text, "actorRole" text, "actorOrg" text, action text,
                                               "resourceType" text, "resourceId" text, "pupilIds" uuid[], "requestId" text)`,
};

/**
 * Group commit for the audit log. Every request still waits until its own records are
 * committed (no pupil data leaves the service unaudited), but under load many requests share
 * one insert and one commit, which otherwise cost PostgreSQL more than the read they audit.
 */
export class AuditWriter {
  private readonly batcher: Batcher<AuditRow[], void>;

  constructor(
    pool: pg.Pool,
    /** Rows per insert at most: a request waits for its whole batch. */
    maxRows = 1000,
  ) {
    this.batcher = new Batcher(async (requests) => {
      await pool.query({ ...insert, values: [JSON.stringify(requests.flat())] });
    }, maxRows, (rows) => rows.length);
  }

  write(rows: AuditRow[]): Promise<void> {
    return this.batcher.add(rows);
  }
}
