import { z } from 'zod';
import { and, desc, eq, sql, type SQL } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { organisations, outbox, subscriptions } from '../../db/schema.js';
import type { Caller } from '../../domain/access.js';
import { isBrin, isRmcRegion } from '../../domain/organisations.js';
import { retryDelivery, signalEvents } from '../../notify/outbox.js';
import { newSigningSecret } from '../../notify/webhook.js';
import { conflict, forbidden, HttpProblem, notFound } from '../problems.js';
import { decodeCursor, IdParams, page, PageQuery, problems, toPage } from '../schemas.js';

/**
 * Subscriptions to signal notifications: a signed webhook per event, or an e-mail digest after
 * each nightly check. An organisation manages its own: an officer those of the own gemeente (a
 * region officer also those of the region's gemeenten), a mentor those of the own vestiging (a
 * BRIN mentor also its vestigingen), an admin any. Others' subscriptions are a 404.
 *
 * Webhook URLs are checked for the http(s) scheme only. A URL that resolves to a private
 * address is not refused: subscribers are authenticated organisations, and a delivery only
 * ever tells the receiver its status code (see DeliveryError), not the answer's meaning.
 */

const WebhookEvent = z.enum([...signalEvents, '*']);
const EmailEvent = z.enum(['digest', '*']);
const OrgCode = z.string().max(10).describe('The subscribing organisation; default: the caller\'s own');

const WebhookInput = z
  .object({
    channel: z.literal('webhook'),
    url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2000),
    events: z.array(WebhookEvent).min(1).max(4),
    orgCode: OrgCode.optional(),
  })
  .strict();
const EmailInput = z
  .object({
    channel: z.literal('email'),
    email: z.email().max(254),
    events: z.array(EmailEvent).min(1).max(2).optional().describe('default ["digest"]'),
    orgCode: OrgCode.optional(),
  })
  .strict();
const SubscriptionInput = z.discriminatedUnion('channel', [WebhookInput, EmailInput]);

const Subscription = z
  .object({
    id: z.uuid(),
    orgCode: z.string(),
    channel: z.enum(['webhook', 'email']),
    url: z.string().nullable(),
    email: z.string().nullable(),
    events: z.array(z.string()),
    active: z.boolean(),
    createdBy: z.string(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'Subscription' });
const CreatedSubscription = Subscription.extend({
  secret: z
    .string()
    .nullable()
    .describe('Webhooks: the Standard Webhooks signing secret (whsec_...). Shown once, never again.'),
}).meta({ id: 'CreatedSubscription' });

const Delivery = z
  .object({
    id: z.string().describe('Also the webhook-id header: the same on every retry'),
    eventType: z.string(),
    status: z.enum(['pending', 'sent', 'failed']),
    attempts: z.number().int(),
    lastError: z.string().nullable(),
    payload: z.record(z.string(), z.unknown()).describe('What was (or will be) sent; ids and counts only'),
    createdAt: z.iso.datetime(),
    sentAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'Delivery' });
const DeliveryParams = IdParams.extend({ deliveryId: z.string().regex(/^\d{1,15}$/, 'must be a delivery id') });

type SubscriptionRow = typeof subscriptions.$inferSelect;
const view = (r: SubscriptionRow): z.infer<typeof Subscription> => ({
  id: r.id,
  orgCode: r.orgCode,
  channel: r.channel,
  url: r.url,
  email: r.email,
  events: r.events,
  active: r.active,
  createdBy: r.createdBy,
  createdAt: r.createdAt.toISOString(),
});
type OutboxRow = typeof outbox.$inferSelect;
const deliveryView = (r: OutboxRow): z.infer<typeof Delivery> => ({
  id: String(r.id),
  eventType: r.eventType,
  status: r.status,
  attempts: r.attempts,
  lastError: r.lastError,
  payload: r.payload as Record<string, unknown>,
  createdAt: r.createdAt.toISOString(),
  sentAt: r.sentAt?.toISOString() ?? null,
});

/** The organisations whose subscriptions a caller manages, as a condition over a code column. */
function managedOrgs(caller: Caller, code: SQL | typeof subscriptions.orgCode | typeof organisations.code): SQL {
  switch (caller.role) {
    case 'admin':
      return sql`true`;
    case 'officer':
      return isRmcRegion(caller.org)
        ? sql`(${code} = ${caller.org} or ${code} in (select ${organisations.code} from ${organisations} where ${organisations.parentCode} = ${caller.org}))`
        : sql`${code} = ${caller.org}`;
    case 'mentor':
      return isBrin(caller.org) ? sql`${code} like ${`${caller.org}%`}` : sql`${code} = ${caller.org}`;
    case 'mbo':
      return sql`false`;
  }
}

/** Organisations that receive signals; an mbo does not. */
const SUBSCRIBING_KINDS = ['gemeente', 'regio', 'vmbo', 'vestiging'];

const routes: FastifyPluginAsyncZod = async (app) => {
  const db = app.db;
  const mayManage = app.requireRole('officer', 'mentor', 'admin');

  async function findOwn(caller: Caller, id: string): Promise<SubscriptionRow> {
    const [row] = await db.select().from(subscriptions).where(and(eq(subscriptions.id, id), managedOrgs(caller, subscriptions.orgCode)));
    if (!row) throw notFound('subscription');
    return row;
  }

  app.post(
    '/subscriptions',
    {
      preHandler: mayManage,
      schema: {
        tags: ['notifications'],
        description:
          'Subscribes an organisation to signal webhooks (signed per Standard Webhooks; the secret is returned once) ' +
          'or to the e-mail digest after each nightly check. Payloads carry ids and codes, never names or numbers.',
        body: SubscriptionInput,
        response: { 201: CreatedSubscription, ...problems(403, 409) },
      },
    },
    async (request, reply) => {
      const { caller } = request;
      const input = request.body;
      const orgCode = input.orgCode ?? caller.org;
      const [org] = await db
        .select({ kind: organisations.kind, managed: sql<boolean>`${managedOrgs(caller, organisations.code)}` })
        .from(organisations)
        .where(eq(organisations.code, orgCode));
      if (!org) throw new HttpProblem('validation-error', `Organisation ${orgCode} is not registered`);
      if (!org.managed) throw forbidden(`You may not subscribe for ${orgCode}`);
      if (!SUBSCRIBING_KINDS.includes(org.kind)) throw new HttpProblem('validation-error', `A ${org.kind} receives no signals`);

      const secret = input.channel === 'webhook' ? newSigningSecret() : null;
      const target = input.channel === 'webhook' ? input.url : input.email;
      const row = await db.transaction(async (trx) => {
        // A retried POST must not subscribe twice (every alert would arrive twice): one
        // subscription per organisation, channel and address, checked under a lock.
        await trx.execute(sql`select pg_advisory_xact_lock(hashtext(${`subscription:${orgCode}:${input.channel}:${target}`}))`);
        const [existing] = await trx
          .select({ id: subscriptions.id })
          .from(subscriptions)
          .where(and(eq(subscriptions.orgCode, orgCode), eq(subscriptions.channel, input.channel), eq(input.channel === 'webhook' ? subscriptions.url : subscriptions.email, target)));
        if (existing) throw conflict(`${orgCode} is already subscribed to this ${input.channel === 'webhook' ? 'URL' : 'address'}: subscription ${existing.id}`);
        const [created] = await trx
          .insert(subscriptions)
          .values({
            orgCode,
            channel: input.channel,
            url: input.channel === 'webhook' ? input.url : null,
            email: input.channel === 'email' ? input.email : null,
            secretCipher: secret ? app.services.pii.seal(secret, 'webhook') : null,
            events: [...new Set(input.events ?? ['digest'])],
            createdBy: caller.sub,
          })
          .returning();
        return created!;
      });
      return reply.status(201).header('location', `/v1/subscriptions/${row.id}`).send({ ...view(row), secret });
    },
  );

  app.get(
    '/subscriptions',
    {
      preHandler: mayManage,
      schema: {
        tags: ['notifications'],
        description: "The subscriptions of the caller's organisation (and the organisations under it), newest first.",
        querystring: PageQuery.extend({ org: z.string().max(10).optional().describe('Only this organisation') }),
        response: { 200: page(Subscription), ...problems(403) },
      },
    },
    async (request) => {
      const { limit, cursor: raw, org } = request.query;
      const cursor = decodeCursor(raw);
      const rows = await db
        .select()
        .from(subscriptions)
        .where(
          and(
            managedOrgs(request.caller, subscriptions.orgCode),
            org ? eq(subscriptions.orgCode, org) : undefined,
            cursor ? sql`(${subscriptions.createdAt}, ${subscriptions.id}) < (${cursor.at}::timestamptz, ${cursor.id}::uuid)` : undefined,
          ),
        )
        .orderBy(desc(subscriptions.createdAt), desc(subscriptions.id))
        .limit(limit + 1);
      return toPage(rows, limit, (r) => ({ at: r.createdAt.toISOString(), id: r.id }), view);
    },
  );

  app.get(
    '/subscriptions/:id',
    { preHandler: mayManage, schema: { tags: ['notifications'], params: IdParams, response: { 200: Subscription, ...problems(403, 404) } } },
    async (request) => view(await findOwn(request.caller, request.params.id)),
  );

  app.delete(
    '/subscriptions/:id',
    {
      preHandler: mayManage,
      schema: {
        tags: ['notifications'],
        description: 'Ends a subscription; its undelivered notifications and delivery history go with it.',
        params: IdParams,
        response: { 204: z.null(), ...problems(403, 404) },
      },
    },
    async (request, reply) => {
      const row = await findOwn(request.caller, request.params.id);
      await db.delete(subscriptions).where(eq(subscriptions.id, row.id));
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/subscriptions/:id/deliveries',
    {
      preHandler: mayManage,
      schema: {
        tags: ['notifications'],
        description: 'Deliveries of a subscription, newest first. A delivery is `failed` once its last retry failed.',
        params: IdParams,
        querystring: PageQuery.extend({ status: z.enum(['pending', 'sent', 'failed']).optional() }),
        response: { 200: page(Delivery), ...problems(403, 404) },
      },
    },
    async (request) => {
      const sub = await findOwn(request.caller, request.params.id);
      const { limit, cursor: raw, status } = request.query;
      const cursor = decodeCursor(raw);
      if (cursor && !/^\d{1,15}$/.test(cursor.id)) throw new HttpProblem('validation-error', 'cursor is not one this API handed out');
      const rows = await db
        .select()
        .from(outbox)
        .where(and(eq(outbox.subscriptionId, sub.id), status ? eq(outbox.status, status) : undefined, cursor ? sql`${outbox.id} < ${Number(cursor.id)}` : undefined))
        .orderBy(desc(outbox.id))
        .limit(limit + 1);
      return toPage(rows, limit, (r) => ({ at: r.createdAt.toISOString(), id: String(r.id) }), deliveryView);
    },
  );

  app.post(
    '/subscriptions/:id/deliveries/:deliveryId/retry',
    {
      preHandler: mayManage,
      schema: {
        tags: ['notifications'],
        description: 'Queues a failed delivery again, with a fresh round of retries. Only failed deliveries can be retried.',
        params: DeliveryParams,
        response: { 202: Delivery, ...problems(403, 404, 409) },
      },
    },
    async (request, reply) => {
      const sub = await findOwn(request.caller, request.params.id);
      const deliveryId = Number(request.params.deliveryId);
      const [existing] = await db.select({ status: outbox.status }).from(outbox).where(and(eq(outbox.id, deliveryId), eq(outbox.subscriptionId, sub.id)));
      if (!existing) throw notFound('delivery');
      if (!(await retryDelivery(app.services, deliveryId))) throw conflict(`Only a failed delivery can be retried; this one is ${existing.status}`);
      const [row] = await db.select().from(outbox).where(eq(outbox.id, deliveryId));
      return reply
        .status(202)
        .header('location', `/v1/subscriptions/${sub.id}/deliveries?status=pending`)
        .send(deliveryView(row!));
    },
  );
};
export default routes;
