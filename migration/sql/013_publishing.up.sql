-- Publishing per brand. The target schema keys connections and publish jobs by tenant
-- only, while the platform's operations (seed 004 §1.3/§1.4) are all per brand: a brand
-- connects its own accounts and publishes its own content. Both tables get a brand_id
-- (docs/schema-decisions.md #22); jobs also name the content item they publish.
ALTER TABLE connections ADD COLUMN brand_id UUID REFERENCES brands(id) ON DELETE CASCADE;
CREATE INDEX connections_brand_id_idx ON connections (brand_id);
ALTER TABLE connections ADD CONSTRAINT connections_status_check
  CHECK (status IN ('active', 'expired', 'disconnected', 'error'));
ALTER TABLE connections ADD CONSTRAINT connections_health_status_check
  CHECK (health_status IN ('healthy', 'degraded', 'unhealthy', 'unknown'));

-- Which key encrypted a secret (keys rotate); one secret of each type per connection.
ALTER TABLE encrypted_secrets ADD COLUMN key_id VARCHAR(64) NOT NULL DEFAULT 'unknown';
ALTER TABLE encrypted_secrets ADD CONSTRAINT encrypted_secrets_connection_id_secret_type_key
  UNIQUE (connection_id, secret_type);
CREATE INDEX encrypted_secrets_key_id_idx ON encrypted_secrets (key_id);

ALTER TABLE publish_jobs
  ADD COLUMN brand_id UUID REFERENCES brands(id) ON DELETE CASCADE,
  ADD COLUMN content_item_id UUID REFERENCES content_items(id) ON DELETE CASCADE,
  ADD COLUMN lease_expires_at TIMESTAMPTZ,
  ADD COLUMN claimed_by VARCHAR(255),
  ADD COLUMN published_at TIMESTAMPTZ,
  ADD COLUMN platform_post_url TEXT;
ALTER TABLE publish_jobs ADD CONSTRAINT publish_jobs_status_check
  CHECK (status IN ('pending', 'processing', 'published', 'retrying', 'dead', 'cancelled'));
CREATE INDEX publish_jobs_brand_id_created_at_idx ON publish_jobs (brand_id, created_at DESC);
CREATE INDEX publish_jobs_content_item_id_idx ON publish_jobs (content_item_id);
-- What a worker claims: due jobs (and processing jobs whose lease ran out).
CREATE INDEX publish_jobs_claimable_idx ON publish_jobs (connection_id, status, next_retry_at)
  WHERE status IN ('pending', 'retrying', 'processing');

-- Job transitions carry the brand now, so subscriptions can follow them per brand.
CREATE OR REPLACE FUNCTION capture_publish_job() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' OR NEW.status IS DISTINCT FROM OLD.status
     OR NEW.attempt_count IS DISTINCT FROM OLD.attempt_count THEN
    INSERT INTO change_events (topic, brand_id, entity_id, op, payload)
    VALUES ('publish_job', NEW.brand_id, NEW.id, lower(TG_OP),
            jsonb_build_object('tenant_id', NEW.tenant_id, 'status', NEW.status,
                               'previous_status', CASE WHEN TG_OP = 'UPDATE' THEN OLD.status END,
                               'content_item_id', NEW.content_item_id,
                               'connection_id', NEW.connection_id,
                               'attempt', NEW.attempt_count,
                               'error_code', NEW.last_error_code));
    PERFORM notify_change_events();
  END IF;
  RETURN NULL;
END;
$$;

CREATE FUNCTION capture_connection() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' OR NEW.status IS DISTINCT FROM OLD.status
     OR NEW.health_status IS DISTINCT FROM OLD.health_status
     OR NEW.requires_reconnect IS DISTINCT FROM OLD.requires_reconnect THEN
    INSERT INTO change_events (topic, brand_id, entity_id, op, payload)
    VALUES ('connection', NEW.brand_id, NEW.id, lower(TG_OP),
            jsonb_build_object('status', NEW.status, 'health_status', NEW.health_status,
                               'requires_reconnect', NEW.requires_reconnect));
    PERFORM notify_change_events();
  END IF;
  RETURN NULL;
END;
$$;
CREATE TRIGGER connections_capture AFTER INSERT OR UPDATE ON connections
  FOR EACH ROW EXECUTE FUNCTION capture_connection();
