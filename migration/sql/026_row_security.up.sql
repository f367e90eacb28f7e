-- Row-level security: the second line under the gateway's own brand filters
-- (docs/row-security.md). Every brand-owned table is ENABLE'd and FORCE'd; policies are
-- keyed on transaction-local settings the gateway sets with each unit of work:
--   brandgraph.kind     'user' | 'service' | 'form' (anything else, or unset: nothing)
--   brandgraph.user_id  the user (kind 'user')
--   brandgraph.brand_id the brand a public form captures into (kind 'form')
--   brandgraph.form_key the key a form submission presents (kind 'form', lookup only)
-- Fail closed: with no setting a brand-owned table shows no rows and takes no writes.

CREATE SCHEMA rls;
REVOKE ALL ON SCHEMA rls FROM PUBLIC;
GRANT USAGE ON SCHEMA rls TO brandgraph_gateway;

-- Who is a member of what, and which brands are archived: private copies the policy
-- functions read. Policies cannot read `brand_members` itself (it is brand-owned and
-- FORCE'd: a policy reading it would recurse), and the gateway cannot read these (no
-- grant; no RLS here, so the owner's SECURITY DEFINER functions see every row).
CREATE TABLE rls.memberships (
  user_id UUID NOT NULL,
  brand_id UUID NOT NULL,
  role TEXT NOT NULL,
  PRIMARY KEY (user_id, brand_id)
);
CREATE INDEX memberships_brand_idx ON rls.memberships (brand_id);
CREATE TABLE rls.archived_brands (brand_id UUID PRIMARY KEY);

INSERT INTO rls.memberships SELECT user_id, brand_id, role FROM brand_members;
INSERT INTO rls.archived_brands SELECT id FROM brands WHERE archived_at IS NOT NULL;

CREATE FUNCTION rls.sync_membership() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    DELETE FROM rls.memberships WHERE user_id = OLD.user_id AND brand_id = OLD.brand_id;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO rls.memberships (user_id, brand_id, role) VALUES (NEW.user_id, NEW.brand_id, NEW.role)
      ON CONFLICT (user_id, brand_id) DO UPDATE SET role = EXCLUDED.role;
  END IF;
  RETURN NULL;
END;
$$;
CREATE TRIGGER brand_members_rls AFTER INSERT OR UPDATE OR DELETE ON brand_members
  FOR EACH ROW EXECUTE FUNCTION rls.sync_membership();

CREATE FUNCTION rls.sync_archived() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF TG_OP = 'DELETE' OR NEW.archived_at IS NULL THEN
    DELETE FROM rls.archived_brands WHERE brand_id = OLD.id;
  ELSE
    INSERT INTO rls.archived_brands VALUES (NEW.id) ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END;
$$;
CREATE TRIGGER brands_rls_archived AFTER UPDATE OF archived_at OR DELETE ON brands
  FOR EACH ROW EXECUTE FUNCTION rls.sync_archived();

-- The settings, read. Policies call the array functions as `(SELECT rls.f())` so that
-- PostgreSQL evaluates them once per statement (an InitPlan), not once per row.
CREATE FUNCTION rls.kind() RETURNS TEXT LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp AS $$
  SELECT coalesce(current_setting('brandgraph.kind', true), '')
$$;

CREATE FUNCTION rls.user_id() RETURNS UUID LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE WHEN rls.kind() = 'user'
              THEN nullif(current_setting('brandgraph.user_id', true), '')::uuid END
$$;

CREATE FUNCTION rls.is_service() RETURNS BOOLEAN LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp AS $$
  SELECT rls.kind() = 'service'
$$;

-- The brands the viewer may read: `domain::brands::visible`'s rule (a member's brands,
-- archived ones hidden; a form its one brand). The service kind reads through its own
-- policy, not through this list.
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

-- The brands the viewer may write: every membership, whatever the role (the gateway
-- checks the role each mutation needs), archived brands included (restoring one writes
-- to it); a form its one brand.
CREATE FUNCTION rls.writable_brands() RETURNS UUID[] LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE rls.kind()
    WHEN 'user' THEN ARRAY(SELECT m.brand_id FROM rls.memberships m WHERE m.user_id = rls.user_id())
    WHEN 'form' THEN rls.readable_brands()
    ELSE '{}'::uuid[]
  END
$$;

-- Whether `brand` has any member yet (its creator's first membership).
CREATE FUNCTION rls.has_members(brand UUID) RETURNS BOOLEAN LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
  SELECT EXISTS (SELECT 1 FROM rls.memberships WHERE brand_id = brand)
$$;

-- Whether `brand` is archived (a form key of an archived brand takes nothing).
CREATE FUNCTION rls.is_archived(brand UUID) RETURNS BOOLEAN LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
  SELECT EXISTS (SELECT 1 FROM rls.archived_brands WHERE brand_id = brand)
$$;

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA rls FROM PUBLIC;
GRANT EXECUTE ON FUNCTION rls.kind(), rls.user_id(), rls.is_service(), rls.readable_brands(),
  rls.writable_brands(), rls.has_members(UUID), rls.is_archived(UUID) TO brandgraph_gateway;

-- Every table with a `brand_id` column (partitions go through their parent): the four
-- member policies and the service kind's explicit path. Policies are for every role, not
-- only `brandgraph_gateway`: FORCE subjects the owner too, so the owner's SECURITY
-- DEFINER functions act within the calling transaction's settings (an erasure within the
-- admin's brand), and the owner seeds as the service kind. No other role holds DML.
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
    -- A row of no brand (a tenant-level audit entry, a platform's delivery) is written by
    -- any identified caller and read by the service kind only.
    writable := CASE WHEN nullable
      THEN '(brand_id IS NULL AND rls.kind() IN (''user'', ''form'')) OR brand_id = ANY ((SELECT rls.writable_brands())::uuid[])'
      ELSE 'brand_id = ANY ((SELECT rls.writable_brands())::uuid[])' END;
    EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY service_all ON %s FOR ALL
                      USING ((SELECT rls.is_service())) WITH CHECK ((SELECT rls.is_service()))', t);
    EXECUTE format('CREATE POLICY member_read ON %s FOR SELECT
                      USING (brand_id = ANY ((SELECT rls.readable_brands())::uuid[]))', t);
    EXECUTE format('CREATE POLICY member_insert ON %s FOR INSERT
                      WITH CHECK (%s)', t, writable);
    EXECUTE format('CREATE POLICY member_update ON %s FOR UPDATE
                      USING (%s) WITH CHECK (%s)', t, writable, writable);
    EXECUTE format('CREATE POLICY member_delete ON %s FOR DELETE
                      USING (%s)', t, writable);
  END LOOP;
END
$$;

-- brands: keyed on `id`. Members read their brands' rows, archived ones included (so an
-- admin can restore one; the gateway hides them everywhere else); a user creates brands
-- as themselves and, until its first member exists, the creator alone sees the new row.
ALTER TABLE brands ENABLE ROW LEVEL SECURITY;
ALTER TABLE brands FORCE ROW LEVEL SECURITY;
CREATE POLICY service_all ON brands FOR ALL
  USING ((SELECT rls.is_service())) WITH CHECK ((SELECT rls.is_service()));
CREATE POLICY member_read ON brands FOR SELECT
  USING (id = ANY ((SELECT rls.writable_brands())::uuid[]) OR id = ANY ((SELECT rls.readable_brands())::uuid[])
         OR (created_by = (SELECT rls.user_id()) AND NOT rls.has_members(id)));
CREATE POLICY creator_insert ON brands FOR INSERT
  WITH CHECK (created_by = (SELECT rls.user_id()));
CREATE POLICY member_update ON brands FOR UPDATE
  USING (id = ANY ((SELECT rls.writable_brands())::uuid[])
         OR (created_by = (SELECT rls.user_id()) AND NOT rls.has_members(id)))
  WITH CHECK (id = ANY ((SELECT rls.writable_brands())::uuid[])
         OR (created_by = (SELECT rls.user_id()) AND NOT rls.has_members(id)));
CREATE POLICY member_delete ON brands FOR DELETE
  USING (id = ANY ((SELECT rls.writable_brands())::uuid[]));

-- brand_members: besides the members' policies, a user adds themselves as the first
-- owner of a brand they just created, or by an invitation to them accepted in this
-- transaction.
CREATE POLICY creator_joins ON brand_members FOR INSERT
  WITH CHECK (user_id = (SELECT rls.user_id()) AND role = 'owner' AND NOT rls.has_members(brand_id)
              AND EXISTS (SELECT 1 FROM brands b WHERE b.id = brand_members.brand_id
                                                   AND b.created_by = brand_members.user_id));
-- A user reads their own memberships (a row they just inserted is checked against the
-- read policies before the statement's trigger has recorded the membership).
CREATE POLICY own_memberships ON brand_members FOR SELECT
  USING (user_id = (SELECT rls.user_id()));
CREATE POLICY invitee_joins ON brand_members FOR INSERT
  WITH CHECK (user_id = (SELECT rls.user_id())
              AND EXISTS (SELECT 1 FROM brand_invitations i
                           WHERE i.brand_id = brand_members.brand_id AND i.user_id = brand_members.user_id
                             AND i.role = brand_members.role AND i.status = 'accepted'
                             AND i.decided_at = now()));

-- brand_invitations: the invitee reads and answers their own.
CREATE POLICY invitee_read ON brand_invitations FOR SELECT
  USING (user_id = (SELECT rls.user_id()));
CREATE POLICY invitee_answers ON brand_invitations FOR UPDATE
  USING (user_id = (SELECT rls.user_id())) WITH CHECK (user_id = (SELECT rls.user_id()));

-- lead_form_keys: a public form submission sees the one key it presents.
CREATE POLICY form_presents_key ON lead_form_keys FOR SELECT
  USING (rls.kind() = 'form' AND key = current_setting('brandgraph.form_key', true));

-- change_events: written by the capture triggers of whatever statement changed a row
-- (the row's own policies already admitted that change; a brand's first events come
-- before its first member exists), read by the members of the brand and by realtime
-- (service kind). UPDATE and DELETE stay revoked (023).
CREATE POLICY captured ON change_events FOR INSERT WITH CHECK (true);

-- client_settings: the holder of an unsubscribe link updates the one row whose token its
-- transaction presents (`brandgraph.unsubscribe_token`), without a login.
CREATE POLICY link_holder_reads ON client_settings FOR SELECT
  USING (rls.kind() = 'unsubscribe' AND unsubscribe_token = current_setting('brandgraph.unsubscribe_token', true));
CREATE POLICY link_holder_unsubscribes ON client_settings FOR UPDATE
  USING (rls.kind() = 'unsubscribe' AND unsubscribe_token = current_setting('brandgraph.unsubscribe_token', true))
  WITH CHECK (rls.kind() = 'unsubscribe' AND unsubscribe_token = current_setting('brandgraph.unsubscribe_token', true));

-- audit_logs: members read their brands' entries, archived brands included: archiving
-- and restoring a brand record an entry of it (and an insert reads back what it wrote).
CREATE POLICY member_read_archived ON audit_logs FOR SELECT
  USING (brand_id = ANY ((SELECT rls.writable_brands())::uuid[]));

-- Full-text search under row-level security: a policy's condition must run before any
-- operator that is not LEAKPROOF, so `tsvector @@ tsquery` could no longer use the GIN
-- index of search_documents. Marking it LEAKPROOF (it raises no error that depends on
-- the row) takes a superuser; a non-superuser owner skips this and search reads the
-- viewer's brands' documents through the brand index (docs/row-security.md).
DO $$
BEGIN
  IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    ALTER FUNCTION pg_catalog.ts_match_vq(tsvector, tsquery) LEAKPROOF;
  END IF;
END
$$;
