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
  close(): Promise<void>;
}

export function createDatabase(url: string, max = 10): Database {
  const pool = new pg.Pool({ connectionString: url, max, application_name: 'doorstroom' });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  const db = drizzle(pool, { schema });
  return { pool, db, close: () => pool.end() };
}
