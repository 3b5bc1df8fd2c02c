import { and, asc, desc, eq, like, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Caller } from '../domain/access.js';
import type { DossierContent } from '../domain/dossier.js';
import { isBrin } from '../domain/organisations.js';
import type { Executor } from './client.js';
import { dossierScope } from './dossiers.js';
import { gemeenteScope } from './scope.js';
import { dossiers, dossierVersions, organisations, pupils, signalEvents, signals, signalStatuses } from './schema.js';

export type SignalRow = typeof signals.$inferSelect;
export type SignalStatus = (typeof signalStatuses)[number];

/** The officer half of an officer's scope, wherever the pupil lives. */
export const forOfficers = sql`${signals.audience} in ('officer', 'both') and (${signals.audience} = 'officer' or ${signals.authority} is not null)`;

/**
 * Which signals a caller works on: an officer those of the own municipality (or region) that
 * are meant for an officer, a mentor those of the own school meant for the school, an admin
 * all. A 'both' signal without an authority has no officer to reach (see signalFor), so it
 * stays with the school. Null for a role that has no signals (the mbo): a 403, not a 404.
 */
export function signalScope(caller: Caller): SQL | null {
  switch (caller.role) {
    case 'admin':
      return sql`true`;
    // The audience tests are literal, as in the partial indexes' predicates, so those are used.
    case 'officer':
      return sql`(${gemeenteScope(caller.org, sql`${signals.gemeenteCode}`)} and ${forOfficers})`;
    case 'mentor':
      return and(
        isBrin(caller.org) ? like(signals.schoolCode, `${caller.org}%`) : eq(signals.schoolCode, caller.org),
        sql`${signals.audience} in ('school', 'both')`,
      )!;
    case 'mbo':
      return null;
  }
}

export interface SignalFilters {
  status?: SignalStatus;
  kind?: SignalRow['kind'];
  gemeente?: string;
  cohort?: string;
  authority?: 'leerplicht' | 'rmc';
  /** Opened at or after this moment. */
  since?: string;
}

const gemeente = alias(organisations, 'gemeente');
const regio = alias(organisations, 'regio');

/** The signal with its pupil and the check start date of the pupil's region. */
export async function findSignal(ex: Executor, scope: SQL, id: string) {
  const [row] = await ex
    .select({ signal: signals, pupil: pupils, regionStartDate: regio.checkStartDate })
    .from(signals)
    .innerJoin(pupils, eq(pupils.id, signals.pupilId))
    .leftJoin(gemeente, eq(gemeente.code, pupils.gemeenteCode))
    .leftJoin(regio, and(eq(regio.code, gemeente.parentCode), eq(regio.kind, 'regio')))
    .where(and(eq(signals.id, id), scope));
  return row ?? null;
}

export async function eventsOf(ex: Executor, signalId: string) {
  return ex.select().from(signalEvents).where(eq(signalEvents.signalId, signalId)).orderBy(asc(signalEvents.at), asc(signalEvents.id));
}

/** The pupil's dossiers the caller may see (dossierScope), each with its latest content. */
export async function dossiersOf(ex: Executor, caller: Caller, pupilId: string) {
  const rows = await ex
    .select({ dossier: dossiers, content: dossierVersions.content })
    .from(dossiers)
    .innerJoin(pupils, eq(pupils.id, dossiers.pupilId))
    .innerJoin(dossierVersions, and(eq(dossierVersions.dossierId, dossiers.id), eq(dossierVersions.version, dossiers.version)))
    .where(and(eq(dossiers.pupilId, pupilId), dossierScope(caller)))
    .orderBy(desc(dossiers.updatedAt));
  return rows.map((r) => ({ dossier: r.dossier, content: r.content as DossierContent }));
}

export interface SignalChangeRequest {
  status: SignalStatus;
  reason: string | null;
  note: string | null;
}

/**
 * A person's change, atomically against the version they read: null when someone else changed
 * the signal first (the caller answers 412). Closing records who closed it, which keeps the
 * check from reopening it; reopening clears the closing.
 */
export async function changeSignal(ex: Executor, current: SignalRow, version: number, actor: string, change: SignalChangeRequest) {
  const statusChanged = change.status !== current.status;
  const closing = statusChanged && change.status === 'afgesloten';
  const reopening = statusChanged && current.status === 'afgesloten';
  const [row] = await ex
    .update(signals)
    .set({
      status: change.status,
      ...(closing ? { closedAt: sql`now()`, closeReason: change.reason, closedBy: actor } : {}),
      ...(reopening ? { closedAt: null, closeReason: null, closedBy: null } : {}),
      ...(change.note !== null ? { note: change.note } : {}),
      version: sql`${signals.version} + 1`,
      updatedAt: sql`now()`,
    })
    .where(and(eq(signals.id, current.id), eq(signals.version, version)))
    .returning();
  if (!row) return null;
  await ex.insert(signalEvents).values(
    statusChanged
      ? { signalId: row.id, actorSub: actor, action: 'status', fromStatus: current.status, toStatus: row.status, reason: closing ? change.reason : null, note: change.note }
      : { signalId: row.id, actorSub: actor, action: 'note', fromStatus: current.status, toStatus: row.status, note: change.note },
  );
  return row;
}
