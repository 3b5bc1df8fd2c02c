import { defineConfig } from 'drizzle-kit';

// Only `drizzle-kit generate` reads this; it needs no database. Migrations are applied by src/db/migrate.ts.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema.ts',
  out: './migrations',
});
