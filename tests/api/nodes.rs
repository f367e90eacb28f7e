//! `node(id:)` serves every kind of object that has a global id, to exactly the callers
//! the kind's own fields serve it to.

use brandgraph::graphql::ids::{NodeKind, encode};
use brandgraph::seed::{DEMO_TENANT, brands, users};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{TestApp, spawn_app, user_token};

const NODE: &str = "query($id: ID!) { node(id: $id) { __typename id } }";

/// The demo data plus the kinds it has no row of in Aurora (a connection, a publish job,
/// an escalation).
async fn seed_every_kind(app: &TestApp) {
    app.seed_demo().await;
    app.db
        .execute_unprepared(&format!(
            "INSERT INTO connector_platforms (tenant_id, platform_name, is_enabled) VALUES ('{DEMO_TENANT}', 'meta', true);
             INSERT INTO connections (tenant_id, brand_id, platform_id, platform_user_id, display_name)
               SELECT '{DEMO_TENANT}', '{b}', id, 'u1', 'Aurora on Meta' FROM connector_platforms;
             INSERT INTO publish_jobs (tenant_id, brand_id, connection_id, content_type, body)
               SELECT '{DEMO_TENANT}', '{b}', id, 'post', 'hello' FROM connections;
             INSERT INTO escalation_events (brand_id, level, status) VALUES ('{b}', 1, 'pending');",
            b = brands::AURORA,
        ))
        .await
        .expect("rows of the kinds the demo lacks");
}

/// The table a kind's rows live in, for those stored per brand.
fn table(kind: NodeKind) -> Option<&'static str> {
    Some(match kind {
        NodeKind::Tenant | NodeKind::User | NodeKind::Brand => return None,
        NodeKind::BrandMember => "brand_members",
        NodeKind::ContentItem => "content_items",
        NodeKind::MediaAsset => "media_assets",
        NodeKind::PostApproval => "post_approvals",
        NodeKind::AnalyticsMetric => "analytics_metrics",
        NodeKind::AnalyticsGoal => "analytics_goals",
        NodeKind::ScheduledContent => "scheduled_content",
        NodeKind::PlatformConnection => "connections",
        NodeKind::PublishJob => "publish_jobs",
        NodeKind::ApprovalRequest => "approval_requests",
        NodeKind::WorkflowTemplate => "workflow_templates",
        NodeKind::WorkflowInstance => "workflow_instances",
        NodeKind::WorkflowNotification => "workflow_notifications",
        NodeKind::EscalationRule => "escalation_rules",
        NodeKind::EscalationEvent => "escalation_events",
        NodeKind::WebhookEvent => "webhook_events",
        NodeKind::StrategyBrief => "strategy_briefs",
        NodeKind::ContentPackage => "content_packages",
        NodeKind::BrandHistory => "brand_history",
        NodeKind::CollaborationLog => "collaboration_logs",
        NodeKind::SocialPost => "social_posts",
        NodeKind::PlatformReview => "platform_reviews",
        NodeKind::AdvisorFeedback => "advisor_feedback",
        NodeKind::AutoPlan => "auto_plans",
        NodeKind::Campaign => "campaigns",
        NodeKind::Lead => "leads",
        NodeKind::EmailTemplate => "email_templates",
        NodeKind::EmailCampaign => "email_campaigns",
        NodeKind::EmailContact => "email_contacts",
        NodeKind::EmailAutomationRule => "email_automation_rules",
    })
}

async fn first_id(app: &TestApp, sql: &str) -> Uuid {
    let row = app
        .db
        .query_one_raw(Statement::from_string(app.db.get_database_backend(), sql))
        .await
        .expect(sql)
        .unwrap_or_else(|| panic!("no row: {sql}"));
    row.try_get_by_index(0).expect("uuid")
}

/// One object of `kind` in Aurora (or of its tenant / one of its members).
async fn one_of(app: &TestApp, kind: NodeKind) -> Uuid {
    match (kind, table(kind)) {
        (NodeKind::Tenant, _) => DEMO_TENANT,
        (NodeKind::User, _) => users::MEMBER,
        (NodeKind::Brand, _) => brands::AURORA,
        (_, Some(table)) => {
            first_id(
                app,
                &format!(
                    "SELECT id FROM {table} WHERE brand_id = '{}' ORDER BY id LIMIT 1",
                    brands::AURORA
                ),
            )
            .await
        }
        (_, None) => unreachable!("every other kind has a table"),
    }
}

async fn node(app: &TestApp, reader: Uuid, id: &str) -> Value {
    let response = app
        .graphql(Some(&user_token(reader)), NODE, json!({ "id": id }))
        .await;
    assert!(response["errors"].is_null(), "{response}");
    response["data"]["node"].clone()
}

#[tokio::test]
async fn node_serves_every_kind_to_a_member_and_nothing_to_a_non_member() {
    let app = spawn_app().await;
    seed_every_kind(&app).await;
    for kind in NodeKind::ALL {
        let uuid = one_of(&app, kind).await;
        let id = encode(kind, uuid).to_string();
        // A notification is its recipient's alone.
        let member = match kind {
            NodeKind::WorkflowNotification => {
                first_id(
                    &app,
                    &format!("SELECT user_id FROM workflow_notifications WHERE id = '{uuid}'"),
                )
                .await
            }
            _ => users::OWNER,
        };
        assert_eq!(
            node(&app, member, &id).await,
            json!({ "__typename": kind.name(), "id": id }),
            "{} as a member",
            kind.name()
        );
        assert_eq!(
            node(&app, users::OUTSIDER, &id).await,
            Value::Null,
            "{} as a non-member",
            kind.name()
        );
    }
}

#[tokio::test]
async fn node_applies_the_rule_of_each_kinds_own_fields() {
    let app = spawn_app().await;
    seed_every_kind(&app).await;
    let id = |kind, uuid| encode(kind, uuid).to_string();

    // `Brand.webhookEvents` is for admins and owners.
    let webhook = id(
        NodeKind::WebhookEvent,
        one_of(&app, NodeKind::WebhookEvent).await,
    );
    assert_eq!(node(&app, users::VIEWER, &webhook).await, Value::Null);
    assert!(node(&app, users::ADMIN, &webhook).await.is_object());

    // Another member of the brand does not see someone else's notification.
    let notification = one_of(&app, NodeKind::WorkflowNotification).await;
    let recipient = first_id(
        &app,
        &format!("SELECT user_id FROM workflow_notifications WHERE id = '{notification}'"),
    )
    .await;
    assert_ne!(recipient, users::OWNER);
    let notification = id(NodeKind::WorkflowNotification, notification);
    assert_eq!(node(&app, users::OWNER, &notification).await, Value::Null);

    // A user is visible to themself and to whoever shares a brand with them.
    let outsider = id(NodeKind::User, users::OUTSIDER);
    assert!(node(&app, users::OUTSIDER, &outsider).await.is_object());
    assert_eq!(node(&app, users::OWNER, &outsider).await, Value::Null);

    // Everything of an archived brand is invisible, to its owner too.
    let archived_item = first_id(
        &app,
        &format!(
            "INSERT INTO content_items (brand_id, type, content) VALUES ('{}', 'post', '{{}}') RETURNING id",
            brands::DRIFTWOOD
        ),
    )
    .await;
    for (kind, uuid) in [
        (NodeKind::Brand, brands::DRIFTWOOD),
        (NodeKind::ContentItem, archived_item),
    ] {
        assert_eq!(node(&app, users::OWNER, &id(kind, uuid)).await, Value::Null);
    }
}
