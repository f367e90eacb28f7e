-- Change capture for the realtime side (DESIGN.md, Realtime). Triggers append to
-- change_events in the writing transaction and send a wake-up NOTIFY whose payload is the
-- transaction id: PostgreSQL folds identical notifications of one transaction into one, so
-- a transaction sends one NOTIFY however many rows and statements it touches. The listener
-- reads the events themselves from change_events.
--
-- Write-heavy deployments can turn the NOTIFY off (commits that notify are serialised on
-- a global lock) with `ALTER DATABASE ... SET brandgraph.notify = 'off'` and run the
-- gateway in poll mode.

CREATE TABLE realtime_state (
  key TEXT PRIMARY KEY,
  value BIGINT NOT NULL
);
-- Highest seq removed by retention pruning: a cursor below it may have lost events.
INSERT INTO realtime_state (key, value) VALUES ('pruned_through', 0);

CREATE FUNCTION notify_change_events() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF coalesce(current_setting('brandgraph.notify', true), 'on') <> 'off' THEN
    PERFORM pg_notify('brandgraph_events', pg_current_xact_id()::text);
  END IF;
END;
$$;

CREATE FUNCTION capture_post_approval() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO change_events (topic, brand_id, entity_id, op, payload)
  VALUES ('approval', NEW.brand_id, NEW.id, lower(TG_OP),
          jsonb_build_object('post_id', NEW.post_id, 'status', NEW.status, 'locked', NEW.locked));
  PERFORM notify_change_events();
  RETURN NULL;
END;
$$;
CREATE TRIGGER post_approvals_capture AFTER INSERT OR UPDATE ON post_approvals
  FOR EACH ROW EXECUTE FUNCTION capture_post_approval();

CREATE FUNCTION capture_content_status() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' OR NEW.status IS DISTINCT FROM OLD.status THEN
    INSERT INTO change_events (topic, brand_id, entity_id, op, payload)
    VALUES ('content_status', NEW.brand_id, NEW.id, lower(TG_OP),
            jsonb_build_object('status', NEW.status,
                               'previous_status', CASE WHEN TG_OP = 'UPDATE' THEN OLD.status END));
    PERFORM notify_change_events();
  END IF;
  RETURN NULL;
END;
$$;
CREATE TRIGGER content_items_capture AFTER INSERT OR UPDATE ON content_items
  FOR EACH ROW EXECUTE FUNCTION capture_content_status();

-- Statement level, with transition tables: a batch ingest of 1,000 rows adds one event per
-- (brand, platform) it touched and one NOTIFY, not 1,000.
CREATE FUNCTION capture_analytics() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO change_events (topic, brand_id, op, payload)
  SELECT 'analytics', brand_id, lower(TG_OP),
         jsonb_build_object('platform', platform, 'rows', count(*),
                            'from', min(date), 'to', max(date))
    FROM changed_rows
   GROUP BY brand_id, platform;
  IF FOUND THEN
    PERFORM notify_change_events();
  END IF;
  RETURN NULL;
END;
$$;
CREATE TRIGGER analytics_metrics_capture_insert AFTER INSERT ON analytics_metrics
  REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION capture_analytics();
CREATE TRIGGER analytics_metrics_capture_update AFTER UPDATE ON analytics_metrics
  REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION capture_analytics();

CREATE FUNCTION capture_publish_job() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' OR NEW.status IS DISTINCT FROM OLD.status THEN
    INSERT INTO change_events (topic, brand_id, entity_id, op, payload)
    VALUES ('publish_job', NULL, NEW.id, lower(TG_OP),
            jsonb_build_object('tenant_id', NEW.tenant_id, 'status', NEW.status));
    PERFORM notify_change_events();
  END IF;
  RETURN NULL;
END;
$$;
CREATE TRIGGER publish_jobs_capture AFTER INSERT OR UPDATE ON publish_jobs
  FOR EACH ROW EXECUTE FUNCTION capture_publish_job();

-- Membership changes let live subscriptions stop when a member is removed.
CREATE FUNCTION capture_membership() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  row brand_members;
BEGIN
  row := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
  INSERT INTO change_events (topic, brand_id, entity_id, op, payload)
  VALUES ('membership', row.brand_id, row.user_id, lower(TG_OP), jsonb_build_object('role', row.role));
  PERFORM notify_change_events();
  RETURN NULL;
END;
$$;
CREATE TRIGGER brand_members_capture AFTER INSERT OR UPDATE OR DELETE ON brand_members
  FOR EACH ROW EXECUTE FUNCTION capture_membership();
