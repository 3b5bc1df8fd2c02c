import { z } from 'zod';
import { and, desc, eq, gte, sql } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { beforeCursor, cursorTime } from '../../db/keyset.js';
import { auditLog } from '../../db/schema.js';
import { PageQuery, decodeCursor, page, problems, toPage } from '../schemas.js';

const AuditEntry = z
  .object({
    id: z.number().int(),
    at: z.iso.datetime(),
    actorSub: z.string(),
    actorRole: z.string(),
    actorOrg: z.string(),
    action: z.string().describe('resource.verb, e.g. pupil.read, dossier.receive'),
    resourceType: z.string(),
    resourceId: z.string().nullable(),
    pupilIds: z.array(z.uuid()),
    requestId: z.string().nullable(),
  })
  .meta({ id: 'AuditEntry' });

/**
 * The audit log, for admins: who read or changed which pupil's data. The log names pupils
 * only by their ids, so reading it is not itself a read of pupil data and is not audited.
 */
const routes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/audit',
    {
      preHandler: app.requireRole('admin'),
      schema: {
        tags: ['audit'],
        description: 'Audit entries, newest first.',
        querystring: PageQuery.extend({
          pupilId: z.uuid().optional().describe('Entries that touched this pupil'),
          actor: z.string().max(200).optional().describe('The token subject'),
          action: z.string().max(100).optional(),
          since: z.iso.datetime({ offset: true }).optional(),
        }),
        response: { 200: page(AuditEntry), ...problems(403) },
      },
    },
    async (request) => {
      const { limit, cursor, pupilId, actor, action, since } = request.query;
      const rows = await app.db
        .select({ entry: auditLog, cursorAt: cursorTime(auditLog.at) })
        .from(auditLog)
        .where(
          and(
            // Written as containment so the GIN index on pupil_ids serves it.
            pupilId ? sql`${auditLog.pupilIds} @> ARRAY[${pupilId}]::uuid[]` : undefined,
            actor ? eq(auditLog.actorSub, actor) : undefined,
            action ? eq(auditLog.action, action) : undefined,
            since ? gte(auditLog.at, new Date(since)) : undefined,
            beforeCursor(auditLog.at, auditLog.id, decodeCursor(cursor), 'bigint'),
          ),
        )
        .orderBy(desc(auditLog.at), desc(auditLog.id))
        .limit(limit + 1);
      return toPage(
        rows,
        limit,
        (r) => ({ at: r.cursorAt, id: String(r.entry.id) }),
        ({ entry: e }) => ({
          id: e.id,
          at: e.at.toISOString(),
          actorSub: e.actorSub,
          actorRole: e.actorRole,
          actorOrg: e.actorOrg,
          action: e.action,
          resourceType: e.resourceType,
          resourceId: e.resourceId,
          pupilIds: e.pupilIds,
          requestId: e.requestId,
        }),
      );
    },
  );
};
export default routes;
