use brandgraph::seed::{DEMO_FORM_KEY, SeedOutcome, brands, seed_demo};
use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use serde_json::json;

use crate::helpers::{TestDb, spawn_app};

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
        "lead_scoring_rules",
        "lead_form_keys",
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

/// The demo's form key is Aurora's and live: the README's `curl` example (no browser
/// origin) creates a lead through it, with the key's source and campaign.
#[tokio::test]
async fn the_demo_form_key_takes_a_lead_for_aurora() {
    let app = spawn_app().await;
    app.seed_demo().await;
    assert_eq!(
        app.scalar(&format!(
            "SELECT brand_id || ':' || (revoked_at IS NULL) FROM lead_form_keys WHERE key = '{DEMO_FORM_KEY}'"
        ))
        .await,
        format!("{}:true", brands::AURORA)
    );
    let email = format!("readme-{}@example.com", uuid::Uuid::new_v4().simple());
    let response = app
        .http
        .post(app.url(&format!("/forms/{DEMO_FORM_KEY}")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "email={}&name=Ana+Ortiz&company=Ortiz+Labs&company_size=medium&message=Call+me",
            email.replace('@', "%40")
        ))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), reqwest::StatusCode::ACCEPTED);
    assert_eq!(
        response.json::<serde_json::Value>().await.unwrap(),
        json!({ "status": "accepted" })
    );
    assert_eq!(
        app.scalar(&format!(
            "SELECT l.brand_id || ':' || l.source || ':' || c.name || ':' || l.company_size
               FROM leads l JOIN campaigns c ON c.id = l.campaign_id WHERE l.email = '{email}'"
        ))
        .await,
        format!("{}:website:Spring Espresso Launch:medium", brands::AURORA)
    );
}

/// Borealis' leads are scored by its rules (activity- and field-based): every stored
/// score equals `calculate_lead_score`, and the rules spread them out.
#[tokio::test]
async fn the_demo_scores_of_a_brand_with_rules_are_what_its_rules_compute() {
    let test_db = TestDb::migrated().await;
    let db = test_db.connect().await;
    seed_demo(&db, NaiveDate::from_ymd_opt(2026, 11, 1).unwrap())
        .await
        .unwrap();
    let text = |sql: String| {
        let db = db.clone();
        async move {
            db.query_one_raw(Statement::from_string(db.get_database_backend(), sql))
                .await
                .unwrap()
                .unwrap()
                .try_get_by_index::<String>(0)
                .unwrap()
        }
    };
    let rules = text(format!(
        "SELECT count(*) FILTER (WHERE condition::text LIKE '%activity%') || '/' || count(*)
           FROM lead_scoring_rules WHERE brand_id = '{}' AND active",
        brands::BOREALIS
    ))
    .await;
    assert_eq!(rules, "3/6", "activity-based rules of all rules");
    let scores = text(format!(
        "SELECT string_agg(name || '=' || score || (CASE WHEN score = calculate_lead_score(id) THEN '' ELSE ' (stale)' END),
                           ', ' ORDER BY name)
           FROM leads WHERE brand_id = '{}'",
        brands::BOREALIS
    ))
    .await;
    assert!(!scores.contains("stale"), "{scores}");
    assert_eq!(
        scores, "Erik Lindqvist=70, Hanna Berg=15, Ines Costa=15, Lena Fischer=15, Noah Meier=90",
        "the rules' points, by hand: form 15, two opens 10, a call 20, medium+ 25, outdoor trade 10, phone 10"
    );
    assert_eq!(
        text("SELECT count(*)::text FROM lead_rescore_queue".to_string()).await,
        "0",
        "the seed leaves no rescoring behind"
    );
    db.close().await.ok();
}
