-- Media management: assets, usage log, per-brand storage quota.

CREATE TABLE media_assets (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id UUID NOT NULL REFERENCES tenants(id),
  brand_id UUID NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
  category TEXT,
  filename TEXT NOT NULL,
  mime_type TEXT,
  path TEXT NOT NULL,
  size_bytes BIGINT NOT NULL,
  hash TEXT,
  metadata JSONB DEFAULT '{}'::jsonb,
  variants JSONB DEFAULT '[]'::jsonb,
  used_in TEXT[] DEFAULT ARRAY[]::TEXT[],
  usage_count INTEGER NOT NULL DEFAULT 0,
  last_used TIMESTAMPTZ,
  status TEXT DEFAULT 'active',
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  -- Deduplication is per brand: a global UNIQUE(hash) would tell one tenant that
  -- another already stored the same file.
  CONSTRAINT media_assets_brand_id_hash_key UNIQUE (brand_id, hash),
  CONSTRAINT media_assets_size_bytes_check CHECK (size_bytes >= 0),
  CONSTRAINT media_assets_status_check CHECK (status IN ('active', 'archived', 'deleted'))
);
CREATE INDEX media_assets_brand_id_created_at_idx ON media_assets (brand_id, created_at DESC, id DESC);
CREATE INDEX media_assets_brand_id_status_idx ON media_assets (brand_id, status);

CREATE TABLE media_usage_logs (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  asset_id UUID NOT NULL REFERENCES media_assets(id) ON DELETE CASCADE,
  brand_id UUID NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
  used_in TEXT NOT NULL,
  used_by_user UUID REFERENCES users(id),
  context JSONB DEFAULT '{}'::jsonb,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX media_usage_logs_asset_id_created_at_idx ON media_usage_logs (asset_id, created_at DESC, id DESC);

CREATE TABLE storage_quotas (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  brand_id UUID NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
  tenant_id UUID REFERENCES tenants(id),
  limit_bytes BIGINT NOT NULL DEFAULT 5368709120,
  used_bytes BIGINT NOT NULL DEFAULT 0,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT storage_quotas_brand_id_key UNIQUE (brand_id),
  CONSTRAINT storage_quotas_used_bytes_check CHECK (used_bytes >= 0 AND used_bytes <= limit_bytes)
);

-- Every usage log row bumps its asset's counters, in the same transaction.
CREATE OR REPLACE FUNCTION increment_asset_usage() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE media_assets
     SET usage_count = usage_count + 1,
         last_used = NEW.created_at,
         used_in = CASE WHEN NEW.used_in = ANY (COALESCE(used_in, ARRAY[]::TEXT[]))
                        THEN used_in
                        ELSE array_append(COALESCE(used_in, ARRAY[]::TEXT[]), NEW.used_in) END
   WHERE id = NEW.asset_id;
  RETURN NEW;
END;
$$;

CREATE TRIGGER media_assets_increment_usage
  AFTER INSERT ON media_usage_logs
  FOR EACH ROW EXECUTE FUNCTION increment_asset_usage();
