import { and, asc, desc, eq, inArray, like, sql } from 'drizzle-orm';
import type { Caller } from '../domain/access.js';
import type { Destination } from '../domain/transition.js';
import { isBrin } from '../domain/organisations.js';
import type { Cursor } from '../http/schemas.js';
import type { Executor } from './client.js';
import { beforeCursor, cursorTime } from './keyset.js';
import { currentIdentifierOrder } from './pupils.js';
import { enrolmentEvents, enrolments, importPupils, imports, pupilIdentifiers, pupils } from './schema.js';
import { pupilScope } from './scope.js';

/** Reads of pupil data for the API. Every one takes the caller and goes through pupilScope. */

export type PupilRow = typeof pupils.$inferSelect;

export interface PupilFilter {
  cohort?: string;
  /** A vestiging, or a BRIN for all its vestigingen. */
  school?: string;
  gemeente?: string;
}

export async function listPupils(ex: Executor, caller: Caller, filter: PupilFilter, limit: number, cursor: Cursor | null) {
  const { cohort, school, gemeente } = filter;
  return ex
    .select({ pupil: pupils, cursorAt: cursorTime(pupils.createdAt) })
    .from(pupils)
    .where(
      and(
        pupilScope(caller),
        cohort ? eq(pupils.cohort, cohort) : undefined,
        school ? (isBrin(school) ? like(pupils.schoolCode, `${school}%`) : eq(pupils.schoolCode, school)) : undefined,
        gemeente ? eq(pupils.gemeenteCode, gemeente) : undefined,
        beforeCursor(pupils.createdAt, pupils.id, cursor, 'uuid'),
      ),
    )
    .orderBy(desc(pupils.createdAt), desc(pupils.id))
    .limit(limit + 1);
}

export async function findPupil(ex: Executor, caller: Caller, id: string): Promise<PupilRow | null> {
  const [row] = await ex.select().from(pupils).where(and(eq(pupils.id, id), pupilScope(caller)));
  return row ?? null;
}

/** The number to show back (BSN before onderwijsnummer), still encrypted. */
export async function currentIdentifier(ex: Executor, pupilId: string) {
  const [row] = await ex
    .select({ kind: pupilIdentifiers.kind, cipher: pupilIdentifiers.cipher })
    .from(pupilIdentifiers)
    .where(eq(pupilIdentifiers.pupilId, pupilId))
    .orderBy(currentIdentifierOrder, asc(pupilIdentifiers.createdAt))
    .limit(1);
  return row ?? null;
}

/**
 * A pupil's applications and enrolments with their history. An mbo sees only its own: where
 * else a pupil applied is not another institution's business.
 */
export async function pupilEnrolments(ex: Executor, caller: Caller, pupilId: string) {
  const rows = await ex
    .select()
    .from(enrolments)
    .where(and(eq(enrolments.pupilId, pupilId), caller.role === 'mbo' ? eq(enrolments.mboBrin, caller.org) : undefined))
    .orderBy(asc(enrolments.createdAt), asc(enrolments.id));
  const events = rows.length
    ? await ex
        .select()
        .from(enrolmentEvents)
        .where(inArray(enrolmentEvents.enrolmentId, rows.map((r) => r.id)))
        .orderBy(asc(enrolmentEvents.receivedAt), asc(enrolmentEvents.id))
    : [];
  return rows.map((enrolment) => ({ enrolment, events: events.filter((e) => e.enrolmentId === enrolment.id) }));
}

/** The imports that mentioned the pupil, oldest first; an mbo sees only its own uploads. */
export async function importHistory(ex: Executor, caller: Caller, pupilId: string) {
  return ex
    .select({
      importId: imports.id,
      kind: imports.kind,
      orgCode: imports.orgCode,
      action: importPupils.action,
      at: sql<Date>`coalesce(${imports.finishedAt}, ${imports.createdAt})`.mapWith(imports.createdAt),
    })
    .from(importPupils)
    .innerJoin(imports, eq(imports.id, importPupils.importId))
    .where(and(eq(importPupils.pupilId, pupilId), caller.role === 'mbo' ? eq(imports.orgCode, caller.org) : undefined))
    .orderBy(asc(imports.createdAt));
}

export interface DestinationChange {
  destination: Destination | null;
  note: string | null;
  hasStartkwalificatie?: boolean;
}

/** Records (or with null clears) a known destination other than mbo; null when out of scope. */
export async function setDestination(ex: Executor, caller: Caller, pupilId: string, change: DestinationChange): Promise<PupilRow | null> {
  const [row] = await ex
    .update(pupils)
    .set({
      destination: change.destination,
      destinationNote: change.note,
      destinationRecordedAt: change.destination ? sql`now()` : null,
      ...(change.hasStartkwalificatie !== undefined ? { hasStartkwalificatie: change.hasStartkwalificatie } : {}),
      updatedAt: sql`now()`,
    })
    .where(and(eq(pupils.id, pupilId), pupilScope(caller)))
    .returning();
  return row ?? null;
}
