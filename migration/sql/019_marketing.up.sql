-- Campaigns and leads (issue 28, first slice; docs/schema-decisions.md #44-#52). Every
-- row belongs to a brand; the seeds' owner (`created_by` / `user_id`) stays an author
-- column. Email templates, contacts, scoring rules and the GDPR tables come later.

CREATE TABLE campaigns (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  brand_id UUID NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  description TEXT,
  type TEXT NOT NULL,
  channel TEXT,
  status TEXT NOT NULL DEFAULT 'draft',
  budget_total NUMERIC(14, 2) NOT NULL DEFAULT 0,
  budget_allocated NUMERIC(14, 2) NOT NULL DEFAULT 0,
  budget_spent NUMERIC(14, 2) NOT NULL DEFAULT 0,
  start_date TIMESTAMPTZ,
  end_date TIMESTAMPTZ,
  objective TEXT,
  target_audience JSONB NOT NULL DEFAULT '{}'::jsonb,
  channels TEXT[] NOT NULL DEFAULT '{}',
  kpi_targets JSONB NOT NULL DEFAULT '{}'::jsonb,
  created_by UUID REFERENCES users(id) ON DELETE SET NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT campaigns_brand_id_name_key UNIQUE (brand_id, name),
  CONSTRAINT campaigns_type_check CHECK (type IN
    ('lead_generation', 'brand_awareness', 'product_launch', 'email', 'social', 'content', 'event', 'mixed')),
  CONSTRAINT campaigns_status_check CHECK (status IN ('draft', 'active', 'paused', 'completed')),
  CONSTRAINT campaigns_budget_check
    CHECK (budget_spent >= 0 AND budget_spent <= budget_allocated AND budget_allocated <= budget_total),
  CONSTRAINT campaigns_dates_check CHECK (start_date <= end_date)
);
CREATE INDEX campaigns_brand_id_created_at_idx ON campaigns (brand_id, created_at DESC, id DESC);
CREATE INDEX campaigns_brand_id_status_idx ON campaigns (brand_id, status);
CREATE INDEX campaigns_brand_id_start_date_idx ON campaigns (brand_id, start_date);
CREATE INDEX campaigns_created_by_idx ON campaigns (created_by);
CREATE TRIGGER campaigns_set_updated_at BEFORE UPDATE ON campaigns
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE campaign_tasks (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  brand_id UUID NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
  campaign_id UUID NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
  title TEXT NOT NULL,
  description TEXT,
  status TEXT NOT NULL DEFAULT 'pending',
  priority TEXT NOT NULL DEFAULT 'medium',
  due_date TIMESTAMPTZ,
  completed_at TIMESTAMPTZ,
  created_by UUID REFERENCES users(id) ON DELETE SET NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT campaign_tasks_status_check CHECK (status IN ('pending', 'in_progress', 'completed', 'cancelled')),
  CONSTRAINT campaign_tasks_priority_check CHECK (priority IN ('low', 'medium', 'high', 'urgent'))
);
CREATE INDEX campaign_tasks_campaign_id_created_at_idx ON campaign_tasks (campaign_id, created_at, id);
CREATE INDEX campaign_tasks_brand_id_idx ON campaign_tasks (brand_id);
CREATE INDEX campaign_tasks_created_by_idx ON campaign_tasks (created_by);
CREATE TRIGGER campaign_tasks_set_updated_at BEFORE UPDATE ON campaign_tasks
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- One value per campaign, day and metric name (re-sending a day replaces it).
CREATE TABLE campaign_metrics (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  brand_id UUID NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
  campaign_id UUID NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
  date DATE NOT NULL,
  metric TEXT NOT NULL,
  value NUMERIC(18, 4) NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT campaign_metrics_campaign_id_date_metric_key UNIQUE (campaign_id, date, metric),
  CONSTRAINT campaign_metrics_metric_check CHECK (metric ~ '^[a-z][a-z0-9_]{0,39}$')
);
CREATE INDEX campaign_metrics_brand_id_idx ON campaign_metrics (brand_id);

CREATE TABLE leads (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  brand_id UUID NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  email TEXT NOT NULL,
  phone TEXT,
  company TEXT,
  source TEXT NOT NULL DEFAULT 'manual',
  status TEXT NOT NULL DEFAULT 'new',
  score INTEGER NOT NULL DEFAULT 0,
  tags TEXT[] NOT NULL DEFAULT '{}',
  campaign_id UUID REFERENCES campaigns(id) ON DELETE SET NULL,
  notes TEXT,
  converted_at TIMESTAMPTZ,
  lost_reason TEXT,
  created_by UUID REFERENCES users(id) ON DELETE SET NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT leads_status_check CHECK (status IN ('new', 'contacted', 'qualified', 'converted', 'lost')),
  CONSTRAINT leads_score_check CHECK (score BETWEEN 0 AND 100),
  CONSTRAINT leads_email_check CHECK (email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'),
  CONSTRAINT leads_source_check CHECK (source ~ '^[a-z][a-z0-9_]{0,39}$')
);
-- A person is one lead per brand, however their address is capitalised.
CREATE UNIQUE INDEX leads_brand_id_email_key ON leads (brand_id, lower(email));
CREATE INDEX leads_brand_id_created_at_idx ON leads (brand_id, created_at DESC, id DESC);
CREATE INDEX leads_brand_id_status_idx ON leads (brand_id, status);
CREATE INDEX leads_brand_id_score_idx ON leads (brand_id, score DESC);
CREATE INDEX leads_tags_idx ON leads USING gin (tags);
CREATE INDEX leads_campaign_id_created_at_idx ON leads (campaign_id, created_at DESC, id DESC);
CREATE INDEX leads_created_by_idx ON leads (created_by);
CREATE TRIGGER leads_set_updated_at BEFORE UPDATE ON leads
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE lead_activities (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  brand_id UUID NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
  lead_id UUID NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
  type TEXT NOT NULL,
  description TEXT,
  metadata JSONB NOT NULL DEFAULT '{}'::jsonb,
  created_by UUID REFERENCES users(id) ON DELETE SET NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT lead_activities_type_check CHECK (type IN
    ('note', 'call', 'meeting', 'email_sent', 'email_opened', 'email_clicked', 'form_submitted',
     'page_visit', 'status_changed'))
);
CREATE INDEX lead_activities_lead_id_created_at_idx ON lead_activities (lead_id, created_at DESC, id DESC);
CREATE INDEX lead_activities_brand_id_idx ON lead_activities (brand_id);
CREATE INDEX lead_activities_created_by_idx ON lead_activities (created_by);

-- Existing content and publishing roll up per campaign.
ALTER TABLE content_items ADD COLUMN campaign_id UUID REFERENCES campaigns(id) ON DELETE SET NULL;
CREATE INDEX content_items_campaign_id_created_at_idx ON content_items (campaign_id, created_at DESC, id DESC);
ALTER TABLE publish_jobs ADD COLUMN campaign_id UUID REFERENCES campaigns(id) ON DELETE SET NULL;
CREATE INDEX publish_jobs_campaign_id_idx ON publish_jobs (campaign_id);

-- Change capture for leads: ids, status and score only, never the person's data.
CREATE FUNCTION capture_lead() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' OR NEW.status IS DISTINCT FROM OLD.status
     OR NEW.score IS DISTINCT FROM OLD.score OR NEW.campaign_id IS DISTINCT FROM OLD.campaign_id THEN
    INSERT INTO change_events (topic, brand_id, entity_id, op, payload)
    VALUES ('lead', NEW.brand_id, NEW.id, lower(TG_OP),
            jsonb_build_object('status', NEW.status, 'score', NEW.score,
                               'campaign_id', NEW.campaign_id));
    PERFORM notify_change_events();
  END IF;
  RETURN NULL;
END;
$$;
CREATE TRIGGER leads_capture AFTER INSERT OR UPDATE ON leads
  FOR EACH ROW EXECUTE FUNCTION capture_lead();
