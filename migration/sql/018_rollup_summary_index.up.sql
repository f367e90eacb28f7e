-- analyticsSummary reads one brand's rollup rows of a window (at most platforms x days).
-- They lie scattered over the table (written day by day for every brand), so the primary
-- key's bitmap scan visited one heap page per row: ~100 pages for a 30-day summary. This
-- index carries every column the summary reads, so the summary is an index-only scan of
-- a few pages (once vacuum has marked the table's pages all-visible, as autovacuum does).
-- The price: a rollup update changes indexed columns, so it is no longer a HOT update.
CREATE INDEX analytics_daily_rollups_summary_idx ON analytics_daily_rollups (brand_id, date)
  INCLUDE (platform, reach, impressions, engagement, likes, comments, shares, clicks,
           followers, row_count);
