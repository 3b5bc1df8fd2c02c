import { z } from 'zod';
import type { FastifyBaseLogger } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Caller } from '../../domain/access.js';
import { dossierStatuses } from '../../domain/dossier.js';
import { BRIN_PATTERN, GEMEENTECODE_PATTERN, VESTIGING_PATTERN } from '../../domain/organisations.js';
import type { Destination } from '../../domain/transition.js';
import type { Executor } from '../../db/client.js';
import { dossierHistory } from '../../db/dossiers.js';
import {
  currentIdentifier, findPupil, importHistory, listPupils, pupilEnrolments, setDestination, type PupilRow,
} from '../../db/pupil-queries.js';
import type { Services } from '../../services.js';
import { notFound } from '../problems.js';
import { EnrolmentWithHistory, enrolmentView } from '../enrolment-view.js';
import { Cohort, IdParams, IsoDate, PageQuery, decodeCursor, page, problems, toPage } from '../schemas.js';

const tags = ['pupils'];
const destinations = ['havo_vwo', 'vo', 'buitenland', 'werk', 'vrijstelling', 'overig'] as const satisfies readonly Destination[];
const Time = z.iso.datetime();
const iso = (d: Date | null) => (d ? d.toISOString() : null);

const PupilSummary = z
  .object({
    id: z.uuid(),
    givenName: z.string().nullable(),
    infix: z.string().nullable(),
    surname: z.string().nullable(),
    birthDate: IsoDate.nullable(),
    schoolCode: z.string().nullable(),
    gemeenteCode: z.string().nullable(),
    cohort: z.string().nullable(),
    leerweg: z.string().nullable(),
    destination: z.string().nullable(),
    updatedAt: Time,
  })
  .meta({ id: 'PupilSummary' });

const TimelineEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('import'), at: Time, importId: z.uuid(), kind: z.enum(['leerlingen', 'inschrijvingen']), orgCode: z.string(), action: z.enum(['created', 'updated', 'unchanged']) }),
  z.object({ type: z.literal('dossier_version'), at: Time, dossierId: z.uuid(), version: z.number().int(), status: z.enum(dossierStatuses), by: z.string() }),
  z.object({ type: z.literal('dossier_ontvangen'), at: Time, dossierId: z.uuid(), receivedBy: z.string(), receivedOrg: z.string() }),
]);
type TimelineEvent = z.infer<typeof TimelineEvent>;

const PupilDetail = PupilSummary.extend({
  postcode: z.string().nullable(),
  woonplaats: z.string().nullable(),
  klas: z.string().nullable(),
  profiel: z.string().nullable(),
  examResult: z.string().nullable(),
  hasStartkwalificatie: z.boolean(),
  destinationNote: z.string().nullable(),
  destinationRecordedAt: Time.nullable(),
  identifier: z
    .object({ kind: z.enum(['bsn', 'onderwijsnummer']), last4: z.string().length(4) })
    .nullable()
    .describe('Only the last four digits; the full number is at /identifier for those who may see it'),
  enrolments: z.array(EnrolmentWithHistory),
  timeline: z.array(TimelineEvent).describe('Oldest first'),
}).meta({ id: 'PupilDetail' });

const DestinationBody = z
  .object({
    destination: z.enum(destinations),
    note: z.string().trim().min(1).max(1000).optional(),
    hasStartkwalificatie: z.boolean().optional().describe('e.g. a havo/vwo diploma'),
  })
  .strict();

const summary = (p: PupilRow): z.infer<typeof PupilSummary> => ({
  id: p.id,
  givenName: p.givenName,
  infix: p.infix,
  surname: p.surname,
  birthDate: p.birthDate,
  schoolCode: p.schoolCode,
  gemeenteCode: p.gemeenteCode,
  cohort: p.cohort,
  leerweg: p.leerweg,
  destination: p.destination,
  updatedAt: p.updatedAt.toISOString(),
});

const destinationView = (p: PupilRow) => ({
  pupilId: p.id,
  destination: p.destination,
  note: p.destinationNote,
  hasStartkwalificatie: p.hasStartkwalificatie,
  recordedAt: iso(p.destinationRecordedAt),
});

/**
 * Re-evaluates the pupil's transition now rather than at the nightly check. Redis being away
 * must not fail (or hang) a change that is already stored: the nightly check catches up.
 */
async function enqueueEvaluate(services: Services, log: FastifyBaseLogger, pupilId: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('queue did not answer within 2 s')), 2_000);
  });
  try {
    await Promise.race([services.queues.add('evaluate', { pupilIds: [pupilId] }), timeout]);
  } catch (err) {
    log.warn({ err, pupilId }, 'could not enqueue evaluate; the nightly check will pick the change up');
  } finally {
    clearTimeout(timer);
  }
}

/** Who did what to the pupil's dossiers and which files mentioned them, oldest first. */
async function timeline(ex: Executor, caller: Caller, pupilId: string): Promise<TimelineEvent[]> {
  const [fromImports, versions] = await Promise.all([
    importHistory(ex, caller, pupilId),
    // The mbo sees the dossier's history only from the moment it could read the dossier.
    dossierHistory(ex, pupilId, caller.role === 'mbo'),
  ]);
  const events: TimelineEvent[] = [
    ...fromImports.map((i) => ({ type: 'import' as const, at: i.at.toISOString(), importId: i.importId, kind: i.kind, orgCode: i.orgCode, action: i.action })),
    ...versions.map((v) => ({ type: 'dossier_version' as const, at: v.at.toISOString(), dossierId: v.dossierId, version: v.version, status: v.status, by: v.by })),
  ];
  const receipts = new Map(versions.filter((v) => v.receivedAt).map((v) => [v.dossierId, v]));
  for (const r of receipts.values()) {
    events.push({ type: 'dossier_ontvangen', at: r.receivedAt!.toISOString(), dossierId: r.dossierId, receivedBy: r.receivedBy ?? '', receivedOrg: r.receivedOrg ?? '' });
  }
  return events.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
}

/**
 * Reading pupils, within the caller's scope (404 outside it), and recording a known
 * destination other than mbo. Identifiers never leave except the last four digits, and the
 * full number at one audited, uncached endpoint for the school and admins.
 */
const routes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/pupils',
    {
      schema: {
        tags,
        description: 'Pupils within your scope, newest first. No identifiers.',
        querystring: PageQuery.extend({
          cohort: Cohort.optional(),
          school: z.string().regex(new RegExp(`${VESTIGING_PATTERN.source}|${BRIN_PATTERN.source}`)).optional().describe('A vestiging, or a BRIN for all its vestigingen'),
          gemeente: z.string().regex(GEMEENTECODE_PATTERN).optional(),
        }),
        response: { 200: page(PupilSummary), ...problems() },
      },
    },
    async (request) => {
      const { limit, cursor, cohort, school, gemeente } = request.query;
      const rows = await listPupils(app.db, request.caller, { cohort, school, gemeente }, limit, decodeCursor(cursor));
      const result = toPage(rows, limit, (r) => ({ at: r.cursorAt, id: r.pupil.id }), (r) => summary(r.pupil));
      request.audit({ action: 'pupil.list', resourceType: 'pupil', pupilIds: result.items.map((p) => p.id) });
      return result;
    },
  );

  app.get(
    '/pupils/:id',
    {
      schema: {
        tags,
        description: 'The pupil with applications/enrolments and a timeline (imports, dossier versions, receipt).',
        params: IdParams,
        response: { 200: PupilDetail, ...problems(404) },
      },
    },
    async (request) => {
      const { caller } = request;
      const pupil = await findPupil(app.db, caller, request.params.id);
      if (!pupil) throw notFound('pupil');
      const [identifier, enrolments, events] = await Promise.all([
        currentIdentifier(app.db, pupil.id),
        pupilEnrolments(app.db, caller, pupil.id),
        timeline(app.db, caller, pupil.id),
      ]);
      request.audit({ action: 'pupil.read', resourceType: 'pupil', resourceId: pupil.id, pupilIds: [pupil.id] });
      return {
        ...summary(pupil),
        postcode: pupil.postcode,
        woonplaats: pupil.woonplaats,
        klas: pupil.klas,
        profiel: pupil.profiel,
        examResult: pupil.examResult,
        hasStartkwalificatie: pupil.hasStartkwalificatie,
        destinationNote: pupil.destinationNote,
        destinationRecordedAt: iso(pupil.destinationRecordedAt),
        identifier: identifier ? { kind: identifier.kind, last4: app.services.pii.decrypt(identifier.cipher, identifier.kind).slice(-4) } : null,
        enrolments: enrolments.map(enrolmentView),
        timeline: events,
      };
    },
  );

  app.get(
    '/pupils/:id/identifier',
    {
      preHandler: app.requireRole('mentor', 'admin'),
      schema: {
        tags,
        description: 'The full BSN (or onderwijsnummer), for the school and admins who must see it back. Audited; never cached.',
        params: IdParams,
        response: { 200: z.object({ kind: z.enum(['bsn', 'onderwijsnummer']), value: z.string() }), ...problems(403, 404) },
      },
    },
    async (request, reply) => {
      const pupil = await findPupil(app.db, request.caller, request.params.id);
      const identifier = pupil && (await currentIdentifier(app.db, pupil.id));
      if (!pupil || !identifier) throw notFound('pupil');
      request.audit({ action: 'pupil.identifier.read', resourceType: 'pupil', resourceId: pupil.id, pupilIds: [pupil.id] });
      return reply
        .header('cache-control', 'no-store')
        .send({ kind: identifier.kind, value: app.services.pii.decrypt(identifier.cipher, identifier.kind) });
    },
  );

  const DestinationView = z.object({
    pupilId: z.uuid(),
    destination: z.string().nullable(),
    note: z.string().nullable(),
    hasStartkwalificatie: z.boolean(),
    recordedAt: Time.nullable(),
  });

  app.put(
    '/pupils/:id/destination',
    {
      preHandler: app.requireRole('mentor', 'admin'),
      schema: {
        tags,
        description: 'Records a known destination other than mbo (havo/vwo, other vo, abroad, work, vrijstelling, other).',
        params: IdParams,
        body: DestinationBody,
        response: { 200: DestinationView, ...problems(403, 404) },
      },
    },
    async (request) => {
      const { destination, note, hasStartkwalificatie } = request.body;
      const pupil = await setDestination(app.db, request.caller, request.params.id, { destination, note: note ?? null, hasStartkwalificatie });
      if (!pupil) throw notFound('pupil');
      request.audit({ action: 'pupil.destination.update', resourceType: 'pupil', resourceId: pupil.id, pupilIds: [pupil.id] });
      await enqueueEvaluate(app.services, request.log, pupil.id);
      return destinationView(pupil);
    },
  );

  app.delete(
    '/pupils/:id/destination',
    {
      preHandler: app.requireRole('mentor', 'admin'),
      schema: { tags, description: 'Clears the known destination.', params: IdParams, response: { 204: z.null(), ...problems(403, 404) } },
    },
    async (request, reply) => {
      const pupil = await setDestination(app.db, request.caller, request.params.id, { destination: null, note: null });
      if (!pupil) throw notFound('pupil');
      request.audit({ action: 'pupil.destination.clear', resourceType: 'pupil', resourceId: pupil.id, pupilIds: [pupil.id] });
      await enqueueEvaluate(app.services, request.log, pupil.id);
      return reply.status(204).send(null);
    },
  );
};
export default routes;
