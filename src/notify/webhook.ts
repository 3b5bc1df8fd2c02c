import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/** Standard Webhooks (standardwebhooks.com): signed POSTs that receivers can verify and dedupe. */

const TIMEOUT_MS = 10_000;

/** A new signing secret in the spec's format: `whsec_` + base64 of 24 random bytes. */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

export class DeliveryError extends Error {}

/**
 * POSTs one event. `msgId` must be stable across retries (the outbox id), so a receiver that
 * got it before can drop the duplicate. Throws DeliveryError on a non-2xx answer or a network
 * error; the caller (a BullMQ job) retries.
 */
export async function postWebhook(url: string, secret: string, msgId: string, body: string, now = new Date()): Promise<number> {
  const signature = new Webhook(secret).sign(msgId, now, body);
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Doorstroom-Webhooks/1',
        'webhook-id': msgId,
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': signature,
      },
      body,
      redirect: 'manual', // a redirect is a misconfigured receiver, not a hop to follow with our payload
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (err) {
    throw new DeliveryError(networkReason(err));
  }
  if (response.status >= 200 && response.status < 300) {
    await response.body?.cancel();
    return response.status;
  }
  await response.body?.cancel();
  // Only the status: the answer's body is not repeated in the (subscriber-visible) last_error,
  // so a webhook URL pointing at an internal service cannot be used to read that service.
  throw new DeliveryError(`HTTP ${response.status}`);
}

function networkReason(err: unknown): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return `no answer within ${TIMEOUT_MS / 1000} s`;
  const cause = err instanceof Error ? (err.cause as { code?: string; message?: string } | undefined) : undefined;
  return `network error: ${cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err))}`;
}
