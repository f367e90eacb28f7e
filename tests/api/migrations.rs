use std::collections::BTreeSet;

use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

use crate::helpers::TestDb;

/// The tables of seed 002's target schema, plus `users` (for Supabase's auth.users), the
/// realtime outbox and its retention marker.
const TARGET_TABLES: &[&str] = &[
    "tenants",
    "users",
    "brands",
    "brand_members",
    "milestones",
    "media_assets",
    "media_usage_logs",
    "storage_quotas",
    "content_items",
    "scheduled_content",
    "connector_platforms",
    "connections",
    "encrypted_secrets",
    "publish_jobs",
    "publishing_logs",
    "platform_sync_logs",
    "analytics_metrics",
    "analytics_sync_logs",
    "analytics_goals",
    "advisor_feedback",
    "analytics_daily_rollups",
    "auto_plans",
    "post_approvals",
    "approval_requests",
    "workflow_templates",
    "workflow_instances",
    "workflow_notifications",
    "client_settings",
    "audit_logs",
    "webhook_events",
    "escalation_rules",
    "escalation_events",
    "strategy_briefs",
    "content_packages",
    "brand_history",
    "collaboration_logs",
    "social_posts",
    "platform_reviews",
    "change_events",
    "realtime_state",
    // Added by the gateway (docs/schema-decisions.md): invitations and the search index.
    "brand_invitations",
    "search_documents",
    // Campaigns and leads (seeds 001 and 003, scoped by brand).
    "campaigns",
    "campaign_tasks",
    "campaign_metrics",
    "leads",
    "lead_activities",
    // Email (seeds 001 and 003, scoped by brand), with recipients and provider events.
    "email_templates",
    "email_campaigns",
    "email_contacts",
    "email_campaign_recipients",
    "email_events",
    "email_automation_rules",
    // Lead scoring, its rescoring queue and public form keys.
    "lead_scoring_rules",
    "lead_rescore_queue",
    "lead_form_keys",
    // A campaign's live figures, kept by triggers (decision #66).
    "campaign_rollups",
    // Privacy requests and their audit trail (seed 003's User Management, scoped by brand).
    "data_export_requests",
    "data_deletion_requests",
    "privacy_audit_log",
];

async fn strings(db: &DatabaseConnection, sql: &str) -> Vec<String> {
    db.query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect(sql)
        .into_iter()
        .map(|row| row.try_get_by_index::<String>(0).expect("text column"))
        .collect()
}

async fn public_tables(db: &DatabaseConnection) -> BTreeSet<String> {
    strings(
        db,
        "SELECT table_name::text FROM information_schema.tables
          WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> 'seaql_migrations'
            AND NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.relname = table_name AND c.relispartition)",
    )
    .await
    .into_iter()
    .collect()
}

#[tokio::test]
async fn migrations_go_up_down_and_up_again_on_an_empty_database() {
    let test_db = TestDb::empty().await;
    let db = test_db.connect().await;

    Migrator::up(&db, None).await.expect("up");
    let expected: BTreeSet<String> = TARGET_TABLES.iter().map(|t| t.to_string()).collect();
    assert_eq!(public_tables(&db).await, expected);

    Migrator::down(&db, None).await.expect("down");
    assert!(
        public_tables(&db).await.is_empty(),
        "down leaves no table behind"
    );
    let functions = strings(
        &db,
        "SELECT proname::text FROM pg_proc WHERE pronamespace = 'public'::regnamespace",
    )
    .await;
    assert!(
        functions.is_empty(),
        "down leaves no function behind: {functions:?}"
    );

    Migrator::up(&db, None).await.expect("up again");
    assert_eq!(public_tables(&db).await, expected);
    db.close().await.ok();
}

#[tokio::test]
async fn legacy_and_deleted_tables_are_not_created() {
    let test_db = TestDb::migrated().await;
    let db = test_db.connect().await;
    let tables = public_tables(&db).await;
    for legacy in [
        "platform_connections",
        "publishing_jobs",
        "performance_logs",
        "token_health",
        "escalation_history",
    ] {
        assert!(!tables.contains(legacy), "{legacy} must not exist");
    }
    db.close().await.ok();
}

#[tokio::test]
async fn every_foreign_key_is_indexed_and_brand_tables_reference_brands() {
    let test_db = TestDb::migrated().await;
    let db = test_db.connect().await;

    let unindexed = strings(
        &db,
        "SELECT con.conname::text FROM pg_constraint con
          WHERE con.contype = 'f' AND con.connamespace = 'public'::regnamespace
            AND NOT EXISTS (
              SELECT 1 FROM pg_index i
               WHERE i.indrelid = con.conrelid
                 AND (i.indkey::int2[])[0:array_length(con.conkey, 1) - 1] = con.conkey)",
    )
    .await;
    assert!(
        unindexed.is_empty(),
        "foreign keys without an index: {unindexed:?}"
    );

    // Every table with a brand_id column references brands, except the outbox (events
    // outlive brands) and its day partitions.
    let unlinked = strings(
        &db,
        "SELECT c.table_name::text FROM information_schema.columns c
          WHERE c.table_schema = 'public' AND c.column_name = 'brand_id'
            AND c.table_name <> 'change_events' AND c.table_name NOT LIKE 'change\\_events\\_%'
            AND NOT EXISTS (
              SELECT 1 FROM information_schema.referential_constraints rc
                JOIN information_schema.key_column_usage k
                  ON k.constraint_name = rc.constraint_name AND k.table_name = c.table_name
                JOIN information_schema.constraint_column_usage u ON u.constraint_name = rc.constraint_name
               WHERE k.column_name = 'brand_id' AND u.table_name = 'brands')",
    )
    .await;
    assert!(
        unlinked.is_empty(),
        "brand_id without a foreign key to brands: {unlinked:?}"
    );

    let job_fk = strings(
        &db,
        "SELECT u.table_name::text FROM information_schema.key_column_usage k
           JOIN information_schema.constraint_column_usage u ON u.constraint_name = k.constraint_name
          WHERE k.table_name = 'publishing_logs' AND k.column_name = 'job_id'",
    )
    .await;
    assert_eq!(job_fk, vec!["publish_jobs".to_string()]);
    db.close().await.ok();
}

#[tokio::test]
async fn updated_at_is_maintained_by_trigger_on_every_table_that_has_it() {
    let test_db = TestDb::migrated().await;
    let db = test_db.connect().await;
    let missing = strings(
        &db,
        "SELECT c.table_name::text FROM information_schema.columns c
          WHERE c.table_schema = 'public' AND c.column_name = 'updated_at'
            AND NOT EXISTS (SELECT 1 FROM pg_trigger t
                             WHERE t.tgrelid = c.table_name::regclass AND t.tgname = c.table_name || '_set_updated_at')",
    )
    .await;
    assert!(
        missing.is_empty(),
        "tables without an updated_at trigger: {missing:?}"
    );

    db.execute_unprepared(
        "INSERT INTO tenants (id, name, updated_at) VALUES ('00000000-0000-0000-0000-00000000000a', 't', '2000-01-01');
         UPDATE tenants SET name = 'renamed';",
    )
    .await
    .unwrap();
    let fresh = strings(
        &db,
        "SELECT (updated_at > now() - interval '1 minute')::text FROM tenants",
    )
    .await;
    assert_eq!(fresh, vec!["true".to_string()]);
    db.close().await.ok();
}

#[tokio::test]
async fn a_usage_log_row_bumps_the_asset_usage_count_and_last_used() {
    let test_db = TestDb::migrated().await;
    let db = test_db.connect().await;
    db.execute_unprepared(
        "INSERT INTO tenants (id, name) VALUES ('00000000-0000-0000-0000-000000000001', 't');
         INSERT INTO brands (id, tenant_id, name, slug) VALUES
           ('00000000-0000-0000-0000-000000000002', '00000000-0000-0000-0000-000000000001', 'b', 'b');
         INSERT INTO media_assets (id, tenant_id, brand_id, filename, path, size_bytes) VALUES
           ('00000000-0000-0000-0000-000000000003', '00000000-0000-0000-0000-000000000001',
            '00000000-0000-0000-0000-000000000002', 'a.png', '/a.png', 10);
         INSERT INTO media_usage_logs (asset_id, brand_id, used_in, created_at) VALUES
           ('00000000-0000-0000-0000-000000000003', '00000000-0000-0000-0000-000000000002', 'post:1', '2026-01-01'),
           ('00000000-0000-0000-0000-000000000003', '00000000-0000-0000-0000-000000000002', 'post:1', '2026-01-02'),
           ('00000000-0000-0000-0000-000000000003', '00000000-0000-0000-0000-000000000002', 'email:2', '2026-01-03');",
    )
    .await
    .unwrap();
    let row = strings(
        &db,
        "SELECT usage_count || ' ' || to_char(last_used AT TIME ZONE 'UTC', 'YYYY-MM-DD') || ' ' || array_to_string(used_in, ',')
           FROM media_assets",
    )
    .await;
    assert_eq!(row, vec!["3 2026-01-03 post:1,email:2".to_string()]);
    db.close().await.ok();
}

#[tokio::test]
async fn status_check_constraints_reject_unknown_statuses() {
    let test_db = TestDb::migrated().await;
    let db = test_db.connect().await;
    db.execute_unprepared(
        "INSERT INTO brands (id, name, slug) VALUES ('00000000-0000-0000-0000-000000000002', 'b', 'b')",
    )
    .await
    .unwrap();
    let err = db
        .execute_unprepared(
            "INSERT INTO content_items (brand_id, type, content, status)
             VALUES ('00000000-0000-0000-0000-000000000002', 'post', '{}', 'lost')",
        )
        .await
        .expect_err("unknown status");
    assert!(
        err.to_string().contains("content_items_status_check"),
        "{err}"
    );
    db.close().await.ok();
}
