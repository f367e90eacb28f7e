-- Orchestration & learning loop, and integrations. The seed types brand_id as TEXT
-- here; it is a UUID foreign key to brands like everywhere else.

CREATE TABLE strategy_briefs (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  brand_id UUID NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
  request_id TEXT NOT NULL,
  cycle_id TEXT NOT NULL,
  version TEXT NOT NULL,
  positioning JSONB NOT NULL,
  voice JSONB NOT NULL,
  visual JSONB NOT NULL,
  competitive JSONB NOT NULL,
  created_at TIMESTAMPTZ DEFAULT now(),
  updated_at TIMESTAMPTZ DEFAULT now()
);

CREATE TABLE content_packages (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  brand_id UUID NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
  content_id TEXT NOT NULL,
  request_id TEXT NOT NULL,
  cycle_id TEXT NOT NULL,
  copy JSONB NOT NULL,
  design_context JSONB,
  collaboration_log JSONB NOT NULL,
  status TEXT NOT NULL DEFAULT 'draft',
  quality_score NUMERIC(3,1),
  requires_approval BOOLEAN DEFAULT true,
  created_at TIMESTAMPTZ DEFAULT now(),
  updated_at TIMESTAMPTZ DEFAULT now(),
  published_at TIMESTAMPTZ,
  CONSTRAINT content_packages_content_id_key UNIQUE (content_id)
);

CREATE TABLE brand_history (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  brand_id UUID NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
  entry_id TEXT NOT NULL,
  timestamp TIMESTAMPTZ NOT NULL,
  agent TEXT NOT NULL,
  action TEXT NOT NULL,
  content_id TEXT,
  details JSONB,
  rationale TEXT,
  performance JSONB,
  tags TEXT[] NOT NULL DEFAULT '{}',
  created_at TIMESTAMPTZ DEFAULT now()
);
CREATE INDEX brand_history_brand_id_timestamp_idx ON brand_history (brand_id, timestamp DESC);

CREATE TABLE collaboration_logs (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  cycle_id TEXT NOT NULL,
  request_id TEXT NOT NULL,
  brand_id UUID NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
  agent TEXT NOT NULL,
  action TEXT NOT NULL,
  timestamp TIMESTAMPTZ NOT NULL,
  content_id TEXT,
  notes TEXT,
  metadata JSONB,
  created_at TIMESTAMPTZ DEFAULT now()
);

CREATE TABLE social_posts (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  brand_id UUID NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
  platform VARCHAR(50) NOT NULL,
  platform_post_id VARCHAR(255) NOT NULL,
  content JSONB NOT NULL,
  status VARCHAR(20) NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE platform_reviews (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  brand_id UUID NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
  platform VARCHAR(50) NOT NULL,
  review_id VARCHAR(255) NOT NULL,
  rating INTEGER,
  review_text TEXT,
  reviewer_name VARCHAR(255),
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT platform_reviews_review_id_key UNIQUE (review_id)
);
