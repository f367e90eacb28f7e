DELETE FROM lead_activities WHERE type IN ('email_bounced', 'email_unsubscribed');
DO $$
DECLARE
  allowed TEXT[];
BEGIN
  SELECT array_agg(DISTINCT m[1] ORDER BY m[1]) INTO allowed
    FROM pg_constraint c,
         regexp_matches(pg_get_constraintdef(c.oid), '([a-z_]+)', 'g') AS m
   WHERE c.conname = 'lead_activities_type_check' AND m[1] NOT IN ('type', 'text');
  allowed := ARRAY(SELECT unnest(allowed) EXCEPT SELECT unnest(ARRAY['email_bounced', 'email_unsubscribed']) ORDER BY 1);
  ALTER TABLE lead_activities DROP CONSTRAINT lead_activities_type_check;
  EXECUTE format('ALTER TABLE lead_activities ADD CONSTRAINT lead_activities_type_check CHECK (type = ANY (%L::text[]))',
                 allowed);
END;
$$;
DROP TRIGGER IF EXISTS publish_jobs_follow_email ON publish_jobs;
DROP FUNCTION IF EXISTS follow_email_publish_job();
DELETE FROM publish_jobs WHERE email_campaign_id IS NOT NULL;
ALTER TABLE publish_jobs DROP COLUMN IF EXISTS email_campaign_id;
DROP TABLE IF EXISTS email_automation_rules;
DROP TABLE IF EXISTS email_events;
DROP TABLE IF EXISTS email_campaign_recipients;
DROP TABLE IF EXISTS email_contacts;
DROP TABLE IF EXISTS email_campaigns;
DROP TABLE IF EXISTS email_templates;
