ALTER TABLE "signals" DROP CONSTRAINT "signals_pupil_id_pupils_id_fk";
--> statement-breakpoint
DROP INDEX "signals_gemeente_status_opened_idx";--> statement-breakpoint
DROP INDEX "signals_school_status_opened_idx";--> statement-breakpoint
CREATE INDEX "signals_gemeente_status_opened_idx" ON "signals" USING btree ("gemeente_code","status","opened_at","id") WHERE "signals"."audience" in ('officer', 'both');--> statement-breakpoint
CREATE INDEX "signals_school_status_opened_idx" ON "signals" USING btree ("school_code","status","opened_at","id") WHERE "signals"."audience" in ('school', 'both');