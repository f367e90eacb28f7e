-- Lead scoring in the database, public form keys and lead search (issue 28 items 3 and 4;
-- docs/schema-decisions.md #60-#65; the condition language is in docs/lead-scoring.md).

-- Firmographics that scoring rules match on (seed 003's columns).
ALTER TABLE leads ADD COLUMN job_title TEXT;
ALTER TABLE leads ADD COLUMN industry TEXT;
ALTER TABLE leads ADD COLUMN company_size TEXT;
ALTER TABLE leads ADD CONSTRAINT leads_company_size_check
  CHECK (company_size IN ('startup', 'small', 'medium', 'enterprise'));

-- Whether `c` is a condition of the scoring language (docs/lead-scoring.md); the CHECK
-- of lead_scoring_rules, mirrored by the gateway's parser.
CREATE FUNCTION lead_condition_valid(c jsonb, depth integer DEFAULT 0) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  keys text[];
  field_ok boolean;
BEGIN
  IF depth > 4 OR jsonb_typeof(c) IS DISTINCT FROM 'object' THEN
    RETURN false;
  END IF;
  SELECT array_agg(k COLLATE "C" ORDER BY k COLLATE "C") INTO keys FROM jsonb_object_keys(c) k;
  field_ok := jsonb_typeof(c->'field') = 'string' AND c->>'field' IN
    ('source', 'status', 'company', 'company_size', 'industry', 'job_title', 'phone', 'email_domain');
  IF keys = ARRAY['activity'] OR keys = ARRAY['activity', 'min_count'] THEN
    RETURN jsonb_typeof(c->'activity') = 'string'
      AND c->>'activity' IN ('note', 'call', 'meeting', 'email_sent', 'email_opened', 'email_clicked',
                             'form_submitted', 'page_visit', 'status_changed')
      AND (NOT c ? 'min_count' OR (jsonb_typeof(c->'min_count') = 'number'
           AND c->>'min_count' ~ '^[0-9]{1,4}$' AND (c->>'min_count')::int BETWEEN 1 AND 1000));
  ELSIF keys = ARRAY['eq', 'field'] THEN
    RETURN field_ok AND jsonb_typeof(c->'eq') = 'string' AND length(c->>'eq') BETWEEN 1 AND 200;
  ELSIF keys = ARRAY['field', 'in'] THEN
    RETURN field_ok AND jsonb_typeof(c->'in') = 'array' AND jsonb_array_length(c->'in') BETWEEN 1 AND 50
      AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(c->'in') v
                       WHERE jsonb_typeof(v) <> 'string' OR length(v #>> '{}') NOT BETWEEN 1 AND 200);
  ELSIF keys = ARRAY['field', 'present'] THEN
    RETURN field_ok AND jsonb_typeof(c->'present') = 'boolean';
  ELSIF keys = ARRAY['tag'] THEN
    RETURN jsonb_typeof(c->'tag') = 'string' AND length(c->>'tag') BETWEEN 1 AND 50;
  ELSIF keys = ARRAY['all'] OR keys = ARRAY['any'] THEN
    RETURN jsonb_typeof(c->keys[1]) = 'array' AND jsonb_array_length(c->keys[1]) BETWEEN 1 AND 20
      AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(c->keys[1]) v
                       WHERE NOT lead_condition_valid(v, depth + 1));
  ELSIF keys = ARRAY['not'] THEN
    RETURN lead_condition_valid(c->'not', depth + 1);
  END IF;
  RETURN false;
END;
$$;

-- Rules of a brand: a lead's score is the sum of the weights of the active rules whose
-- condition it matches, clamped to 0..100.
CREATE TABLE lead_scoring_rules (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  brand_id UUID NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  condition JSONB NOT NULL,
  weight INTEGER NOT NULL,
  active BOOLEAN NOT NULL DEFAULT true,
  created_by UUID REFERENCES users(id) ON DELETE SET NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT lead_scoring_rules_brand_id_name_key UNIQUE (brand_id, name),
  CONSTRAINT lead_scoring_rules_condition_check CHECK (lead_condition_valid(condition)),
  CONSTRAINT lead_scoring_rules_weight_check CHECK (weight BETWEEN -100 AND 100)
);
CREATE INDEX lead_scoring_rules_created_by_idx ON lead_scoring_rules (created_by);
CREATE TRIGGER lead_scoring_rules_set_updated_at BEFORE UPDATE ON lead_scoring_rules
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- The text a field condition compares (NULL when the lead has none).
CREATE FUNCTION lead_field_value(l leads, field text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE field
    WHEN 'source' THEN l.source
    WHEN 'status' THEN l.status
    WHEN 'company' THEN l.company
    WHEN 'company_size' THEN l.company_size
    WHEN 'industry' THEN l.industry
    WHEN 'job_title' THEN l.job_title
    WHEN 'phone' THEN l.phone
    WHEN 'email_domain' THEN split_part(lower(l.email), '@', 2)
  END
$$;

-- Whether lead `l`, with `activities` ({type: count}), matches condition `c`. Texts
-- compare ignoring case; a missing field matches neither `eq` nor `in`.
CREATE FUNCTION lead_condition_matches(c jsonb, l leads, activities jsonb) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  v text;
BEGIN
  IF c ? 'activity' THEN
    RETURN coalesce((activities->>(c->>'activity'))::bigint, 0) >= coalesce((c->>'min_count')::int, 1);
  ELSIF c ? 'field' THEN
    v := nullif(lead_field_value(l, c->>'field'), '');
    IF c ? 'present' THEN
      RETURN (v IS NOT NULL) = (c->'present')::boolean;
    ELSIF c ? 'eq' THEN
      RETURN coalesce(lower(v) = lower(c->>'eq'), false);
    ELSE
      RETURN v IS NOT NULL AND EXISTS (SELECT 1 FROM jsonb_array_elements_text(c->'in') x
                                        WHERE lower(x) = lower(v));
    END IF;
  ELSIF c ? 'tag' THEN
    RETURN coalesce(c->>'tag' = ANY (l.tags), false);
  ELSIF c ? 'all' THEN
    RETURN NOT EXISTS (SELECT 1 FROM jsonb_array_elements(c->'all') x
                        WHERE NOT lead_condition_matches(x, l, activities));
  ELSIF c ? 'any' THEN
    RETURN EXISTS (SELECT 1 FROM jsonb_array_elements(c->'any') x
                    WHERE lead_condition_matches(x, l, activities));
  ELSIF c ? 'not' THEN
    RETURN NOT lead_condition_matches(c->'not', l, activities);
  END IF;
  RETURN false;
END;
$$;

-- The score lead `l` should have. A brand without any scoring rule keeps its scores as
-- set by hand (the current value is returned); once it has rules, they decide.
-- VOLATILE on purpose: each query takes a fresh snapshot, so a caller that has just
-- locked the lead sees every activity committed before the lock was granted.
CREATE FUNCTION lead_score_of(l leads) RETURNS integer
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  counts jsonb;
  total bigint;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM lead_scoring_rules WHERE brand_id = l.brand_id) THEN
    RETURN l.score;
  END IF;
  SELECT coalesce(jsonb_object_agg(type, n), '{}'::jsonb) INTO counts
    FROM (SELECT type, count(*) AS n FROM lead_activities WHERE lead_id = l.id GROUP BY type) a;
  SELECT coalesce(sum(weight), 0) INTO total FROM lead_scoring_rules r
   WHERE r.brand_id = l.brand_id AND r.active AND lead_condition_matches(r.condition, l, counts);
  RETURN least(100, greatest(0, total))::integer;
END;
$$;

-- The score of lead `lead_id` as its brand's rules compute it (seed 001's function, done
-- by rules instead of hard-coded points).
CREATE FUNCTION calculate_lead_score(lead_id uuid) RETURNS integer
LANGUAGE sql VOLATILE AS $$
  SELECT lead_score_of(l) FROM leads l WHERE l.id = lead_id
$$;

-- Recomputes one lead's score: the lead row is locked first (FOR NO KEY UPDATE, which
-- does not conflict with the key-share locks of concurrent activity inserts), then the
-- score is computed in a new statement, so concurrent activities serialise on the lead
-- and the last one to commit counts them all.
CREATE FUNCTION rescore_lead(lead uuid) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  s integer;
BEGIN
  PERFORM 1 FROM leads WHERE id = lead FOR NO KEY UPDATE;
  SELECT lead_score_of(l) INTO s FROM leads l WHERE l.id = lead;
  IF s IS NOT NULL THEN
    UPDATE leads SET score = s WHERE id = lead AND score IS DISTINCT FROM s;
  END IF;
END;
$$;

-- Recomputes a set of leads, locking them in id order (two batches never deadlock).
CREATE FUNCTION rescore_leads(ids uuid[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  lead uuid;
BEGIN
  FOR lead IN SELECT DISTINCT x FROM unnest(ids) x WHERE x IS NOT NULL ORDER BY x LOOP
    PERFORM rescore_lead(lead);
  END LOOP;
END;
$$;

-- A lead's own changes: the score is computed before the row is written.
CREATE FUNCTION leads_score() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.score := lead_score_of(NEW);
  RETURN NEW;
END;
$$;
CREATE TRIGGER leads_score BEFORE INSERT OR UPDATE OF source, status, company, company_size, industry,
  job_title, phone, email, tags ON leads
  FOR EACH ROW EXECUTE FUNCTION leads_score();

-- Activities: one pass per statement over the leads it touched, in the same transaction.
CREATE FUNCTION lead_activities_rescore() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM rescore_leads(ARRAY(SELECT lead_id FROM added));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM rescore_leads(ARRAY(SELECT lead_id FROM removed));
  ELSE
    PERFORM rescore_leads(ARRAY(SELECT lead_id FROM added UNION SELECT lead_id FROM removed));
  END IF;
  RETURN NULL;
END;
$$;
CREATE TRIGGER lead_activities_rescore_insert AFTER INSERT ON lead_activities
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION lead_activities_rescore();
CREATE TRIGGER lead_activities_rescore_delete AFTER DELETE ON lead_activities
  REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION lead_activities_rescore();
CREATE TRIGGER lead_activities_rescore_update AFTER UPDATE ON lead_activities
  REFERENCING NEW TABLE AS added OLD TABLE AS removed
  FOR EACH STATEMENT EXECUTE FUNCTION lead_activities_rescore();

-- Brands whose leads must be rescored because their rules changed; claimed by
-- `jobs::lead_rescore` (SKIP LOCKED plus a lease). `generation` grows with every
-- request, so a pass that raced with a newer change leaves the row for another pass.
CREATE TABLE lead_rescore_queue (
  brand_id UUID PRIMARY KEY REFERENCES brands(id) ON DELETE CASCADE,
  generation BIGINT NOT NULL DEFAULT 1,
  requested_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  claimed_until TIMESTAMPTZ
);

CREATE FUNCTION lead_scoring_rules_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  brand uuid := CASE WHEN TG_OP = 'DELETE' THEN OLD.brand_id ELSE NEW.brand_id END;
BEGIN
  -- A brand being deleted takes its rules along: nothing to rescore.
  IF NOT EXISTS (SELECT 1 FROM brands WHERE id = brand) THEN
    RETURN NULL;
  END IF;
  INSERT INTO lead_rescore_queue AS q (brand_id) VALUES (brand)
  ON CONFLICT (brand_id) DO UPDATE SET generation = q.generation + 1, requested_at = now();
  RETURN NULL;
END;
$$;
CREATE TRIGGER lead_scoring_rules_changed AFTER INSERT OR UPDATE OR DELETE ON lead_scoring_rules
  FOR EACH ROW EXECUTE FUNCTION lead_scoring_rules_changed();

-- Rescores up to `batch` leads of `brand` with ids after `after`, in id order; returns
-- the last id done (NULL when none were left).
CREATE FUNCTION rescore_brand_leads(brand uuid, after_id uuid, batch integer) RETURNS uuid
LANGUAGE plpgsql AS $$
DECLARE
  lead uuid;
  last uuid;
BEGIN
  FOR lead IN SELECT id FROM leads WHERE brand_id = brand AND (after_id IS NULL OR id > after_id)
               ORDER BY id LIMIT batch LOOP
    PERFORM rescore_lead(lead);
    last := lead;
  END LOOP;
  RETURN last;
END;
$$;

-- Publishable keys of public web forms: a key can only create leads of its brand.
CREATE TABLE lead_form_keys (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  brand_id UUID NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  name TEXT NOT NULL,
  allowed_origins TEXT[] NOT NULL DEFAULT '{}',
  source TEXT NOT NULL DEFAULT 'website',
  campaign_id UUID REFERENCES campaigns(id) ON DELETE SET NULL,
  revoked_at TIMESTAMPTZ,
  created_by UUID REFERENCES users(id) ON DELETE SET NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT lead_form_keys_key_key UNIQUE (key),
  CONSTRAINT lead_form_keys_brand_id_name_key UNIQUE (brand_id, name),
  CONSTRAINT lead_form_keys_key_check CHECK (key ~ '^lfk_[0-9a-f]{32}$'),
  CONSTRAINT lead_form_keys_source_check CHECK (source ~ '^[a-z][a-z0-9_]{0,39}$')
);
CREATE INDEX lead_form_keys_campaign_id_idx ON lead_form_keys (campaign_id);
CREATE INDEX lead_form_keys_created_by_idx ON lead_form_keys (created_by);
CREATE TRIGGER lead_form_keys_set_updated_at BEFORE UPDATE ON lead_form_keys
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- Leads in the search index: name (weight A) and company (B) are shown as title and
-- body; the address (D) is only in the vector, and only members and above match on it.
ALTER TABLE search_documents DROP CONSTRAINT search_documents_entity_type_check;
ALTER TABLE search_documents ADD CONSTRAINT search_documents_entity_type_check
  CHECK (entity_type IN ('content_item', 'media_asset', 'lead'));

CREATE FUNCTION index_lead(l leads) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  config regconfig;
BEGIN
  SELECT search_language INTO config FROM brands WHERE brands.id = l.brand_id;
  config := coalesce(config, 'simple');
  INSERT INTO search_documents (entity_type, entity_id, brand_id, title, body, search)
  VALUES ('lead', l.id, l.brand_id, l.name, l.company,
          setweight(to_tsvector(config, coalesce(l.name, '')), 'A')
          || setweight(to_tsvector(config, coalesce(l.company, '')), 'B')
          || setweight(to_tsvector('simple', lower(l.email)), 'D'))
  ON CONFLICT (entity_type, entity_id) DO UPDATE SET brand_id = EXCLUDED.brand_id,
    title = EXCLUDED.title, body = EXCLUDED.body, search = EXCLUDED.search, updated_at = now();
END;
$$;

CREATE FUNCTION leads_search() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    DELETE FROM search_documents WHERE entity_type = 'lead' AND entity_id = OLD.id;
    RETURN NULL;
  END IF;
  PERFORM index_lead(NEW);
  RETURN NULL;
END;
$$;
CREATE TRIGGER leads_search AFTER INSERT OR DELETE OR UPDATE OF name, company, email ON leads
  FOR EACH ROW EXECUTE FUNCTION leads_search();

SELECT index_lead(l) FROM leads l;
