-- Running a workspace through the API (docs/schema-decisions.md #27-#31).

-- Soft delete: an archived brand disappears from every read path; its data stays.
ALTER TABLE brands ADD COLUMN archived_at TIMESTAMPTZ;
ALTER TABLE brands ADD COLUMN archived_by UUID REFERENCES users(id) ON DELETE SET NULL;
CREATE INDEX brands_archived_by_idx ON brands (archived_by);
-- Full-text search configuration of the brand's content (a regconfig name, e.g. 'english').
ALTER TABLE brands ADD COLUMN search_language regconfig NOT NULL DEFAULT 'simple';

-- Invitations: a pending membership for an email, visible and revocable until accepted.
CREATE TABLE brand_invitations (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  brand_id UUID NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
  user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  email TEXT NOT NULL,
  role VARCHAR(50) NOT NULL,
  status VARCHAR(20) NOT NULL DEFAULT 'pending',
  invited_by UUID REFERENCES users(id) ON DELETE SET NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  decided_at TIMESTAMPTZ,
  CONSTRAINT brand_invitations_role_check CHECK (role IN ('owner', 'admin', 'manager', 'member', 'viewer')),
  CONSTRAINT brand_invitations_status_check CHECK (status IN ('pending', 'accepted', 'revoked'))
);
CREATE UNIQUE INDEX brand_invitations_one_pending ON brand_invitations (brand_id, user_id) WHERE status = 'pending';
CREATE INDEX brand_invitations_user_id_idx ON brand_invitations (user_id);
CREATE INDEX brand_invitations_invited_by_idx ON brand_invitations (invited_by);
CREATE TRIGGER brand_invitations_set_updated_at BEFORE UPDATE ON brand_invitations
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- Milestones per brand (the seed keys them by the legacy workspace alias).
ALTER TABLE milestones ADD COLUMN brand_id UUID REFERENCES brands(id) ON DELETE CASCADE;
CREATE UNIQUE INDEX milestones_brand_id_key_key ON milestones (brand_id, key);

-- Audit rows are append-only: only retention (as the service role sets
-- brandgraph.audit_retention) may delete, and foreign keys may null their references.
CREATE FUNCTION audit_logs_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND coalesce(current_setting('brandgraph.audit_retention', true), '') = 'on' THEN
    RETURN OLD;
  END IF;
  IF TG_OP = 'UPDATE'
     AND (NEW.brand_id IS NULL OR NEW.brand_id = OLD.brand_id)
     AND (NEW.user_id IS NULL OR NEW.user_id = OLD.user_id)
     AND (NEW.action, NEW.resource_type, NEW.resource_id, NEW.metadata, NEW.ip_address,
          NEW.user_agent, NEW.created_at)
         IS NOT DISTINCT FROM (OLD.action, OLD.resource_type, OLD.resource_id, OLD.metadata,
          OLD.ip_address, OLD.user_agent, OLD.created_at) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit_logs rows are append-only' USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_logs_append_only BEFORE UPDATE OR DELETE ON audit_logs
  FOR EACH ROW EXECUTE FUNCTION audit_logs_append_only();
CREATE INDEX audit_logs_brand_id_created_at_id_idx ON audit_logs (brand_id, created_at DESC, id DESC);

-- Full-text search: one search document per content item and media asset, kept by
-- triggers in the brand's text search configuration (a separate table, so the rows that
-- every query reads do not carry their tsvector).
CREATE TABLE search_documents (
  entity_type VARCHAR(20) NOT NULL,
  entity_id UUID NOT NULL,
  brand_id UUID NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
  title TEXT,
  body TEXT,
  search tsvector NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (entity_type, entity_id),
  CONSTRAINT search_documents_entity_type_check CHECK (entity_type IN ('content_item', 'media_asset'))
);
CREATE TRIGGER search_documents_set_updated_at BEFORE UPDATE ON search_documents
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE INDEX search_documents_search_idx ON search_documents USING GIN (search);
CREATE INDEX search_documents_brand_id_idx ON search_documents (brand_id);

CREATE FUNCTION index_search_document(kind TEXT, id UUID, brand UUID, title TEXT, body TEXT)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  config regconfig;
BEGIN
  SELECT search_language INTO config FROM brands WHERE brands.id = brand;
  config := coalesce(config, 'simple');
  INSERT INTO search_documents (entity_type, entity_id, brand_id, title, body, search)
  VALUES (kind, id, brand, title, body,
          setweight(to_tsvector(config, coalesce(title, '')), 'A')
          || setweight(to_tsvector(config, coalesce(body, '')), 'B'))
  ON CONFLICT (entity_type, entity_id) DO UPDATE SET brand_id = EXCLUDED.brand_id,
    title = EXCLUDED.title, body = EXCLUDED.body, search = EXCLUDED.search, updated_at = now();
END;
$$;

CREATE FUNCTION content_items_search() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    DELETE FROM search_documents WHERE entity_type = 'content_item' AND entity_id = OLD.id;
    RETURN NULL;
  END IF;
  PERFORM index_search_document('content_item', NEW.id, NEW.brand_id, NEW.title,
                                coalesce(NEW.content->>'body', NEW.content->>'text'));
  RETURN NULL;
END;
$$;
CREATE TRIGGER content_items_search AFTER INSERT OR DELETE OR UPDATE OF title, content ON content_items
  FOR EACH ROW EXECUTE FUNCTION content_items_search();

CREATE FUNCTION media_assets_search() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    DELETE FROM search_documents WHERE entity_type = 'media_asset' AND entity_id = OLD.id;
    RETURN NULL;
  END IF;
  PERFORM index_search_document('media_asset', NEW.id, NEW.brand_id,
    regexp_replace(NEW.filename, '[._-]+', ' ', 'g'),
    concat_ws(' ', NEW.category, NEW.metadata->>'tags'));
  RETURN NULL;
END;
$$;
CREATE TRIGGER media_assets_search AFTER INSERT OR DELETE OR UPDATE OF filename, category, metadata ON media_assets
  FOR EACH ROW EXECUTE FUNCTION media_assets_search();

SELECT index_search_document('content_item', id, brand_id, title, coalesce(content->>'body', content->>'text'))
  FROM content_items;
SELECT index_search_document('media_asset', id, brand_id, regexp_replace(filename, '[._-]+', ' ', 'g'),
                             concat_ws(' ', category, metadata->>'tags'))
  FROM media_assets;

-- Brand changes reach subscribers (and invalidate cached memberships on archive).
CREATE FUNCTION capture_brand() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO change_events (topic, brand_id, entity_id, op, payload)
  VALUES ('brand', NEW.id, NEW.id, lower(TG_OP),
          jsonb_build_object('name', NEW.name, 'slug', NEW.slug,
                             'archived', NEW.archived_at IS NOT NULL));
  PERFORM notify_change_events();
  RETURN NULL;
END;
$$;
CREATE TRIGGER brands_capture AFTER INSERT OR UPDATE ON brands
  FOR EACH ROW EXECUTE FUNCTION capture_brand();
