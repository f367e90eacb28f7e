DROP TRIGGER IF EXISTS leads_capture ON leads;
DROP FUNCTION IF EXISTS capture_lead();
ALTER TABLE publish_jobs DROP COLUMN IF EXISTS campaign_id;
ALTER TABLE content_items DROP COLUMN IF EXISTS campaign_id;
DROP TABLE IF EXISTS lead_activities;
DROP TABLE IF EXISTS leads;
DROP TABLE IF EXISTS campaign_metrics;
DROP TABLE IF EXISTS campaign_tasks;
DROP TABLE IF EXISTS campaigns;
