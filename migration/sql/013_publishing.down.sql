DROP TRIGGER IF EXISTS connections_capture ON connections;
DROP FUNCTION IF EXISTS capture_connection();
CREATE OR REPLACE FUNCTION capture_publish_job() RETURNS trigger
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
DROP INDEX IF EXISTS publish_jobs_claimable_idx;
ALTER TABLE publish_jobs DROP CONSTRAINT IF EXISTS publish_jobs_status_check;
ALTER TABLE publish_jobs
  DROP COLUMN IF EXISTS platform_post_url,
  DROP COLUMN IF EXISTS published_at,
  DROP COLUMN IF EXISTS claimed_by,
  DROP COLUMN IF EXISTS lease_expires_at,
  DROP COLUMN IF EXISTS content_item_id,
  DROP COLUMN IF EXISTS brand_id;
DROP INDEX IF EXISTS encrypted_secrets_key_id_idx;
ALTER TABLE encrypted_secrets DROP CONSTRAINT IF EXISTS encrypted_secrets_connection_id_secret_type_key;
ALTER TABLE encrypted_secrets DROP COLUMN IF EXISTS key_id;
ALTER TABLE connections DROP CONSTRAINT IF EXISTS connections_health_status_check;
ALTER TABLE connections DROP CONSTRAINT IF EXISTS connections_status_check;
ALTER TABLE connections DROP COLUMN IF EXISTS brand_id;
