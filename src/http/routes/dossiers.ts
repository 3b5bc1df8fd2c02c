import { z } from 'zod';
import { sql } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Caller } from '../../domain/access.js';
import { dossierStatuses, dossierView, isEditable, sameContent, type DossierContent as Content } from '../../domain/dossier.js';
import {
  appendVersion, createDossiers, findDossier, listDossiers, listVersions, relationOf, type CreateError, type DossierRow, type LoadedDossier,
} from '../../db/dossiers.js';
import type { Executor } from '../../db/client.js';
import { Dossier, DossierContent, DossierInput, DossierMeta, DossierVersion, Receipt } from '../dossier-schemas.js';
import { HttpProblem, conflict, notFound } from '../problems.js';
import { IdParams, PageQuery, decodeCursor, page, problems, toPage } from '../schemas.js';

const BATCH_MAX = 200;
const tags = ['dossiers'];

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const etag = (d: DossierRow) => `"v${d.version}"`;

function meta(d: DossierRow): z.infer<typeof DossierMeta> {
  return {
    id: d.id,
    pupilId: d.pupilId,
    schoolCode: d.schoolCode,
    status: d.status,
    version: d.version,
    finalisedAt: iso(d.finalisedAt),
    receipt: d.receivedAt ? { receivedAt: d.receivedAt.toISOString(), receivedBy: d.receivedBy ?? '', receivedOrg: d.receivedOrg ?? '' } : null,
    createdAt: d.createdAt.toISOString(),
    updatedAt: d.updatedAt.toISOString(),
  };
}

/** The dossier as this caller may read it (see visibleSections). */
function view(caller: Caller, { dossier, content }: LoadedDossier): z.infer<typeof Dossier> {
  const { sections, hiddenSections } = dossierView(caller.role, relationOf(caller), { status: dossier.status, content });
  return { ...meta(dossier), sections, hiddenSections };
}

function receipt(d: DossierRow): z.infer<typeof Receipt> {
  return { dossierId: d.id, version: d.version, receivedAt: d.receivedAt!.toISOString(), receivedBy: d.receivedBy!, receivedOrg: d.receivedOrg! };
}

/** One item's errors as the single-dossier form answers them: the most telling one decides the status. */
function singleProblem(errors: CreateError[]): HttpProblem {
  const conflicting = errors.find((e) => e.kind === 'conflict');
  if (conflicting) return conflict(conflicting.reason);
  if (errors.some((e) => e.kind === 'unknown')) return notFound('pupil');
  return new HttpProblem('validation-error', errors.map((e) => `body.${e.column}: ${e.reason}`).join('; '), {
    errors: errors.map((e) => ({ path: `body.${e.column}`, reason: e.reason })),
  });
}

const splitInput = ({ pupil, ...content }: DossierInput) => ({ pupil, content: content as Content });

/**
 * Overdrachtsdossiers: the mentor writes (concept, then definitief, corrections until
 * received), the mbo where the pupil applied reads the final dossier and confirms receipt:
 * the warme overdracht handshake. Every read and write is audited; what a caller reads is
 * decided per section in src/domain/dossier.ts.
 */
const routes: FastifyPluginAsyncZod = async (app) => {
  const { pii } = app.services;

  /** Loads a dossier under a row lock within the caller's scope, or 404. */
  async function locked(tx: Executor, caller: Caller, id: string): Promise<LoadedDossier> {
    const found = await findDossier(tx, caller, id, { lock: true });
    if (!found) throw notFound('dossier');
    return found;
  }

  app.post(
    '/dossiers',
    {
      preHandler: app.requireRole('mentor'),
      schema: {
        tags,
        description: 'Creates a concept dossier for a pupil of your school. Sending the same dossier again answers 200 with the existing one.',
        body: DossierInput,
        response: { 200: Dossier, 201: Dossier, ...problems(403, 404, 409) },
      },
    },
    async (request, reply) => {
      const result = await app.db.transaction((tx) => createDossiers(tx, pii, request.caller, [splitInput(request.body)]));
      if (!result.ok) throw singleProblem(result.errors);
      const { dossier, created } = result.items[0]!;
      // Created or an identical resend: either way the stored content is the content sent.
      const loaded = { dossier, content: splitInput(request.body).content };
      request.audit({ action: created ? 'dossier.create' : 'dossier.read', resourceType: 'dossier', resourceId: dossier.id, pupilIds: [dossier.pupilId] });
      if (created) reply.header('location', `/v1/dossiers/${dossier.id}`);
      return reply.status(created ? 201 : 200).header('etag', etag(loaded.dossier)).send(view(request.caller, loaded));
    },
  );

  app.post(
    '/dossiers/batch',
    {
      preHandler: app.requireRole('mentor'),
      schema: {
        tags,
        description: `Creates up to ${BATCH_MAX} dossiers, all or nothing. Each item is a NewDossier (as POST /v1/dossiers); a rejected batch lists every error as { row, column, reason }.`,
        body: z.object({ items: z.array(z.unknown()).min(1).max(BATCH_MAX) }).strict(),
        response: {
          200: z.object({
            created: z.number().int(),
            unchanged: z.number().int(),
            items: z.array(z.object({ row: z.number().int(), id: z.uuid(), pupilId: z.uuid(), status: z.enum(dossierStatuses), version: z.number().int(), created: z.boolean() })),
          }),
          ...problems(403, 422),
        },
      },
    },
    async (request) => {
      const parsed = request.body.items.map((item) => DossierInput.safeParse(item));
      const invalid = parsed.flatMap((p, i) => (p.success ? [] : p.error.issues.map((issue) => ({ row: i + 1, column: issue.path.join('.') || '(item)', reason: issue.message }))));
      if (invalid.length) throw new HttpProblem('rows-rejected', `${new Set(invalid.map((e) => e.row)).size} of ${parsed.length} dossiers are not valid; nothing was stored`, { errors: invalid });
      const inputs = parsed.map((p) => splitInput(p.data!));
      const result = await app.db.transaction((tx) => createDossiers(tx, pii, request.caller, inputs));
      if (!result.ok) {
        const errors = result.errors.map((e) => ({ row: e.index + 1, column: e.column, reason: e.reason }));
        throw new HttpProblem('rows-rejected', `${new Set(errors.map((e) => e.row)).size} of ${inputs.length} dossiers were rejected; nothing was stored`, { errors });
      }
      const items = result.items.map(({ dossier, created }, i) => ({ row: i + 1, id: dossier.id, pupilId: dossier.pupilId, status: dossier.status, version: dossier.version, created }));
      request.audit({ action: 'dossier.create', resourceType: 'dossier', pupilIds: items.map((i) => i.pupilId) });
      const created = items.filter((i) => i.created).length;
      return { created, unchanged: items.length - created, items };
    },
  );

  app.get(
    '/dossiers',
    {
      schema: {
        tags,
        description: 'Dossiers within your scope, newest first: metadata only; read one for its content.',
        querystring: PageQuery.extend({ pupilId: z.uuid().optional(), status: z.enum(dossierStatuses).optional() }),
        response: { 200: page(DossierMeta), ...problems() },
      },
    },
    async (request) => {
      const { limit, cursor, pupilId, status } = request.query;
      const rows = await listDossiers(app.db, request.caller, { pupilId, status }, limit, decodeCursor(cursor));
      const result = toPage(rows, limit, (r) => ({ at: r.cursorAt, id: r.dossier.id }), (r) => meta(r.dossier));
      request.audit({ action: 'dossier.list', resourceType: 'dossier', pupilIds: [...new Set(result.items.map((i) => i.pupilId))] });
      return result;
    },
  );

  app.get(
    '/dossiers/:id',
    {
      schema: {
        tags,
        description: 'The latest version, with only the sections you may read; hiddenSections names the others.',
        params: IdParams,
        response: { 200: Dossier, ...problems(404) },
      },
    },
    async (request, reply) => {
      const found = await findDossier(app.db, request.caller, request.params.id);
      if (!found) throw notFound('dossier');
      request.audit({ action: 'dossier.read', resourceType: 'dossier', resourceId: found.dossier.id, pupilIds: [found.dossier.pupilId] });
      return reply.header('etag', etag(found.dossier)).send(view(request.caller, found));
    },
  );

  app.put(
    '/dossiers/:id',
    {
      preHandler: app.requireRole('mentor'),
      schema: {
        tags,
        description: 'Replaces the content: a new version, same status. Allowed until the mbo confirmed receipt (then 409). Send If-Match with the ETag you read to avoid overwriting a colleague.',
        params: IdParams,
        headers: z.looseObject({ 'if-match': z.string().optional() }),
        body: DossierContent,
        response: { 200: Dossier, ...problems(403, 404, 409, 412) },
      },
    },
    async (request, reply) => {
      const content: Content = request.body;
      const updated = await app.db.transaction(async (tx) => {
        const current = await locked(tx, request.caller, request.params.id);
        const ifMatch = request.headers['if-match'];
        if (ifMatch && ifMatch !== '*' && ifMatch !== etag(current.dossier)) throw new HttpProblem('precondition-failed', `The dossier is at version ${current.dossier.version} now`);
        if (!isEditable(current.dossier.status)) throw conflict('The mbo confirmed receipt of this dossier; it is read-only now');
        if (sameContent(current.content, content)) return current;
        return { dossier: await appendVersion(tx, current.dossier, { status: current.dossier.status, content, by: request.caller.sub }), content };
      });
      request.audit({ action: 'dossier.update', resourceType: 'dossier', resourceId: updated.dossier.id, pupilIds: [updated.dossier.pupilId] });
      return reply.header('etag', etag(updated.dossier)).send(view(request.caller, updated));
    },
  );

  app.post(
    '/dossiers/:id/definitief',
    {
      preHandler: app.requireRole('mentor'),
      schema: {
        tags,
        description: 'Finalises a concept: a new version with status definitief, from then on readable by the mbo where the pupil applied. Finalising again changes nothing.',
        params: IdParams,
        response: { 200: Dossier, ...problems(403, 404, 409) },
      },
    },
    async (request, reply) => {
      const final = await app.db.transaction(async (tx) => {
        const current = await locked(tx, request.caller, request.params.id);
        if (current.dossier.status === 'ontvangen') throw conflict('The mbo confirmed receipt of this dossier already');
        if (current.dossier.status === 'definitief') return current;
        const dossier = await appendVersion(tx, current.dossier, { status: 'definitief', content: current.content, by: request.caller.sub, set: { finalisedAt: sql`now()` } });
        return { dossier, content: current.content };
      });
      request.audit({ action: 'dossier.finalise', resourceType: 'dossier', resourceId: final.dossier.id, pupilIds: [final.dossier.pupilId] });
      return reply.header('etag', etag(final.dossier)).send(view(request.caller, final));
    },
  );

  app.post(
    '/dossiers/:id/ontvangen',
    {
      preHandler: app.requireRole('mbo'),
      schema: {
        tags,
        description: 'The warme overdracht handshake: the mbo where the pupil applied or enrolled confirms receipt of the definitive dossier. A repeat by the same mbo answers 200 with the existing receipt.',
        params: IdParams,
        response: { 200: Receipt, 201: Receipt, ...problems(403, 404, 409) },
      },
    },
    async (request, reply) => {
      const { caller } = request;
      const { dossier, created } = await app.db.transaction(async (tx) => {
        const current = await locked(tx, caller, request.params.id);
        if (current.dossier.status === 'ontvangen') {
          if (current.dossier.receivedOrg !== caller.org) throw conflict('Another institution confirmed receipt of this dossier');
          return { dossier: current.dossier, created: false };
        }
        // The database clock, like the version's own time: the timeline orders them.
        const set = { receivedAt: sql`now()`, receivedBy: caller.sub, receivedOrg: caller.org };
        return { dossier: await appendVersion(tx, current.dossier, { status: 'ontvangen', content: current.content, by: caller.sub, set }), created: true };
      });
      request.audit({ action: 'dossier.receive', resourceType: 'dossier', resourceId: dossier.id, pupilIds: [dossier.pupilId] });
      return reply.status(created ? 201 : 200).send(receipt(dossier));
    },
  );

  app.get(
    '/dossiers/:id/versions',
    {
      preHandler: app.requireRole('mentor', 'admin'),
      schema: {
        tags,
        description: 'Every version of the dossier, newest first (who and when; no content).',
        params: IdParams,
        querystring: PageQuery,
        response: { 200: page(DossierVersion), ...problems(403, 404) },
      },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      const found = await findDossier(app.db, request.caller, request.params.id);
      if (!found) throw notFound('dossier');
      const after = decodeCursor(cursor);
      const rows = await listVersions(app.db, found.dossier.id, limit, after ? Number(after.id) || 0 : null);
      request.audit({ action: 'dossier.versions.read', resourceType: 'dossier', resourceId: found.dossier.id, pupilIds: [found.dossier.pupilId] });
      return toPage(
        rows,
        limit,
        (r) => ({ at: r.createdAt.toISOString(), id: String(r.version) }),
        (r) => ({ version: r.version, status: r.status, createdAt: r.createdAt.toISOString(), createdBy: r.createdBy }),
      );
    },
  );
};
export default routes;
