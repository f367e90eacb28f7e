DROP INDEX platform_reviews_responded_by_idx;
DROP INDEX platform_reviews_brand_id_created_at_idx;
ALTER TABLE platform_reviews DROP COLUMN response_text, DROP COLUMN response_status,
  DROP COLUMN responded_by, DROP COLUMN responded_at;
ALTER TABLE platform_reviews DROP CONSTRAINT platform_reviews_rating_check;
ALTER TABLE platform_reviews DROP CONSTRAINT platform_reviews_review_key;
ALTER TABLE platform_reviews ADD CONSTRAINT platform_reviews_review_id_key UNIQUE (review_id);

DROP INDEX social_posts_brand_id_created_at_idx;
ALTER TABLE social_posts DROP CONSTRAINT social_posts_platform_post_key;
ALTER TABLE social_posts DROP CONSTRAINT social_posts_status_check;

ALTER TABLE auto_plans DROP CONSTRAINT auto_plans_confidence_check;
DROP INDEX advisor_feedback_brand_id_created_at_idx;
ALTER TABLE advisor_feedback DROP CONSTRAINT advisor_feedback_feedback_check;

DROP TRIGGER collaboration_logs_append_only ON collaboration_logs;
DROP INDEX collaboration_logs_brand_id_cycle_id_idx;
DROP INDEX collaboration_logs_brand_id_timestamp_idx;
ALTER TABLE collaboration_logs ALTER COLUMN created_at DROP NOT NULL;
DROP TRIGGER brand_history_append_only ON brand_history;
DROP INDEX brand_history_tags_idx;
ALTER TABLE brand_history ALTER COLUMN created_at DROP NOT NULL;
DROP FUNCTION append_only();

DROP INDEX content_packages_decided_by_idx;
DROP INDEX content_packages_content_item_id_idx;
DROP INDEX content_packages_brand_id_created_at_idx;
ALTER TABLE content_packages DROP CONSTRAINT content_packages_quality_score_check;
ALTER TABLE content_packages DROP CONSTRAINT content_packages_status_check;
ALTER TABLE content_packages DROP COLUMN content_item_id, DROP COLUMN decided_by;
ALTER TABLE content_packages ALTER COLUMN created_at DROP NOT NULL, ALTER COLUMN updated_at DROP NOT NULL;

DROP INDEX strategy_briefs_brand_id_created_at_idx;
ALTER TABLE strategy_briefs DROP CONSTRAINT strategy_briefs_version_key;
ALTER TABLE strategy_briefs ALTER COLUMN created_at DROP NOT NULL, ALTER COLUMN updated_at DROP NOT NULL;

DROP TRIGGER webhook_events_set_updated_at ON webhook_events;
DROP INDEX webhook_events_claimable_idx;
DROP INDEX webhook_events_brand_id_created_at_idx;
ALTER TABLE webhook_events DROP CONSTRAINT webhook_events_status_check;
ALTER TABLE webhook_events DROP COLUMN attempt_count, DROP COLUMN max_attempts,
  DROP COLUMN next_attempt_at, DROP COLUMN lease_expires_at, DROP COLUMN delivered_at,
  DROP COLUMN last_error, DROP COLUMN updated_at;

DROP TRIGGER workflow_notifications_capture ON workflow_notifications;
DROP FUNCTION capture_notification();
DROP TRIGGER escalation_events_capture ON escalation_events;
DROP FUNCTION capture_escalation();
DROP TRIGGER post_approvals_resolve_escalations ON post_approvals;
DROP FUNCTION resolve_escalations();

DROP INDEX workflow_notifications_escalation_event_id_idx;
ALTER TABLE workflow_notifications DROP CONSTRAINT workflow_notifications_escalation_event_id_fkey;
DROP INDEX escalation_events_brand_id_created_at_idx;
DROP INDEX escalation_events_once_per_level;
ALTER TABLE escalation_events DROP CONSTRAINT escalation_events_status_check;
ALTER TABLE escalation_events DROP COLUMN level;

DROP INDEX escalation_rules_brand_id_idx;
ALTER TABLE escalation_rules DROP CONSTRAINT escalation_rules_role_check;
ALTER TABLE escalation_rules DROP CONSTRAINT escalation_rules_trigger_hours_check;
ALTER TABLE escalation_rules DROP CONSTRAINT escalation_rules_rule_type_check;
ALTER TABLE escalation_rules DROP COLUMN enabled;

DROP INDEX workflow_notifications_brand_id_idx;
DROP INDEX workflow_notifications_user_id_read_idx;
ALTER TABLE workflow_notifications DROP CONSTRAINT workflow_notifications_user_id_fkey,
  ADD CONSTRAINT workflow_notifications_user_id_fkey FOREIGN KEY (user_id) REFERENCES users(id);
ALTER TABLE workflow_notifications ALTER COLUMN user_id DROP NOT NULL;
ALTER TABLE workflow_notifications DROP COLUMN brand_id, DROP COLUMN escalation_event_id;

DROP INDEX workflow_instances_brand_id_created_at_idx;
DROP INDEX workflow_instances_started_by_idx;
DROP INDEX workflow_instances_content_item_id_idx;
ALTER TABLE workflow_instances DROP CONSTRAINT workflow_instances_status_check;
ALTER TABLE workflow_instances ALTER COLUMN current_step DROP NOT NULL, ALTER COLUMN context DROP NOT NULL;
ALTER TABLE workflow_instances DROP COLUMN content_item_id, DROP COLUMN started_by, DROP COLUMN finished_at;

DROP INDEX workflow_templates_brand_id_created_at_idx;
ALTER TABLE workflow_templates DROP CONSTRAINT workflow_templates_steps_check;

DROP INDEX approval_requests_brand_id_created_at_idx;
DROP INDEX approval_requests_assigned_to_status_deadline_idx;
ALTER TABLE approval_requests DROP CONSTRAINT approval_requests_status_check;
ALTER TABLE approval_requests DROP CONSTRAINT approval_requests_priority_check;
ALTER TABLE approval_requests ALTER COLUMN priority DROP NOT NULL;
