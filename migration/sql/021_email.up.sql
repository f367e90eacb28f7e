-- Email (issue 28; docs/schema-decisions.md #53-#59): templates, email campaigns sent
-- through the publishing pipeline (a publish job on the brand's `mailchimp` connection),
-- contacts with their subscription status, each campaign's recipients, the provider's
-- delivery events, and automation rules. Every row belongs to a brand.

CREATE TABLE email_templates (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  brand_id UUID NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  subject TEXT NOT NULL,
  html_content TEXT NOT NULL,
  plain_text TEXT,
  variables TEXT[] NOT NULL DEFAULT '{}',
  created_by UUID REFERENCES users(id) ON DELETE SET NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT email_templates_brand_id_name_key UNIQUE (brand_id, name)
);
CREATE INDEX email_templates_brand_id_created_at_idx ON email_templates (brand_id, created_at DESC, id DESC);
CREATE INDEX email_templates_created_by_idx ON email_templates (created_by);
CREATE TRIGGER email_templates_set_updated_at BEFORE UPDATE ON email_templates
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE email_campaigns (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  brand_id UUID NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
  campaign_id UUID REFERENCES campaigns(id) ON DELETE SET NULL,
  template_id UUID REFERENCES email_templates(id) ON DELETE SET NULL,
  name TEXT NOT NULL,
  subject TEXT NOT NULL,
  from_name TEXT,
  from_address TEXT,
  html_content TEXT NOT NULL,
  plain_text TEXT,
  -- The audience: subscribed contacts carrying any of these tags (none: every subscribed contact).
  audience_tags TEXT[] NOT NULL DEFAULT '{}',
  status TEXT NOT NULL DEFAULT 'draft',
  scheduled_for TIMESTAMPTZ,
  sent_at TIMESTAMPTZ,
  recipient_count INTEGER NOT NULL DEFAULT 0,
  created_by UUID REFERENCES users(id) ON DELETE SET NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT email_campaigns_brand_id_name_key UNIQUE (brand_id, name),
  CONSTRAINT email_campaigns_status_check
    CHECK (status IN ('draft', 'scheduled', 'sending', 'sent', 'failed', 'cancelled')),
  CONSTRAINT email_campaigns_scheduled_for_check CHECK (status <> 'scheduled' OR scheduled_for IS NOT NULL),
  CONSTRAINT email_campaigns_from_address_check
    CHECK (from_address IS NULL OR from_address ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$')
);
CREATE INDEX email_campaigns_brand_id_created_at_idx ON email_campaigns (brand_id, created_at DESC, id DESC);
CREATE INDEX email_campaigns_brand_id_status_idx ON email_campaigns (brand_id, status);
CREATE INDEX email_campaigns_campaign_id_created_at_idx ON email_campaigns (campaign_id, created_at DESC, id DESC);
CREATE INDEX email_campaigns_template_id_idx ON email_campaigns (template_id);
CREATE INDEX email_campaigns_created_by_idx ON email_campaigns (created_by);
CREATE TRIGGER email_campaigns_set_updated_at BEFORE UPDATE ON email_campaigns
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE email_contacts (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  brand_id UUID NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
  email TEXT NOT NULL,
  name TEXT,
  company TEXT,
  tags TEXT[] NOT NULL DEFAULT '{}',
  subscription_status TEXT NOT NULL DEFAULT 'subscribed',
  status_changed_at TIMESTAMPTZ,
  lead_id UUID REFERENCES leads(id) ON DELETE SET NULL,
  metadata JSONB NOT NULL DEFAULT '{}'::jsonb,
  created_by UUID REFERENCES users(id) ON DELETE SET NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT email_contacts_subscription_status_check
    CHECK (subscription_status IN ('subscribed', 'unsubscribed', 'bounced', 'complained')),
  CONSTRAINT email_contacts_email_check CHECK (email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$')
);
-- One contact per address and brand, however it is capitalised.
CREATE UNIQUE INDEX email_contacts_brand_id_email_key ON email_contacts (brand_id, lower(email));
CREATE INDEX email_contacts_brand_id_created_at_idx ON email_contacts (brand_id, created_at DESC, id DESC);
CREATE INDEX email_contacts_brand_id_subscription_status_idx ON email_contacts (brand_id, subscription_status);
CREATE INDEX email_contacts_tags_idx ON email_contacts USING gin (tags);
CREATE INDEX email_contacts_lead_id_idx ON email_contacts (lead_id);
CREATE INDEX email_contacts_created_by_idx ON email_contacts (created_by);
CREATE TRIGGER email_contacts_set_updated_at BEFORE UPDATE ON email_contacts
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- Who an email campaign went to: written when a worker claims its job (the audience of
-- that moment, never an unsubscribed, bounced or complaining contact), and what each
-- recipient did with it (unique opens and clicks).
CREATE TABLE email_campaign_recipients (
  email_campaign_id UUID NOT NULL REFERENCES email_campaigns(id) ON DELETE CASCADE,
  contact_id UUID NOT NULL REFERENCES email_contacts(id) ON DELETE CASCADE,
  brand_id UUID NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
  delivered_at TIMESTAMPTZ,
  opened_at TIMESTAMPTZ,
  clicked_at TIMESTAMPTZ,
  bounced_at TIMESTAMPTZ,
  unsubscribed_at TIMESTAMPTZ,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (email_campaign_id, contact_id)
);
CREATE INDEX email_campaign_recipients_contact_id_idx ON email_campaign_recipients (contact_id);
CREATE INDEX email_campaign_recipients_brand_id_idx ON email_campaign_recipients (brand_id);

-- The provider's events, once per (brand, provider, event id): a re-sent event changes nothing.
CREATE TABLE email_events (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  brand_id UUID NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
  provider TEXT NOT NULL,
  provider_event_id TEXT NOT NULL,
  type TEXT NOT NULL,
  email_campaign_id UUID REFERENCES email_campaigns(id) ON DELETE SET NULL,
  contact_id UUID REFERENCES email_contacts(id) ON DELETE SET NULL,
  url TEXT,
  occurred_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT email_events_brand_id_provider_provider_event_id_key UNIQUE (brand_id, provider, provider_event_id),
  CONSTRAINT email_events_type_check
    CHECK (type IN ('delivered', 'opened', 'clicked', 'bounced', 'unsubscribed', 'complained'))
);
CREATE INDEX email_events_email_campaign_id_idx ON email_events (email_campaign_id);
CREATE INDEX email_events_contact_id_idx ON email_events (contact_id);

CREATE TABLE email_automation_rules (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  brand_id UUID NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  trigger_type TEXT NOT NULL,
  trigger_conditions JSONB NOT NULL DEFAULT '{}'::jsonb,
  action_type TEXT NOT NULL,
  action_config JSONB NOT NULL DEFAULT '{}'::jsonb,
  is_active BOOLEAN NOT NULL DEFAULT true,
  created_by UUID REFERENCES users(id) ON DELETE SET NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT email_automation_rules_brand_id_name_key UNIQUE (brand_id, name),
  CONSTRAINT email_automation_rules_trigger_type_check
    CHECK (trigger_type IN ('contact_subscribed', 'lead_created', 'lead_status_changed',
                            'email_opened', 'email_clicked', 'tag_added')),
  CONSTRAINT email_automation_rules_action_type_check
    CHECK (action_type IN ('send_template', 'add_tag', 'remove_tag', 'notify_team')),
  CONSTRAINT email_automation_rules_trigger_conditions_check CHECK (jsonb_typeof(trigger_conditions) = 'object'),
  CONSTRAINT email_automation_rules_action_config_check CHECK (jsonb_typeof(action_config) = 'object')
);
CREATE INDEX email_automation_rules_brand_id_created_at_idx
  ON email_automation_rules (brand_id, created_at DESC, id DESC);
CREATE INDEX email_automation_rules_created_by_idx ON email_automation_rules (created_by);
CREATE TRIGGER email_automation_rules_set_updated_at BEFORE UPDATE ON email_automation_rules
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- An email campaign is sent by one publish job on the brand's mailchimp connection.
ALTER TABLE publish_jobs ADD COLUMN email_campaign_id UUID REFERENCES email_campaigns(id) ON DELETE CASCADE;
CREATE INDEX publish_jobs_email_campaign_id_idx ON publish_jobs (email_campaign_id);

-- The campaign follows its job in the same transaction, whoever moves the job (a worker,
-- a provider's webhook, a manager cancelling or retrying it).
CREATE FUNCTION follow_email_publish_job() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  next_status TEXT;
BEGIN
  IF NEW.email_campaign_id IS NULL OR NEW.status IS NOT DISTINCT FROM OLD.status THEN
    RETURN NULL;
  END IF;
  next_status := CASE NEW.status
    WHEN 'processing' THEN 'sending'
    WHEN 'retrying' THEN 'sending'
    WHEN 'published' THEN 'sent'
    WHEN 'dead' THEN 'failed'
    WHEN 'cancelled' THEN 'cancelled'
    WHEN 'pending' THEN 'sending'
  END;
  UPDATE email_campaigns
     SET status = next_status,
         sent_at = CASE WHEN next_status = 'sent' THEN coalesce(NEW.published_at, now()) ELSE sent_at END
   WHERE id = NEW.email_campaign_id AND status IS DISTINCT FROM next_status;
  RETURN NULL;
END;
$$;
CREATE TRIGGER publish_jobs_follow_email AFTER UPDATE OF status ON publish_jobs
  FOR EACH ROW EXECUTE FUNCTION follow_email_publish_job();

-- Email events become lead activities: the bounce and unsubscribe types join the ones
-- migration 019 allows (whatever later migrations added is kept).
DO $$
DECLARE
  allowed TEXT[];
BEGIN
  SELECT array_agg(DISTINCT m[1] ORDER BY m[1]) INTO allowed
    FROM pg_constraint c,
         regexp_matches(pg_get_constraintdef(c.oid), '([a-z_]+)', 'g') AS m
   WHERE c.conname = 'lead_activities_type_check' AND m[1] NOT IN ('type', 'text');
  allowed := ARRAY(SELECT DISTINCT unnest(allowed || ARRAY['email_bounced', 'email_unsubscribed']) ORDER BY 1);
  ALTER TABLE lead_activities DROP CONSTRAINT lead_activities_type_check;
  EXECUTE format('ALTER TABLE lead_activities ADD CONSTRAINT lead_activities_type_check CHECK (type = ANY (%L::text[]))',
                 allowed);
END;
$$;
