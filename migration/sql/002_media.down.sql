DROP TABLE IF EXISTS storage_quotas, media_usage_logs, media_assets;
DROP FUNCTION IF EXISTS increment_asset_usage();
