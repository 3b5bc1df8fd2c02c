import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { isRmcRegion } from '../../domain/organisations.js';
import { flowsReport } from '../../reports/flows.js';
import { todayIn } from '../../domain/calendar.js';
import { monitorReport, STATUSES } from '../../reports/monitor.js';
import { CSV_CONTENT_TYPE, flowsCsv, monitorCsv } from '../../reports/csv.js';
import { flowsSvg, SVG_CONTENT_TYPE } from '../../reports/sankey.js';
import { HttpProblem } from '../problems.js';
import { Cohort, IsoDate, problems } from '../schemas.js';

/**
 * Aggregate reports over a cohort, in the caller's scope (pupilScope), as JSON, CSV or (flows)
 * an SVG Sankey diagram, chosen by the Accept header. Counts under REPORT_MIN_CELL are
 * suppressed for roles that may not see the pupils themselves (src/reports/suppress.ts).
 */

const MEDIA = { json: 'application/json', csv: 'text/csv', svg: 'image/svg+xml' } as const;
type Representation = keyof typeof MEDIA;

/**
 * Picks a representation by the Accept header (RFC 9110 12.5.1): the most specific matching
 * range sets each type's q; the highest q wins, ties go to the order offered (JSON first).
 * No Accept header means JSON; nothing acceptable is a 406.
 */
export function negotiate(accept: string | undefined, offered: readonly Representation[]): Representation {
  if (!accept?.trim()) return offered[0]!;
  const ranges = accept.split(',').flatMap((part) => {
    const [range, ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    if (!range) return [];
    const q = params.find((p) => p.startsWith('q='));
    const quality = q ? Number(q.slice(2)) : 1;
    return Number.isNaN(quality) ? [] : [{ range, quality }];
  });
  let best: { rep: Representation; quality: number } | null = null;
  for (const rep of offered) {
    const [type] = MEDIA[rep].split('/');
    const match =
      ranges.find((r) => r.range === MEDIA[rep]) ??
      ranges.find((r) => r.range === `${type}/*`) ??
      ranges.find((r) => r.range === '*/*');
    if (match && match.quality > 0 && (!best || match.quality > best.quality)) best = { rep, quality: match.quality };
  }
  if (!best) {
    throw new HttpProblem('not-acceptable', `This report is available as ${offered.map((r) => MEDIA[r]).join(', ')}`);
  }
  return best.rep;
}

const Count = z.number().int().min(0).nullable().describe('null: fewer pupils than the threshold (suppressed)');
const Region = z
  .string()
  .regex(/^RMC\d{2}$/)
  .refine(isRmcRegion, 'must be an RMC region, RMC01..RMC39')
  .optional()
  .describe('Only pupils living in this RMC region (narrows your scope, never widens it)');

export const FlowsReport = z
  .object({
    cohort: z.string(),
    generatedAt: z.iso.datetime(),
    suppressed: z.boolean().describe('true when at least one count was hidden'),
    minCell: z.number().int().describe('threshold in force for you; 0 = exact counts'),
    nodes: z.array(z.object({ id: z.string(), label: z.string(), side: z.enum(['source', 'target']) })),
    flows: z.array(z.object({ source: z.string(), target: z.string(), count: Count })),
    totals: z.object({
      pupils: Count,
      bySource: z.record(z.string(), Count),
      byTarget: z.record(z.string(), Count),
    }),
  })
  .meta({ id: 'FlowsReport' });

const MonitorRow = z
  .object({
    code: z.string().nullable().describe('vestiging or gemeentecode; null for pupils without a known gemeente, and the totals'),
    name: z.string().nullable(),
    cohortSize: Count,
    aangemeldVoor1April: Count,
    geplaatst: Count.describe('placed, not yet started on asOf'),
    gestart: Count,
    nietGestart: Count,
    uitgevallen: Count,
    statuses: z.record(z.enum(STATUSES), Count).describe('transitionStatus on asOf; adds up to cohortSize'),
    signals: z.object({ open: Count, inBehandeling: Count, afgesloten: z.record(z.string(), Count).describe('per close reason') }),
    dossiers: z.object({
      overgedragen: Count,
      ontvangen: Count,
      overgedragenShare: z.number().min(0).max(1).nullable(),
      ontvangenShare: z.number().min(0).max(1).nullable(),
    }),
  })
  .meta({ id: 'MonitorRow' });

export const MonitorReport = z
  .object({
    cohort: z.string(),
    asOf: IsoDate,
    generatedAt: z.iso.datetime(),
    suppressed: z.boolean(),
    minCell: z.number().int(),
    calendar: z.object({
      aanmelddatum: IsoDate,
      plaatsingsdatum: IsoDate,
      startdatum: IsoDate,
      teldatum: IsoDate,
      monitorUntil: IsoDate,
    }),
    schools: z.array(MonitorRow),
    gemeenten: z.array(MonitorRow),
    totals: MonitorRow,
  })
  .meta({ id: 'MonitorReport' });

const text = (description: string) => ({ schema: z.string().describe(description) });

const routes: FastifyPluginAsyncZod = async (app) => {
  const { minCell } = app.services.config.reports;

  app.get(
    '/reports/flows',
    {
      schema: {
        tags: ['reports'],
        description:
          'Where the leavers of each vmbo vestiging went: counts per vestiging (and leerweg) and destination. ' +
          'Accept: application/json (default), text/csv, or image/svg+xml for a Sankey diagram.',
        querystring: z.object({
          cohort: Cohort,
          by: z.enum(['vestiging', 'leerweg']).default('vestiging'),
          detail: z.enum(['niveau', 'crebo']).default('niveau'),
          region: Region,
        }),
        response: {
          200: {
            description: 'The flows',
            content: {
              [MEDIA.json]: { schema: FlowsReport },
              [MEDIA.csv]: text('One row per flow; `;`-separated, UTF-8 with BOM'),
              [MEDIA.svg]: text('Sankey diagram, one path.band per shown flow'),
            },
          },
          ...problems(406),
        },
      },
    },
    async (request, reply) => {
      const as = negotiate(request.headers.accept, ['json', 'csv', 'svg']);
      const { cohort, by, detail, region } = request.query;
      const report = await flowsReport(app.db, request.caller, { cohort, by, detail, region }, minCell);
      request.audit({ action: 'report.flows', resourceType: 'report', resourceId: cohort });
      reply.header('vary', 'Accept');
      if (as === 'csv') {
        return reply
          .type(CSV_CONTENT_TYPE)
          .header('content-disposition', `attachment; filename="stromen-${cohort}.csv"`)
          .send(flowsCsv(report));
      }
      if (as === 'svg') return reply.type(SVG_CONTENT_TYPE).send(flowsSvg(report));
      // Sent as a string, so the serializer does not re-validate what TypeScript already
      // checked (the line below): a national report by crebo has ~100,000 flows, and checking
      // each against the schema would take a fifth of the one-second budget.
      const body: z.output<typeof FlowsReport> = report;
      return reply.type(MEDIA.json).send(JSON.stringify(body));
    },
  );

  app.get(
    '/reports/monitor',
    {
      schema: {
        tags: ['reports'],
        description:
          'Per school and per municipality: cohort size, applications before 1 April, placed / started / niet ' +
          'gestart / uitgevallen on asOf, signals and dossiers. Accept: application/json (default) or text/csv.',
        querystring: z.object({
          cohort: Cohort,
          asOf: IsoDate.optional().describe('Default: today (Europe/Amsterdam)'),
          region: Region,
        }),
        response: {
          200: {
            description: 'The monitor',
            content: {
              [MEDIA.json]: { schema: MonitorReport },
              [MEDIA.csv]: text('One row per school, per gemeente and the total; `;`-separated, UTF-8 with BOM'),
            },
          },
          ...problems(406),
        },
      },
    },
    async (request, reply) => {
      const as = negotiate(request.headers.accept, ['json', 'csv']);
      const { cohort, region } = request.query;
      const asOf = request.query.asOf ?? todayIn(app.services.config.timezone);
      const report = await monitorReport(app.db, request.caller, { cohort, asOf, region }, minCell);
      request.audit({ action: 'report.monitor', resourceType: 'report', resourceId: cohort });
      reply.header('vary', 'Accept');
      if (as === 'csv') {
        return reply
          .type(CSV_CONTENT_TYPE)
          .header('content-disposition', `attachment; filename="monitor-${cohort}-${asOf}.csv"`)
          .send(monitorCsv(report));
      }
      return reply.type(MEDIA.json).send(report);
    },
  );
};
export default routes;
