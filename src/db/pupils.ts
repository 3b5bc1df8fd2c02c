import { inArray, sql } from 'drizzle-orm';
import type { PupilIdentifier } from '../domain/identifiers.js';
import type { Pii } from '../privacy/pii.js';
import type { Executor } from './client.js';
import { pupilIdentifiers, pupils } from './schema.js';

/**
 * Finds pupils by BSN or onderwijsnummer (through their HMAC digests), creating a bare pupil
 * for each unknown number when `create` is set (an mbo may enrol a pupil before the vmbo
 * export arrives; the export then fills the record in). Set-based: three statements for any
 * number of identifiers. Returns digest (hex) -> pupil id.
 */
export async function resolvePupils(
  ex: Executor,
  pii: Pii,
  ids: PupilIdentifier[],
  { create }: { create: boolean },
): Promise<Map<string, string>> {
  const wanted = new Map(ids.map((id) => [pii.hmac(id.value).toString('hex'), id]));
  const found = new Map<string, string>();
  if (!wanted.size) return found;
  const digests = [...wanted.keys()].map((h) => Buffer.from(h, 'hex'));
  for (const row of await ex
    .select({ hmac: pupilIdentifiers.hmac, pupilId: pupilIdentifiers.pupilId })
    .from(pupilIdentifiers)
    .where(inArray(pupilIdentifiers.hmac, digests))) {
    found.set(row.hmac.toString('hex'), row.pupilId);
  }
  const missing = [...wanted.entries()].filter(([h]) => !found.has(h));
  if (!create || !missing.length) return found;

  const created = await ex
    .insert(pupils)
    .values(missing.map(() => ({})))
    .returning({ id: pupils.id });
  // ON CONFLICT: another request created the same pupil meanwhile; theirs wins, ours is removed.
  const inserted = await ex
    .insert(pupilIdentifiers)
    .values(missing.map(([h, id], i) => ({ hmac: Buffer.from(h, 'hex'), pupilId: created[i]!.id, kind: id.kind, cipher: pii.encrypt(id) })))
    .onConflictDoNothing()
    .returning({ hmac: pupilIdentifiers.hmac, pupilId: pupilIdentifiers.pupilId });
  for (const row of inserted) found.set(row.hmac.toString('hex'), row.pupilId);
  const orphans = created.map((c) => c.id).filter((id) => !inserted.some((r) => r.pupilId === id));
  if (orphans.length) {
    await ex.delete(pupils).where(inArray(pupils.id, orphans));
    const raced = missing.map(([h]) => Buffer.from(h, 'hex')).filter((h) => !found.has(h.toString('hex')));
    for (const row of await ex.select().from(pupilIdentifiers).where(inArray(pupilIdentifiers.hmac, raced))) {
      found.set(row.hmac.toString('hex'), row.pupilId);
    }
  }
  return found;
}

/** The identifier to show back to an authorised caller: the BSN when known, else the onderwijsnummer. */
export const currentIdentifierOrder = sql`case ${pupilIdentifiers.kind} when 'bsn' then 0 else 1 end`;
