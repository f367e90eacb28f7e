DROP TABLE IF EXISTS platform_sync_logs, publishing_logs, publish_jobs, encrypted_secrets, connections, connector_platforms;
