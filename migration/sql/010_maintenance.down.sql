-- The indexes and triggers go with their tables in the earlier migrations' down steps;
-- here we only remove what this step added, so `down` to step 9 leaves the rest intact.
DO $$
DECLARE
  r record;
BEGIN
  FOR r IN
    SELECT tgname, tgrelid::regclass::text AS tbl FROM pg_trigger
     WHERE NOT tgisinternal AND tgname LIKE '%\_set\_updated\_at'
  LOOP
    EXECUTE format('DROP TRIGGER %I ON %I', r.tgname, r.tbl);
  END LOOP;
  FOR r IN
    SELECT indexname FROM pg_indexes
     WHERE schemaname = 'public' AND indexname LIKE '%\_fkey\_idx'
  LOOP
    EXECUTE format('DROP INDEX %I', r.indexname);
  END LOOP;
END;
$$;
