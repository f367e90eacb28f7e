DROP TRIGGER IF EXISTS brand_members_capture ON brand_members;
DROP TRIGGER IF EXISTS publish_jobs_capture ON publish_jobs;
DROP TRIGGER IF EXISTS analytics_metrics_capture_update ON analytics_metrics;
DROP TRIGGER IF EXISTS analytics_metrics_capture_insert ON analytics_metrics;
DROP TRIGGER IF EXISTS content_items_capture ON content_items;
DROP TRIGGER IF EXISTS post_approvals_capture ON post_approvals;
DROP FUNCTION IF EXISTS capture_membership(), capture_publish_job(), capture_analytics(),
  capture_content_status(), capture_post_approval(), notify_change_events();
DROP TABLE IF EXISTS realtime_state;
