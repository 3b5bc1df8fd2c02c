-- Merge the audit GIN index's pending list in autovacuum, not in the insert a request waits for
-- (see src/db/schema.ts). ALTER, not drop and create: the index can be large.
ALTER INDEX "audit_log_pupil_ids_idx" SET (gin_pending_list_limit = 65536);--> statement-breakpoint
ALTER TABLE "audit_log" SET (autovacuum_vacuum_insert_threshold = 20000, autovacuum_vacuum_insert_scale_factor = 0);
