-- Row-level security that PostgreSQL plans with the statement (docs/row-security.md,
-- *What it costs*). 026's policy functions were SQL functions with `SET search_path`
-- (and two of them SECURITY DEFINER): PostgreSQL cannot inline such a function, and a
-- non-inlined SQL function is parsed and planned again at every call site of every
-- execution, nested calls included. Each brand-owned table a statement read paid that
-- several times over (0.15–0.6 ms per lookup), up to 12× the statement's own cost.
--
-- Here the settings readers have SQL-standard bodies (resolved when created, so the
-- caller's search_path cannot redirect them) and are neither SECURITY DEFINER nor SET:
-- PostgreSQL inlines them. The brand lists become set-returning SQL functions read in
-- FROM, inlined likewise; they read `rls.memberships` as the caller, which sees only the
-- rows of the user its transaction names (a policy of its own). The lookups stay
-- InitPlans, once per statement and table, now planned with the statement and cached
-- with it.

CREATE OR REPLACE FUNCTION rls.kind() RETURNS TEXT LANGUAGE sql STABLE PARALLEL SAFE
  RETURN coalesce(current_setting('brandgraph.kind', true), '');

CREATE OR REPLACE FUNCTION rls.user_id() RETURNS UUID LANGUAGE sql STABLE PARALLEL SAFE
  RETURN CASE WHEN rls.kind() = 'user'
              THEN nullif(current_setting('brandgraph.user_id', true), '')::uuid END;

CREATE OR REPLACE FUNCTION rls.is_service() RETURNS BOOLEAN LANGUAGE sql STABLE PARALLEL SAFE
  RETURN rls.kind() = 'service';

-- The brand a public form captures into (kind 'form').
CREATE FUNCTION rls.form_brand_id() RETURNS UUID LANGUAGE sql STABLE PARALLEL SAFE
  RETURN CASE WHEN rls.kind() = 'form'
              THEN nullif(current_setting('brandgraph.brand_id', true), '')::uuid END;

-- The caller reads its own memberships and the archived brands' ids, nothing else.
ALTER TABLE rls.memberships ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_memberships ON rls.memberships FOR SELECT
  USING (user_id = rls.user_id());
GRANT SELECT ON rls.memberships, rls.archived_brands TO brandgraph_gateway;

-- `domain::brands::visible`'s rule: a user's member brands minus archived ones; a form
-- its one brand unless archived; otherwise none.
CREATE FUNCTION rls.readable_brand_ids() RETURNS SETOF UUID LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT m.brand_id FROM rls.memberships m
   WHERE m.user_id = rls.user_id()
     AND NOT EXISTS (SELECT FROM rls.archived_brands a WHERE a.brand_id = m.brand_id)
  UNION ALL
  SELECT f.brand_id FROM (SELECT rls.form_brand_id()) AS f(brand_id)
   WHERE f.brand_id IS NOT NULL
     AND NOT EXISTS (SELECT FROM rls.archived_brands a WHERE a.brand_id = f.brand_id);
END;

-- Every membership whatever the role, archived brands included (restoring one writes
-- to it); a form its one brand unless archived.
CREATE FUNCTION rls.writable_brand_ids() RETURNS SETOF UUID LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT m.brand_id FROM rls.memberships m WHERE m.user_id = rls.user_id()
  UNION ALL
  SELECT f.brand_id FROM (SELECT rls.form_brand_id()) AS f(brand_id)
   WHERE f.brand_id IS NOT NULL
     AND NOT EXISTS (SELECT FROM rls.archived_brands a WHERE a.brand_id = f.brand_id);
END;

-- Per-row checks that must see every membership stay SECURITY DEFINER, in PL/pgSQL,
-- whose plans a session keeps.
CREATE OR REPLACE FUNCTION rls.has_members(brand UUID) RETURNS BOOLEAN
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  RETURN EXISTS (SELECT FROM rls.memberships WHERE brand_id = brand);
END;
$$;

CREATE OR REPLACE FUNCTION rls.is_archived(brand UUID) RETURNS BOOLEAN
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  RETURN EXISTS (SELECT FROM rls.archived_brands WHERE brand_id = brand);
END;
$$;

REVOKE ALL ON FUNCTION rls.form_brand_id(), rls.readable_brand_ids(), rls.writable_brand_ids()
  FROM PUBLIC;
GRANT EXECUTE ON FUNCTION rls.form_brand_id(), rls.readable_brand_ids(), rls.writable_brand_ids()
  TO brandgraph_gateway;

-- The policies of 026, reading the lists as `ARRAY(SELECT … FROM f())`: an uncorrelated
-- sub-select, so still one InitPlan per statement and table.
DO $$
DECLARE
  t REGCLASS;
  nullable BOOLEAN;
  readable CONSTANT TEXT := 'brand_id = ANY (ARRAY(SELECT b FROM rls.readable_brand_ids() AS b))';
  writable TEXT;
BEGIN
  FOR t, nullable IN
    SELECT c.oid::regclass, NOT a.attnotnull
      FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'brand_id'
     WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
       AND NOT c.relispartition AND NOT a.attisdropped
  LOOP
    writable := CASE WHEN nullable
      THEN '(brand_id IS NULL AND rls.kind() IN (''user'', ''form'')) OR brand_id = ANY (ARRAY(SELECT b FROM rls.writable_brand_ids() AS b))'
      ELSE 'brand_id = ANY (ARRAY(SELECT b FROM rls.writable_brand_ids() AS b))' END;
    EXECUTE format('ALTER POLICY member_read ON %s USING (%s)', t, readable);
    EXECUTE format('ALTER POLICY member_insert ON %s WITH CHECK (%s)', t, writable);
    EXECUTE format('ALTER POLICY member_update ON %s USING (%s) WITH CHECK (%s)', t, writable, writable);
    EXECUTE format('ALTER POLICY member_delete ON %s USING (%s)', t, writable);
  END LOOP;
END
$$;

-- brands: a user's readable brands are among their writable ones, so one list serves.
ALTER POLICY member_read ON brands
  USING (id = ANY (ARRAY(SELECT b FROM rls.writable_brand_ids() AS b))
         OR (created_by = (SELECT rls.user_id()) AND NOT rls.has_members(id)));
ALTER POLICY member_update ON brands
  USING (id = ANY (ARRAY(SELECT b FROM rls.writable_brand_ids() AS b))
         OR (created_by = (SELECT rls.user_id()) AND NOT rls.has_members(id)))
  WITH CHECK (id = ANY (ARRAY(SELECT b FROM rls.writable_brand_ids() AS b))
         OR (created_by = (SELECT rls.user_id()) AND NOT rls.has_members(id)));
ALTER POLICY member_delete ON brands
  USING (id = ANY (ARRAY(SELECT b FROM rls.writable_brand_ids() AS b)));

ALTER POLICY member_read_archived ON audit_logs
  USING (brand_id = ANY (ARRAY(SELECT b FROM rls.writable_brand_ids() AS b)));

DROP FUNCTION rls.readable_brands();
DROP FUNCTION rls.writable_brands();
