CREATE UNIQUE INDEX "check_runs_schedule_date_idx" ON "check_runs" USING btree ("as_of") WHERE "check_runs"."trigger" = 'schedule';--> statement-breakpoint
CREATE INDEX "check_runs_created_idx" ON "check_runs" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "signals_unresolved_pupil_idx" ON "signals" USING btree ("pupil_id") WHERE "signals"."status" <> 'afgesloten';--> statement-breakpoint
CREATE INDEX "signals_opened_idx" ON "signals" USING btree ("opened_at","id");