CREATE TABLE "signal_list_version" (
	"one" boolean PRIMARY KEY DEFAULT true NOT NULL,
	"value" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "signal_list_version_one_row" CHECK ("signal_list_version"."one")
);
--> statement-breakpoint
INSERT INTO "signal_list_version" DEFAULT VALUES;--> statement-breakpoint
-- The transactions that changed a signal list and have not committed yet, one row each: its
-- deferred trigger raises the version at commit. Statement triggers, not row triggers: a night's
-- check or an import changes thousands of rows in a statement. A statement that changed no row
-- raises it too (a cache miss, never a stale page).
CREATE TABLE "signal_list_changes" ("txid" xid8 PRIMARY KEY);--> statement-breakpoint
CREATE FUNCTION signal_list_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO signal_list_changes VALUES (pg_current_xact_id()) ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE FUNCTION signal_list_version_raise() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE signal_list_version SET value = value + 1;
  DELETE FROM signal_list_changes WHERE txid = NEW.txid;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE CONSTRAINT TRIGGER signal_list_changes_commit AFTER INSERT ON signal_list_changes
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION signal_list_version_raise();--> statement-breakpoint
CREATE TRIGGER signals_list_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON signals
  FOR EACH STATEMENT EXECUTE FUNCTION signal_list_changed();--> statement-breakpoint
CREATE TRIGGER pupils_list_changed AFTER UPDATE OF given_name, infix, surname, birth_date OR DELETE OR TRUNCATE ON pupils
  FOR EACH STATEMENT EXECUTE FUNCTION signal_list_changed();--> statement-breakpoint
CREATE TRIGGER organisations_list_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON organisations
  FOR EACH STATEMENT EXECUTE FUNCTION signal_list_changed();
