-- Privacy (issue 28 item 7; docs/schema-decisions.md "Erasure and export"): the requests a
-- brand's admins make for a person (a data subject, known by their email address) and the
-- privacy audit trail. None of these rows holds the address itself: a subject is named by
-- `subject_hash` = hex(sha256(brand_id || ':' || lower(email))), which lets an auditor
-- check "was this address erased?" without the log becoming personal data again.

CREATE TABLE data_export_requests (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  brand_id UUID NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
  subject_hash TEXT NOT NULL,
  lead_id UUID REFERENCES leads(id) ON DELETE SET NULL,
  contact_id UUID REFERENCES email_contacts(id) ON DELETE SET NULL,
  status TEXT NOT NULL DEFAULT 'completed',
  requested_by UUID REFERENCES users(id) ON DELETE SET NULL,
  requested_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  completed_at TIMESTAMPTZ,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT data_export_requests_status_check CHECK (status IN ('pending', 'processing', 'completed', 'failed')),
  CONSTRAINT data_export_requests_subject_hash_check CHECK (subject_hash ~ '^[0-9a-f]{64}$')
);
CREATE INDEX data_export_requests_brand_id_created_at_idx ON data_export_requests (brand_id, created_at DESC, id DESC);
CREATE INDEX data_export_requests_lead_id_idx ON data_export_requests (lead_id);
CREATE INDEX data_export_requests_contact_id_idx ON data_export_requests (contact_id);
CREATE INDEX data_export_requests_requested_by_idx ON data_export_requests (requested_by);

CREATE TABLE data_deletion_requests (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  brand_id UUID NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
  subject_hash TEXT NOT NULL,
  -- The tombstones the erasure left (kept rows whose personal columns were replaced).
  lead_ids UUID[] NOT NULL DEFAULT '{}',
  contact_ids UUID[] NOT NULL DEFAULT '{}',
  -- How many rows of each kind were scrubbed: {"leads": 1, "change_events": 3, ...}.
  erased JSONB NOT NULL DEFAULT '{}'::jsonb,
  status TEXT NOT NULL DEFAULT 'completed',
  requested_by UUID REFERENCES users(id) ON DELETE SET NULL,
  requested_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  completed_at TIMESTAMPTZ,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT data_deletion_requests_status_check CHECK (status IN ('pending', 'processing', 'completed', 'failed')),
  CONSTRAINT data_deletion_requests_subject_hash_check CHECK (subject_hash ~ '^[0-9a-f]{64}$')
);
CREATE INDEX data_deletion_requests_brand_id_created_at_idx ON data_deletion_requests (brand_id, created_at DESC, id DESC);
CREATE INDEX data_deletion_requests_subject_hash_idx ON data_deletion_requests (brand_id, subject_hash);
CREATE INDEX data_deletion_requests_requested_by_idx ON data_deletion_requests (requested_by);

CREATE TABLE privacy_audit_log (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  brand_id UUID NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
  user_id UUID REFERENCES users(id) ON DELETE SET NULL,
  event_type TEXT NOT NULL,
  subject_hash TEXT NOT NULL,
  request_id UUID NOT NULL,
  details JSONB NOT NULL DEFAULT '{}'::jsonb,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT privacy_audit_log_event_type_check CHECK (event_type IN ('export', 'erasure')),
  CONSTRAINT privacy_audit_log_subject_hash_check CHECK (subject_hash ~ '^[0-9a-f]{64}$')
);
CREATE INDEX privacy_audit_log_brand_id_created_at_idx ON privacy_audit_log (brand_id, created_at DESC, id DESC);
CREATE INDEX privacy_audit_log_user_id_idx ON privacy_audit_log (user_id);
CREATE TRIGGER privacy_audit_log_append_only BEFORE UPDATE OR DELETE ON privacy_audit_log
  FOR EACH ROW EXECUTE FUNCTION append_only();
-- Append-only for the gateway as well (023's rule for every append-only trigger).
REVOKE UPDATE, DELETE ON privacy_audit_log FROM brandgraph_gateway;

-- The two scrubs the gateway cannot do with its own rights (lead_activities and
-- change_events are append-only for it). Each does one fixed thing within one brand,
-- runs as the owner with a pinned search_path, and returns how many rows it changed.

-- A lead's activities keep their type and time (scores and timelines stay right); their
-- free text and details go.
CREATE FUNCTION erase_lead_activities(brand UUID, lead_ids UUID[]) RETURNS BIGINT
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
  WITH scrubbed AS (
    UPDATE lead_activities SET description = NULL, metadata = '{}'::jsonb
     WHERE brand_id = brand AND lead_id = ANY (lead_ids)
       AND (description IS NOT NULL OR metadata <> '{}'::jsonb)
    RETURNING 1)
  SELECT count(*) FROM scrubbed;
$$;

-- The change log keeps every event (seq, topic, entity, op: replays and cursors stay
-- whole) but the payload of an event about one of `entity_ids`, or whose payload mentions
-- `address` anywhere, becomes {"erased": true}.
CREATE FUNCTION erase_change_event_payloads(brand UUID, entity_ids UUID[], address TEXT) RETURNS BIGINT
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  scrubbed BIGINT;
BEGIN
  IF address IS NULL OR length(address) < 3 OR position('@' IN address) = 0 THEN
    RAISE EXCEPTION 'address must be an email address' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  UPDATE change_events SET payload = '{"erased": true}'::jsonb
   WHERE brand_id = brand
     AND payload <> '{"erased": true}'::jsonb
     AND (entity_id = ANY (entity_ids)
          OR strpos(lower(payload::text), lower(address)) > 0);
  GET DIAGNOSTICS scrubbed = ROW_COUNT;
  RETURN scrubbed;
END;
$$;

REVOKE EXECUTE ON FUNCTION
  erase_lead_activities(UUID, UUID[]),
  erase_change_event_payloads(UUID, UUID[], TEXT)
  FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
  erase_lead_activities(UUID, UUID[]),
  erase_change_event_payloads(UUID, UUID[], TEXT)
  TO brandgraph_gateway;
