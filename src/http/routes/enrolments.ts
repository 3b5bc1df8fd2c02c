import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { vvaStatuses } from '../../db/schema.js';
import { writeEnrolmentBatch } from '../../db/enrolments.js';
import { parseIdentifier } from '../../domain/identifiers.js';
import { BRIN_PATTERN } from '../../domain/organisations.js';
import { enqueueEvaluate } from '../../imports/evaluate.js';
import type { EnrolmentInput } from '../../imports/merge-enrolments.js';
import type { Identifiers, RowError } from '../../imports/rows.js';
import { HttpProblem } from '../problems.js';
import { IsoDate, problems } from '../schemas.js';

const tags = ['enrolments'];
export const MAX_BATCH = 1000;

const Item = z
  .object({
    bsn: z.string().max(20).optional().describe('Give bsn or onderwijsnummer (or both: the pupil got a BSN)'),
    onderwijsnummer: z.string().max(20).optional(),
    brin: z.string().regex(BRIN_PATTERN).describe('The mbo institution; an mbo caller may only send its own'),
    crebo: z.string().regex(/^\d{5}$/).describe('The opleiding (5 digits)'),
    niveau: z.number().int().min(1).max(4).optional(),
    leerweg: z.enum(['BOL', 'BBL']).optional(),
    status: z.enum(vvaStatuses).describe('VVA status, plus uitgeschreven for a deregistration'),
    aanmelddatum: IsoDate.optional(),
    startdatum: IsoDate.optional(),
    einddatum: IsoDate.optional(),
    statusdatum: IsoDate.optional(),
  })
  .strict()
  .meta({ id: 'EnrolmentMessage' });

const Body = z.object({ items: z.array(Item).min(1).max(MAX_BATCH) }).strict();

const Outcome = z.enum(['created', 'updated', 'unchanged']);
const Result = z.object({
  created: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
  items: z.array(z.object({ id: z.uuid().describe('The enrolment'), pupilId: z.uuid(), status: Outcome })).describe('In the order sent'),
});

/** Identifiers of one item, checked as the field they were sent in; errors never repeat the number. */
function identifiersOf(item: z.infer<typeof Item>, row: number, errors: RowError[]): Identifiers {
  const identifiers: Identifiers = {};
  for (const kind of ['bsn', 'onderwijsnummer'] as const) {
    const raw = item[kind];
    if (raw === undefined) continue;
    const parsed = parseIdentifier(raw, kind);
    if (parsed.ok) identifiers[kind] = parsed.id.value;
    else errors.push({ row, column: kind, reason: parsed.reason });
  }
  if (item.bsn === undefined && item.onderwijsnummer === undefined) {
    errors.push({ row, column: 'bsn', reason: 'bsn or onderwijsnummer is required' });
  }
  return identifiers;
}

const routes: FastifyPluginAsyncZod = async (app) => {
  const { services } = app;

  app.post(
    '/enrolments',
    {
      preHandler: app.requireRole('mbo', 'admin'),
      schema: {
        tags,
        description:
          `Applications (aanmeldingen) and enrolments (inschrijvingen) from an mbo institution, up to ${MAX_BATCH} per batch. ` +
          'One record per institution + pupil + crebo: sending it again updates it in place (a field left out keeps ' +
          'its earlier value), and its history gains a row only when something changed, so a retry is harmless. ' +
          'A batch is all or nothing: if any item is rejected, the answer is 422 with errors [{ row, column, reason }] ' +
          '(row = position in items, from 1) and nothing is stored. A pupil not known yet is created from the number.',
        body: Body,
        response: { 200: Result, ...problems(403, 422) },
      },
    },
    async (request) => {
      const caller = request.caller;
      const errors: RowError[] = [];
      const inputs: EnrolmentInput[] = request.body.items.map((item, i) => {
        const row = i + 1;
        const identifiers = identifiersOf(item, row, errors);
        if (caller.role === 'mbo' && item.brin !== caller.org) errors.push({ row, column: 'brin', reason: 'must be your own BRIN' });
        return {
          row, identifiers, brin: item.brin, crebo: item.crebo, niveau: item.niveau, leerweg: item.leerweg, status: item.status,
          aanmelddatum: item.aanmelddatum, startdatum: item.startdatum, einddatum: item.einddatum, statusdatum: item.statusdatum,
        };
      });
      if (errors.length) throw rejected(errors, inputs.length);

      const result = await writeEnrolmentBatch(services.database.pool, services.pii, inputs);
      if (!result.ok) throw rejected(result.errors, inputs.length);

      const pupilIds = [...new Set(result.items.map((i) => i.pupilId))];
      request.audit({ action: 'enrolment.write', resourceType: 'enrolment', pupilIds });
      await enqueueEvaluate(services, [...new Set(result.items.filter((i) => i.action !== 'unchanged').map((i) => i.pupilId))]);
      return {
        ...result.counts,
        items: result.items.map((i) => ({ id: i.enrolmentId, pupilId: i.pupilId, status: i.action })),
      };
    },
  );
};

function rejected(errors: RowError[], total: number): HttpProblem {
  const rows = new Set(errors.map((e) => e.row)).size;
  return new HttpProblem('rows-rejected', `${rows} of ${total} items were rejected; nothing was stored`, { errors });
}

export default routes;
