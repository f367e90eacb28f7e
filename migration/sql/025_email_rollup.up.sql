-- A campaign's email figures in `campaign_rollups` (migration 022) follow its email
-- campaigns' recipients in the same transaction: a recipient recorded is an email sent,
-- the first open and the first click of a recipient count once each (unique opens and
-- clicks, as `EmailCampaign.stats` counts them).
CREATE FUNCTION email_recipients_feed_campaign_rollup() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  row_ email_campaign_recipients;
  campaign UUID;
  sent BIGINT := 0;
  opened BIGINT := 0;
  clicked BIGINT := 0;
BEGIN
  IF TG_OP = 'DELETE' THEN row_ := OLD; ELSE row_ := NEW; END IF;
  SELECT e.campaign_id INTO campaign FROM email_campaigns e WHERE e.id = row_.email_campaign_id;
  IF campaign IS NULL THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'INSERT' THEN
    sent := 1;
    opened := (NEW.opened_at IS NOT NULL)::int;
    clicked := (NEW.clicked_at IS NOT NULL)::int;
  ELSIF TG_OP = 'UPDATE' THEN
    opened := (NEW.opened_at IS NOT NULL)::int - (OLD.opened_at IS NOT NULL)::int;
    clicked := (NEW.clicked_at IS NOT NULL)::int - (OLD.clicked_at IS NOT NULL)::int;
  ELSE
    sent := -1;
    opened := -(OLD.opened_at IS NOT NULL)::int;
    clicked := -(OLD.clicked_at IS NOT NULL)::int;
  END IF;
  PERFORM campaign_rollup_add_emails(campaign, sent, opened, clicked);
  RETURN NULL;
END $$;

CREATE TRIGGER email_recipients_campaign_rollup
  AFTER INSERT OR UPDATE OF opened_at, clicked_at OR DELETE ON email_campaign_recipients
  FOR EACH ROW EXECUTE FUNCTION email_recipients_feed_campaign_rollup();

-- Recipients recorded before this migration.
UPDATE campaign_rollups r
   SET emails_sent = t.sent, emails_opened = t.opened, emails_clicked = t.clicked
  FROM (SELECT e.campaign_id, count(*) AS sent, count(x.opened_at) AS opened,
               count(x.clicked_at) AS clicked
          FROM email_campaign_recipients x
          JOIN email_campaigns e ON e.id = x.email_campaign_id
         WHERE e.campaign_id IS NOT NULL
         GROUP BY e.campaign_id) t
 WHERE r.campaign_id = t.campaign_id;
