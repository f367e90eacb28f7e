-- Workflows, escalations, inbound webhooks, the learning loop and integrations served
-- through the API (docs/schema-decisions.md #33-#40).

-- The review queue: approval requests with typed priority/status and the indexes the
-- queue ("assigned to me, by deadline") and the brand's list read.
ALTER TABLE approval_requests ALTER COLUMN priority SET NOT NULL;
ALTER TABLE approval_requests ADD CONSTRAINT approval_requests_priority_check
  CHECK (priority IN ('low', 'normal', 'high', 'urgent'));
ALTER TABLE approval_requests ADD CONSTRAINT approval_requests_status_check
  CHECK (status IN ('pending', 'completed', 'cancelled'));
CREATE INDEX approval_requests_assigned_to_status_deadline_idx
  ON approval_requests (assigned_to, status, deadline);
CREATE INDEX approval_requests_brand_id_created_at_idx ON approval_requests (brand_id, created_at DESC, id DESC);

-- Workflows: templates of ordered steps, instances that walk them (optionally for one
-- content item), notifications to the people who act next.
ALTER TABLE workflow_templates ADD CONSTRAINT workflow_templates_steps_check
  CHECK (jsonb_typeof(steps) = 'array' AND jsonb_array_length(steps) BETWEEN 1 AND 20);
CREATE INDEX workflow_templates_brand_id_created_at_idx ON workflow_templates (brand_id, created_at DESC, id DESC);

ALTER TABLE workflow_instances
  ADD COLUMN content_item_id UUID REFERENCES content_items(id) ON DELETE CASCADE,
  ADD COLUMN started_by UUID REFERENCES users(id) ON DELETE SET NULL,
  ADD COLUMN finished_at TIMESTAMPTZ;
UPDATE workflow_instances SET current_step = 0 WHERE current_step IS NULL;
UPDATE workflow_instances SET context = '{}'::jsonb WHERE context IS NULL;
ALTER TABLE workflow_instances ALTER COLUMN current_step SET NOT NULL;
ALTER TABLE workflow_instances ALTER COLUMN context SET NOT NULL;
ALTER TABLE workflow_instances ADD CONSTRAINT workflow_instances_status_check
  CHECK (status IN ('active', 'completed', 'cancelled'));
CREATE INDEX workflow_instances_content_item_id_idx ON workflow_instances (content_item_id);
CREATE INDEX workflow_instances_started_by_idx ON workflow_instances (started_by);
CREATE INDEX workflow_instances_brand_id_created_at_idx ON workflow_instances (brand_id, created_at DESC, id DESC);

-- Notifications carry their brand (escalations notify without a workflow instance).
ALTER TABLE workflow_notifications
  ADD COLUMN brand_id UUID REFERENCES brands(id) ON DELETE CASCADE,
  ADD COLUMN escalation_event_id UUID;
UPDATE workflow_notifications n SET brand_id = i.brand_id
  FROM workflow_instances i WHERE i.id = n.instance_id;
DELETE FROM workflow_notifications WHERE brand_id IS NULL OR user_id IS NULL;
ALTER TABLE workflow_notifications ALTER COLUMN brand_id SET NOT NULL;
ALTER TABLE workflow_notifications ALTER COLUMN user_id SET NOT NULL;
ALTER TABLE workflow_notifications DROP CONSTRAINT workflow_notifications_user_id_fkey,
  ADD CONSTRAINT workflow_notifications_user_id_fkey FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE;
CREATE INDEX workflow_notifications_user_id_read_idx ON workflow_notifications (user_id, read_at, created_at DESC);
CREATE INDEX workflow_notifications_brand_id_idx ON workflow_notifications (brand_id);

-- Escalations: typed rules, one event per (approval, rule, level) so a re-run or a
-- second process cannot raise the same level twice.
ALTER TABLE escalation_rules ADD COLUMN enabled BOOLEAN NOT NULL DEFAULT true;
ALTER TABLE escalation_rules ADD CONSTRAINT escalation_rules_rule_type_check
  CHECK (rule_type IN ('approval_overdue'));
ALTER TABLE escalation_rules ADD CONSTRAINT escalation_rules_trigger_hours_check
  CHECK (trigger_hours BETWEEN 1 AND 8760);
ALTER TABLE escalation_rules ADD CONSTRAINT escalation_rules_role_check
  CHECK (escalate_to_role IN ('owner', 'admin', 'manager', 'member', 'viewer'));
CREATE INDEX escalation_rules_brand_id_idx ON escalation_rules (brand_id);

ALTER TABLE escalation_events ADD COLUMN level INTEGER NOT NULL DEFAULT 1;
ALTER TABLE escalation_events ADD CONSTRAINT escalation_events_status_check
  CHECK (status IN ('pending', 'resolved'));
CREATE UNIQUE INDEX escalation_events_once_per_level ON escalation_events (approval_id, rule_id, level);
CREATE INDEX escalation_events_brand_id_created_at_idx ON escalation_events (brand_id, created_at DESC, id DESC);
ALTER TABLE workflow_notifications ADD CONSTRAINT workflow_notifications_escalation_event_id_fkey
  FOREIGN KEY (escalation_event_id) REFERENCES escalation_events(id) ON DELETE CASCADE;
CREATE INDEX workflow_notifications_escalation_event_id_idx ON workflow_notifications (escalation_event_id);

-- Deciding an approval resolves its escalations, in the same transaction.
CREATE FUNCTION resolve_escalations() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status <> 'pending' AND OLD.status = 'pending' THEN
    UPDATE escalation_events SET status = 'resolved', resolved_at = now()
     WHERE approval_id = NEW.id AND status = 'pending';
  END IF;
  RETURN NULL;
END;
$$;
CREATE TRIGGER post_approvals_resolve_escalations AFTER UPDATE OF status ON post_approvals
  FOR EACH ROW EXECUTE FUNCTION resolve_escalations();

CREATE FUNCTION capture_escalation() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' OR NEW.status IS DISTINCT FROM OLD.status THEN
    INSERT INTO change_events (topic, brand_id, entity_id, op, payload)
    VALUES ('escalation', NEW.brand_id, NEW.id, lower(TG_OP),
            jsonb_build_object('approval_id', NEW.approval_id, 'rule_id', NEW.rule_id,
                               'level', NEW.level, 'status', NEW.status));
    PERFORM notify_change_events();
  END IF;
  RETURN NULL;
END;
$$;
CREATE TRIGGER escalation_events_capture AFTER INSERT OR UPDATE ON escalation_events
  FOR EACH ROW EXECUTE FUNCTION capture_escalation();

CREATE FUNCTION capture_notification() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO change_events (topic, brand_id, entity_id, op, payload)
  VALUES ('notification', NEW.brand_id, NEW.id, 'insert',
          jsonb_build_object('user_id', NEW.user_id, 'type', NEW.type, 'message', NEW.message,
                             'instance_id', NEW.instance_id));
  PERFORM notify_change_events();
  RETURN NULL;
END;
$$;
CREATE TRIGGER workflow_notifications_capture AFTER INSERT ON workflow_notifications
  FOR EACH ROW EXECUTE FUNCTION capture_notification();

-- Inbound webhooks: seed 004's attempt_count / max_attempts / delivered_at, plus what a
-- worker needs to claim, retry and dead-letter them.
ALTER TABLE webhook_events
  ADD COLUMN attempt_count INTEGER NOT NULL DEFAULT 0,
  ADD COLUMN max_attempts INTEGER NOT NULL DEFAULT 5,
  ADD COLUMN next_attempt_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  ADD COLUMN lease_expires_at TIMESTAMPTZ,
  ADD COLUMN delivered_at TIMESTAMPTZ,
  ADD COLUMN last_error TEXT,
  ADD COLUMN updated_at TIMESTAMPTZ NOT NULL DEFAULT now();
ALTER TABLE webhook_events ADD CONSTRAINT webhook_events_status_check
  CHECK (status IN ('received', 'processing', 'retrying', 'processed', 'ignored', 'dead'));
CREATE INDEX webhook_events_brand_id_created_at_idx ON webhook_events (brand_id, created_at DESC, id DESC);
CREATE INDEX webhook_events_claimable_idx ON webhook_events (next_attempt_at)
  WHERE status IN ('received', 'retrying', 'processing');
CREATE TRIGGER webhook_events_set_updated_at BEFORE UPDATE ON webhook_events
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- Learning loop and orchestration (§8): timestamps every list sorts by are NOT NULL.
UPDATE strategy_briefs SET created_at = now() WHERE created_at IS NULL;
ALTER TABLE strategy_briefs ALTER COLUMN created_at SET NOT NULL, ALTER COLUMN updated_at SET NOT NULL;
ALTER TABLE strategy_briefs ADD CONSTRAINT strategy_briefs_version_key UNIQUE (brand_id, cycle_id, version);
CREATE INDEX strategy_briefs_brand_id_created_at_idx ON strategy_briefs (brand_id, created_at DESC, id DESC);

UPDATE content_packages SET created_at = now() WHERE created_at IS NULL;
ALTER TABLE content_packages ALTER COLUMN created_at SET NOT NULL, ALTER COLUMN updated_at SET NOT NULL;
ALTER TABLE content_packages
  ADD COLUMN content_item_id UUID REFERENCES content_items(id) ON DELETE SET NULL,
  ADD COLUMN decided_by UUID REFERENCES users(id) ON DELETE SET NULL;
ALTER TABLE content_packages ADD CONSTRAINT content_packages_status_check
  CHECK (status IN ('draft', 'pending_approval', 'approved', 'rejected', 'published'));
ALTER TABLE content_packages ADD CONSTRAINT content_packages_quality_score_check
  CHECK (quality_score BETWEEN 0 AND 10);
CREATE INDEX content_packages_brand_id_created_at_idx ON content_packages (brand_id, created_at DESC, id DESC);
CREATE INDEX content_packages_content_item_id_idx ON content_packages (content_item_id);
CREATE INDEX content_packages_decided_by_idx ON content_packages (decided_by);

-- Agent activity is append-only: rows go only with their brand.
CREATE FUNCTION append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND pg_trigger_depth() > 1 THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION '% rows are append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END;
$$;
UPDATE brand_history SET created_at = now() WHERE created_at IS NULL;
ALTER TABLE brand_history ALTER COLUMN created_at SET NOT NULL;
CREATE INDEX brand_history_tags_idx ON brand_history USING GIN (tags);
CREATE TRIGGER brand_history_append_only BEFORE UPDATE OR DELETE ON brand_history
  FOR EACH ROW EXECUTE FUNCTION append_only();
UPDATE collaboration_logs SET created_at = now() WHERE created_at IS NULL;
ALTER TABLE collaboration_logs ALTER COLUMN created_at SET NOT NULL;
CREATE INDEX collaboration_logs_brand_id_timestamp_idx ON collaboration_logs (brand_id, timestamp DESC, id DESC);
CREATE INDEX collaboration_logs_brand_id_cycle_id_idx ON collaboration_logs (brand_id, cycle_id);
CREATE TRIGGER collaboration_logs_append_only BEFORE UPDATE OR DELETE ON collaboration_logs
  FOR EACH ROW EXECUTE FUNCTION append_only();

-- Learning weights (§5).
ALTER TABLE advisor_feedback ADD CONSTRAINT advisor_feedback_feedback_check
  CHECK (feedback IN ('positive', 'negative', 'neutral'));
CREATE INDEX advisor_feedback_brand_id_created_at_idx ON advisor_feedback (brand_id, created_at DESC, id DESC);
ALTER TABLE auto_plans ADD CONSTRAINT auto_plans_confidence_check CHECK (confidence BETWEEN 0 AND 1);

-- Integrations (§9): ids are unique per brand and platform, not globally, so one brand's
-- webhook can never collide with (or overwrite) another's row.
ALTER TABLE social_posts ADD CONSTRAINT social_posts_status_check
  CHECK (status IN ('published', 'failed', 'deleted'));
ALTER TABLE social_posts ADD CONSTRAINT social_posts_platform_post_key UNIQUE (brand_id, platform, platform_post_id);
CREATE INDEX social_posts_brand_id_created_at_idx ON social_posts (brand_id, created_at DESC, id DESC);

ALTER TABLE platform_reviews DROP CONSTRAINT platform_reviews_review_id_key;
ALTER TABLE platform_reviews ADD CONSTRAINT platform_reviews_review_key UNIQUE (brand_id, platform, review_id);
ALTER TABLE platform_reviews ADD CONSTRAINT platform_reviews_rating_check CHECK (rating BETWEEN 1 AND 5);
ALTER TABLE platform_reviews
  ADD COLUMN response_text TEXT,
  ADD COLUMN response_status VARCHAR(20),
  ADD COLUMN responded_by UUID REFERENCES users(id) ON DELETE SET NULL,
  ADD COLUMN responded_at TIMESTAMPTZ,
  ADD CONSTRAINT platform_reviews_response_status_check CHECK (response_status IN ('pending', 'sent'));
CREATE INDEX platform_reviews_brand_id_created_at_idx ON platform_reviews (brand_id, created_at DESC, id DESC);
CREATE INDEX platform_reviews_responded_by_idx ON platform_reviews (responded_by);
