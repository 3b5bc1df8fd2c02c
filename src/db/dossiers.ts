import { and, asc, desc, eq, inArray, like, lt, sql, type SQL } from 'drizzle-orm';
import type { Caller } from '../domain/access.js';
import {
  sameContent, type DossierContent, type DossierStatus, type Relation,
} from '../domain/dossier.js';
import { parseIdentifier, type PupilIdentifier } from '../domain/identifiers.js';
import { isBrin } from '../domain/organisations.js';
import type { Pii } from '../privacy/pii.js';
import type { Cursor } from '../http/schemas.js';
import type { Executor } from './client.js';
import { beforeCursor, cursorTime } from './keyset.js';
import { resolvePupils } from './pupils.js';
import { dossiers, dossierVersions, pupils } from './schema.js';
import { pupilScope } from './scope.js';

export type DossierRow = typeof dossiers.$inferSelect;
export interface LoadedDossier {
  dossier: DossierRow;
  content: DossierContent;
}

/** A school code within the caller's org: a BRIN covers all its vestigingen. */
function withinOrg(column: typeof dossiers.schoolCode, org: string): SQL {
  return isBrin(org) ? like(column, `${org}%`) : eq(column, org);
}

/**
 * Which dossiers a caller may see, over `dossiers` joined with `pupils`: never more than the
 * pupil scope. A mentor only the own school's dossiers; an mbo only finalised ones, because a
 * dossier must never reach an mbo before it is the school's final word, and pupilScope already
 * limits the mbo to pupils who applied or enrolled there.
 */
export function dossierScope(caller: Caller): SQL {
  const pupilsSeen = pupilScope(caller);
  switch (caller.role) {
    case 'mentor':
      return and(pupilsSeen, withinOrg(dossiers.schoolCode, caller.org))!;
    case 'mbo':
      return and(pupilsSeen, inArray(dossiers.status, ['definitief', 'ontvangen']))!;
    default:
      return pupilsSeen;
  }
}

/** A dossier that passed dossierScope stands in the relation its caller's role implies. */
export function relationOf(caller: Caller): Relation {
  return ({ mentor: 'school', mbo: 'applied', officer: 'woongemeente', admin: 'none' } as const)[caller.role];
}

/** The dossier with its latest content, or null when it does not exist within the caller's scope. */
export async function findDossier(ex: Executor, caller: Caller, id: string, { lock = false } = {}): Promise<LoadedDossier | null> {
  const query = ex
    .select({ dossier: dossiers, content: dossierVersions.content })
    .from(dossiers)
    .innerJoin(pupils, eq(pupils.id, dossiers.pupilId))
    .innerJoin(dossierVersions, and(eq(dossierVersions.dossierId, dossiers.id), eq(dossierVersions.version, dossiers.version)))
    .where(and(eq(dossiers.id, id), dossierScope(caller)));
  // Row lock: two corrections at once must not both become version n+1.
  const [row] = lock ? await query.for('update', { of: dossiers }) : await query;
  return row ? { dossier: row.dossier, content: row.content as DossierContent } : null;
}

export interface VersionChange {
  status: DossierStatus;
  content: DossierContent;
  by: string;
  /** Extra columns of the dossier that change with this version (finalisedAt, the receipt). */
  set?: { finalisedAt?: SQL; receivedAt?: SQL; receivedBy?: string; receivedOrg?: string };
}

/** Every change is a new version: the dossier row moves to it and the version keeps the content. */
export async function appendVersion(ex: Executor, current: DossierRow, change: VersionChange): Promise<DossierRow> {
  const version = current.version + 1;
  await ex.insert(dossierVersions).values({ dossierId: current.id, version, status: change.status, content: change.content, createdBy: change.by });
  const [row] = await ex
    .update(dossiers)
    .set({ version, status: change.status, updatedAt: sql`now()`, ...change.set })
    .where(eq(dossiers.id, current.id))
    .returning();
  return row!;
}

export interface PupilRef {
  bsn?: string;
  onderwijsnummer?: string;
  pupilId?: string;
}

export interface CreateError {
  index: number;
  column: string;
  reason: string;
  kind: 'invalid' | 'unknown' | 'conflict';
  dossierId?: string;
}

export type CreateResult = { ok: true; items: Array<{ dossier: DossierRow; created: boolean }> } | { ok: false; errors: CreateError[] };

const NOT_AT_SCHOOL = 'no such pupil at your school';

/**
 * Creates concept dossiers for pupils of the caller's school, all or nothing. A pupil that
 * already has a dossier from this school with the same content is a retry (answered with the
 * existing dossier); with other content it is a conflict, to be corrected with PUT.
 * Set-based: a fixed number of statements for any number of items.
 */
export async function createDossiers(
  ex: Executor,
  pii: Pii,
  caller: Caller,
  items: Array<{ pupil: PupilRef; content: DossierContent }>,
): Promise<CreateResult> {
  const errors: CreateError[] = [];
  const identifiers: Array<PupilIdentifier | null> = items.map(({ pupil }, index) => {
    const given = pupil.bsn !== undefined ? { kind: 'bsn' as const, raw: pupil.bsn } : pupil.onderwijsnummer !== undefined ? { kind: 'onderwijsnummer' as const, raw: pupil.onderwijsnummer } : null;
    if (!given) return null;
    const parsed = parseIdentifier(given.raw, given.kind);
    if (parsed.ok) return parsed.id;
    errors.push({ index, column: `pupil.${given.kind}`, reason: parsed.reason, kind: 'invalid' });
    return null;
  });
  const digests = await resolvePupils(ex, pii, identifiers.filter((i): i is PupilIdentifier => i !== null), { create: false });
  const candidates = items.map(({ pupil }, i) => {
    const id = identifiers[i];
    return id ? digests.get(pii.hmac(id.value).toString('hex')) : pupil.pupilId;
  });

  const wanted = [...new Set(candidates.filter((id): id is string => id !== undefined))];
  const schoolOf = new Map<string, string>();
  if (wanted.length) {
    for (const row of await ex
      .select({ id: pupils.id, schoolCode: pupils.schoolCode })
      .from(pupils)
      .where(and(inArray(pupils.id, wanted), pupilScope(caller)))) {
      if (row.schoolCode) schoolOf.set(row.id, row.schoolCode);
    }
  }
  const firstRow = new Map<string, number>();
  candidates.forEach((pupilId, index) => {
    if (errors.some((e) => e.index === index)) return;
    if (!pupilId || !schoolOf.has(pupilId)) {
      errors.push({ index, column: 'pupil', reason: NOT_AT_SCHOOL, kind: 'unknown' });
    } else if (firstRow.has(pupilId)) {
      errors.push({ index, column: 'pupil', reason: `the same pupil as row ${firstRow.get(pupilId)! + 1}`, kind: 'invalid' });
    } else {
      firstRow.set(pupilId, index);
    }
  });

  const existing = new Map<string, LoadedDossier>();
  if (firstRow.size) {
    for (const row of await ex
      .select({ dossier: dossiers, content: dossierVersions.content })
      .from(dossiers)
      .innerJoin(dossierVersions, and(eq(dossierVersions.dossierId, dossiers.id), eq(dossierVersions.version, dossiers.version)))
      .where(inArray(dossiers.pupilId, [...firstRow.keys()]))) {
      if (schoolOf.get(row.dossier.pupilId) === row.dossier.schoolCode) existing.set(row.dossier.pupilId, { dossier: row.dossier, content: row.content as DossierContent });
    }
  }
  for (const [pupilId, index] of firstRow) {
    const found = existing.get(pupilId);
    if (found && !sameContent(found.content, items[index]!.content)) {
      errors.push({ index, column: 'pupil', reason: `this pupil has a dossier already: change it with PUT /v1/dossiers/${found.dossier.id}`, kind: 'conflict', dossierId: found.dossier.id });
    }
  }
  if (errors.length) return { ok: false, errors: errors.sort((a, b) => a.index - b.index) };

  const fresh = [...firstRow].filter(([pupilId]) => !existing.has(pupilId));
  const inserted = fresh.length
    ? await ex
        .insert(dossiers)
        .values(fresh.map(([pupilId]) => ({ pupilId, schoolCode: schoolOf.get(pupilId)!, createdBy: caller.sub })))
        // A concurrent request created one meanwhile: skip it here and fail the whole call below.
        .onConflictDoNothing()
        .returning()
    : [];
  if (inserted.length < fresh.length) {
    return { ok: false, errors: fresh.filter(([p]) => !inserted.some((d) => d.pupilId === p)).map(([, index]) => ({ index, column: 'pupil', reason: 'another request created this dossier at the same time; retry', kind: 'conflict' })) };
  }
  const byPupil = new Map(inserted.map((d) => [d.pupilId, d]));
  if (inserted.length) {
    await ex.insert(dossierVersions).values(
      fresh.map(([pupilId, index]) => ({ dossierId: byPupil.get(pupilId)!.id, version: 1, status: 'concept' as const, content: items[index]!.content, createdBy: caller.sub })),
    );
  }
  return {
    ok: true,
    items: candidates.map((pupilId) => {
      const created = byPupil.get(pupilId!);
      return created ? { dossier: created, created: true } : { dossier: existing.get(pupilId!)!.dossier, created: false };
    }),
  };
}

export async function listDossiers(
  ex: Executor,
  caller: Caller,
  filter: { pupilId?: string; status?: DossierStatus },
  limit: number,
  cursor: Cursor | null,
) {
  return ex
    .select({ dossier: dossiers, cursorAt: cursorTime(dossiers.createdAt) })
    .from(dossiers)
    .innerJoin(pupils, eq(pupils.id, dossiers.pupilId))
    .where(
      and(
        dossierScope(caller),
        filter.pupilId ? eq(dossiers.pupilId, filter.pupilId) : undefined,
        filter.status ? eq(dossiers.status, filter.status) : undefined,
        beforeCursor(dossiers.createdAt, dossiers.id, cursor, 'uuid'),
      ),
    )
    .orderBy(desc(dossiers.createdAt), desc(dossiers.id))
    .limit(limit + 1);
}

/** Versions newest first; the cursor is the last version number seen. */
export async function listVersions(ex: Executor, dossierId: string, limit: number, before: number | null) {
  return ex
    .select({ version: dossierVersions.version, status: dossierVersions.status, createdAt: dossierVersions.createdAt, createdBy: dossierVersions.createdBy })
    .from(dossierVersions)
    .where(and(eq(dossierVersions.dossierId, dossierId), before !== null ? lt(dossierVersions.version, before) : undefined))
    .orderBy(desc(dossierVersions.version))
    .limit(limit + 1);
}

/** The versions of a pupil's dossiers, oldest first, for the timeline; `onlyFinal` leaves out what an mbo may not know of. */
export async function dossierHistory(ex: Executor, pupilId: string, onlyFinal: boolean) {
  return ex
    .select({
      dossierId: dossiers.id,
      version: dossierVersions.version,
      status: dossierVersions.status,
      at: dossierVersions.createdAt,
      by: dossierVersions.createdBy,
      receivedAt: dossiers.receivedAt,
      receivedBy: dossiers.receivedBy,
      receivedOrg: dossiers.receivedOrg,
    })
    .from(dossierVersions)
    .innerJoin(dossiers, eq(dossiers.id, dossierVersions.dossierId))
    .where(
      and(
        eq(dossiers.pupilId, pupilId),
        onlyFinal ? inArray(dossiers.status, ['definitief', 'ontvangen']) : undefined,
        onlyFinal ? inArray(dossierVersions.status, ['definitief', 'ontvangen']) : undefined,
      ),
    )
    .orderBy(asc(dossierVersions.createdAt), asc(dossierVersions.version));
}
