ALTER TABLE "signal_events" DROP CONSTRAINT "signal_events_signal_id_signals_id_fk";
--> statement-breakpoint
ALTER TABLE "signal_events" DROP CONSTRAINT "signal_events_check_run_id_check_runs_id_fk";
