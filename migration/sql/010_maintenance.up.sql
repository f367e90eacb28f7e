-- Cross-cutting rules applied to every table the previous migrations made:
-- 1. updated_at is maintained by trigger wherever the column exists;
-- 2. every foreign key has an index whose leading columns are the key's columns
--    (PostgreSQL does not create them, and unindexed FKs make cascades and joins scan).
DO $$
DECLARE
  t record;
  fk record;
BEGIN
  FOR t IN
    SELECT c.table_name FROM information_schema.columns c
     WHERE c.table_schema = 'public' AND c.column_name = 'updated_at'
  LOOP
    EXECUTE format(
      'CREATE TRIGGER %I BEFORE UPDATE ON %I FOR EACH ROW EXECUTE FUNCTION set_updated_at()',
      t.table_name || '_set_updated_at', t.table_name);
  END LOOP;

  FOR fk IN
    SELECT con.conrelid::regclass::text AS tbl,
           con.conkey AS cols,
           string_agg(quote_ident(a.attname), ', ' ORDER BY k.ord) AS col_list,
           string_agg(a.attname, '_' ORDER BY k.ord) AS col_names
      FROM pg_constraint con
      JOIN LATERAL unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord) ON true
      JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
     WHERE con.contype = 'f' AND con.connamespace = 'public'::regnamespace
     GROUP BY con.oid, con.conrelid, con.conkey
  LOOP
    IF NOT EXISTS (
      SELECT 1 FROM pg_index i
       WHERE i.indrelid = fk.tbl::regclass
         AND (i.indkey::int2[])[0:array_length(fk.cols, 1) - 1] = fk.cols
    ) THEN
      EXECUTE format('CREATE INDEX %I ON %I (%s)',
                     fk.tbl || '_' || fk.col_names || '_fkey_idx', fk.tbl, fk.col_list);
    END IF;
  END LOOP;
END;
$$;
