-- Live campaigns (issue 28, item 6): change capture for campaigns, and one rollup row per
-- campaign kept in the same transaction as its inputs (budgets, leads by status, email
-- counts), read by `Campaign.summary` and streamed by the `campaignSummary` subscription.

-- Campaign changes: ids, status and budgets only (no free text).
CREATE FUNCTION capture_campaign() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' OR NEW.status IS DISTINCT FROM OLD.status
     OR NEW.budget_total IS DISTINCT FROM OLD.budget_total
     OR NEW.budget_allocated IS DISTINCT FROM OLD.budget_allocated
     OR NEW.budget_spent IS DISTINCT FROM OLD.budget_spent
     OR NEW.start_date IS DISTINCT FROM OLD.start_date
     OR NEW.end_date IS DISTINCT FROM OLD.end_date
     OR NEW.name IS DISTINCT FROM OLD.name THEN
    INSERT INTO change_events (topic, brand_id, entity_id, op, payload)
    VALUES ('campaign', NEW.brand_id, NEW.id, lower(TG_OP),
            jsonb_build_object('status', NEW.status,
                               'previous_status', CASE WHEN TG_OP = 'UPDATE' THEN OLD.status END,
                               'budget_total', NEW.budget_total::text,
                               'budget_allocated', NEW.budget_allocated::text,
                               'budget_spent', NEW.budget_spent::text));
    PERFORM notify_change_events();
  END IF;
  RETURN NULL;
END;
$$;
CREATE TRIGGER campaigns_capture AFTER INSERT OR UPDATE ON campaigns
  FOR EACH ROW EXECUTE FUNCTION capture_campaign();

-- One row per campaign. Lead counts are kept by delta (counts commute, so concurrent
-- writers only serialise on the row lock); budgets are copied from the campaign; the
-- email counts are fed by `campaign_rollup_add_emails` (the email side's entry point).
CREATE TABLE campaign_rollups (
  campaign_id UUID PRIMARY KEY REFERENCES campaigns(id) ON DELETE CASCADE,
  brand_id UUID NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
  budget_total NUMERIC(14, 2) NOT NULL DEFAULT 0,
  budget_allocated NUMERIC(14, 2) NOT NULL DEFAULT 0,
  budget_spent NUMERIC(14, 2) NOT NULL DEFAULT 0,
  leads_new BIGINT NOT NULL DEFAULT 0,
  leads_contacted BIGINT NOT NULL DEFAULT 0,
  leads_qualified BIGINT NOT NULL DEFAULT 0,
  leads_converted BIGINT NOT NULL DEFAULT 0,
  leads_lost BIGINT NOT NULL DEFAULT 0,
  emails_sent BIGINT NOT NULL DEFAULT 0,
  emails_opened BIGINT NOT NULL DEFAULT 0,
  emails_clicked BIGINT NOT NULL DEFAULT 0,
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT campaign_rollups_counts_check CHECK (
    leads_new >= 0 AND leads_contacted >= 0 AND leads_qualified >= 0 AND leads_converted >= 0
    AND leads_lost >= 0 AND emails_sent >= 0 AND emails_opened >= 0 AND emails_clicked >= 0)
);
CREATE INDEX campaign_rollups_brand_id_idx ON campaign_rollups (brand_id);
CREATE TRIGGER campaign_rollups_set_updated_at BEFORE UPDATE ON campaign_rollups
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE FUNCTION maintain_campaign_rollup_budget() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO campaign_rollups (campaign_id, brand_id, budget_total, budget_allocated, budget_spent)
    VALUES (NEW.id, NEW.brand_id, NEW.budget_total, NEW.budget_allocated, NEW.budget_spent);
  ELSIF NEW.budget_total IS DISTINCT FROM OLD.budget_total
     OR NEW.budget_allocated IS DISTINCT FROM OLD.budget_allocated
     OR NEW.budget_spent IS DISTINCT FROM OLD.budget_spent THEN
    UPDATE campaign_rollups
       SET budget_total = NEW.budget_total, budget_allocated = NEW.budget_allocated,
           budget_spent = NEW.budget_spent
     WHERE campaign_id = NEW.id;
  END IF;
  RETURN NULL;
END;
$$;
CREATE TRIGGER campaigns_rollup AFTER INSERT OR UPDATE ON campaigns
  FOR EACH ROW EXECUTE FUNCTION maintain_campaign_rollup_budget();

-- Adds `deltas[i]` leads of status `statuses[i]` to campaign `campaigns[i]` (NULL
-- campaigns ignored). The rows are locked in campaign order first, so two statements
-- touching the same campaigns cannot deadlock; entries that net to zero write nothing.
CREATE FUNCTION campaign_rollup_add_leads(campaigns UUID[], statuses TEXT[], deltas BIGINT[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM campaign_rollups
   WHERE campaign_id = ANY (campaigns)
   ORDER BY campaign_id
     FOR UPDATE;
  UPDATE campaign_rollups r
     SET leads_new = r.leads_new + d.new, leads_contacted = r.leads_contacted + d.contacted,
         leads_qualified = r.leads_qualified + d.qualified,
         leads_converted = r.leads_converted + d.converted, leads_lost = r.leads_lost + d.lost
    FROM (
      SELECT k.campaign_id,
             coalesce(sum(k.delta) FILTER (WHERE k.status = 'new'), 0) AS new,
             coalesce(sum(k.delta) FILTER (WHERE k.status = 'contacted'), 0) AS contacted,
             coalesce(sum(k.delta) FILTER (WHERE k.status = 'qualified'), 0) AS qualified,
             coalesce(sum(k.delta) FILTER (WHERE k.status = 'converted'), 0) AS converted,
             coalesce(sum(k.delta) FILTER (WHERE k.status = 'lost'), 0) AS lost
        FROM unnest(campaigns, statuses, deltas) AS k(campaign_id, status, delta)
       WHERE k.campaign_id IS NOT NULL
       GROUP BY k.campaign_id
    ) d
   WHERE r.campaign_id = d.campaign_id
     AND (d.new <> 0 OR d.contacted <> 0 OR d.qualified <> 0 OR d.converted <> 0 OR d.lost <> 0);
END;
$$;

-- Statement level with transition tables: a batch of leads costs one rollup update per
-- campaign; a score-only change nets to zero and writes nothing.
CREATE FUNCTION maintain_campaign_rollup_leads() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  campaigns UUID[];
  statuses TEXT[];
  deltas BIGINT[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT array_agg(campaign_id), array_agg(status), array_agg(1::bigint)
      INTO campaigns, statuses, deltas
      FROM new_rows WHERE campaign_id IS NOT NULL;
  ELSIF TG_OP = 'UPDATE' THEN
    SELECT array_agg(campaign_id), array_agg(status), array_agg(delta)
      INTO campaigns, statuses, deltas
      FROM (SELECT n.campaign_id, n.status, 1::bigint AS delta
              FROM new_rows n JOIN old_rows o USING (id)
             WHERE n.campaign_id IS NOT NULL
               AND (n.status, n.campaign_id) IS DISTINCT FROM (o.status, o.campaign_id)
            UNION ALL
            SELECT o.campaign_id, o.status, -1::bigint
              FROM old_rows o JOIN new_rows n USING (id)
             WHERE o.campaign_id IS NOT NULL
               AND (n.status, n.campaign_id) IS DISTINCT FROM (o.status, o.campaign_id)) k;
  ELSE
    SELECT array_agg(campaign_id), array_agg(status), array_agg(-1::bigint)
      INTO campaigns, statuses, deltas
      FROM old_rows WHERE campaign_id IS NOT NULL;
  END IF;
  IF campaigns IS NOT NULL THEN
    PERFORM campaign_rollup_add_leads(campaigns, statuses, deltas);
  END IF;
  RETURN NULL;
END;
$$;
CREATE TRIGGER leads_rollup_insert AFTER INSERT ON leads
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION maintain_campaign_rollup_leads();
CREATE TRIGGER leads_rollup_update AFTER UPDATE ON leads
  REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION maintain_campaign_rollup_leads();
CREATE TRIGGER leads_rollup_delete AFTER DELETE ON leads
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION maintain_campaign_rollup_leads();

-- The email side's entry point: call it in the transaction that records emails of a
-- campaign sent, opened or clicked (deltas, may be 0; never below zero in total).
CREATE FUNCTION campaign_rollup_add_emails(campaign UUID, sent BIGINT, opened BIGINT, clicked BIGINT)
RETURNS void LANGUAGE sql AS $$
  UPDATE campaign_rollups
     SET emails_sent = emails_sent + sent, emails_opened = emails_opened + opened,
         emails_clicked = emails_clicked + clicked
   WHERE campaign_id = campaign AND (sent <> 0 OR opened <> 0 OR clicked <> 0);
$$;

-- Rebuilds the budget and lead columns from the campaigns and leads (this migration's
-- backfill; bulk loads that ran with triggers off). Email counts are kept: their source
-- tables feed them through `campaign_rollup_add_emails`.
CREATE FUNCTION rebuild_campaign_rollups() RETURNS void
LANGUAGE sql AS $$
  INSERT INTO campaign_rollups AS r (campaign_id, brand_id, budget_total, budget_allocated,
         budget_spent, leads_new, leads_contacted, leads_qualified, leads_converted, leads_lost)
  SELECT c.id, c.brand_id, c.budget_total, c.budget_allocated, c.budget_spent,
         count(l.id) FILTER (WHERE l.status = 'new'),
         count(l.id) FILTER (WHERE l.status = 'contacted'),
         count(l.id) FILTER (WHERE l.status = 'qualified'),
         count(l.id) FILTER (WHERE l.status = 'converted'),
         count(l.id) FILTER (WHERE l.status = 'lost')
    FROM campaigns c LEFT JOIN leads l ON l.campaign_id = c.id
   GROUP BY c.id
  ON CONFLICT (campaign_id) DO UPDATE
     SET budget_total = EXCLUDED.budget_total, budget_allocated = EXCLUDED.budget_allocated,
         budget_spent = EXCLUDED.budget_spent, leads_new = EXCLUDED.leads_new,
         leads_contacted = EXCLUDED.leads_contacted, leads_qualified = EXCLUDED.leads_qualified,
         leads_converted = EXCLUDED.leads_converted, leads_lost = EXCLUDED.leads_lost;
$$;

SELECT rebuild_campaign_rollups();

-- Every change of a rollup row is an event of topic `campaign_summary` (ids only): the
-- live `campaignSummary` recomputes on it, whichever input moved the row.
CREATE FUNCTION capture_campaign_rollup() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO change_events (topic, brand_id, entity_id, op, payload)
  VALUES ('campaign_summary', NEW.brand_id, NEW.campaign_id, lower(TG_OP), '{}'::jsonb);
  PERFORM notify_change_events();
  RETURN NULL;
END;
$$;
CREATE TRIGGER campaign_rollups_capture AFTER INSERT OR UPDATE ON campaign_rollups
  FOR EACH ROW EXECUTE FUNCTION capture_campaign_rollup();
