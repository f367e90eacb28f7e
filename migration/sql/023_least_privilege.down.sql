-- Back to one role for everything: the gateway group keeps existing (roles are
-- cluster-wide and other databases may use it) but holds nothing in this database.
REVOKE EXECUTE ON FUNCTION
  create_change_event_partitions(INT),
  drop_expired_change_event_partitions(TIMESTAMPTZ, BIGINT)
  FROM brandgraph_gateway;
GRANT EXECUTE ON FUNCTION
  create_change_event_partitions(INT),
  drop_expired_change_event_partitions(TIMESTAMPTZ, BIGINT)
  TO PUBLIC;
DROP FUNCTION prune_change_events(TIMESTAMPTZ, BIGINT);
ALTER FUNCTION drop_expired_change_event_partitions(TIMESTAMPTZ, BIGINT)
  SECURITY INVOKER RESET search_path;

CREATE OR REPLACE FUNCTION create_change_event_partitions(days_ahead INT) RETURNS INT
LANGUAGE plpgsql SECURITY INVOKER AS $$
DECLARE
  day DATE;
  created INT := 0;
  name TEXT;
BEGIN
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
    created := created + 1;
  END LOOP;
  RETURN created;
END;
$$;
ALTER FUNCTION create_change_event_partitions(INT) RESET search_path;

ALTER DEFAULT PRIVILEGES IN SCHEMA public
  REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM brandgraph_gateway;
ALTER DEFAULT PRIVILEGES IN SCHEMA public
  REVOKE USAGE, SELECT ON SEQUENCES FROM brandgraph_gateway;
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM brandgraph_gateway;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM brandgraph_gateway;
REVOKE ALL ON SCHEMA public FROM brandgraph_gateway;
