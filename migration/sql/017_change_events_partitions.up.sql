-- change_events partitioned by day (of created_at, UTC), so retention drops whole days
-- instead of deleting rows one by one (and leaving the table and its indexes to vacuum).
--
-- The seq order, the xid column and every reader's query stay as they were: readers ask
-- for `seq >= $1 ORDER BY seq`, which every partition answers from its own index. A
-- DEFAULT partition takes rows no day partition covers (older rows moved here, or days
-- the retention job has not created yet), so an insert never fails; those rows are
-- pruned by DELETE as before. `create_change_event_partitions(n)` creates today's and the
-- next n days' partitions; the retention job calls it on every pass.

ALTER TABLE change_events RENAME TO change_events_unpartitioned;
ALTER INDEX change_events_pkey RENAME TO change_events_unpartitioned_pkey;
ALTER INDEX change_events_topic_brand_id_seq_idx RENAME TO change_events_unpartitioned_topic_idx;
ALTER INDEX change_events_created_at_idx RENAME TO change_events_unpartitioned_created_at_idx;
ALTER TABLE change_events_unpartitioned RENAME CONSTRAINT change_events_op_check
  TO change_events_unpartitioned_op_check;

CREATE SEQUENCE change_events_seq_counter AS BIGINT;
SELECT setval('change_events_seq_counter', greatest(
  (SELECT last_value FROM change_events_seq_seq),
  (SELECT coalesce(max(seq), 1) FROM change_events_unpartitioned)));

CREATE TABLE change_events (
  seq BIGINT NOT NULL DEFAULT nextval('change_events_seq_counter'),
  topic TEXT NOT NULL,
  brand_id UUID,
  entity_id UUID,
  op TEXT NOT NULL,
  payload JSONB NOT NULL DEFAULT '{}'::jsonb,
  xid XID8 NOT NULL DEFAULT pg_current_xact_id(),
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT change_events_op_check CHECK (op IN ('insert', 'update', 'delete')),
  PRIMARY KEY (seq, created_at)
) PARTITION BY RANGE (created_at);
ALTER SEQUENCE change_events_seq_counter OWNED BY change_events.seq;
CREATE INDEX change_events_topic_brand_id_seq_idx ON change_events (topic, brand_id, seq);
CREATE INDEX change_events_created_at_idx ON change_events (created_at);
CREATE TABLE change_events_default PARTITION OF change_events DEFAULT;

-- Today's and the next `days_ahead` days' partitions (UTC days), unless they exist or
-- the default partition already holds rows of that day (creating it would then fail;
-- those rows are pruned by DELETE).
CREATE FUNCTION create_change_event_partitions(days_ahead INT) RETURNS INT
LANGUAGE plpgsql AS $$
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

-- Drops the day partitions that ended before `cutoff` and hold only events below
-- `below_seq` (released to every subscriber), remembering the highest seq dropped in
-- realtime_state.pruned_through; returns how many events went.
CREATE FUNCTION drop_expired_change_event_partitions(cutoff TIMESTAMPTZ, below_seq BIGINT)
RETURNS BIGINT LANGUAGE plpgsql AS $$
DECLARE
  part RECORD;
  highest BIGINT;
  rows_in BIGINT;
  removed BIGINT := 0;
BEGIN
  FOR part IN
    SELECT c.relname AS name
      FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = 'change_events'::regclass AND c.relname ~ '^change_events_p[0-9]{8}$'
       AND (to_date(substring(c.relname FROM 16), 'YYYYMMDD') + 1)::timestamp AT TIME ZONE 'UTC' <= cutoff
     ORDER BY c.relname
  LOOP
    EXECUTE format('SELECT max(seq), count(*) FROM %I', part.name) INTO highest, rows_in;
    CONTINUE WHEN highest >= below_seq;
    IF highest IS NOT NULL THEN
      UPDATE realtime_state SET value = greatest(value, highest) WHERE key = 'pruned_through';
    END IF;
    EXECUTE format('DROP TABLE %I', part.name);
    removed := removed + rows_in;
  END LOOP;
  RETURN removed;
END;
$$;

SELECT create_change_event_partitions(3);
INSERT INTO change_events SELECT * FROM change_events_unpartitioned;
DROP TABLE change_events_unpartitioned;
