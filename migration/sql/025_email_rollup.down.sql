DROP TRIGGER IF EXISTS email_recipients_campaign_rollup ON email_campaign_recipients;
DROP FUNCTION IF EXISTS email_recipients_feed_campaign_rollup();
