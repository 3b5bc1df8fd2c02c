import pg from 'pg';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import * as schema from './schema.js';

export type Db = NodePgDatabase<typeof schema>;
/** A transaction or the database itself: repositories take either (`trx ?? db`). */
export type Executor = Db | Parameters<Parameters<Db['transaction']>[0]>[0];

// DATE columns stay ISO strings ('2026-09-01'): a JS Date would shift them by the server's zone.
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);

export interface Database {
  pool: pg.Pool;
  db: Db;
  /**
   * The audit log's writer (src/db/audit-writer.ts) on a connection of its own, taken when first
   * used: a reply waits for its audit record, and queued behind the other requests' reads for a
   * connection of the pool it would wait for one twice.
   */
  auditPool: pg.Pool;
  close(): Promise<void>;
}

function connect(url: string, max: number): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, application_name: 'doorstroom' });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  return pool;
}

export function createDatabase(url: string, max = 10): Database {
  const pool = connect(url, max);
  const auditPool = connect(url, 1);
  return {
    pool,
    db: drizzle(pool, { schema }),
    auditPool,
    close: async () => {
      await Promise.all([pool.end(), auditPool.end()]);
    },
  };
}
