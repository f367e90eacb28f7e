-- The realtime outbox (see DESIGN.md, Realtime). Triggers that fill it come with the
-- realtime work. `xid` records the writing transaction so a reader can tell a seq gap
-- that will still fill (its transaction is in progress) from one that never will.
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
