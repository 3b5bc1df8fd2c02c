import type { Db } from './client.js';
import { Batcher } from './batcher.js';
import { auditLog } from './schema.js';

export type AuditRow = typeof auditLog.$inferInsert;

/**
 * Group commit for the audit log. Every request still waits until its own records are
 * committed (no pupil data leaves the service unaudited), but under load many requests share
 * one insert and one commit, which otherwise cost PostgreSQL more than the read they audit.
 */
export class AuditWriter {
  private readonly batcher: Batcher<AuditRow[], void>;

  constructor(
    db: Db,
    /** Rows per insert at most (8 parameters a row; PostgreSQL takes 65,535). */
    maxRows = 1000,
  ) {
    this.batcher = new Batcher(async (requests) => {
      await db.insert(auditLog).values(requests.flat());
    }, maxRows, (rows) => rows.length);
  }

  write(rows: AuditRow[]): Promise<void> {
    return this.batcher.add(rows);
  }
}
