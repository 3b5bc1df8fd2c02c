import { z } from 'zod';
import { and, desc, eq, like, or, sql, type SQL } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Caller } from '../../domain/access.js';
import { isBrin, isVestiging, VESTIGING_PATTERN } from '../../domain/organisations.js';
import { importRowErrors, imports, importStatus, organisations } from '../../db/schema.js';
import { beforeCursor, cursorTime } from '../../db/keyset.js';
import { ImportFileError } from '../../imports/errors.js';
import { enqueueBestEffort } from '../../imports/evaluate.js';
import { postgresFileStore } from '../../imports/file-store.js';
import { InvalidFile, fileError, matchFile } from '../../imports/run-import.js';
import { openTable } from '../../imports/table.js';
import { HttpProblem, forbidden, notFound } from '../problems.js';
import { Cohort, IdParams, PageQuery, Problem, decodeCursor, page, problems, toPage } from '../schemas.js';

const tags = ['imports'];
const KINDS = ['leerlingen', 'inschrijvingen'] as const;
const ERRORS_PAGE = 1000;

const RowError = z.object({ row: z.number().int(), column: z.string(), reason: z.string() });

const ImportView = z
  .object({
    id: z.uuid(),
    kind: z.enum(KINDS),
    status: z.enum(importStatus),
    progress: z.number().min(0).max(1).describe('Share of the file read so far; the last stretch (0.95 to 1) is the merge'),
    orgCode: z.string().describe('The uploading organisation'),
    schoolCode: z.string().nullable().describe('leerlingen: the vestiging of rows without a vestiging column'),
    cohort: z.string().nullable(),
    strict: z.boolean(),
    filename: z.string().nullable(),
    sizeBytes: z.number().int(),
    format: z.enum(['csv', 'xlsx']).nullable(),
    encoding: z.string().nullable().describe('CSV only: utf-8 or windows-1252, as detected'),
    columns: z
      .object({ matched: z.record(z.string(), z.string()), ignored: z.array(z.string()) })
      .nullable()
      .describe('The header used for each field, and the headers that were not used'),
    counts: z.object({
      rows: z.number().int(),
      created: z.number().int(),
      updated: z.number().int(),
      unchanged: z.number().int(),
      rejected: z.number().int().describe('Rows not stored; see errors'),
    }),
    warnings: z
      .record(z.string(), z.number().int())
      .nullable()
      .describe('Rows stored with a caveat: gemeenteUnknown (rows whose municipality the file did not make known), newPupils (enrolments for pupils no school export named yet)'),
    problem: Problem.nullable().describe('Why the file as a whole failed'),
    createdBy: z.string(),
    createdAt: z.iso.datetime(),
    startedAt: z.iso.datetime().nullable(),
    finishedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'Import' });

const ImportDetail = ImportView.extend({
  errors: z.array(RowError).describe(`Rejected rows, ${ERRORS_PAGE} per page, by row number`),
  errorsNextCursor: z.string().nullable().describe('Pass as ?errorsCursor= for the next page of errors'),
}).meta({ id: 'ImportDetail' });

const Accepted = z.object({ id: z.uuid(), status: z.enum(importStatus) });
const Duplicate = ImportView.extend({ duplicate: z.literal(true).describe('The same file was uploaded before; nothing new was queued') });

const UploadBody = z
  .object({
    kind: z.enum(KINDS).describe('leerlingen (a school\'s pupil export) or inschrijvingen (an mbo\'s applications and enrolments)'),
    cohort: Cohort.optional().describe('leerlingen: school year of leaving, e.g. 2025-2026; else the pupil keeps the known cohort'),
    mode: z.enum(['lenient', 'strict']).optional().describe('strict: one bad row rejects the whole file and nothing is written'),
    mapping: z.string().optional().describe('JSON object field -> header, e.g. {"bsn":"Sofi nr"}; null or "" ignores a field'),
    school: z.string().optional().describe('leerlingen: the vestiging (12AB00) the pupils belong to; admins and BRIN-level mentors, unless the file has a vestiging column'),
    file: z.string().meta({ format: 'binary' }).describe('CSV (; , or tab; UTF-8 or Windows-1252) or XLSX'),
  })
  .describe('multipart/form-data. The fields must come BEFORE the file part.');

const Fields = z
  .object({
    kind: z.enum(KINDS),
    cohort: Cohort.optional(),
    mode: z.enum(['lenient', 'strict']).optional(),
    mapping: z.string().max(8192).optional(),
    school: z.string().regex(VESTIGING_PATTERN, 'must be a vestiging code like 12AB00').optional(),
  })
  .strict();
const Mapping = z.record(z.string().max(100), z.string().max(200).nullable()).refine((m) => Object.keys(m).length <= 50, 'too many entries');

type Row = typeof imports.$inferSelect;
const iso = (d: Date | null) => (d ? d.toISOString() : null);
const view = (r: Row): z.infer<typeof ImportView> => ({
  id: r.id,
  kind: r.kind,
  status: r.status,
  progress: r.progress,
  orgCode: r.orgCode,
  schoolCode: r.schoolCode,
  cohort: r.cohort,
  strict: r.strict,
  filename: r.filename,
  sizeBytes: r.sizeBytes,
  format: r.format === 'csv' || r.format === 'xlsx' ? r.format : null,
  encoding: r.encoding,
  columns: r.columns,
  counts: { rows: r.rows, created: r.created, updated: r.updated, unchanged: r.unchanged, rejected: r.rejected },
  warnings: r.warnings,
  problem: r.problem ? { status: r.problem.type.endsWith('internal') ? 500 : 422, ...r.problem } : null,
  createdBy: r.createdBy,
  createdAt: r.createdAt.toISOString(),
  startedAt: iso(r.startedAt),
  finishedAt: iso(r.finishedAt),
});

/**
 * Which imports a caller sees: those of the own organisation (a BRIN-level mentor also those of
 * its vestigingen, and a vestiging those an admin or its BRIN uploaded for it), only of the kind
 * the role uploads. Others get 404.
 */
function importScope(caller: Caller): SQL {
  const { role, org } = caller;
  if (role === 'admin') return sql`true`;
  if (role === 'mbo') return and(eq(imports.kind, 'inschrijvingen'), eq(imports.orgCode, org))!;
  if (role !== 'mentor') return sql`false`;
  const own = isBrin(org)
    ? or(like(imports.orgCode, `${org}%`), like(imports.schoolCode, `${org}%`))
    : or(eq(imports.orgCode, org), eq(imports.schoolCode, org));
  return and(eq(imports.kind, 'leerlingen'), own)!;
}

const UPLOAD_INCOMPLETE = { type: 'urn:doorstroom:problem:invalid-file', title: 'The file cannot be imported', detail: 'The upload did not complete' };

const routes: FastifyPluginAsyncZod = async (app) => {
  const { services } = app;
  const store = postgresFileStore(services.database.pool);

  /** The form fields, checked against who is uploading: the vestiging rows belong to, or 403. */
  async function uploadOf(caller: Caller, raw: Record<string, string>) {
    const parsed = Fields.safeParse(raw);
    if (!parsed.success) {
      const errors = parsed.error.issues.map((i) => ({ path: i.path.join('.') || 'fields', reason: i.message }));
      throw new HttpProblem('validation-error', errors.map((e) => `${e.path}: ${e.reason}`).join('; '), { errors });
    }
    const fields = parsed.data;
    let mapping: Record<string, string | null> | null = null;
    if (fields.mapping) {
      let json: unknown;
      try {
        json = JSON.parse(fields.mapping);
      } catch {
        throw new HttpProblem('validation-error', 'mapping must be a JSON object of field -> header');
      }
      const checked = Mapping.safeParse(json);
      if (!checked.success) throw new HttpProblem('validation-error', 'mapping must be a JSON object of field -> header');
      mapping = checked.data;
    }
    const allowed = fields.kind === 'leerlingen' ? ['mentor', 'admin'] : ['mbo', 'admin'];
    if (!allowed.includes(caller.role)) throw forbidden(`Uploading ${fields.kind} needs the role ${allowed.join(' or ')}`);
    if (fields.kind === 'inschrijvingen' && (fields.school || fields.cohort)) {
      throw new HttpProblem('validation-error', 'school and cohort apply to kind=leerlingen only');
    }
    let schoolCode: string | null = fields.school ?? null;
    if (caller.role === 'mentor' && isVestiging(caller.org)) {
      if (schoolCode && schoolCode !== caller.org) throw forbidden('You may only import pupils of your own vestiging');
      schoolCode = caller.org;
    } else if (schoolCode) {
      if (caller.role === 'mentor' && !schoolCode.startsWith(caller.org)) throw forbidden('You may only import pupils of your own school');
      const [known] = await app.db
        .select({ code: organisations.code })
        .from(organisations)
        .where(and(eq(organisations.code, schoolCode), eq(organisations.kind, 'vestiging')));
      if (!known) throw new HttpProblem('validation-error', `school ${schoolCode} is not a known vestiging`);
    }
    return { kind: fields.kind, cohort: fields.cohort ?? null, strict: fields.mode === 'strict', mapping, schoolCode };
  }

  /** The import of the same bytes by the same organisation, unless that one failed. */
  async function findDuplicate(orgCode: string, kind: Row['kind'], sha256: Buffer): Promise<Row | undefined> {
    const [row] = await app.db
      .select()
      .from(imports)
      .where(and(eq(imports.orgCode, orgCode), eq(imports.kind, kind), eq(imports.sha256, sha256), sql`${imports.status} <> 'failed'`));
    return row;
  }

  app.post(
    '/imports',
    {
      preValidation: async (request) => {
        if (!request.isMultipart()) throw new HttpProblem('unsupported-media-type', 'Send the file as multipart/form-data');
      },
      preHandler: app.requireRole('mentor', 'mbo', 'admin'),
      schema: {
        tags,
        consumes: ['multipart/form-data'],
        description:
          'Uploads a leerlingvolgsysteem export (kind=leerlingen: Magister, SOMtoday, ParnasSys, ...) or an mbo ' +
          'file of applications and enrolments (kind=inschrijvingen). Send the form fields BEFORE the file part. ' +
          'Answers 202 at once with the import id; the file is parsed in the background (GET the Location for ' +
          'progress, counts and rejected rows). The same file uploaded again answers 200 with the earlier import ' +
          'and duplicate: true. A file that is not a table or lacks required columns is refused at once (422).',
        // The parts are streamed in the handler (fastify sees no body); this schema is for the docs.
        body: z.preprocess((body) => body ?? undefined, UploadBody.optional()),
        response: { 200: Duplicate, 202: Accepted, ...problems(403, 413, 415, 422) },
      },
    },
    async (request, reply) => {
      const caller = request.caller;
      const answerDuplicate = (existing: Row) => {
        request.audit({ action: 'import.create', resourceType: 'import', resourceId: existing.id });
        return reply.status(200).header('location', `/v1/imports/${existing.id}`).send({ ...view(existing), duplicate: true as const });
      };
      const fields: Record<string, string> = {};
      let upload: Awaited<ReturnType<typeof uploadOf>> | undefined;
      let importId: string | undefined;
      let stored: { size: number; sha256: Buffer } | undefined;
      let filename: string | null = null;
      const discard = async () => {
        if (importId) await app.db.delete(imports).where(eq(imports.id, importId));
      };

      try {
        for await (const part of request.parts()) {
          if (part.type === 'field') {
            if (importId) throw new HttpProblem('validation-error', 'Send the form fields before the file part');
            fields[part.fieldname] = String(part.value);
            continue;
          }
          if (part.fieldname !== 'file') {
            part.file.resume();
            throw new HttpProblem('validation-error', 'The file part must be named file');
          }
          upload = await uploadOf(caller, fields).catch((error: unknown) => {
            part.file.resume();
            throw error;
          });
          filename = part.filename ? part.filename.slice(0, 255) : null;
          // Recorded as failed until the bytes are in: an upload that breaks off is never picked up.
          const [row] = await app.db
            .insert(imports)
            .values({
              kind: upload.kind, orgCode: caller.org, schoolCode: upload.schoolCode, cohort: upload.cohort, strict: upload.strict,
              mapping: upload.mapping, filename, sizeBytes: 0, sha256: Buffer.alloc(0),
              status: 'failed', problem: UPLOAD_INCOMPLETE, createdBy: caller.sub, createdRole: caller.role,
            })
            .returning({ id: imports.id });
          importId = row!.id;
          stored = await store.put(importId, part.file);
          if (part.file.truncated) throw new HttpProblem('payload-too-large', `The file is larger than ${services.config.limits.uploadBytes} bytes`);
        }
      } catch (error) {
        await discard();
        throw error;
      }
      if (!upload || !importId || !stored) throw new HttpProblem('validation-error', 'Send the file in a part named file (after the fields)');

      const duplicate = await findDuplicate(caller.org, upload.kind, stored.sha256);
      if (duplicate) {
        await discard();
        return answerDuplicate(duplicate);
      }

      // A quick look at the header, so a wrong file is refused now rather than in the background.
      let described: ReturnType<typeof matchFile>['described'];
      let sniffed: { format: string; encoding: string | null };
      try {
        const table = await openTable(store.open(importId));
        try {
          described = matchFile(table, upload).described;
          sniffed = { format: table.format, encoding: table.encoding ?? null };
        } finally {
          await table.close();
        }
      } catch (error) {
        if (!(error instanceof InvalidFile || error instanceof ImportFileError)) {
          await discard();
          throw error;
        }
        const { problem } = error instanceof InvalidFile ? error : fileError(error);
        await app.db
          .update(imports)
          .set({ sizeBytes: stored.size, sha256: stored.sha256, problem, finishedAt: new Date() })
          .where(eq(imports.id, importId));
        await store.remove(importId);
        throw new HttpProblem('invalid-file', problem.detail, { importId, ...(problem.missing ? { missing: problem.missing } : {}) });
      }

      try {
        await app.db
          .update(imports)
          .set({ status: 'queued', problem: null, sizeBytes: stored.size, sha256: stored.sha256, format: sniffed.format, encoding: sniffed.encoding, columns: described })
          .where(eq(imports.id, importId));
      } catch (error) {
        // The unique index saw a concurrent upload of the same file win the race.
        await discard();
        const raced = await findDuplicate(caller.org, upload.kind, stored.sha256);
        if (!raced) throw error;
        return answerDuplicate(raced);
      }

      // The job id is the import id, so BullMQ never runs one import twice at once.
      await enqueueBestEffort(services, 'import', { importId }, { jobId: importId });
      request.audit({ action: 'import.create', resourceType: 'import', resourceId: importId });
      return reply.status(202).header('location', `/v1/imports/${importId}`).send({ id: importId, status: 'queued' as const });
    },
  );

  app.get(
    '/imports',
    {
      preHandler: app.requireRole('mentor', 'mbo', 'admin'),
      schema: {
        tags,
        description: 'Imports of your organisation, newest first.',
        querystring: PageQuery.extend({ kind: z.enum(KINDS).optional(), status: z.enum(importStatus).optional() }),
        response: { 200: page(ImportView), ...problems(403) },
      },
    },
    async (request) => {
      const { limit, cursor, kind, status } = request.query;
      const rows = await app.db
        .select({ row: imports, cursorAt: cursorTime(imports.createdAt) })
        .from(imports)
        .where(
          and(
            importScope(request.caller),
            kind ? eq(imports.kind, kind) : undefined,
            status ? eq(imports.status, status) : undefined,
            beforeCursor(imports.createdAt, imports.id, decodeCursor(cursor), 'uuid'),
          ),
        )
        .orderBy(desc(imports.createdAt), desc(imports.id))
        .limit(limit + 1);
      return toPage(rows, limit, (r) => ({ at: r.cursorAt, id: r.row.id }), (r) => view(r.row));
    },
  );

  app.get(
    '/imports/:id',
    {
      preHandler: app.requireRole('mentor', 'mbo', 'admin'),
      schema: {
        tags,
        description: 'Status, progress, counts and the rejected rows (row number, column, reason; never the cell value).',
        params: IdParams,
        querystring: z.object({ errorsCursor: z.string().regex(/^\d{1,9}$/).optional().describe('From errorsNextCursor') }),
        response: { 200: ImportDetail, ...problems(403, 404) },
      },
    },
    async (request) => {
      const [row] = await app.db
        .select()
        .from(imports)
        .where(and(eq(imports.id, request.params.id), importScope(request.caller)));
      if (!row) throw notFound('import');
      const offset = Number(request.query.errorsCursor ?? 0);
      const errors = await app.db
        .select({ row: importRowErrors.row, column: importRowErrors.column, reason: importRowErrors.reason })
        .from(importRowErrors)
        .where(eq(importRowErrors.importId, row.id))
        .orderBy(importRowErrors.row, importRowErrors.column, importRowErrors.reason)
        .limit(ERRORS_PAGE + 1)
        .offset(offset);
      const more = errors.length > ERRORS_PAGE;
      return { ...view(row), errors: errors.slice(0, ERRORS_PAGE), errorsNextCursor: more ? String(offset + ERRORS_PAGE) : null };
    },
  );
};
export default routes;
