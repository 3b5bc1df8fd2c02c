-- A deleted pupil's signals go with the pupil (their events follow by the trigger of 0005).
-- The check lock (CHECK_LOCK in src/db/check-sql.ts) makes a check that is inserting a signal
-- for this pupil finish first, so the DELETE below sees that signal too.
CREATE FUNCTION signals_delete_with_pupils() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(47112026);
  DELETE FROM signals s USING gone g WHERE s.pupil_id = g.id;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER pupils_delete_signals AFTER DELETE ON pupils
  REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION signals_delete_with_pupils();
