//! Demo data of the workflow, integration and learning-loop areas (seed 002 §5-§9).

use super::{brands, users};

/// The statements, after the core seed; `a` is the anchor date as SQL.
pub(super) fn steps(a: &str) -> Vec<(&'static str, String)> {
    let (b1, b2, b3) = (brands::AURORA, brands::BOREALIS, brands::CASCADE);
    let all = format!("unnest(ARRAY['{b1}','{b2}','{b3}']::uuid[]) AS b(id)");
    let (member, manager) = (users::MEMBER, users::MANAGER);
    vec![
        (
            "workflow templates and one workflow under way",
            format!(
                "INSERT INTO workflow_templates (id, brand_id, name, steps, created_at)
                 SELECT md5('template:' || b.id)::uuid, b.id, 'Campaign sign-off',
                        '[{{\"name\": \"Copy check\", \"role\": \"member\"}},
                          {{\"name\": \"Brand review\", \"role\": \"manager\"}},
                          {{\"name\": \"Final approval\", \"role\": \"admin\"}}]'::jsonb, {a} - 40
                   FROM {all};
                 INSERT INTO workflow_instances (id, template_id, brand_id, status, current_step, context,
                                                 content_item_id, started_by, created_at)
                 SELECT md5('workflow:{b1}')::uuid, md5('template:{b1}')::uuid, '{b1}', 'active', 1,
                        jsonb_build_object('campaign', 'Winter blend launch', 'history',
                          jsonb_build_array(jsonb_build_object('step', 0, 'name', 'Copy check',
                                                               'by', '{member}', 'note', 'Typos fixed'))),
                        (SELECT id FROM content_items WHERE brand_id = '{b1}' ORDER BY created_at LIMIT 1),
                        '{member}', {a} - 3;
                 INSERT INTO workflow_notifications (id, instance_id, brand_id, user_id, type, message, created_at)
                 VALUES (md5('notification:{b1}')::uuid, md5('workflow:{b1}')::uuid, '{b1}', '{manager}',
                         'step_assigned', '\"Brand review\" in workflow \"Campaign sign-off\" is yours to act on', {a} - 3);"
            ),
        ),
        (
            "escalation rules (approvals pending 48 h go to admins)",
            format!(
                "INSERT INTO escalation_rules (id, brand_id, rule_type, trigger_hours, escalate_to_role, created_at)
                 SELECT md5('rule:' || b.id)::uuid, b.id, 'approval_overdue', 48, 'admin', {a} - 40 FROM {all}"
            ),
        ),
        (
            "integrations: social posts, platform reviews, a processed webhook",
            format!(
                "INSERT INTO social_posts (id, brand_id, platform, platform_post_id, content, status, created_at)
                 SELECT md5('social:' || c.id)::uuid, c.brand_id, coalesce(c.platform, 'instagram'),
                        'post-' || left(md5(c.id::text), 12), jsonb_build_object('title', c.title),
                        'published', c.published_at
                   FROM content_items c WHERE c.status = 'published' AND c.published_at IS NOT NULL;
                 INSERT INTO platform_reviews (id, brand_id, platform, review_id, rating, review_text, reviewer_name, created_at)
                 SELECT md5('review:' || b.id || ':' || n)::uuid, b.id, (ARRAY['google','facebook'])[1 + n % 2],
                        'rev-' || left(md5(b.id::text || n), 10), 1 + (n * 2) % 5,
                        (ARRAY['Great coffee, friendly staff.', 'Too slow on a Monday.', 'Lovely roast.',
                               'Okay, nothing special.', 'Best flat white in town.'])[1 + n % 5],
                        (ARRAY['Ana', 'Ben', 'Chloe', 'Dev', 'Eli'])[1 + n % 5], {a} - n * 3
                   FROM {all}, generate_series(1, 5) AS n;
                 INSERT INTO webhook_events (id, brand_id, provider, event_type, payload, idempotency_key, status,
                                             attempt_count, delivered_at, created_at)
                 VALUES (md5('webhook:{b1}')::uuid, '{b1}', 'reviews', 'review.created',
                         '{{\"type\": \"review.created\", \"brandId\": \"{b1}\", \"data\": {{\"platform\": \"google\"}}}}',
                         'reviews:demo-1', 'processed', 1, {a} - 1, {a} - 1);"
            ),
        ),
        (
            "learning loop: briefs, packages, agent activity, feedback, plans",
            format!(
                "INSERT INTO strategy_briefs (id, brand_id, request_id, cycle_id, version, positioning, voice, visual, competitive, created_at)
                 SELECT md5('brief:' || b.id)::uuid, b.id, 'req-1', '2026-Q4', 'v1',
                        '{{\"statement\": \"Small-batch coffee for slow mornings\"}}', '{{\"tone\": \"warm\"}}',
                        '{{\"palette\": [\"#3b2f2f\", \"#f4e1c1\"]}}', '{{\"rivals\": [\"Bean Co\"]}}', {a} - 20
                   FROM {all};
                 INSERT INTO content_packages (id, brand_id, content_id, request_id, cycle_id, copy, collaboration_log,
                                               status, quality_score, created_at)
                 SELECT md5('package:' || b.id || ':' || n)::uuid, b.id, 'pkg-' || left(md5(b.id::text || n), 10),
                        'req-1', '2026-Q4',
                        jsonb_build_object('title', 'Winter blend teaser ' || n, 'body', 'Warm up with our winter blend.'),
                        '[{{\"agent\": \"copywriter\", \"action\": \"draft\"}}]', 'pending_approval', 7.5 + n, {a} - 5 + n
                   FROM {all}, generate_series(1, 2) AS n;
                 INSERT INTO brand_history (id, brand_id, entry_id, timestamp, agent, action, rationale, tags)
                 SELECT md5('history:' || b.id || ':' || n)::uuid, b.id, 'entry-' || n, {a} - n,
                        (ARRAY['strategist', 'copywriter', 'analyst'])[n], (ARRAY['brief', 'draft', 'review'])[n],
                        'Demo activity', ARRAY[(ARRAY['planning', 'copy', 'performance'])[n]]
                   FROM {all}, generate_series(1, 3) AS n;
                 INSERT INTO collaboration_logs (id, brand_id, cycle_id, request_id, agent, action, timestamp, notes)
                 SELECT md5('collab:' || b.id || ':' || n)::uuid, b.id, '2026-Q4', 'req-1',
                        (ARRAY['strategist', 'copywriter', 'analyst'])[n], 'step ' || n, {a} - n, 'Demo step'
                   FROM {all}, generate_series(1, 3) AS n;
                 INSERT INTO advisor_feedback (id, brand_id, tenant_id, insight_id, category, type, feedback,
                                               previous_weight, new_weight, created_at)
                 SELECT md5('feedback:' || b.id || ':' || n)::uuid, b.id, br.tenant_id, 'insight-' || n,
                        (ARRAY['timing', 'content'])[1 + n % 2], (ARRAY['post_time', 'format', 'topic'])[1 + n % 3],
                        (ARRAY['positive', 'negative', 'neutral'])[1 + n % 3], 1.0, 0.8 + n * 0.05, {a} - n
                   FROM {all} JOIN brands br ON br.id = b.id, generate_series(1, 6) AS n;
                 INSERT INTO auto_plans (id, brand_id, tenant_id, month, plan_data, confidence)
                 SELECT md5('plan:' || b.id)::uuid, b.id, br.tenant_id, date_trunc('month', {a} + 31)::date,
                        '{{\"posts_per_week\": 4, \"focus\": \"winter blend\"}}', 0.8
                   FROM {all} JOIN brands br ON br.id = b.id;"
            ),
        ),
    ]
}
