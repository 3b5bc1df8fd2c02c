DROP INDEX "signals_unresolved_pupil_idx";--> statement-breakpoint
DROP INDEX "signals_opened_idx";