import { z } from 'zod';
import { and, asc, eq, getTableColumns, gt, sql } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { organisations } from '../../db/schema.js';
import { orgKind } from '../../domain/organisations.js';
import { HttpProblem, notFound } from '../problems.js';
import { problems } from '../schemas.js';

const KINDS = ['vmbo', 'vestiging', 'mbo', 'gemeente', 'regio'] as const;
/** Which code shape each kind of organisation has. */
const CODE_KIND = { vmbo: 'brin', vestiging: 'vestiging', mbo: 'brin', gemeente: 'gemeente', regio: 'region' } as const;
const PARENT_KIND = { vestiging: 'vmbo', gemeente: 'regio' } as const;

const Organisation = z
  .object({
    code: z.string().describe('BRIN (12AB), vestiging (12AB00), gemeentecode (GM0363) or RMC region (RMC05)'),
    kind: z.enum(KINDS),
    name: z.string().min(1).max(200),
    parentCode: z.string().nullable().describe('vestiging -> its vmbo school; gemeente -> its RMC region'),
    checkStartDate: z.string().regex(/^\d{2}-\d{2}$/).nullable().describe('regio only: MM-DD from which niet_gestart is signalled'),
    contactEmail: z.email().nullable(),
  })
  .meta({ id: 'Organisation' });

const OrganisationInput = Organisation.omit({ code: true })
  .partial({ parentCode: true, checkStartDate: true, contactEmail: true })
  .strict();
const CodeParams = z.object({ code: z.string().max(10) });

type Row = typeof organisations.$inferSelect;
const view = (r: Row): z.infer<typeof Organisation> => ({
  code: r.code,
  kind: r.kind,
  name: r.name,
  parentCode: r.parentCode,
  checkStartDate: r.checkStartDate,
  contactEmail: r.contactEmail,
});

/** Organisations are not personal data: every caller may read them, only admins change them. */
const routes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/organisations',
    {
      schema: {
        tags: ['organisations'],
        querystring: z.object({
          kind: z.enum(KINDS).optional(),
          parent: z.string().optional(),
          limit: z.coerce.number().int().min(1).max(500).default(500),
          cursor: z.string().optional().describe('The code to continue after'),
        }),
        response: { 200: z.object({ items: z.array(Organisation), nextCursor: z.string().nullable() }), ...problems() },
      },
    },
    async (request) => {
      const { kind, parent, limit, cursor } = request.query;
      const rows = await app.db
        .select()
        .from(organisations)
        .where(and(kind ? eq(organisations.kind, kind) : undefined, parent ? eq(organisations.parentCode, parent) : undefined, cursor ? gt(organisations.code, cursor) : undefined))
        .orderBy(asc(organisations.code))
        .limit(limit + 1);
      const items = rows.slice(0, limit).map(view);
      return { items, nextCursor: rows.length > limit ? items.at(-1)!.code : null };
    },
  );

  app.get(
    '/organisations/:code',
    { schema: { tags: ['organisations'], params: CodeParams, response: { 200: Organisation, ...problems(404) } } },
    async (request) => {
      const [row] = await app.db.select().from(organisations).where(eq(organisations.code, request.params.code));
      if (!row) throw notFound('organisation');
      return view(row);
    },
  );

  app.put(
    '/organisations/:code',
    {
      preHandler: app.requireRole('admin'),
      schema: {
        tags: ['organisations'],
        description: 'Creates or replaces an organisation (admin).',
        params: CodeParams,
        body: OrganisationInput,
        response: { 200: Organisation, 201: Organisation, ...problems(403, 422) },
      },
    },
    async (request, reply) => {
      const { code } = request.params;
      const input = request.body;
      if (orgKind(code) !== CODE_KIND[input.kind]) {
        throw new HttpProblem('validation-error', `${code} is not a valid code for a ${input.kind}`);
      }
      if (input.checkStartDate && input.kind !== 'regio') {
        throw new HttpProblem('validation-error', 'checkStartDate is set per regio');
      }
      const parentKind = PARENT_KIND[input.kind as keyof typeof PARENT_KIND];
      if (input.parentCode) {
        const [parent] = await app.db.select({ kind: organisations.kind }).from(organisations).where(eq(organisations.code, input.parentCode));
        if (!parent || parent.kind !== parentKind) {
          throw new HttpProblem('validation-error', `parentCode must be an existing ${parentKind ?? 'nothing'} for a ${input.kind}`);
        }
      }
      const values = { ...input, parentCode: input.parentCode ?? null, checkStartDate: input.checkStartDate ?? null, contactEmail: input.contactEmail ?? null };
      const [row] = await app.db
        .insert(organisations)
        .values({ code, ...values })
        .onConflictDoUpdate({ target: organisations.code, set: { ...values, updatedAt: sql`now()` } })
        .returning({ ...getTableColumns(organisations), created: sql<boolean>`xmax = 0` });
      return reply.status(row!.created ? 201 : 200).send(view(row!));
    },
  );
};
export default routes;
