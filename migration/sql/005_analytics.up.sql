-- Analytics & metrics.

CREATE TABLE analytics_metrics (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  brand_id UUID NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
  tenant_id UUID REFERENCES tenants(id),
  platform VARCHAR(50) NOT NULL,
  post_id VARCHAR(255),
  date DATE NOT NULL,
  metrics JSONB NOT NULL DEFAULT '{}'::jsonb,
  metadata JSONB DEFAULT '{}'::jsonb,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  -- NULLS NOT DISTINCT: brand-level rows (post_id NULL) must be unique per day too,
  -- otherwise re-ingesting them would duplicate instead of upsert.
  CONSTRAINT analytics_metrics_brand_platform_post_date_key
    UNIQUE NULLS NOT DISTINCT (brand_id, platform, post_id, date)
);
CREATE INDEX analytics_metrics_brand_id_date_idx ON analytics_metrics (brand_id, date DESC, platform);

CREATE TABLE analytics_sync_logs (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  brand_id UUID NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
  tenant_id UUID REFERENCES tenants(id),
  platform VARCHAR(50) NOT NULL,
  sync_type VARCHAR(50) NOT NULL,
  status VARCHAR(20) NOT NULL DEFAULT 'pending',
  items_synced INTEGER DEFAULT 0,
  items_failed INTEGER DEFAULT 0,
  started_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  completed_at TIMESTAMPTZ,
  duration_ms INTEGER,
  error_message TEXT,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX analytics_sync_logs_brand_id_created_at_idx ON analytics_sync_logs (brand_id, created_at DESC);

CREATE TABLE analytics_goals (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  brand_id UUID NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
  tenant_id UUID REFERENCES tenants(id),
  metric VARCHAR(100) NOT NULL,
  target DOUBLE PRECISION NOT NULL,
  current DOUBLE PRECISION DEFAULT 0,
  deadline TIMESTAMPTZ NOT NULL,
  status VARCHAR(20) NOT NULL DEFAULT 'active',
  notes TEXT,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE advisor_feedback (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  brand_id UUID NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
  tenant_id UUID REFERENCES tenants(id),
  insight_id VARCHAR(255) NOT NULL,
  category VARCHAR(100) NOT NULL,
  type VARCHAR(100) NOT NULL,
  feedback VARCHAR(50) NOT NULL,
  previous_weight DOUBLE PRECISION DEFAULT 1.0,
  new_weight DOUBLE PRECISION DEFAULT 1.0,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE auto_plans (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  brand_id UUID NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
  tenant_id UUID REFERENCES tenants(id),
  month DATE NOT NULL,
  plan_data JSONB NOT NULL DEFAULT '{}'::jsonb,
  confidence DOUBLE PRECISION DEFAULT 0.75,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT auto_plans_brand_id_month_key UNIQUE (brand_id, month)
);
