-- Least privilege: the gateway connects as a login role that is a member of the NOLOGIN
-- group role `brandgraph_gateway`. The group owns nothing, cannot bypass row-level
-- security and holds only DML: SELECT, INSERT, UPDATE, DELETE on the tables (INSERT and
-- SELECT only on the append-only ones), USAGE on the sequences, never TRUNCATE,
-- REFERENCES, TRIGGER or any DDL. What the gateway did at run time that needs the owner
-- (creating and dropping change_events partitions, pruning the change log) goes through
-- the narrow SECURITY DEFINER functions below, owned by the role running the migrations.
--
-- Migrations run as the owning role (docs/scaling.md, README "Production checklist").
-- Roles are cluster-wide: the group role is created here when absent (which needs
-- CREATEROLE), or created beforehand by an administrator; login roles are made members of
-- it (`CREATE ROLE brandgraph_app LOGIN PASSWORD '…' IN ROLE brandgraph_gateway`).

DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'brandgraph_gateway') THEN
    BEGIN
      CREATE ROLE brandgraph_gateway
        NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
      NULL; -- another database's migration created it at the same moment
    END;
  END IF;
  -- A role created beforehand must be as narrow as the one created here.
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'brandgraph_gateway'
              AND (rolsuper OR rolbypassrls OR rolcreaterole OR rolcreatedb OR rolreplication
                   OR rolcanlogin)) THEN
    RAISE EXCEPTION 'role brandgraph_gateway must be NOLOGIN, NOSUPERUSER, NOBYPASSRLS, '
      'NOCREATEROLE, NOCREATEDB and NOREPLICATION (its login members connect)';
  END IF;
  -- The gateway must not be able to become the owner (SET ROLE) or inherit its rights.
  IF pg_has_role('brandgraph_gateway', current_user, 'MEMBER') THEN
    RAISE EXCEPTION 'role brandgraph_gateway is a member of %, the role running the migrations',
      current_user;
  END IF;
END
$$;

-- Nobody but the owner creates objects in the schema (PostgreSQL 15's default; older
-- versions let PUBLIC create there).
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO brandgraph_gateway;

-- DML on every table and sequence there is, and on every one later migrations create
-- (default privileges of the role running the migrations).
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO brandgraph_gateway;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO brandgraph_gateway;
ALTER DEFAULT PRIVILEGES IN SCHEMA public
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO brandgraph_gateway;
ALTER DEFAULT PRIVILEGES IN SCHEMA public
  GRANT USAGE, SELECT ON SEQUENCES TO brandgraph_gateway;

-- Append-only: logs and histories the gateway only ever adds to. Rows still go with
-- their brand (ON DELETE CASCADE runs as the table's owner).
REVOKE UPDATE, DELETE ON
  audit_logs, brand_history, collaboration_logs, change_events, media_usage_logs,
  publishing_logs, analytics_sync_logs, platform_sync_logs, lead_activities, advisor_feedback
  FROM brandgraph_gateway;
-- Every table guarded by an append-only trigger is append-only for the gateway too.
DO $$
DECLARE
  t REGCLASS;
BEGIN
  FOR t IN
    SELECT DISTINCT tg.tgrelid::regclass
      FROM pg_trigger tg JOIN pg_proc p ON p.oid = tg.tgfoid
     WHERE NOT tg.tgisinternal AND p.proname IN ('append_only', 'audit_logs_append_only')
  LOOP
    EXECUTE format('REVOKE UPDATE, DELETE ON %s FROM brandgraph_gateway', t);
  END LOOP;
END
$$;

-- Read only: the migration ledger (readiness reads it) and the retention marker (moved
-- only by the pruning functions below).
REVOKE INSERT, UPDATE, DELETE ON seaql_migrations, realtime_state FROM brandgraph_gateway;

-- Partitions are reached through their parent only.
DO $$
DECLARE
  part REGCLASS;
BEGIN
  FOR part IN
    SELECT c.oid::regclass FROM pg_class c
     WHERE c.relnamespace = 'public'::regnamespace AND c.relispartition AND c.relkind IN ('r', 'p')
  LOOP
    EXECUTE format('REVOKE ALL ON %s FROM brandgraph_gateway', part);
  END LOOP;
END
$$;

-- The change log's maintenance, run as the owner. Each function does one fixed thing,
-- with its search_path pinned so the caller cannot substitute objects.
CREATE OR REPLACE FUNCTION create_change_event_partitions(days_ahead INT) RETURNS INT
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  day DATE;
  created INT := 0;
  name TEXT;
BEGIN
  IF days_ahead NOT BETWEEN 0 AND 31 THEN
    RAISE EXCEPTION 'days_ahead must be between 0 and 31' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  FOR offset_days IN 0..days_ahead LOOP
    day := (now() AT TIME ZONE 'UTC')::date + offset_days;
    name := 'change_events_p' || to_char(day, 'YYYYMMDD');
    CONTINUE WHEN to_regclass(name) IS NOT NULL;
    CONTINUE WHEN EXISTS (
      SELECT 1 FROM change_events_default
       WHERE created_at >= day::timestamp AT TIME ZONE 'UTC'
         AND created_at < (day + 1)::timestamp AT TIME ZONE 'UTC');
    EXECUTE format(
      'CREATE TABLE %I PARTITION OF change_events FOR VALUES FROM (%L) TO (%L)',
      name, day::timestamp AT TIME ZONE 'UTC', (day + 1)::timestamp AT TIME ZONE 'UTC');
    -- The default privileges granted the gateway DML on it; it goes through the parent.
    EXECUTE format('REVOKE ALL ON %I FROM brandgraph_gateway', name);
    created := created + 1;
  END LOOP;
  RETURN created;
END;
$$;

ALTER FUNCTION drop_expired_change_event_partitions(TIMESTAMPTZ, BIGINT)
  SECURITY DEFINER SET search_path = public, pg_temp;

-- Deletes the events older than `cutoff` below `below_seq` that no dropped partition took
-- (the default partition, the day straddling the cutoff), moving the retention marker;
-- returns how many went.
CREATE FUNCTION prune_change_events(cutoff TIMESTAMPTZ, below_seq BIGINT) RETURNS BIGINT
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
  WITH gone AS (
    DELETE FROM change_events WHERE created_at < cutoff AND seq < below_seq RETURNING seq),
  marked AS (
    UPDATE realtime_state SET value = greatest(value, (SELECT max(seq) FROM gone))
     WHERE key = 'pruned_through' AND EXISTS (SELECT 1 FROM gone))
  SELECT count(*) FROM gone;
$$;

REVOKE EXECUTE ON FUNCTION
  create_change_event_partitions(INT),
  drop_expired_change_event_partitions(TIMESTAMPTZ, BIGINT),
  prune_change_events(TIMESTAMPTZ, BIGINT)
  FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
  create_change_event_partitions(INT),
  drop_expired_change_event_partitions(TIMESTAMPTZ, BIGINT),
  prune_change_events(TIMESTAMPTZ, BIGINT)
  TO brandgraph_gateway;
