-- Daily per-brand-per-platform rollups of analytics_metrics, kept by the ingest's own
-- statements (statement triggers), read by analyticsSummary instead of the raw rows.
--
-- Every column is what the summary aggregates over one (brand, platform, day): sums of
-- the numeric metrics (a value that is not a JSON number counts as missing, as in the
-- raw aggregate), the highest follower count, and the number of raw rows.

CREATE TABLE analytics_daily_rollups (
  brand_id UUID NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
  platform VARCHAR(50) NOT NULL,
  date DATE NOT NULL,
  reach DOUBLE PRECISION,
  impressions DOUBLE PRECISION,
  engagement DOUBLE PRECISION,
  likes DOUBLE PRECISION,
  comments DOUBLE PRECISION,
  shares DOUBLE PRECISION,
  clicks DOUBLE PRECISION,
  followers DOUBLE PRECISION,
  row_count BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (brand_id, date, platform)
);

-- `(metrics->>'name')::float8` when the value is a JSON number, else NULL.
CREATE FUNCTION analytics_metric(metrics JSONB, name TEXT) RETURNS DOUBLE PRECISION
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN jsonb_typeof(metrics -> name) = 'number' THEN (metrics ->> name)::float8 END
$$;

-- Recomputes the rollups of the given (brand, platform, day) keys from the raw rows.
--
-- Correct under concurrent ingests of the same days: the key rows are created and then
-- locked in key order, so a second transaction waits here until the first commits, and
-- the recomputing statement (a new snapshot under READ COMMITTED) then sees the first
-- transaction's rows as well as its own. Sums by delta would be cheaper but cannot undo
-- a maximum when a re-sent row lowers it.
CREATE FUNCTION refresh_analytics_rollups(brands UUID[], platforms TEXT[], days DATE[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO analytics_daily_rollups (brand_id, platform, date)
  SELECT DISTINCT k.brand_id, k.platform, k.date
    FROM unnest(brands, platforms, days) AS k(brand_id, platform, date)
   ORDER BY 1, 3, 2
  ON CONFLICT DO NOTHING;

  PERFORM 1
     FROM analytics_daily_rollups r
     JOIN unnest(brands, platforms, days) AS k(brand_id, platform, date)
       ON r.brand_id = k.brand_id AND r.platform = k.platform AND r.date = k.date
    ORDER BY r.brand_id, r.date, r.platform
      FOR UPDATE OF r;

  UPDATE analytics_daily_rollups r
     SET reach = a.reach, impressions = a.impressions, engagement = a.engagement,
         likes = a.likes, comments = a.comments, shares = a.shares, clicks = a.clicks,
         followers = a.followers, row_count = a.row_count
    FROM (
      SELECT k.brand_id, k.platform, k.date,
             sum(analytics_metric(m.metrics, 'reach')) AS reach,
             sum(analytics_metric(m.metrics, 'impressions')) AS impressions,
             sum(analytics_metric(m.metrics, 'engagement')) AS engagement,
             sum(analytics_metric(m.metrics, 'likes')) AS likes,
             sum(analytics_metric(m.metrics, 'comments')) AS comments,
             sum(analytics_metric(m.metrics, 'shares')) AS shares,
             sum(analytics_metric(m.metrics, 'clicks')) AS clicks,
             max(analytics_metric(m.metrics, 'followers')) AS followers,
             count(m.brand_id) AS row_count
        FROM (SELECT DISTINCT * FROM unnest(brands, platforms, days)) AS k(brand_id, platform, date)
        LEFT JOIN analytics_metrics m
          ON m.brand_id = k.brand_id AND m.platform = k.platform AND m.date = k.date
       GROUP BY k.brand_id, k.platform, k.date
    ) a
   WHERE r.brand_id = a.brand_id AND r.platform = a.platform AND r.date = a.date;

  DELETE FROM analytics_daily_rollups r
   USING unnest(brands, platforms, days) AS k(brand_id, platform, date)
   WHERE r.brand_id = k.brand_id AND r.platform = k.platform AND r.date = k.date
     AND r.row_count = 0;
END;
$$;

CREATE FUNCTION maintain_analytics_rollups() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  brands UUID[];
  platforms TEXT[];
  days DATE[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT array_agg(brand_id), array_agg(platform), array_agg(date)
      INTO brands, platforms, days
      FROM (SELECT DISTINCT brand_id, platform::text, date FROM new_rows) k;
  ELSIF TG_OP = 'UPDATE' THEN
    SELECT array_agg(brand_id), array_agg(platform), array_agg(date)
      INTO brands, platforms, days
      FROM (SELECT brand_id, platform::text, date FROM new_rows
            UNION SELECT brand_id, platform::text, date FROM old_rows) k;
  ELSE
    SELECT array_agg(brand_id), array_agg(platform), array_agg(date)
      INTO brands, platforms, days
      FROM (SELECT DISTINCT brand_id, platform::text, date FROM old_rows) k;
  END IF;
  IF brands IS NOT NULL THEN
    PERFORM refresh_analytics_rollups(brands, platforms, days);
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER analytics_metrics_rollup_insert AFTER INSERT ON analytics_metrics
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION maintain_analytics_rollups();
CREATE TRIGGER analytics_metrics_rollup_update AFTER UPDATE ON analytics_metrics
  REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION maintain_analytics_rollups();
CREATE TRIGGER analytics_metrics_rollup_delete AFTER DELETE ON analytics_metrics
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION maintain_analytics_rollups();

-- Rebuilds every rollup from the raw rows: for this migration's backfill and for bulk
-- loads that ran with triggers off (the benchmark's dataset).
CREATE FUNCTION rebuild_analytics_rollups() RETURNS void
LANGUAGE sql AS $$
  DELETE FROM analytics_daily_rollups;
  INSERT INTO analytics_daily_rollups
  SELECT brand_id, platform, date,
         sum(analytics_metric(metrics, 'reach')), sum(analytics_metric(metrics, 'impressions')),
         sum(analytics_metric(metrics, 'engagement')), sum(analytics_metric(metrics, 'likes')),
         sum(analytics_metric(metrics, 'comments')), sum(analytics_metric(metrics, 'shares')),
         sum(analytics_metric(metrics, 'clicks')), max(analytics_metric(metrics, 'followers')),
         count(*)
    FROM analytics_metrics
   GROUP BY brand_id, platform, date;
$$;

SELECT rebuild_analytics_rollups();
