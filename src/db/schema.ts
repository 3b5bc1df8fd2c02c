import { sql } from 'drizzle-orm';
import {
  bigint, bigserial, boolean, check, customType, date, doublePrecision, index, integer, jsonb, pgTable,
  primaryKey, smallint, text, timestamp, uniqueIndex, uuid,
} from 'drizzle-orm/pg-core';

/**
 * The data model. One file on purpose: it is the map of the whole service.
 * BSN and onderwijsnummer appear only as HMAC digests and AES-GCM ciphertexts (bytea).
 */

const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });
const id = () => uuid('id').primaryKey().defaultRandom();
const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow();

// ---------------------------------------------------------------------------------------------
// Organisations: vmbo schools (BRIN) and their vestigingen, mbo institutions (BRIN),
// municipalities (GMxxxx) and RMC regions (RMCnn). `parent_code` links a vestiging to its
// school and a municipality to its region.
export const organisations = pgTable(
  'organisations',
  {
    code: text('code').primaryKey(),
    kind: text('kind', { enum: ['vmbo', 'vestiging', 'mbo', 'gemeente', 'regio'] }).notNull(),
    name: text('name').notNull(),
    parentCode: text('parent_code').references((): any => organisations.code),
    /** Regions only: the day (MM-DD) from which a pupil without enrolment is niet_gestart. */
    checkStartDate: text('check_start_date'),
    contactEmail: text('contact_email'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('organisations_parent_idx').on(t.parentCode),
    index('organisations_lower_name_idx').on(sql`lower(${t.name})`),
    check('organisations_check_start_date', sql`${t.checkStartDate} ~ '^\\d{2}-\\d{2}$'`),
  ],
);

// ---------------------------------------------------------------------------------------------
// Pupils: one row per person, whichever numbers they were known by.
export const pupils = pgTable(
  'pupils',
  {
    id: id(),
    givenName: text('given_name'),
    infix: text('infix'),
    surname: text('surname'),
    birthDate: date('birth_date'),
    postcode: text('postcode'),
    woonplaats: text('woonplaats'),
    gemeenteCode: text('gemeente_code').references(() => organisations.code),
    /** The vmbo vestiging the pupil leaves; null for a pupil only known from an mbo. */
    schoolCode: text('school_code').references(() => organisations.code),
    leerlingnummer: text('leerlingnummer'),
    klas: text('klas'),
    leerweg: text('leerweg'),
    profiel: text('profiel'),
    examResult: text('exam_result'),
    /** School year of leaving vmbo, e.g. 2025-2026. */
    cohort: text('cohort'),
    hasStartkwalificatie: boolean('has_startkwalificatie').notNull().default(false),
    /** A known destination that is not an mbo enrolment (havo_vwo, vo, buitenland, werk, vrijstelling, overig). */
    destination: text('destination'),
    destinationNote: text('destination_note'),
    destinationRecordedAt: timestamp('destination_recorded_at', { withTimezone: true }),
    /** Digest of the imported fields: an identical row in a later export is "unchanged". */
    rowHash: bytea('row_hash'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('pupils_school_leerlingnummer_idx').on(t.schoolCode, t.leerlingnummer),
    index('pupils_cohort_school_idx').on(t.cohort, t.schoolCode),
    index('pupils_cohort_gemeente_idx').on(t.cohort, t.gemeenteCode),
  ],
);

/** Every number a pupil was known by: the onderwijsnummer stays findable after a BSN replaces it. */
export const pupilIdentifiers = pgTable(
  'pupil_identifiers',
  {
    hmac: bytea('hmac').primaryKey(),
    pupilId: uuid('pupil_id').notNull().references(() => pupils.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['bsn', 'onderwijsnummer'] }).notNull(),
    cipher: bytea('cipher').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('pupil_identifiers_pupil_idx').on(t.pupilId)],
);

// ---------------------------------------------------------------------------------------------
// Imports of leerlingvolgsysteem exports and mbo enrolment files.
export const importStatus = ['queued', 'running', 'done', 'failed'] as const;

export const imports = pgTable(
  'imports',
  {
    id: id(),
    kind: text('kind', { enum: ['leerlingen', 'inschrijvingen'] }).notNull(),
    orgCode: text('org_code').notNull(),
    /** leerlingen: the vestiging the pupils belong to (unless the file has a vestiging column). */
    schoolCode: text('school_code'),
    cohort: text('cohort'),
    strict: boolean('strict').notNull().default(false),
    mapping: jsonb('mapping').$type<Record<string, string | null>>(),
    filename: text('filename'),
    sizeBytes: integer('size_bytes').notNull(),
    sha256: bytea('sha256').notNull(),
    status: text('status', { enum: importStatus }).notNull().default('queued'),
    progress: doublePrecision('progress').notNull().default(0),
    format: text('format'),
    /** CSV only: utf-8 or windows-1252, as detected. */
    encoding: text('encoding'),
    /** The header used for each field, and the headers that were ignored (never cell values). */
    columns: jsonb('columns').$type<{ matched: Record<string, string>; ignored: string[] }>(),
    rows: integer('rows').notNull().default(0),
    created: integer('created').notNull().default(0),
    updated: integer('updated').notNull().default(0),
    unchanged: integer('unchanged').notNull().default(0),
    rejected: integer('rejected').notNull().default(0),
    /** Rows stored with a caveat, by kind, e.g. { gemeenteUnknown: 3 }. */
    warnings: jsonb('warnings').$type<Record<string, number>>(),
    /** A problem that stopped the whole file (RFC 9457 shape). */
    problem: jsonb('problem').$type<{ type: string; title: string; detail?: string; missing?: string[] }>(),
    createdBy: text('created_by').notNull(),
    /** The uploader's role: with org_code it decides which vestigingen and BRINs the rows may name. */
    createdRole: text('created_role'),
    createdAt: createdAt(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [
    // The same file twice is the same import, unless the first attempt failed.
    uniqueIndex('imports_dedupe_idx').on(t.orgCode, t.kind, t.sha256).where(sql`${t.status} <> 'failed'`),
    index('imports_org_created_idx').on(t.orgCode, t.createdAt),
  ],
);

/** The uploaded bytes in chunks, so any worker on any host can stream them. Deleted once imported. */
export const importChunks = pgTable(
  'import_chunks',
  {
    importId: uuid('import_id').notNull().references(() => imports.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    data: bytea('data').notNull(),
  },
  (t) => [primaryKey({ columns: [t.importId, t.seq] })],
);

export const importRowErrors = pgTable(
  'import_row_errors',
  {
    importId: uuid('import_id').notNull().references(() => imports.id, { onDelete: 'cascade' }),
    row: integer('row').notNull(),
    column: text('column').notNull(),
    reason: text('reason').notNull(),
  },
  (t) => [index('import_row_errors_import_idx').on(t.importId, t.row)],
);

/**
 * Which pupils an import mentioned: the pupil's timeline, and duplicate rows within one file.
 * No foreign keys: a check per inserted row cost more than the rest of writing the row, and the
 * import's merge gives the same guarantee in one statement (src/imports/staging.ts,
 * lockMergeTargets). Rows go with their import or pupil by the delete triggers of migration 0011.
 */
export const importPupils = pgTable(
  'import_pupils',
  {
    importId: uuid('import_id').notNull(),
    pupilId: uuid('pupil_id').notNull(),
    row: integer('row').notNull(),
    action: text('action', { enum: ['created', 'updated', 'unchanged'] }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.importId, t.pupilId] }), index('import_pupils_pupil_idx').on(t.pupilId)],
);

// ---------------------------------------------------------------------------------------------
// mbo applications and enrolments (one row per institution + pupil + opleiding) and their history.
export const vvaStatuses = [
  'aangemeld', 'onderwijsovereenkomst_aangeboden', 'leidt_niet_tot_inschrijving', 'teruggetrokken',
  'ingeschreven', 'uitgeschreven',
] as const;

export const enrolments = pgTable(
  'enrolments',
  {
    id: id(),
    pupilId: uuid('pupil_id').notNull().references(() => pupils.id, { onDelete: 'cascade' }),
    mboBrin: text('mbo_brin').notNull().references(() => organisations.code),
    crebo: text('crebo').notNull(),
    niveau: smallint('niveau'),
    leerweg: text('leerweg', { enum: ['BOL', 'BBL'] }),
    status: text('status', { enum: vvaStatuses }).notNull(),
    appliedOn: date('applied_on'),
    startDate: date('start_date'),
    endDate: date('end_date'),
    statusDate: date('status_date'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('enrolments_natural_key_idx').on(t.mboBrin, t.pupilId, t.crebo),
    index('enrolments_pupil_idx').on(t.pupilId),
  ],
);

export const enrolmentEvents = pgTable(
  'enrolment_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    enrolmentId: uuid('enrolment_id').notNull().references(() => enrolments.id, { onDelete: 'cascade' }),
    status: text('status', { enum: vvaStatuses }).notNull(),
    niveau: smallint('niveau'),
    leerweg: text('leerweg'),
    appliedOn: date('applied_on'),
    startDate: date('start_date'),
    endDate: date('end_date'),
    statusDate: date('status_date'),
    source: text('source', { enum: ['api', 'import'] }).notNull(),
    importId: uuid('import_id').references(() => imports.id, { onDelete: 'set null' }),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('enrolment_events_enrolment_idx').on(t.enrolmentId)],
);

// ---------------------------------------------------------------------------------------------
// Overdrachtsdossiers: the current state, and every version's content.
export const dossierStatuses = ['concept', 'definitief', 'ontvangen'] as const;

export const dossiers = pgTable(
  'dossiers',
  {
    id: id(),
    pupilId: uuid('pupil_id').notNull().references(() => pupils.id, { onDelete: 'cascade' }),
    schoolCode: text('school_code').notNull().references(() => organisations.code),
    status: text('status', { enum: dossierStatuses }).notNull().default('concept'),
    version: integer('version').notNull().default(1),
    finalisedAt: timestamp('finalised_at', { withTimezone: true }),
    receivedAt: timestamp('received_at', { withTimezone: true }),
    receivedBy: text('received_by'),
    receivedOrg: text('received_org'),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('dossiers_pupil_school_idx').on(t.pupilId, t.schoolCode)],
);

export const dossierVersions = pgTable(
  'dossier_versions',
  {
    dossierId: uuid('dossier_id').notNull().references(() => dossiers.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    status: text('status', { enum: dossierStatuses }).notNull(),
    content: jsonb('content').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.dossierId, t.version] })],
);

// ---------------------------------------------------------------------------------------------
// Audit: one row per request that read or changed pupil data, listing every pupil it touched.
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    actorSub: text('actor_sub').notNull(),
    actorRole: text('actor_role').notNull(),
    actorOrg: text('actor_org').notNull(),
    action: text('action').notNull(),
    resourceType: text('resource_type').notNull(),
    resourceId: text('resource_id'),
    pupilIds: uuid('pupil_ids').array().notNull().default(sql`'{}'::uuid[]`),
    requestId: text('request_id'),
  },
  (t) => [
    index('audit_log_at_idx').on(t.at),
    // A request waits for its audit row. GIN collects new entries in a pending list and merges
    // them into the index when the list is full, inside whichever insert fills it: with the 4 MB
    // default that was every ~2,000 pages read and stalled every request waiting on the audit
    // writer (p99 4x p50 under load). A 64 MB list is merged by autovacuum instead (migration
    // 0012 vacuums audit_log after every 20,000 rows), out of the requests' path.
    index('audit_log_pupil_ids_idx').using('gin', t.pupilIds).with({ gin_pending_list_limit: 65536 }),
  ],
);

// ---------------------------------------------------------------------------------------------
// Monitoring: check runs, signals and their history.
export const signalKinds = ['niet_aangemeld', 'niet_geplaatst', 'niet_gestart', 'uitgevallen'] as const;
export const signalStatuses = ['open', 'in_behandeling', 'afgesloten'] as const;

export const checkRuns = pgTable(
  'check_runs',
  {
    id: id(),
    asOf: date('as_of').notNull(),
    trigger: text('trigger', { enum: ['schedule', 'manual', 'event'] }).notNull(),
    status: text('status', { enum: importStatus }).notNull().default('queued'),
    evaluated: integer('evaluated').notNull().default(0),
    opened: integer('opened').notNull().default(0),
    reopened: integer('reopened').notNull().default(0),
    closed: integer('closed').notNull().default(0),
    /** Open signals per kind after the run. */
    counts: jsonb('counts').$type<Record<string, number>>(),
    error: text('error'),
    createdBy: text('created_by'),
    createdAt: createdAt(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [
    // One scheduled run per night, however many workers see the tick (or a retry of it).
    uniqueIndex('check_runs_schedule_date_idx').on(t.asOf).where(sql`${t.trigger} = 'schedule'`),
    index('check_runs_created_idx').on(t.createdAt, t.id),
  ],
);

/**
 * The pupil is not a foreign key: a first night opens some 20k signals in one statement, and a
 * per-row key check costs that statement a fifth of its time. Signals are only ever inserted by
 * the check, from pupils it read under the check lock; a trigger on pupils (migration 0009)
 * deletes a deleted pupil's signals under the same lock, so none is left behind.
 */
export const signals = pgTable(
  'signals',
  {
    id: id(),
    pupilId: uuid('pupil_id').notNull(),
    kind: text('kind', { enum: signalKinds }).notNull(),
    cohort: text('cohort').notNull(),
    status: text('status', { enum: signalStatuses }).notNull().default('open'),
    audience: text('audience', { enum: ['school', 'officer', 'both'] }).notNull(),
    authority: text('authority', { enum: ['leerplicht', 'rmc'] }),
    gemeenteCode: text('gemeente_code'),
    schoolCode: text('school_code'),
    openedAt: timestamp('opened_at', { withTimezone: true }).notNull().defaultNow(),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    closeReason: text('close_reason'),
    /** Null when the signal closed by itself because its condition cleared. */
    closedBy: text('closed_by'),
    note: text('note'),
    /** Bumped on every change: the ETag that stops two officers overwriting each other. */
    version: integer('version').notNull().default(1),
    updatedAt: updatedAt(),
  },
  (t) => [
    // One signal per pupil, kind and cohort, ever: a second run reopens, never duplicates.
    uniqueIndex('signals_pupil_kind_cohort_idx').on(t.pupilId, t.kind, t.cohort),
    // The casework lists: one municipality's (or school's) signals of a status, newest first,
    // read straight off the index in the cursor's (opened_at, id) order. Partial, as the scopes
    // in src/db/signals.ts: an autumn night's officer signals need not enter the schools' index.
    // Audience and authority ride along (after the unique id they change no order) so the
    // officer scope is decided in the index: a region's first page cut in a third of the time.
    index('signals_gemeente_status_opened_idx')
      .on(t.gemeenteCode, t.status, t.openedAt, t.id, t.audience, t.authority)
      .where(sql`${t.audience} in ('officer', 'both')`),
    index('signals_school_status_opened_idx')
      .on(t.schoolCode, t.status, t.openedAt, t.id)
      .where(sql`${t.audience} in ('school', 'both')`),
  ],
);

/**
 * No foreign keys here on purpose: the check writes an event per opened or closed signal in the
 * same statement as the signal, and per-row foreign-key checks cost a first night with 20k new
 * signals a quarter of its time. The events are written only from rows the statement just
 * changed, and a trigger (migration 0005) deletes a signal's events with the signal.
 */
export const signalEvents = pgTable(
  'signal_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    signalId: uuid('signal_id').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    actorSub: text('actor_sub'),
    action: text('action', { enum: ['opened', 'reopened', 'auto_closed', 'status', 'note'] }).notNull(),
    fromStatus: text('from_status'),
    toStatus: text('to_status'),
    reason: text('reason'),
    note: text('note'),
    /** The check run that made the change; null for a person or a per-pupil evaluation. */
    checkRunId: uuid('check_run_id'),
  },
  (t) => [index('signal_events_signal_idx').on(t.signalId, t.at)],
);

/**
 * One number that changes with every committed transaction that changed what a signal list can
 * show: signals, the pupils' names and birth dates, the organisations (which municipalities make
 * a region). The API keeps rendered list pages under the version they were read at
 * (src/db/signal-page-cache.ts). Triggers of migration 0013 raise it once per transaction, at
 * commit (so a long transaction holds its row lock only while committing); until then the
 * transaction is noted in `signal_list_changes`, a table only those triggers use.
 */
export const signalListVersion = pgTable(
  'signal_list_version',
  {
    one: boolean('one').primaryKey().default(true),
    value: bigint('value', { mode: 'number' }).notNull().default(0),
  },
  (t) => [check('signal_list_version_one_row', sql`${t.one}`)],
);

// ---------------------------------------------------------------------------------------------
// Notifications: subscriptions per organisation and the transactional outbox.
export const subscriptions = pgTable(
  'subscriptions',
  {
    id: id(),
    orgCode: text('org_code').notNull().references(() => organisations.code),
    channel: text('channel', { enum: ['webhook', 'email'] }).notNull(),
    url: text('url'),
    email: text('email'),
    /** Standard Webhooks signing secret, sealed with the PII key. */
    secretCipher: bytea('secret_cipher'),
    events: text('events').array().notNull(),
    active: boolean('active').notNull().default(true),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('subscriptions_org_idx').on(t.orgCode)],
);

export const outbox = pgTable(
  'outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    subscriptionId: uuid('subscription_id').notNull().references(() => subscriptions.id, { onDelete: 'cascade' }),
    eventType: text('event_type').notNull(),
    payload: jsonb('payload').notNull(),
    status: text('status', { enum: ['pending', 'sent', 'failed'] }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    createdAt: createdAt(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
  },
  (t) => [
    index('outbox_pending_idx').on(t.id).where(sql`${t.status} = 'pending'`),
    index('outbox_subscription_idx').on(t.subscriptionId, t.id),
  ],
);
