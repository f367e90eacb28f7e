DROP FUNCTION drop_expired_change_event_partitions(TIMESTAMPTZ, BIGINT);
DROP FUNCTION create_change_event_partitions(INT);
ALTER TABLE change_events RENAME TO change_events_partitioned;
ALTER INDEX change_events_pkey RENAME TO change_events_partitioned_pkey;
ALTER INDEX change_events_topic_brand_id_seq_idx RENAME TO change_events_partitioned_topic_idx;
ALTER INDEX change_events_created_at_idx RENAME TO change_events_partitioned_created_at_idx;
ALTER TABLE change_events_partitioned RENAME CONSTRAINT change_events_op_check
  TO change_events_partitioned_op_check;
CREATE TABLE change_events (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  topic TEXT NOT NULL,
  brand_id UUID,
  entity_id UUID,
  op TEXT NOT NULL,
  payload JSONB NOT NULL DEFAULT '{}'::jsonb,
  xid XID8 NOT NULL DEFAULT pg_current_xact_id(),
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT change_events_op_check CHECK (op IN ('insert', 'update', 'delete'))
);
CREATE INDEX change_events_topic_brand_id_seq_idx ON change_events (topic, brand_id, seq);
CREATE INDEX change_events_created_at_idx ON change_events (created_at);
INSERT INTO change_events OVERRIDING SYSTEM VALUE SELECT * FROM change_events_partitioned;
SELECT setval(pg_get_serial_sequence('change_events', 'seq'),
  greatest((SELECT last_value FROM change_events_seq_counter),
           (SELECT coalesce(max(seq), 1) FROM change_events)));
DROP TABLE change_events_partitioned;
