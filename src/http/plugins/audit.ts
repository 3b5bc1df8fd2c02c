import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { AuditWriter } from '../../db/audit-writer.js';

export interface AuditEntry {
  /** What happened, as `resource.verb`: `pupil.read`, `pupil.list`, `dossier.update`, ... */
  action: string;
  resourceType: string;
  resourceId?: string | null;
  pupilIds?: string[];
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Records that this request read or changed pupil data; written before the reply is sent. */
    audit(entry: AuditEntry): void;
    auditEntries: AuditEntry[] | null;
  }
}

/**
 * Audit as one hook, not code in every handler: a handler says what it touched and the
 * onSend hook writes it. The reply waits for that write, so no pupil data leaves the service
 * unaudited; failed requests (4xx/5xx) showed no data and are not audited. Concurrent
 * requests share inserts and commits (src/db/audit-writer.ts).
 */
export default fp(async function audit(app: FastifyInstance) {
  const writer = new AuditWriter(app.services.database.auditPool);
  app.decorateRequest('auditEntries', null);
  app.decorateRequest('audit', function (this: { auditEntries: AuditEntry[] | null }, entry: AuditEntry) {
    (this.auditEntries ??= []).push(entry);
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const entries = request.auditEntries;
    if (!entries?.length || reply.statusCode >= 400) return payload;
    const { sub, role, org } = request.caller;
    await writer.write(
      entries.map((e) => ({
        actorSub: sub,
        actorRole: role,
        actorOrg: org,
        action: e.action,
        resourceType: e.resourceType,
        resourceId: e.resourceId ?? null,
        pupilIds: e.pupilIds ?? [],
        requestId: request.id,
      })),
    );
    return payload;
  });
});
