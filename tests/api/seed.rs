use brandgraph::seed::{SeedOutcome, seed_demo};
use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

use crate::helpers::TestDb;

/// One digest of every seeded table's rows (timestamps that default to now() excluded).
async fn digest(db: &DatabaseConnection) -> String {
    let tables = [
        "tenants",
        "users",
        "brands",
        "brand_members",
        "content_items",
        "post_approvals",
        "approval_requests",
        "scheduled_content",
        "media_assets",
        "storage_quotas",
        "media_usage_logs",
        "analytics_metrics",
        "analytics_goals",
        "brand_invitations",
        "client_settings",
        "milestones",
        "campaigns",
        "campaign_tasks",
        "campaign_metrics",
        "leads",
        "lead_activities",
        "email_templates",
        "email_campaigns",
        "email_contacts",
        "email_campaign_recipients",
        "email_events",
        "email_automation_rules",
    ];
    let mut parts = Vec::new();
    for table in tables {
        let sql = format!(
            "SELECT count(*)::text || ':' || coalesce(md5(string_agg(r::text, '|' ORDER BY r::text)), '')
               FROM (SELECT to_jsonb(t) - 'updated_at' - 'id' AS r FROM {table} t) s"
        );
        let row = db
            .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
            .await
            .unwrap()
            .unwrap();
        parts.push(format!(
            "{table}={}",
            row.try_get_by_index::<String>(0).unwrap()
        ));
    }
    parts.join("\n")
}

#[tokio::test]
async fn the_demo_seed_is_deterministic_and_idempotent() {
    let anchor = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
    let (first, second) = (TestDb::migrated().await, TestDb::migrated().await);
    let (a, b) = (first.connect().await, second.connect().await);

    assert_eq!(seed_demo(&a, anchor).await.unwrap(), SeedOutcome::Seeded);
    assert_eq!(seed_demo(&b, anchor).await.unwrap(), SeedOutcome::Seeded);
    let digest_a = digest(&a).await;
    assert_eq!(digest_a, digest(&b).await, "same anchor, same rows");
    assert!(digest_a.contains("analytics_metrics=1080:"), "{digest_a}");

    assert_eq!(
        seed_demo(&a, anchor).await.unwrap(),
        SeedOutcome::AlreadyPresent
    );
    assert_eq!(digest(&a).await, digest_a, "a second seed changes nothing");
    a.close().await.ok();
    b.close().await.ok();
}

#[tokio::test]
async fn the_demo_seed_covers_every_content_status_and_role() {
    let test_db = TestDb::migrated().await;
    let db = test_db.connect().await;
    seed_demo(&db, NaiveDate::from_ymd_opt(2026, 11, 1).unwrap())
        .await
        .unwrap();
    let count = |sql: &'static str| {
        let db = db.clone();
        async move {
            db.query_one_raw(Statement::from_string(db.get_database_backend(), sql))
                .await
                .unwrap()
                .unwrap()
                .try_get_by_index::<i64>(0)
                .unwrap()
        }
    };
    assert_eq!(
        count("SELECT count(DISTINCT status) FROM content_items").await,
        6
    );
    assert_eq!(
        count("SELECT count(DISTINCT role) FROM brand_members").await,
        5
    );
    assert_eq!(
        count("SELECT count(DISTINCT platform) FROM analytics_metrics").await,
        4
    );
    assert_eq!(
        count("SELECT count(DISTINCT date) FROM analytics_metrics").await,
        90
    );
    // used_bytes equals the sum of each brand's active assets
    assert_eq!(
        count(
            "SELECT count(*) FROM storage_quotas q WHERE used_bytes <>
               (SELECT coalesce(sum(size_bytes), 0) FROM media_assets m WHERE m.brand_id = q.brand_id AND m.status = 'active')"
        )
        .await,
        0
    );
    db.close().await.ok();
}
