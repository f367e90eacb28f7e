-- Back to 026's policy functions (SQL functions with `SET search_path`, not inlined).

CREATE OR REPLACE FUNCTION rls.kind() RETURNS TEXT LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp AS $$
  SELECT coalesce(current_setting('brandgraph.kind', true), '')
$$;

CREATE OR REPLACE FUNCTION rls.user_id() RETURNS UUID LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE WHEN rls.kind() = 'user'
              THEN nullif(current_setting('brandgraph.user_id', true), '')::uuid END
$$;

CREATE OR REPLACE FUNCTION rls.is_service() RETURNS BOOLEAN LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp AS $$
  SELECT rls.kind() = 'service'
$$;

CREATE FUNCTION rls.readable_brands() RETURNS UUID[] LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE rls.kind()
    WHEN 'user' THEN ARRAY(
      SELECT m.brand_id FROM rls.memberships m
       WHERE m.user_id = rls.user_id()
         AND NOT EXISTS (SELECT 1 FROM rls.archived_brands a WHERE a.brand_id = m.brand_id))
    WHEN 'form' THEN ARRAY(
      SELECT f.b FROM (SELECT nullif(current_setting('brandgraph.brand_id', true), '')::uuid) AS f(b)
       WHERE f.b IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM rls.archived_brands a WHERE a.brand_id = f.b))
    ELSE '{}'::uuid[]
  END
$$;

CREATE FUNCTION rls.writable_brands() RETURNS UUID[] LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE rls.kind()
    WHEN 'user' THEN ARRAY(SELECT m.brand_id FROM rls.memberships m WHERE m.user_id = rls.user_id())
    WHEN 'form' THEN rls.readable_brands()
    ELSE '{}'::uuid[]
  END
$$;

CREATE OR REPLACE FUNCTION rls.has_members(brand UUID) RETURNS BOOLEAN LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
  SELECT EXISTS (SELECT 1 FROM rls.memberships WHERE brand_id = brand)
$$;
CREATE OR REPLACE FUNCTION rls.is_archived(brand UUID) RETURNS BOOLEAN LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
  SELECT EXISTS (SELECT 1 FROM rls.archived_brands WHERE brand_id = brand)
$$;
REVOKE ALL ON FUNCTION rls.readable_brands(), rls.writable_brands(), rls.has_members(UUID),
  rls.is_archived(UUID) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION rls.readable_brands(), rls.writable_brands(), rls.has_members(UUID),
  rls.is_archived(UUID) TO brandgraph_gateway;

DO $$
DECLARE
  t REGCLASS;
  nullable BOOLEAN;
  writable TEXT;
BEGIN
  FOR t, nullable IN
    SELECT c.oid::regclass, NOT a.attnotnull
      FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'brand_id'
     WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
       AND NOT c.relispartition AND NOT a.attisdropped
  LOOP
    writable := CASE WHEN nullable
      THEN '(brand_id IS NULL AND rls.kind() IN (''user'', ''form'')) OR brand_id = ANY ((SELECT rls.writable_brands())::uuid[])'
      ELSE 'brand_id = ANY ((SELECT rls.writable_brands())::uuid[])' END;
    EXECUTE format('ALTER POLICY member_read ON %s
                      USING (brand_id = ANY ((SELECT rls.readable_brands())::uuid[]))', t);
    EXECUTE format('ALTER POLICY member_insert ON %s WITH CHECK (%s)', t, writable);
    EXECUTE format('ALTER POLICY member_update ON %s USING (%s) WITH CHECK (%s)', t, writable, writable);
    EXECUTE format('ALTER POLICY member_delete ON %s USING (%s)', t, writable);
  END LOOP;
END
$$;

ALTER POLICY member_read ON brands
  USING (id = ANY ((SELECT rls.writable_brands())::uuid[]) OR id = ANY ((SELECT rls.readable_brands())::uuid[])
         OR (created_by = (SELECT rls.user_id()) AND NOT rls.has_members(id)));
ALTER POLICY member_update ON brands
  USING (id = ANY ((SELECT rls.writable_brands())::uuid[])
         OR (created_by = (SELECT rls.user_id()) AND NOT rls.has_members(id)))
  WITH CHECK (id = ANY ((SELECT rls.writable_brands())::uuid[])
         OR (created_by = (SELECT rls.user_id()) AND NOT rls.has_members(id)));
ALTER POLICY member_delete ON brands
  USING (id = ANY ((SELECT rls.writable_brands())::uuid[]));
ALTER POLICY member_read_archived ON audit_logs
  USING (brand_id = ANY ((SELECT rls.writable_brands())::uuid[]));

DROP FUNCTION rls.readable_brand_ids();
DROP FUNCTION rls.writable_brand_ids();
DROP FUNCTION rls.form_brand_id();
REVOKE SELECT ON rls.memberships, rls.archived_brands FROM brandgraph_gateway;
DROP POLICY own_memberships ON rls.memberships;
ALTER TABLE rls.memberships DISABLE ROW LEVEL SECURITY;
