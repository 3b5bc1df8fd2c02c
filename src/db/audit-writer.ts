import type { Db } from './client.js';
import { auditLog } from './schema.js';

export type AuditRow = typeof auditLog.$inferInsert;

interface Waiting {
  rows: AuditRow[];
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Group commit for the audit log. A request's records are inserted at once when no insert is
 * under way; the records of requests arriving meanwhile wait and go together in the next one.
 * Every request still waits until its own records are committed (no pupil data leaves the
 * service unaudited), but under load many requests share one insert and one commit, which
 * otherwise cost PostgreSQL more than the read they audit.
 */
export class AuditWriter {
  private queue: Waiting[] = [];
  private writing = false;

  constructor(
    private readonly db: Db,
    /** Rows per insert at most (8 parameters a row; PostgreSQL takes 65,535). */
    private readonly maxRows = 1000,
  ) {}

  write(rows: AuditRow[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ rows, resolve, reject });
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    while (this.queue.length > 0) {
      const batch = this.take();
      try {
        await this.db.insert(auditLog).values(batch.flatMap((w) => w.rows));
        for (const w of batch) w.resolve();
      } catch (error) {
        for (const w of batch) w.reject(error);
      }
    }
    this.writing = false;
  }

  private take(): Waiting[] {
    let rows = 0;
    let n = 0;
    while (n < this.queue.length && (n === 0 || rows + this.queue[n]!.rows.length <= this.maxRows)) rows += this.queue[n++]!.rows.length;
    return this.queue.splice(0, n);
  }
}
