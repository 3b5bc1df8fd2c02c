-- A signal's events go with the signal (when a pupil is deleted, its signals cascade here), one
-- statement per deletion instead of a foreign-key check per inserted event.
CREATE FUNCTION signal_events_delete_with_signals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM signal_events e USING gone g WHERE e.signal_id = g.id;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER signals_delete_events AFTER DELETE ON signals
  REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION signal_events_delete_with_signals();
