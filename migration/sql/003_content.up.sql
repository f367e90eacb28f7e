-- Content & scheduling.

CREATE TABLE content_items (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  brand_id UUID NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
  type TEXT NOT NULL,
  title TEXT,
  content JSONB NOT NULL,
  status TEXT NOT NULL DEFAULT 'draft',
  platform TEXT,
  scheduled_for TIMESTAMPTZ,
  published_at TIMESTAMPTZ,
  approval_required BOOLEAN DEFAULT true,
  approved_by UUID REFERENCES users(id),
  approved_at TIMESTAMPTZ,
  generated_by_agent TEXT,
  generation_metadata JSONB DEFAULT '{}'::jsonb,
  media_urls TEXT[],
  created_by UUID REFERENCES users(id),
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT content_items_status_check
    CHECK (status IN ('draft', 'pending_review', 'approved', 'rejected', 'scheduled', 'published'))
);
CREATE INDEX content_items_brand_id_created_at_idx ON content_items (brand_id, created_at DESC, id DESC);
CREATE INDEX content_items_brand_id_status_idx ON content_items (brand_id, status);
CREATE INDEX content_items_brand_id_scheduled_for_idx ON content_items (brand_id, scheduled_for)
  WHERE scheduled_for IS NOT NULL;

CREATE TABLE scheduled_content (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  brand_id UUID NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
  content_id UUID NOT NULL REFERENCES content_items(id) ON DELETE CASCADE,
  scheduled_at TIMESTAMPTZ NOT NULL,
  platforms TEXT[] NOT NULL,
  status TEXT NOT NULL DEFAULT 'scheduled',
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT scheduled_content_content_id_scheduled_at_key UNIQUE (content_id, scheduled_at),
  CONSTRAINT scheduled_content_status_check
    CHECK (status IN ('scheduled', 'publishing', 'published', 'failed'))
);
CREATE INDEX scheduled_content_brand_id_scheduled_at_idx ON scheduled_content (brand_id, scheduled_at);
