-- Publishing & OAuth: the unified connector infrastructure. The legacy
-- platform_connections / publishing_jobs tables are not created.

CREATE TABLE connector_platforms (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id UUID NOT NULL REFERENCES tenants(id),
  platform_name VARCHAR(50) NOT NULL,
  is_enabled BOOLEAN NOT NULL DEFAULT false,
  is_beta BOOLEAN NOT NULL DEFAULT false,
  api_version VARCHAR(20) NOT NULL DEFAULT 'v1',
  rate_limit_requests INT NOT NULL DEFAULT 60,
  rate_limit_window_seconds INT NOT NULL DEFAULT 60,
  max_retry_attempts INT NOT NULL DEFAULT 4,
  webhook_supported BOOLEAN NOT NULL DEFAULT false,
  scheduling_supported BOOLEAN NOT NULL DEFAULT false,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT connector_platforms_tenant_id_platform_name_key UNIQUE (tenant_id, platform_name),
  CONSTRAINT valid_platform CHECK (platform_name IN ('meta', 'linkedin', 'tiktok', 'gbp', 'mailchimp'))
);

CREATE TABLE connections (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id UUID NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  platform_id UUID NOT NULL REFERENCES connector_platforms(id) ON DELETE CASCADE,
  platform_user_id VARCHAR(255) NOT NULL,
  platform_account_id VARCHAR(255),
  display_name VARCHAR(255) NOT NULL,
  profile_image_url TEXT,
  status VARCHAR(50) NOT NULL DEFAULT 'active',
  health_status VARCHAR(50) NOT NULL DEFAULT 'healthy',
  last_health_check TIMESTAMPTZ,
  health_check_error TEXT,
  token_expires_at TIMESTAMPTZ,
  last_token_refresh TIMESTAMPTZ,
  requires_reconnect BOOLEAN NOT NULL DEFAULT false,
  scopes TEXT[],
  metadata JSONB DEFAULT '{}'::jsonb,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  last_used_at TIMESTAMPTZ,
  CONSTRAINT connections_tenant_id_platform_id_platform_account_id_key
    UNIQUE (tenant_id, platform_id, platform_account_id)
);

-- OAuth tokens and API keys, encrypted (AES-256-GCM). Never exposed by the API.
CREATE TABLE encrypted_secrets (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id UUID NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  connection_id UUID NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
  secret_type VARCHAR(100) NOT NULL,
  secret_name VARCHAR(255) NOT NULL,
  encrypted_value TEXT NOT NULL,
  iv VARCHAR(255) NOT NULL,
  auth_tag VARCHAR(255) NOT NULL,
  rotated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  expires_at TIMESTAMPTZ,
  metadata JSONB DEFAULT '{}'::jsonb,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE publish_jobs (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id UUID NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  connection_id UUID NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
  idempotency_key UUID NOT NULL DEFAULT gen_random_uuid(),
  content_type VARCHAR(50) NOT NULL,
  title VARCHAR(500),
  body TEXT NOT NULL,
  media_urls TEXT[],
  call_to_action JSONB,
  metadata JSONB DEFAULT '{}'::jsonb,
  scheduled_for TIMESTAMPTZ,
  publish_at TIMESTAMPTZ,
  status VARCHAR(50) NOT NULL DEFAULT 'pending',
  platform_post_id VARCHAR(255),
  attempt_count INT NOT NULL DEFAULT 0,
  max_attempts INT NOT NULL DEFAULT 4,
  next_retry_at TIMESTAMPTZ,
  last_error_code VARCHAR(50),
  last_error_message TEXT,
  error_history JSONB DEFAULT '[]'::jsonb,
  dlq_reason TEXT,
  dlq_at TIMESTAMPTZ,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  created_by VARCHAR(255),
  CONSTRAINT publish_jobs_connection_id_idempotency_key_key UNIQUE (connection_id, idempotency_key)
);
CREATE INDEX publish_jobs_status_next_retry_at_idx ON publish_jobs (status, next_retry_at);

CREATE TABLE publishing_logs (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  job_id UUID NOT NULL REFERENCES publish_jobs(id) ON DELETE CASCADE,
  brand_id UUID NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
  platform VARCHAR(50) NOT NULL,
  status VARCHAR(20) NOT NULL,
  platform_post_id VARCHAR(255),
  error_message TEXT,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX publishing_logs_brand_id_created_at_idx ON publishing_logs (brand_id, created_at DESC);

CREATE TABLE platform_sync_logs (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  brand_id UUID NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
  platform VARCHAR(50) NOT NULL,
  sync_type VARCHAR(50) NOT NULL,
  status VARCHAR(20) NOT NULL,
  items_synced INTEGER DEFAULT 0,
  started_at TIMESTAMPTZ NOT NULL,
  finished_at TIMESTAMPTZ,
  error_message TEXT,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX platform_sync_logs_brand_id_created_at_idx ON platform_sync_logs (brand_id, created_at DESC);
