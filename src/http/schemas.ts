import { z } from 'zod';
import { HttpProblem } from './problems.js';

/** Schemas every resource uses: problems, ids, pagination. */

export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    errors: z
      .array(z.union([z.object({ row: z.number().int(), column: z.string(), reason: z.string() }), z.object({ path: z.string(), reason: z.string() })]))
      .optional(),
  })
  .catchall(z.unknown())
  .meta({ id: 'Problem', description: 'RFC 9457 problem details (application/problem+json)' });

/** The error responses a route can give, for the docs; the error plugin produces them. */
export function problems(...codes: number[]): Record<number, typeof Problem> {
  return Object.fromEntries([400, 401, ...codes].map((c) => [c, Problem]));
}

export const IdParams = z.object({ id: z.uuid() });
export const IsoDate = z.iso.date().describe('ISO 8601 date, e.g. 2026-09-01');
export const Cohort = z
  .string()
  .regex(/^\d{4}-\d{4}$/)
  .refine((c) => Number(c.slice(5)) === Number(c.slice(0, 4)) + 1, 'must be two consecutive years, e.g. 2025-2026')
  .describe('School year of leaving vmbo, e.g. 2025-2026');

export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(200).optional().describe('Opaque: the nextCursor of the previous page'),
});

export function page<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

/** Keyset cursor over (timestamp desc, id desc): stable while rows are added. */
export interface Cursor {
  at: string;
  id: string;
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.at, c.id])).toString('base64url');
}

export function decodeCursor(raw: string | undefined): Cursor | null {
  if (!raw) return null;
  try {
    const [at, id] = JSON.parse(Buffer.from(raw, 'base64url').toString()) as [string, string];
    if (typeof at === 'string' && typeof id === 'string' && !Number.isNaN(Date.parse(at))) return { at, id };
  } catch {
    // fall through
  }
  throw new HttpProblem('validation-error', 'cursor is not one this API handed out');
}

/**
 * A body already rendered as JSON (src/db/signal-page.ts): fastify sends a string with a JSON content type
 * as it is, past the response serializer, so the route's tests must check it against the schema.
 */
export const preSerialized = (json: string) => json as never;

/** Builds `{ items, nextCursor }` from a query that fetched limit + 1 rows. */
export function toPage<R, T>(rows: R[], limit: number, cursorOf: (row: R) => Cursor, map: (row: R) => T) {
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  const last = items.at(-1);
  return { items: items.map(map), nextCursor: more && last ? encodeCursor(cursorOf(last)) : null };
}
