import { and, eq, sql } from 'drizzle-orm';
import { outbox, subscriptions } from '../../src/db/schema.js';
import { renderDigest, sendMail, type DigestPayload } from '../../src/notify/email.js';
import { postWebhook } from '../../src/notify/webhook.js';
import type { Processor } from '../worker.js';

/**
 * Delivers one outbox row: a signed webhook POST, or a digest e-mail. A failure throws, so
 * BullMQ retries with exponential backoff; every try is counted on the row, and the last one
 * marks it failed, which the subscriber sees through the deliveries endpoint.
 * A row that is no longer pending (sent, failed, deleted) is never sent again.
 */
export const deliver: Processor<'deliver'> = async (job, services) => {
  const { db } = services.database;
  const { outboxId } = job.data;
  const [row] = await db
    .select({
      status: outbox.status,
      payload: outbox.payload,
      channel: subscriptions.channel,
      url: subscriptions.url,
      email: subscriptions.email,
      secretCipher: subscriptions.secretCipher,
      active: subscriptions.active,
    })
    .from(outbox)
    .innerJoin(subscriptions, eq(subscriptions.id, outbox.subscriptionId))
    .where(eq(outbox.id, outboxId));
  if (!row || row.status !== 'pending') return { skipped: row?.status ?? 'missing' };
  const stillPending = and(eq(outbox.id, outboxId), eq(outbox.status, 'pending'));
  if (!row.active) {
    await db.update(outbox).set({ status: 'failed', lastError: 'subscription is inactive' }).where(stillPending);
    return { skipped: 'inactive' };
  }

  try {
    if (row.channel === 'webhook') {
      if (!row.url || !row.secretCipher) throw new Error('webhook subscription without url or secret');
      const secret = services.pii.open(row.secretCipher, 'webhook');
      await postWebhook(row.url, secret, String(outboxId), JSON.stringify(row.payload));
    } else {
      if (!row.email) throw new Error('e-mail subscription without address');
      await sendMail(services.config, row.email, renderDigest(services.config.publicUrl, row.payload as DigestPayload));
    }
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    await db
      .update(outbox)
      .set({ attempts: sql`${outbox.attempts} + 1`, lastError: reason, ...(last ? { status: 'failed' as const } : {}) })
      .where(stillPending);
    throw err;
  }
  await db.update(outbox).set({ status: 'sent', sentAt: sql`now()`, attempts: sql`${outbox.attempts} + 1` }).where(stillPending);
  return { sent: true };
};
