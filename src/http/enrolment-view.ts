import { z } from 'zod';
import { vvaStatuses } from '../db/schema.js';
import type { pupilEnrolments } from '../db/pupil-queries.js';
import { IsoDate } from './schemas.js';

/** An application or enrolment with every message the mbo sent about it: one shape wherever it is shown. */
const EnrolmentState = z.object({
  status: z.enum(vvaStatuses),
  niveau: z.number().int().nullable(),
  leerweg: z.string().nullable(),
  appliedOn: IsoDate.nullable(),
  startDate: IsoDate.nullable(),
  endDate: IsoDate.nullable(),
  statusDate: IsoDate.nullable(),
});

export const EnrolmentWithHistory = EnrolmentState.extend({
  id: z.uuid(),
  mboBrin: z.string(),
  crebo: z.string(),
  history: z.array(EnrolmentState.extend({ source: z.enum(['api', 'import']), receivedAt: z.iso.datetime() })),
}).meta({ id: 'EnrolmentWithHistory' });

type Loaded = Awaited<ReturnType<typeof pupilEnrolments>>[number];

export function enrolmentView({ enrolment: e, events }: Loaded): z.infer<typeof EnrolmentWithHistory> {
  const state = (s: typeof e | (typeof events)[number]) => ({
    status: s.status,
    niveau: s.niveau,
    leerweg: s.leerweg,
    appliedOn: s.appliedOn,
    startDate: s.startDate,
    endDate: s.endDate,
    statusDate: s.statusDate,
  });
  return {
    id: e.id,
    mboBrin: e.mboBrin,
    crebo: e.crebo,
    ...state(e),
    history: events.map((h) => ({ ...state(h), source: h.source, receivedAt: h.receivedAt.toISOString() })),
  };
}
