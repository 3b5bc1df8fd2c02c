CREATE TABLE "audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor_sub" text NOT NULL,
	"actor_role" text NOT NULL,
	"actor_org" text NOT NULL,
	"action" text NOT NULL,
	"resource_type" text NOT NULL,
	"resource_id" text,
	"pupil_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"request_id" text
);
--> statement-breakpoint
CREATE TABLE "check_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"as_of" date NOT NULL,
	"trigger" text NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"evaluated" integer DEFAULT 0 NOT NULL,
	"opened" integer DEFAULT 0 NOT NULL,
	"reopened" integer DEFAULT 0 NOT NULL,
	"closed" integer DEFAULT 0 NOT NULL,
	"counts" jsonb,
	"error" text,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "dossier_versions" (
	"dossier_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"status" text NOT NULL,
	"content" jsonb NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "dossier_versions_dossier_id_version_pk" PRIMARY KEY("dossier_id","version")
);
--> statement-breakpoint
CREATE TABLE "dossiers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"pupil_id" uuid NOT NULL,
	"school_code" text NOT NULL,
	"status" text DEFAULT 'concept' NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"finalised_at" timestamp with time zone,
	"received_at" timestamp with time zone,
	"received_by" text,
	"received_org" text,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "enrolment_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"enrolment_id" uuid NOT NULL,
	"status" text NOT NULL,
	"niveau" smallint,
	"leerweg" text,
	"applied_on" date,
	"start_date" date,
	"end_date" date,
	"status_date" date,
	"source" text NOT NULL,
	"import_id" uuid,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "enrolments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"pupil_id" uuid NOT NULL,
	"mbo_brin" text NOT NULL,
	"crebo" text NOT NULL,
	"niveau" smallint,
	"leerweg" text,
	"status" text NOT NULL,
	"applied_on" date,
	"start_date" date,
	"end_date" date,
	"status_date" date,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "import_chunks" (
	"import_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"data" "bytea" NOT NULL,
	CONSTRAINT "import_chunks_import_id_seq_pk" PRIMARY KEY("import_id","seq")
);
--> statement-breakpoint
CREATE TABLE "import_pupils" (
	"import_id" uuid NOT NULL,
	"pupil_id" uuid NOT NULL,
	"row" integer NOT NULL,
	"action" text NOT NULL,
	CONSTRAINT "import_pupils_import_id_pupil_id_pk" PRIMARY KEY("import_id","pupil_id")
);
--> statement-breakpoint
CREATE TABLE "import_row_errors" (
	"import_id" uuid NOT NULL,
	"row" integer NOT NULL,
	"column" text NOT NULL,
	"reason" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "imports" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kind" text NOT NULL,
	"org_code" text NOT NULL,
	"school_code" text,
	"cohort" text,
	"strict" boolean DEFAULT false NOT NULL,
	"mapping" jsonb,
	"filename" text,
	"size_bytes" integer NOT NULL,
	"sha256" "bytea" NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"progress" double precision DEFAULT 0 NOT NULL,
	"format" text,
	"rows" integer DEFAULT 0 NOT NULL,
	"created" integer DEFAULT 0 NOT NULL,
	"updated" integer DEFAULT 0 NOT NULL,
	"unchanged" integer DEFAULT 0 NOT NULL,
	"rejected" integer DEFAULT 0 NOT NULL,
	"problem" jsonb,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "organisations" (
	"code" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"parent_code" text,
	"check_start_date" text,
	"contact_email" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "organisations_check_start_date" CHECK ("organisations"."check_start_date" ~ '^\d{2}-\d{2}$')
);
--> statement-breakpoint
CREATE TABLE "outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"subscription_id" uuid NOT NULL,
	"event_type" text NOT NULL,
	"payload" jsonb NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "pupil_identifiers" (
	"hmac" "bytea" PRIMARY KEY NOT NULL,
	"pupil_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"cipher" "bytea" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "pupils" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"given_name" text,
	"infix" text,
	"surname" text,
	"birth_date" date,
	"postcode" text,
	"woonplaats" text,
	"gemeente_code" text,
	"school_code" text,
	"leerlingnummer" text,
	"klas" text,
	"leerweg" text,
	"profiel" text,
	"exam_result" text,
	"cohort" text,
	"has_startkwalificatie" boolean DEFAULT false NOT NULL,
	"destination" text,
	"destination_note" text,
	"destination_recorded_at" timestamp with time zone,
	"row_hash" "bytea",
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "signal_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"signal_id" uuid NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor_sub" text,
	"action" text NOT NULL,
	"from_status" text,
	"to_status" text,
	"reason" text,
	"note" text,
	"check_run_id" uuid
);
--> statement-breakpoint
CREATE TABLE "signals" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"pupil_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"cohort" text NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"audience" text NOT NULL,
	"authority" text,
	"gemeente_code" text,
	"school_code" text,
	"opened_at" timestamp with time zone DEFAULT now() NOT NULL,
	"closed_at" timestamp with time zone,
	"close_reason" text,
	"closed_by" text,
	"note" text,
	"version" integer DEFAULT 1 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "subscriptions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_code" text NOT NULL,
	"channel" text NOT NULL,
	"url" text,
	"email" text,
	"secret_cipher" "bytea",
	"events" text[] NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "dossier_versions" ADD CONSTRAINT "dossier_versions_dossier_id_dossiers_id_fk" FOREIGN KEY ("dossier_id") REFERENCES "public"."dossiers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dossiers" ADD CONSTRAINT "dossiers_pupil_id_pupils_id_fk" FOREIGN KEY ("pupil_id") REFERENCES "public"."pupils"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dossiers" ADD CONSTRAINT "dossiers_school_code_organisations_code_fk" FOREIGN KEY ("school_code") REFERENCES "public"."organisations"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "enrolment_events" ADD CONSTRAINT "enrolment_events_enrolment_id_enrolments_id_fk" FOREIGN KEY ("enrolment_id") REFERENCES "public"."enrolments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "enrolment_events" ADD CONSTRAINT "enrolment_events_import_id_imports_id_fk" FOREIGN KEY ("import_id") REFERENCES "public"."imports"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "enrolments" ADD CONSTRAINT "enrolments_pupil_id_pupils_id_fk" FOREIGN KEY ("pupil_id") REFERENCES "public"."pupils"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "enrolments" ADD CONSTRAINT "enrolments_mbo_brin_organisations_code_fk" FOREIGN KEY ("mbo_brin") REFERENCES "public"."organisations"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "import_chunks" ADD CONSTRAINT "import_chunks_import_id_imports_id_fk" FOREIGN KEY ("import_id") REFERENCES "public"."imports"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "import_pupils" ADD CONSTRAINT "import_pupils_import_id_imports_id_fk" FOREIGN KEY ("import_id") REFERENCES "public"."imports"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "import_pupils" ADD CONSTRAINT "import_pupils_pupil_id_pupils_id_fk" FOREIGN KEY ("pupil_id") REFERENCES "public"."pupils"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "import_row_errors" ADD CONSTRAINT "import_row_errors_import_id_imports_id_fk" FOREIGN KEY ("import_id") REFERENCES "public"."imports"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "organisations" ADD CONSTRAINT "organisations_parent_code_organisations_code_fk" FOREIGN KEY ("parent_code") REFERENCES "public"."organisations"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outbox" ADD CONSTRAINT "outbox_subscription_id_subscriptions_id_fk" FOREIGN KEY ("subscription_id") REFERENCES "public"."subscriptions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pupil_identifiers" ADD CONSTRAINT "pupil_identifiers_pupil_id_pupils_id_fk" FOREIGN KEY ("pupil_id") REFERENCES "public"."pupils"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pupils" ADD CONSTRAINT "pupils_gemeente_code_organisations_code_fk" FOREIGN KEY ("gemeente_code") REFERENCES "public"."organisations"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pupils" ADD CONSTRAINT "pupils_school_code_organisations_code_fk" FOREIGN KEY ("school_code") REFERENCES "public"."organisations"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "signal_events" ADD CONSTRAINT "signal_events_signal_id_signals_id_fk" FOREIGN KEY ("signal_id") REFERENCES "public"."signals"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "signal_events" ADD CONSTRAINT "signal_events_check_run_id_check_runs_id_fk" FOREIGN KEY ("check_run_id") REFERENCES "public"."check_runs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "signals" ADD CONSTRAINT "signals_pupil_id_pupils_id_fk" FOREIGN KEY ("pupil_id") REFERENCES "public"."pupils"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subscriptions" ADD CONSTRAINT "subscriptions_org_code_organisations_code_fk" FOREIGN KEY ("org_code") REFERENCES "public"."organisations"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_log_at_idx" ON "audit_log" USING btree ("at");--> statement-breakpoint
CREATE INDEX "audit_log_pupil_ids_idx" ON "audit_log" USING gin ("pupil_ids");--> statement-breakpoint
CREATE UNIQUE INDEX "dossiers_pupil_school_idx" ON "dossiers" USING btree ("pupil_id","school_code");--> statement-breakpoint
CREATE INDEX "enrolment_events_enrolment_idx" ON "enrolment_events" USING btree ("enrolment_id");--> statement-breakpoint
CREATE UNIQUE INDEX "enrolments_natural_key_idx" ON "enrolments" USING btree ("mbo_brin","pupil_id","crebo");--> statement-breakpoint
CREATE INDEX "enrolments_pupil_idx" ON "enrolments" USING btree ("pupil_id");--> statement-breakpoint
CREATE INDEX "import_pupils_pupil_idx" ON "import_pupils" USING btree ("pupil_id");--> statement-breakpoint
CREATE INDEX "import_row_errors_import_idx" ON "import_row_errors" USING btree ("import_id","row");--> statement-breakpoint
CREATE UNIQUE INDEX "imports_dedupe_idx" ON "imports" USING btree ("org_code","kind","sha256") WHERE "imports"."status" <> 'failed';--> statement-breakpoint
CREATE INDEX "imports_org_created_idx" ON "imports" USING btree ("org_code","created_at");--> statement-breakpoint
CREATE INDEX "organisations_parent_idx" ON "organisations" USING btree ("parent_code");--> statement-breakpoint
CREATE INDEX "organisations_lower_name_idx" ON "organisations" USING btree (lower("name"));--> statement-breakpoint
CREATE INDEX "outbox_pending_idx" ON "outbox" USING btree ("id") WHERE "outbox"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "outbox_subscription_idx" ON "outbox" USING btree ("subscription_id","id");--> statement-breakpoint
CREATE INDEX "pupil_identifiers_pupil_idx" ON "pupil_identifiers" USING btree ("pupil_id");--> statement-breakpoint
CREATE UNIQUE INDEX "pupils_school_leerlingnummer_idx" ON "pupils" USING btree ("school_code","leerlingnummer");--> statement-breakpoint
CREATE INDEX "pupils_cohort_school_idx" ON "pupils" USING btree ("cohort","school_code");--> statement-breakpoint
CREATE INDEX "pupils_cohort_gemeente_idx" ON "pupils" USING btree ("cohort","gemeente_code");--> statement-breakpoint
CREATE INDEX "signal_events_signal_idx" ON "signal_events" USING btree ("signal_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "signals_pupil_kind_cohort_idx" ON "signals" USING btree ("pupil_id","kind","cohort");--> statement-breakpoint
CREATE INDEX "signals_gemeente_status_idx" ON "signals" USING btree ("gemeente_code","status","opened_at");--> statement-breakpoint
CREATE INDEX "signals_school_status_idx" ON "signals" USING btree ("school_code","status","opened_at");--> statement-breakpoint
CREATE INDEX "subscriptions_org_idx" ON "subscriptions" USING btree ("org_code");