DROP TRIGGER analytics_metrics_rollup_delete ON analytics_metrics;
DROP TRIGGER analytics_metrics_rollup_update ON analytics_metrics;
DROP TRIGGER analytics_metrics_rollup_insert ON analytics_metrics;
DROP FUNCTION rebuild_analytics_rollups();
DROP FUNCTION maintain_analytics_rollups();
DROP FUNCTION refresh_analytics_rollups(UUID[], TEXT[], DATE[]);
DROP FUNCTION analytics_metric(JSONB, TEXT);
DROP TABLE analytics_daily_rollups;
