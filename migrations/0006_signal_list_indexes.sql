DROP INDEX "signals_gemeente_status_idx";--> statement-breakpoint
DROP INDEX "signals_school_status_idx";--> statement-breakpoint
CREATE INDEX "signals_gemeente_status_opened_idx" ON "signals" USING btree ("gemeente_code","status","opened_at","id");--> statement-breakpoint
CREATE INDEX "signals_school_status_opened_idx" ON "signals" USING btree ("school_code","status","opened_at","id");