import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { Webhook } from 'standardwebhooks';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../support/context.js';
import { insertPupil, seedOrganisations } from '../support/fixtures.js';
import { checkRuns, organisations, outbox, signalEvents, signals, subscriptions } from '../../src/db/schema.js';
import { Queue } from 'bullmq';
import { redisConnection } from '../../jobs/queues.js';
import { startWorker, type RunningWorker } from '../../jobs/worker.js';
import { sweep } from '../../jobs/processors/sweep.js';
import { deliver } from '../../jobs/processors/deliver.js';
import { dispatchPending, enqueueSignalNotifications, tryDispatchPending, type SignalChange } from '../../src/notify/outbox.js';
import { createDigests, enqueueDigest } from '../../src/notify/digest.js';
import type { Services } from '../../src/services.js';
import type { Job } from 'bullmq';

/** A local webhook receiver whose answers are scripted per call. */
interface Receiver {
  url: string;
  calls: Array<{ headers: IncomingHttpHeaders; body: string; status: number }>;
  close(): Promise<void>;
}
async function startReceiver(statusFor: (call: number) => number): Promise<Receiver> {
  const calls: Receiver['calls'] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const status = statusFor(calls.length + 1);
      calls.push({ headers: req.headers, body: Buffer.concat(chunks).toString(), status });
      res.writeHead(status).end(status < 300 ? 'ok' : 'internal secrets of the receiver');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hooks`, calls, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** A local SMTP server without TLS or auth that keeps every message. */
async function startSmtp(): Promise<{ url: string; messages: string[]; close(): Promise<void> }> {
  const messages: string[] = [];
  const server = new SMTPServer({
    secure: false,
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        messages.push(Buffer.concat(chunks).toString());
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return { url: `smtp://127.0.0.1:${port}`, messages, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Quoted-printable soft breaks and escapes, so the test reads the text a person would read. */
const decodeQuotedPrintable = (raw: string) =>
  raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));

async function until<T>(probe: () => Promise<T | undefined | null | false>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

let ctx: TestContext;
let worker: RunningWorker;
let smtp: Awaited<ReturnType<typeof startSmtp>>;

beforeAll(async () => {
  smtp = await startSmtp();
  ctx = await createTestContext({ WEBHOOK_ATTEMPTS: '3', WEBHOOK_BACKOFF_MS: '50', SMTP_URL: smtp.url, PUBLIC_URL: 'https://doorstroom.test' });
  await seedOrganisations(ctx.services);
  worker = await startWorker(ctx.services);
});
afterAll(async () => {
  await worker?.close();
  await ctx?.close();
  await smtp?.close();
});

const db = () => ctx.services.database.db;

async function subscribe(headers: { authorization: string }, payload: Record<string, unknown>) {
  const res = await ctx.app.inject({ method: 'POST', url: '/v1/subscriptions', headers, payload });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; secret: string | null };
}

async function openSignal(over: Partial<typeof signals.$inferInsert> & { surname?: string; birthDate?: string } = {}) {
  const { surname, birthDate, ...signal } = over;
  const pupil = await insertPupil(ctx.services, { surname, birthDate, gemeenteCode: signal.gemeenteCode ?? 'GM9901', schoolCode: signal.schoolCode ?? '11AA00' });
  const [row] = await db()
    .insert(signals)
    .values({ pupilId: pupil.id, kind: 'niet_gestart', cohort: '2025-2026', audience: 'officer', gemeenteCode: 'GM9901', schoolCode: '11AA00', ...signal })
    .returning();
  return { signal: row!, pupil };
}

const changeOf = (s: typeof signals.$inferSelect, change: SignalChange['change'] = 'opened'): SignalChange => ({
  signalId: s.id,
  change,
  kind: s.kind,
  audience: s.audience,
  gemeenteCode: s.gemeenteCode,
  schoolCode: s.schoolCode,
});

/** What the check does: signal and outbox rows in one transaction, then a dispatch after commit. */
async function notify(services: Services, changes: SignalChange[]): Promise<number[]> {
  const before = await db().select({ id: outbox.id }).from(outbox);
  await services.database.db.transaction((trx) => enqueueSignalNotifications(trx, changes));
  const after = await db().select({ id: outbox.id }).from(outbox);
  const known = new Set(before.map((r) => r.id));
  return after.map((r) => r.id).filter((id) => !known.has(id));
}

const rowOf = async (id: number) => (await db().select().from(outbox).where(eq(outbox.id, id)))[0]!;

describe('subscriptions API', () => {
  it('returns the signing secret once and never again', async () => {
    const created = await subscribe(ctx.as('officer', 'GM9901'), { channel: 'webhook', url: 'https://example.test/hook', events: ['signal.opened'] });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/=]+$/);
    const read = await ctx.app.inject({ method: 'GET', url: `/v1/subscriptions/${created.id}`, headers: ctx.as('officer', 'GM9901') });
    expect(read.statusCode).toBe(200);
    expect(read.json()).not.toHaveProperty('secret');
    const list = await ctx.app.inject({ method: 'GET', url: '/v1/subscriptions', headers: ctx.as('officer', 'GM9901') });
    expect(list.json().items.map((s: { id: string }) => s.id)).toContain(created.id);
    expect(list.body).not.toContain(created.secret!);
    expect(ctx.logs.join('\n')).not.toContain(created.secret!);
  });

  it("hides another organisation's subscription as 404 and lets the region officer see its gemeenten's", async () => {
    const created = await subscribe(ctx.as('officer', 'GM9901'), { channel: 'email', email: 'leerplicht@testdorp.test' });
    const other = await ctx.app.inject({ method: 'GET', url: `/v1/subscriptions/${created.id}`, headers: ctx.as('officer', 'GM9902') });
    expect(other.statusCode).toBe(404);
    const region = await ctx.app.inject({ method: 'GET', url: `/v1/subscriptions/${created.id}`, headers: ctx.as('officer', 'RMC01') });
    expect(region.statusCode).toBe(200);
    const elsewhere = await ctx.app.inject({ method: 'GET', url: `/v1/subscriptions/${created.id}`, headers: ctx.as('officer', 'RMC02') });
    expect(elsewhere.statusCode).toBe(404);
  });

  it('refuses subscriptions for an organisation the caller does not act for', async () => {
    const mentor = await ctx.app.inject({ method: 'POST', url: '/v1/subscriptions', headers: ctx.as('mentor', '11AA00'), payload: { channel: 'email', email: 'x@y.test', orgCode: 'GM9901' } });
    expect(mentor.statusCode).toBe(403);
    const sibling = await ctx.app.inject({ method: 'POST', url: '/v1/subscriptions', headers: ctx.as('mentor', '11AA00'), payload: { channel: 'email', email: 'x@y.test', orgCode: '11AA01' } });
    expect(sibling.statusCode).toBe(403);
    const mbo = await ctx.app.inject({ method: 'POST', url: '/v1/subscriptions', headers: ctx.as('mbo', '33CC'), payload: { channel: 'email', email: 'x@y.test' } });
    expect(mbo.statusCode).toBe(403);
    const brin = await ctx.app.inject({ method: 'POST', url: '/v1/subscriptions', headers: ctx.as('mentor', '11AA'), payload: { channel: 'email', email: 'x@y.test', orgCode: '11AA01' } });
    expect(brin.statusCode).toBe(201);
  });

  it('rejects non-http(s) URLs, unknown fields and unknown events', async () => {
    const headers = ctx.as('officer', 'GM9901');
    for (const payload of [
      { channel: 'webhook', url: 'ftp://example.test/hook', events: ['signal.opened'] },
      { channel: 'webhook', url: 'file:///etc/passwd', events: ['signal.opened'] },
      { channel: 'webhook', url: 'https://example.test/hook', events: ['signal.deleted'] },
      { channel: 'webhook', url: 'https://example.test/hook', events: ['*'], secret: 'mine' },
      { channel: 'email', email: 'not-an-address' },
    ]) {
      const res = await ctx.app.inject({ method: 'POST', url: '/v1/subscriptions', headers, payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
  });

  it('does not subscribe the same address twice when a POST is retried, and deletes a subscription', async () => {
    const headers = ctx.as('officer', 'GM9902');
    const created = await subscribe(headers, { channel: 'webhook', url: 'https://example.test/x', events: ['*'] });
    const retried = await ctx.app.inject({ method: 'POST', url: '/v1/subscriptions', headers, payload: { channel: 'webhook', url: 'https://example.test/x', events: ['*'] } });
    expect(retried.statusCode).toBe(409);
    expect(retried.json().detail).toContain(created.id);
    expect((await ctx.app.inject({ method: 'DELETE', url: `/v1/subscriptions/${created.id}`, headers })).statusCode).toBe(204);
    expect((await ctx.app.inject({ method: 'GET', url: `/v1/subscriptions/${created.id}`, headers })).statusCode).toBe(404);
  });
});

describe('outbox routing', () => {
  it('notifies the gemeente and its region of officer signals, the vestiging and its BRIN of school signals, per event filter', async () => {
    const { signal: officerSignal } = await openSignal({ audience: 'officer', gemeenteCode: 'GM9901', schoolCode: '11AA00' });
    const { signal: schoolSignal } = await openSignal({ kind: 'niet_aangemeld', audience: 'school', gemeenteCode: 'GM9901', schoolCode: '11AA00' });
    const rollback = new Error('rollback');
    const written = await db()
      .transaction(async (trx) => {
        // Only this test's subscriptions count; inactive ones are never notified.
        await trx.update(subscriptions).set({ active: false });
        const subs = await trx
          .insert(subscriptions)
          .values(
            (
              [
                ['GM9901', ['signal.opened']],
                ['RMC01', ['*']],
                ['GM9902', ['*']],
                ['11AA00', ['signal.closed']],
                ['11AA', ['*']],
                ['11AA01', ['*']],
                ['GM9901', ['signal.closed']],
              ] as const
            ).map(([orgCode, events]) => ({ orgCode, channel: 'webhook' as const, url: 'https://example.test', events: [...events], createdBy: 't' })),
          )
          .returning({ id: subscriptions.id, orgCode: subscriptions.orgCode, events: subscriptions.events });
        const count = await enqueueSignalNotifications(trx, [changeOf(officerSignal, 'opened'), changeOf(schoolSignal, 'closed')]);
        const rows = await trx
          .select({ subscriptionId: outbox.subscriptionId, eventType: outbox.eventType, payload: outbox.payload })
          .from(outbox)
          .where(sql`${outbox.subscriptionId} in ${subs.map((s) => s.id)}`);
        const org = (id: string) => subs.find((s) => s.id === id)!;
        const result = { count, rows: rows.map((r) => ({ org: org(r.subscriptionId).orgCode, events: org(r.subscriptionId).events, type: r.eventType, payload: r.payload })) };
        throw Object.assign(rollback, { result });
      })
      .catch((err: Error & { result?: unknown }) => {
        if (err !== rollback) throw err;
        return err.result as { count: number; rows: Array<{ org: string; events: string[]; type: string; payload: Record<string, unknown> }> };
      });

    expect(written.count).toBe(written.rows.length);
    expect(written.rows.map((r) => `${r.org} ${r.type}`).sort()).toEqual(
      ['GM9901 signal.opened', 'RMC01 signal.opened', '11AA00 signal.closed', '11AA signal.closed'].sort(),
    );
    const payload = written.rows.find((r) => r.org === 'GM9901')!.payload;
    expect(Object.keys(payload).sort()).toEqual(['at', 'gemeenteCode', 'kind', 'schoolCode', 'signalId', 'type']);
    expect(payload).toMatchObject({ type: 'signal.opened', signalId: officerSignal.id, kind: 'niet_gestart', gemeenteCode: 'GM9901', schoolCode: '11AA00' });
    expect(payload.at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });
});

describe('webhook delivery', () => {
  it('delivers a webhook exactly once when the receiver fails twice, with a valid Standard Webhooks signature', async () => {
    const receiver = await startReceiver((call) => (call <= 2 ? 503 : 204));
    try {
      const sub = await subscribe(ctx.as('officer', 'GM9903'), { channel: 'webhook', url: receiver.url, events: ['signal.opened'] });
      const { signal } = await openSignal({ gemeenteCode: 'GM9903' });
      const [id] = await notify(ctx.services, [changeOf(signal)]);
      await dispatchPending(ctx.services);

      const row = await until(async () => {
        const r = await rowOf(id!);
        return r.status !== 'pending' && r;
      });
      expect(row).toMatchObject({ status: 'sent', attempts: 3 });
      expect(row.sentAt).toBeInstanceOf(Date);
      expect(receiver.calls.map((c) => c.status)).toEqual([503, 503, 204]);
      expect(new Set(receiver.calls.map((c) => c.headers['webhook-id']))).toEqual(new Set([String(id)]));

      const delivered = receiver.calls[2]!;
      const verified = new Webhook(sub.secret!).verify(delivered.body, delivered.headers as Record<string, string>);
      expect(verified).toMatchObject({ type: 'signal.opened', signalId: signal.id, gemeenteCode: 'GM9903' });

      // Another sweep, and the job run again by hand: a sent row is never sent again.
      await dispatchPending(ctx.services);
      const again = await deliver({ data: { outboxId: id! }, attemptsMade: 0, opts: { attempts: 3 } } as Job<{ outboxId: number }, unknown, 'deliver'>, ctx.services);
      expect(again).toEqual({ skipped: 'sent' });
      await new Promise((r) => setTimeout(r, 300));
      expect(receiver.calls).toHaveLength(3);
    } finally {
      await receiver.close();
    }
  });

  it('marks a delivery failed after the last retry, shows it through the API, and retries it on request', async () => {
    let up = false;
    const receiver = await startReceiver(() => (up ? 200 : 500));
    try {
      const headers = ctx.as('officer', 'GM9902');
      const sub = await subscribe(headers, { channel: 'webhook', url: receiver.url, events: ['*'] });
      const { signal } = await openSignal({ gemeenteCode: 'GM9902' });
      const [id] = await notify(ctx.services, [changeOf(signal, 'reopened')]);
      await dispatchPending(ctx.services);
      await until(async () => (await rowOf(id!)).status === 'failed');
      await new Promise((r) => setTimeout(r, 300)); // no fourth attempt after the last one
      expect(receiver.calls).toHaveLength(3);

      const res = await ctx.app.inject({ method: 'GET', url: `/v1/subscriptions/${sub.id}/deliveries?status=failed`, headers });
      expect(res.statusCode).toBe(200);
      expect(res.json().items).toEqual([
        expect.objectContaining({ id: String(id), eventType: 'signal.reopened', status: 'failed', attempts: 3, lastError: 'HTTP 500', sentAt: null }),
      ]);
      expect(res.body).not.toContain('internal secrets of the receiver');

      const outsider = await ctx.app.inject({ method: 'GET', url: `/v1/subscriptions/${sub.id}/deliveries`, headers: ctx.as('officer', 'GM9901') });
      expect(outsider.statusCode).toBe(404);

      up = true;
      const retry = await ctx.app.inject({ method: 'POST', url: `/v1/subscriptions/${sub.id}/deliveries/${id}/retry`, headers });
      expect(retry.statusCode).toBe(202);
      expect(retry.json()).toMatchObject({ status: 'pending' });
      await until(async () => (await rowOf(id!)).status === 'sent');
      expect(receiver.calls).toHaveLength(4);

      const twice = await ctx.app.inject({ method: 'POST', url: `/v1/subscriptions/${sub.id}/deliveries/${id}/retry`, headers });
      expect(twice.statusCode).toBe(409);
    } finally {
      await receiver.close();
    }
  });

  it('loses no alert when Redis is down at commit: the sweep sends it later', async () => {
    const receiver = await startReceiver(() => 200);
    // Nothing listens on port 1: every Redis command waits for a connection that never comes.
    const deadRedis = redisConnection('redis://127.0.0.1:1');
    deadRedis.on('error', () => {});
    const deadQueue = new Queue('notifications', { connection: deadRedis, prefix: ctx.config.redis.prefix });
    deadQueue.on('error', () => {});
    const offline: Services = {
      ...ctx.services,
      queues: { ...ctx.services.queues, get: () => deadQueue, all: () => [deadQueue], add: async (name, data, opts) => void (await deadQueue.add(name, data, opts)) },
    };
    try {
      await subscribe(ctx.as('mentor', '22BB00'), { channel: 'webhook', url: receiver.url, events: ['signal.opened'] });
      const { signal } = await openSignal({ kind: 'niet_aangemeld', audience: 'school', gemeenteCode: 'GM9903', schoolCode: '22BB00' });
      const [id] = await notify(offline, [changeOf(signal)]);
      const started = Date.now();
      await tryDispatchPending(offline); // gives up quickly instead of hanging or throwing
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(ctx.logs.some((l) => l.includes('outbox dispatch deferred to the sweep'))).toBe(true);
      expect((await rowOf(id!)).status).toBe('pending');

      await sweep({ data: {} } as Job<Record<string, never>, unknown, 'sweep'>, ctx.services);
      await until(async () => (await rowOf(id!)).status === 'sent');
      expect(receiver.calls).toHaveLength(1);
    } finally {
      deadRedis.disconnect();
      await receiver.close();
    }
  });

  it('queues a pending row again when its job finished without settling it', async () => {
    const receiver = await startReceiver(() => 200);
    try {
      await subscribe(ctx.as('mentor', '11AA01'), { channel: 'webhook', url: receiver.url, events: ['signal.closed'] });
      const { signal } = await openSignal({ kind: 'niet_geplaatst', audience: 'school', schoolCode: '11AA01' });
      const [id] = await notify(ctx.services, [changeOf(signal, 'closed')]);
      // Its job ran while the row looked settled (say, a retry reset it too late), so it completed idle.
      await db().update(outbox).set({ status: 'failed' }).where(eq(outbox.id, id!));
      await ctx.services.queues.add('deliver', { outboxId: id! }, { jobId: `outbox-${id}` });
      await until(async () => (await ctx.services.queues.get('notifications').getJobState(`outbox-${id}`)) === 'completed');
      await db().update(outbox).set({ status: 'pending', createdAt: sql`now() - interval '10 minutes'` }).where(eq(outbox.id, id!));

      expect(await dispatchPending(ctx.services)).toMatchObject({ requeued: 1 });
      await until(async () => (await rowOf(id!)).status === 'sent');
      expect(receiver.calls).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });
});

describe('e-mail digest', () => {
  it('mails each e-mail subscriber counts and links after a check run, without any personal data, once per run', async () => {
    // A region of its own, so signals of the other tests do not change the counts.
    await db().insert(organisations).values([
      { code: 'RMC03', kind: 'regio', name: 'Regio Drie' },
      { code: 'GM9904', kind: 'gemeente', name: 'Digestdorp', parentCode: 'RMC03' },
    ]);
    const sub = await subscribe(ctx.as('officer', 'RMC03'), { channel: 'email', email: 'rmc@regio-drie.test' });
    const [run] = await db().insert(checkRuns).values({ asOf: '2026-09-02', trigger: 'schedule', status: 'done', finishedAt: new Date() }).returning();
    const pupils = [
      { surname: 'Zwaluwstaart', birthDate: '2009-11-23' },
      { surname: 'Kwartelkoning', birthDate: '2008-02-29' },
      { surname: 'Roerdomp', birthDate: '2009-07-04' },
    ];
    const opened = await Promise.all(pupils.slice(0, 2).map((p) => openSignal({ ...p, gemeenteCode: 'GM9904', schoolCode: '22BB00' })));
    const closed = await openSignal({ ...pupils[2], gemeenteCode: 'GM9904', schoolCode: '22BB00', status: 'afgesloten', closedAt: new Date() });
    await db().insert(signalEvents).values([
      ...opened.map((o) => ({ signalId: o.signal.id, action: 'opened' as const, checkRunId: run!.id })),
      { signalId: closed.signal.id, action: 'auto_closed' as const, checkRunId: run!.id },
    ]);

    const mailsToUs = () => smtp.messages.filter((m) => m.includes('To: rmc@regio-drie.test'));
    await enqueueDigest(ctx.services, run!.id);
    await enqueueDigest(ctx.services, run!.id);
    const [row] = await until(async () => {
      const rows = await db().select().from(outbox).where(eq(outbox.subscriptionId, sub.id));
      return rows.length > 0 && rows.every((r) => r.status === 'sent') && rows;
    });
    await until(async () => mailsToUs().length > 0);
    expect(row).toMatchObject({ eventType: 'digest', status: 'sent' });
    expect(await createDigests(ctx.services, run!.id)).toEqual({ created: 0 });
    await new Promise((r) => setTimeout(r, 300));
    expect(mailsToUs()).toHaveLength(1);

    const mail = decodeQuotedPrintable(mailsToUs()[0]!);
    expect(mail).toContain('Nieuw of heropend: 2. Vanzelf gesloten: 1. Nog niet afgesloten: 2.');
    expect(mail).toContain('niet gestart: 2 open, 0 in behandeling, 2 nieuw, 1 gesloten');
    expect(mail).toContain('https://doorstroom.test/v1/signals?status=open&kind=niet_gestart');
    const people = [...opened, closed];
    for (const [i, p] of pupils.entries()) {
      expect(mail).not.toContain(p.surname);
      expect(mail).not.toContain(p.birthDate);
      expect(mail).not.toContain(p.birthDate.split('-').reverse().join('-'));
      expect(mail).not.toContain(people[i]!.pupil.bsn);
      expect(mail).not.toContain(people[i]!.pupil.id);
    }
  });

  it('mails the digest of a scheduled run through the sweep when the check could not queue it', async () => {
    await db().insert(organisations).values({ code: 'GM9905', kind: 'gemeente', name: 'Vergeetdorp', parentCode: 'RMC02' });
    await subscribe(ctx.as('officer', 'GM9905'), { channel: 'email', email: 'leerplicht@vergeetdorp.test', events: ['*'] });
    const [run] = await db().insert(checkRuns).values({ asOf: '2026-09-04', trigger: 'schedule', status: 'done', finishedAt: new Date() }).returning();

    await sweep({ data: {} } as Job<Record<string, never>, unknown, 'sweep'>, ctx.services);
    const mail = await until(async () => smtp.messages.find((m) => m.includes('To: leerplicht@vergeetdorp.test')));
    expect(decodeQuotedPrintable(mail)).toContain('Controle van 2026-09-04 voor GM9905.');
    await sweep({ data: {} } as Job<Record<string, never>, unknown, 'sweep'>, ctx.services);
    await new Promise((r) => setTimeout(r, 300));
    expect(smtp.messages.filter((m) => m.includes('To: leerplicht@vergeetdorp.test'))).toHaveLength(1);
    expect(await createDigests(ctx.services, run!.id)).toEqual({ created: 0 });
  });

  it('does not mail a digest for a run that has not finished', async () => {
    const [run] = await db().insert(checkRuns).values({ asOf: '2026-09-03', trigger: 'schedule', status: 'running' }).returning();
    expect(await createDigests(ctx.services, run!.id)).toEqual({ created: 0, skipped: 'run-not-done' });
  });
});
