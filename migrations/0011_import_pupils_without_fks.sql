-- import_pupils without foreign keys: checking them row by row cost an import more than writing
-- the rows. The merge holds the same guarantee set-based (lockMergeTargets in
-- src/imports/staging.ts): the pupils it found are locked FOR KEY SHARE in one statement, the
-- ones it created are invisible to everyone else until it commits, and its imports row is
-- locked FOR KEY SHARE for the whole transaction.
ALTER TABLE "import_pupils" DROP CONSTRAINT "import_pupils_import_id_imports_id_fk";
--> statement-breakpoint
ALTER TABLE "import_pupils" DROP CONSTRAINT "import_pupils_pupil_id_pupils_id_fk";
--> statement-breakpoint
-- The cascades the foreign keys gave, one statement per deletion.
CREATE FUNCTION import_pupils_delete_with_imports() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM import_pupils i USING gone g WHERE i.import_id = g.id;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER imports_delete_import_pupils AFTER DELETE ON imports
  REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION import_pupils_delete_with_imports();
--> statement-breakpoint
CREATE FUNCTION import_pupils_delete_with_pupils() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM import_pupils i USING gone g WHERE i.pupil_id = g.id;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER pupils_delete_import_pupils AFTER DELETE ON pupils
  REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION import_pupils_delete_with_pupils();
--> statement-breakpoint
-- Uploaded files wait here for minutes at most: compressing them cost the upload more than it
-- saved (and the worker paid again to decompress).
ALTER TABLE "import_chunks" ALTER COLUMN "data" SET STORAGE EXTERNAL;
