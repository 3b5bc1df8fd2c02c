import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Caller } from '../../domain/access.js';
import { parseCohort, todayIn } from '../../domain/calendar.js';
import { dossierView } from '../../domain/dossier.js';
import { GEMEENTECODE_PATTERN } from '../../domain/organisations.js';
import { monitoringCalendar, transitionStatus, type Destination, type TransitionStatus } from '../../domain/transition.js';
import { relationOf } from '../../db/dossiers.js';
import { signalKinds, signalStatuses, type pupils } from '../../db/schema.js';
import {
  changeSignal, dossiersOf, eventsOf, findSignal, signalScope,
  type SignalRow, type SignalStatus,
} from '../../db/signals.js';
import { pupilEnrolments } from '../../db/pupil-queries.js';
import { SignalPageCache } from '../../db/signal-page-cache.js';
import { HttpProblem, conflict, forbidden, notFound } from '../problems.js';
import { EnrolmentWithHistory, enrolmentView } from '../enrolment-view.js';
import { Cohort, IdParams, IsoDate, PageQuery, decodeCursor, encodeCursor, page, preSerialized, problems } from '../schemas.js';

const tags = ['signals'];
const Time = z.iso.datetime();
const iso = (d: Date | null) => (d ? d.toISOString() : null);
const etag = (s: SignalRow) => `"${s.version}"`;

const transitionStatuses = [
  'niet_aangemeld', 'aangemeld', 'niet_geplaatst', 'geplaatst', 'gestart', 'niet_gestart', 'uitgevallen', 'elders', 'vrijgesteld',
] as const satisfies readonly TransitionStatus[];

/** Why a person closed a signal (the check's own reasons are written by the check only). */
const closeReasons = [
  'ingeschreven', 'elders_onderwijs', 'werk', 'verhuisd', 'buitenland', 'vrijstelling', 'startkwalificatie',
  'zorg_of_dagbesteding', 'onbereikbaar', 'anders',
] as const;

/** What a person may do: take up an open signal, close it, or take a closed one up again. */
const TRANSITIONS: Record<SignalStatus, readonly SignalStatus[]> = {
  open: ['in_behandeling', 'afgesloten'],
  in_behandeling: ['afgesloten'],
  afgesloten: ['in_behandeling'],
};

const SignalSummary = z
  .object({
    id: z.uuid(),
    pupil: z.object({ id: z.uuid(), name: z.string(), birthDate: IsoDate.nullable() }),
    kind: z.enum(signalKinds),
    status: z.enum(signalStatuses),
    audience: z.enum(['school', 'officer', 'both']),
    authority: z.enum(['leerplicht', 'rmc']).nullable().describe('Who is responsible for the pupil, as the check last judged'),
    cohort: z.string(),
    gemeenteCode: z.string().nullable(),
    schoolCode: z.string().nullable(),
    openedAt: Time,
    updatedAt: Time,
    closedAt: Time.nullable(),
    closeReason: z.string().nullable(),
    closedBy: z.string().nullable().describe('Who closed it; null when it closed by itself'),
    version: z.number().int().describe('The ETag'),
  })
  .meta({ id: 'SignalSummary' });

/** The list's body; exported for the tests, as src/db/signal-page.ts writes it past the serializer. */
export const SignalList = page(SignalSummary);

const SignalState = SignalSummary.extend({ note: z.string().nullable() }).meta({ id: 'Signal' });

const SignalEvent = z.object({
  at: Time,
  actor: z.string().nullable().describe('null: the check'),
  action: z.enum(['opened', 'reopened', 'auto_closed', 'status', 'note']),
  fromStatus: z.string().nullable(),
  toStatus: z.string().nullable(),
  reason: z.string().nullable(),
  note: z.string().nullable(),
  checkRunId: z.uuid().nullable(),
});

const SignalDossier = z.object({
  id: z.uuid(),
  schoolCode: z.string(),
  status: z.string(),
  version: z.number().int(),
  finalisedAt: Time.nullable(),
  receivedAt: Time.nullable(),
  sections: z.record(z.string(), z.unknown()).describe('Only the sections this caller may read'),
  hiddenSections: z.array(z.string()),
});

const SignalDetail = SignalState.extend({
  pupil: z.object({
    id: z.uuid(),
    name: z.string(),
    birthDate: IsoDate.nullable(),
    postcode: z.string().nullable(),
    woonplaats: z.string().nullable(),
    gemeenteCode: z.string().nullable(),
    schoolCode: z.string().nullable(),
    cohort: z.string().nullable(),
    destination: z.string().nullable(),
    status: z.enum(transitionStatuses).nullable().describe('transitionStatus today; null without a valid cohort'),
    statusAsOf: IsoDate,
  }),
  enrolments: z.array(EnrolmentWithHistory),
  events: z.array(SignalEvent),
  dossiers: z.array(SignalDossier),
}).meta({ id: 'SignalDetail' });

const Change = z
  .object({
    status: z.enum(signalStatuses).optional(),
    reason: z.enum(closeReasons).optional().describe('Required when closing'),
    note: z.string().trim().min(1).max(2000).optional(),
  })
  .strict()
  .refine((b) => b.status !== undefined || b.note !== undefined, 'send a status, a note, or both');

type PupilRow = typeof pupils.$inferSelect;
const fullName = (p: Pick<PupilRow, 'givenName' | 'infix' | 'surname'>) => [p.givenName, p.infix, p.surname].filter(Boolean).join(' ');

function summary(s: SignalRow, p: Pick<PupilRow, 'givenName' | 'infix' | 'surname' | 'birthDate'>): z.infer<typeof SignalSummary> {
  return {
    id: s.id,
    pupil: { id: s.pupilId, name: fullName(p), birthDate: p.birthDate },
    kind: s.kind,
    status: s.status,
    audience: s.audience,
    authority: s.authority,
    cohort: s.cohort,
    gemeenteCode: s.gemeenteCode,
    schoolCode: s.schoolCode,
    openedAt: s.openedAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
    closedAt: iso(s.closedAt),
    closeReason: s.closeReason,
    closedBy: s.closedBy,
    version: s.version,
  };
}

/** The If-Match version, or 428: a write without it could silently undo a colleague's. */
function expectedVersion(header: string | undefined): number {
  if (!header) throw new HttpProblem('precondition-required');
  const m = /^(?:W\/)?"?(\d+)"?$/.exec(header.trim());
  if (!m) throw new HttpProblem('precondition-failed', 'If-Match must be the ETag of the signal, e.g. "3"');
  return Number(m[1]);
}

/**
 * Casework on signals: officers (their municipality's officer signals) and mentors (their
 * school's school signals) list, read and handle them; admins read all. Every read and change
 * is audited with the pupils it showed.
 */
const routes: FastifyPluginAsyncZod = async (app) => {
  const scopeOf = (caller: Caller) => {
    const scope = signalScope(caller);
    if (!scope) throw forbidden('Signals are for officers, schools and admins');
    return scope;
  };
  const pages = new SignalPageCache(app.services.database.pool, app.services.config.signalListCacheBytes);

  app.get(
    '/signals',
    {
      schema: {
        tags,
        description: 'Signals within your scope, most recently opened first.',
        querystring: PageQuery.extend({
          status: z.enum(signalStatuses).optional(),
          kind: z.enum(signalKinds).optional(),
          gemeente: z.string().regex(GEMEENTECODE_PATTERN).optional(),
          cohort: Cohort.optional(),
          authority: z.enum(['leerplicht', 'rmc']).optional(),
          since: z.union([Time, IsoDate]).optional().describe('Opened at or after this time (a date means its start, UTC)'),
        }),
        response: { 200: SignalList, ...problems(403) },
      },
    },
    async (request, reply) => {
      const { limit, cursor, ...filters } = request.query;
      const { itemsJson, pupilIds, next } = await pages.page({
        scope: scopeOf(request.caller), filters, limit, cursor: decodeCursor(cursor), caller: request.caller,
      });
      request.audit({ action: 'signal.list', resourceType: 'signal', pupilIds });
      const nextCursor = next ? JSON.stringify(encodeCursor(next)) : 'null';
      return reply.type('application/json; charset=utf-8').send(preSerialized(`{"items":${itemsJson},"nextCursor":${nextCursor}}`));
    },
  );

  app.get(
    '/signals/:id',
    {
      schema: {
        tags,
        description: "The signal with the pupil's status today, contact details, enrolment history, every change, and the dossier sections you may read. ETag: the version.",
        params: IdParams,
        response: { 200: SignalDetail, ...problems(403, 404) },
      },
    },
    async (request, reply) => {
      const { caller } = request;
      const found = await findSignal(app.db, scopeOf(caller), request.params.id);
      if (!found) throw notFound('signal');
      const { signal, pupil } = found;
      const [enrolments, events, dossiers] = await Promise.all([
        pupilEnrolments(app.db, request.caller, pupil.id),
        eventsOf(app.db, signal.id),
        dossiersOf(app.db, caller, pupil.id),
      ]);
      const asOf = todayIn(app.services.config.timezone);
      const status = pupil.cohort && parseCohort(pupil.cohort)
        ? transitionStatus(
            {
              birthDate: pupil.birthDate ?? '',
              cohort: pupil.cohort,
              hasStartkwalificatie: pupil.hasStartkwalificatie,
              destination: pupil.destination as Destination | null,
              enrolments: enrolments.map(({ enrolment: e }) => ({ status: e.status, appliedOn: e.appliedOn, startDate: e.startDate, endDate: e.endDate })),
            },
            asOf,
            monitoringCalendar(pupil.cohort, found.regionStartDate),
          )
        : null;
      request.audit({ action: 'signal.read', resourceType: 'signal', resourceId: signal.id, pupilIds: [pupil.id] });
      return reply.header('etag', etag(signal)).send({
        ...summary(signal, pupil),
        note: signal.note,
        pupil: {
          id: pupil.id,
          name: fullName(pupil),
          birthDate: pupil.birthDate,
          postcode: pupil.postcode,
          woonplaats: pupil.woonplaats,
          gemeenteCode: pupil.gemeenteCode,
          schoolCode: pupil.schoolCode,
          cohort: pupil.cohort,
          destination: pupil.destination,
          status,
          statusAsOf: asOf,
        },
        enrolments: enrolments.map(enrolmentView),
        events: events.map((e) => ({
          at: e.at.toISOString(),
          actor: e.actorSub,
          action: e.action,
          fromStatus: e.fromStatus,
          toStatus: e.toStatus,
          reason: e.reason,
          note: e.note,
          checkRunId: e.checkRunId,
        })),
        // Per section, as src/domain/dossier.ts decides: an officer reads support needs and
        // absence only when the dossier marks them shareable with leerplicht.
        dossiers: dossiers.map(({ dossier, content }) => {
          const view = dossierView(caller.role, relationOf(caller), { status: dossier.status, content });
          return {
            id: dossier.id,
            schoolCode: dossier.schoolCode,
            status: dossier.status,
            version: dossier.version,
            finalisedAt: iso(dossier.finalisedAt),
            receivedAt: iso(dossier.receivedAt),
            sections: view.sections as Record<string, unknown>,
            hiddenSections: view.hiddenSections,
          };
        }),
      });
    },
  );

  app.patch(
    '/signals/:id',
    {
      preHandler: app.requireRole('officer', 'mentor'),
      schema: {
        tags,
        description:
          'Moves a signal open -> in_behandeling -> afgesloten (or open -> afgesloten; afgesloten -> in_behandeling takes it up again) and/or adds a note. ' +
          'Closing needs a reason. Requires If-Match with the ETag you read: 428 without, 412 when someone changed the signal since.',
        params: IdParams,
        headers: z.looseObject({ 'if-match': z.string().optional() }),
        body: Change,
        response: { 200: SignalState, ...problems(403, 404, 409, 412, 428) },
      },
    },
    async (request, reply) => {
      const { caller, body } = request;
      const version = expectedVersion(request.headers['if-match']);
      const scope = scopeOf(caller);
      const updated = await app.db.transaction(async (trx) => {
        const found = await findSignal(trx, scope, request.params.id);
        if (!found) throw notFound('signal');
        const current = found.signal;
        if (current.version !== version) {
          throw new HttpProblem('precondition-failed', `The signal is at version ${current.version} now`);
        }
        const target = body.status ?? current.status;
        const changing = target !== current.status;
        if (changing && !TRANSITIONS[current.status].includes(target)) {
          throw conflict(`A signal that is ${current.status} cannot become ${target}`);
        }
        if (changing && target === 'afgesloten' && !body.reason) {
          throw new HttpProblem('validation-error', 'Closing a signal needs a reason', { errors: [{ path: 'body.reason', reason: 'required when closing' }] });
        }
        if (body.reason && !(changing && target === 'afgesloten')) {
          throw new HttpProblem('validation-error', 'A reason is given only when closing', { errors: [{ path: 'body.reason', reason: 'only when closing' }] });
        }
        if (body.reason === 'anders' && !body.note) {
          throw new HttpProblem('validation-error', "Reason 'anders' needs a note", { errors: [{ path: 'body.note', reason: "required with reason 'anders'" }] });
        }
        const row = await changeSignal(trx, current, version, caller.sub, { status: target, reason: body.reason ?? null, note: body.note ?? null });
        if (!row) throw new HttpProblem('precondition-failed', 'The signal changed while you were saving');
        return { row, pupil: found.pupil };
      });
      request.audit({ action: 'signal.update', resourceType: 'signal', resourceId: updated.row.id, pupilIds: [updated.row.pupilId] });
      return reply.header('etag', etag(updated.row)).send({ ...summary(updated.row, updated.pupil), note: updated.row.note });
    },
  );
};
export default routes;
