//! The benchmark dataset, loaded set-based in SQL with deterministic ids.

use std::time::Instant;

use sea_orm::{ConnectionTrait, Database, DbBackend, Statement, TransactionTrait};

#[derive(Debug, Clone, Copy)]
pub struct Scale {
    pub name: &'static str,
    pub tenants: i64,
    pub brands: i64,
    pub users: i64,
    pub content_per_brand: i64,
    pub assets_per_brand: i64,
    pub approvals_per_brand: i64,
    /// Post-level metric rows per brand and platform (besides one brand-level row a day).
    pub post_rows_per_platform: i64,
    /// Leads per brand (scores spread over 0–100) and activities per lead.
    pub leads_per_brand: i64,
    pub activities_per_lead: i64,
}

impl Scale {
    /// 10 tenants, 200 brands, 1,000 users, 40,000 content items, 60,000 assets,
    /// 20,000 approvals, 300,000 metric rows (200 x 4 x (90 + 285)), 60,000 leads with
    /// 600,000 activities.
    pub const FULL: Scale = Scale {
        name: "full",
        tenants: 10,
        brands: 200,
        users: 1000,
        content_per_brand: 200,
        assets_per_brand: 300,
        approvals_per_brand: 100,
        post_rows_per_platform: 285,
        leads_per_brand: 300,
        activities_per_lead: 10,
    };
    pub const SMOKE: Scale = Scale {
        name: "smoke",
        tenants: 2,
        brands: 24,
        users: 40,
        content_per_brand: 20,
        assets_per_brand: 60,
        approvals_per_brand: 10,
        post_rows_per_platform: 10,
        leads_per_brand: 30,
        activities_per_lead: 4,
    };

    pub fn metric_rows(&self) -> i64 {
        self.brands * 4 * (90 + self.post_rows_per_platform)
    }
}

/// Loads the dataset unless the database already holds this scale.
pub async fn ensure(server: &str, database: &str, scale: &Scale) -> anyhow::Result<()> {
    let admin = Database::connect(format!("{server}/postgres")).await?;
    let exists = admin
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT 1 FROM pg_database WHERE datname = $1",
            [database.into()],
        ))
        .await?
        .is_some();
    if !exists {
        admin
            .execute_unprepared(&format!("CREATE DATABASE \"{database}\""))
            .await?;
    }
    admin.close().await?;

    let db = Database::connect(format!("{server}/{database}")).await?;
    brandgraph::db::migrate_up(&db).await?;
    let marker = format!("{}:{}:{}", scale.name, scale.brands, scale.metric_rows());
    let loaded = db
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT (SELECT count(*) FROM brands)::text || ':' || (SELECT count(*) FROM analytics_metrics)::text",
        ))
        .await?
        .and_then(|row| row.try_get_by_index::<String>(0).ok())
        .unwrap_or_default();
    if loaded == format!("{}:{}", scale.brands, scale.metric_rows()) {
        println!("dataset {marker} already loaded");
        ensure_leads(&db, scale).await?;
        return Ok(());
    }
    println!("loading dataset {marker} ...");
    let started = Instant::now();
    // One transaction, so the session settings and the temporary function hold throughout.
    let txn = db.begin().await?;
    for (label, sql) in load_sql(scale) {
        let step = Instant::now();
        let result = txn.execute_unprepared(&sql).await?;
        println!(
            "  {label:<24} {:>8} rows {:>7} ms",
            result.rows_affected(),
            step.elapsed().as_millis()
        );
    }
    txn.commit().await?;
    ensure_leads(&db, scale).await?;
    // As autovacuum would in time: statistics, and the visibility map index-only scans need.
    db.execute_unprepared("VACUUM (ANALYZE)").await?;
    println!("dataset loaded in {:.1} s", started.elapsed().as_secs_f64());
    db.close().await?;
    Ok(())
}

/// Loads the leads and their activities unless the database holds this scale's: a step of
/// its own, so a dataset loaded before leads existed gains them without a reload.
async fn ensure_leads(db: &sea_orm::DatabaseConnection, scale: &Scale) -> anyhow::Result<()> {
    let (l, k) = (scale.leads_per_brand, scale.activities_per_lead);
    let expected = format!("{}:{}", scale.brands * l, scale.brands * l * k);
    let loaded = db
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT (SELECT count(*) FROM leads)::text || ':' || (SELECT count(*) FROM lead_activities)::text",
        ))
        .await?
        .and_then(|row| row.try_get_by_index::<String>(0).ok())
        .unwrap_or_default();
    if loaded == expected {
        return Ok(());
    }
    println!("loading leads {expected} ...");
    let txn = db.begin().await?;
    for (label, sql) in leads_sql(scale) {
        let step = Instant::now();
        let result = txn.execute_unprepared(&sql).await?;
        println!(
            "  {label:<24} {:>8} rows {:>7} ms",
            result.rows_affected(),
            step.elapsed().as_millis()
        );
    }
    txn.commit().await?;
    db.execute_unprepared("VACUUM (ANALYZE) leads, lead_activities")
        .await?;
    Ok(())
}

/// Leads with scores spread over 0–100 (ties included, so pages rely on the id
/// tie-breaker), each with `activities_per_lead` activities a few minutes apart.
fn leads_sql(scale: &Scale) -> Vec<(&'static str, String)> {
    let Scale {
        brands: b,
        leads_per_brand: l,
        activities_per_lead: k,
        ..
    } = *scale;
    vec![
        ("leads reset", "TRUNCATE leads, lead_activities CASCADE".to_string()),
        (
            "id function",
            "CREATE OR REPLACE FUNCTION pg_temp.bench_uuid(text) RETURNS uuid LANGUAGE sql IMMUTABLE AS 'SELECT md5($1)::uuid'"
                .to_string(),
        ),
        // Bulk rows: no scoring, search or change-event triggers (scores are written here).
        ("fast load mode", "SET LOCAL session_replication_role = replica".to_string()),
        ("leads", format!("INSERT INTO leads (id, brand_id, name, email, company, source, status, score, tags, created_at)
            SELECT pg_temp.bench_uuid('bench-lead-' || n || ':' || i), pg_temp.bench_uuid('bench-brand-' || n), 'Lead ' || i,
                   'lead' || i || '@brand' || n || '.bench.test', 'Company ' || (i % 40),
                   (ARRAY['website','event','referral','manual'])[1 + i % 4],
                   (ARRAY['new','contacted','qualified','converted','lost'])[1 + i % 5],
                   (n * 37 + i * 53) % 101, ARRAY['bench'], now() - i * interval '7 minutes'
              FROM generate_series(1, {b}) n CROSS JOIN generate_series(1, {l}) i")),
        ("lead activities", format!("INSERT INTO lead_activities (id, brand_id, lead_id, type, description, created_at)
            SELECT pg_temp.bench_uuid('bench-activity-' || n || ':' || i || ':' || j), pg_temp.bench_uuid('bench-brand-' || n),
                   pg_temp.bench_uuid('bench-lead-' || n || ':' || i),
                   (ARRAY['note','call','email_sent','email_opened','email_clicked','page_visit'])[1 + (i + j) % 6],
                   'Activity ' || j, now() - i * interval '7 minutes' + j * interval '13 seconds'
              FROM generate_series(1, {b}) n CROSS JOIN generate_series(1, {l}) i CROSS JOIN generate_series(1, {k}) j")),
    ]
}

fn load_sql(scale: &Scale) -> Vec<(&'static str, String)> {
    let Scale {
        tenants: t,
        brands: b,
        users: u,
        content_per_brand: c,
        assets_per_brand: a,
        approvals_per_brand: p,
        post_rows_per_platform: m,
        ..
    } = *scale;
    vec![
        ("reset", "TRUNCATE tenants, users, change_events CASCADE".to_string()),
        (
            "id function",
            "CREATE FUNCTION pg_temp.bench_uuid(text) RETURNS uuid LANGUAGE sql IMMUTABLE AS 'SELECT md5($1)::uuid'"
                .to_string(),
        ),
        // The load writes rows in bulk; skipping triggers (and their change events) keeps
        // it fast. Counters that triggers would maintain are written directly.
        ("fast load mode", "SET LOCAL session_replication_role = replica".to_string()),
        ("tenants", format!("INSERT INTO tenants (id, name, plan) SELECT pg_temp.bench_uuid('bench-tenant-' || n), 'Tenant ' || n, 'pro' FROM generate_series(1, {t}) n")),
        ("users", format!("INSERT INTO users (id, email, display_name) SELECT pg_temp.bench_uuid('bench-user-' || n), 'user' || n || '@bench.test', 'User ' || n FROM generate_series(1, {u}) n")),
        ("brands", format!("INSERT INTO brands (id, tenant_id, name, slug, created_at)
            SELECT pg_temp.bench_uuid('bench-brand-' || n), pg_temp.bench_uuid('bench-tenant-' || (n % {t} + 1)), 'Brand ' || lpad(n::text, 4, '0'),
                   'brand-' || n, now() - n * interval '1 hour' FROM generate_series(1, {b}) n")),
        ("memberships", format!("INSERT INTO brand_members (user_id, brand_id, role)
            SELECT pg_temp.bench_uuid('bench-user-' || ((n * 3 + k) % {u} + 1)), pg_temp.bench_uuid('bench-brand-' || n), (ARRAY['owner', 'manager', 'viewer'])[k + 1]
              FROM generate_series(1, {b}) n CROSS JOIN generate_series(0, 2) k ON CONFLICT DO NOTHING")),
        // Row-level security reads its own copy of the memberships, kept by a trigger that
        // the fast load mode skips.
        ("row security's memberships", "INSERT INTO rls.memberships (user_id, brand_id, role)
            SELECT user_id, brand_id, role FROM brand_members ON CONFLICT DO NOTHING".to_string()),
        ("content items", format!("INSERT INTO content_items (id, brand_id, type, title, content, status, platform, created_at)
            SELECT pg_temp.bench_uuid('bench-content-' || n || ':' || i), pg_temp.bench_uuid('bench-brand-' || n), 'post', 'Post ' || i,
                   jsonb_build_object('body', 'Copy ' || i), (ARRAY['draft','pending_review','approved','scheduled','published'])[1 + i % 5],
                   (ARRAY['instagram','facebook','linkedin','tiktok'])[1 + i % 4], now() - i * interval '10 minutes'
              FROM generate_series(1, {b}) n CROSS JOIN generate_series(1, {c}) i")),
        ("media assets", format!("INSERT INTO media_assets (id, tenant_id, brand_id, category, filename, mime_type, path, size_bytes, hash, created_at)
            SELECT pg_temp.bench_uuid('bench-asset-' || n || ':' || i), pg_temp.bench_uuid('bench-tenant-' || (n % {t} + 1)), pg_temp.bench_uuid('bench-brand-' || n),
                   'images', 'image-' || i || '.jpg', 'image/jpeg', '/assets/' || n || '/' || i, 100000 + i, md5(n || ':' || i) || md5(i || ':' || n),
                   now() - i * interval '5 minutes'
              FROM generate_series(1, {b}) n CROSS JOIN generate_series(1, {a}) i")),
        ("storage quotas", format!("INSERT INTO storage_quotas (brand_id, tenant_id, used_bytes)
            SELECT pg_temp.bench_uuid('bench-brand-' || n), pg_temp.bench_uuid('bench-tenant-' || (n % {t} + 1)), {a} * 100000 + {a} * ({a} + 1) / 2
              FROM generate_series(1, {b}) n")),
        ("post approvals", format!("INSERT INTO post_approvals (brand_id, post_id, status, approved_by, approved_at, created_at)
            SELECT pg_temp.bench_uuid('bench-brand-' || n), pg_temp.bench_uuid('bench-content-' || n || ':' || i), 'approved',
                   pg_temp.bench_uuid('bench-user-' || ((n * 3 + 1) % {u} + 1)), now(), now() - i * interval '10 minutes'
              FROM generate_series(1, {b}) n CROSS JOIN generate_series(1, {p}) i")),
        ("analytics (brand level)", format!("INSERT INTO analytics_metrics (brand_id, tenant_id, platform, post_id, date, metrics)
            SELECT pg_temp.bench_uuid('bench-brand-' || n), pg_temp.bench_uuid('bench-tenant-' || (n % {t} + 1)), pl, NULL, current_date - d,
                   jsonb_build_object('reach', 1000 + (n * 7 + d * 13) % 5000, 'impressions', 3000 + d, 'engagement', 40 + d % 9,
                                      'likes', 30, 'comments', 4, 'shares', 2, 'clicks', 25 + d % 7, 'followers', 10000 + d)
              FROM generate_series(1, {b}) n CROSS JOIN unnest(ARRAY['instagram','facebook','linkedin','tiktok']) pl
             CROSS JOIN generate_series(0, 89) d")),
        ("analytics (post level)", format!("INSERT INTO analytics_metrics (brand_id, tenant_id, platform, post_id, date, metrics)
            SELECT pg_temp.bench_uuid('bench-brand-' || n), pg_temp.bench_uuid('bench-tenant-' || (n % {t} + 1)), pl, 'post-' || i, current_date - (i % 90),
                   jsonb_build_object('reach', 100 + i, 'impressions', 300 + i, 'clicks', 3 + i % 5, 'engagement', 5)
              FROM generate_series(1, {b}) n CROSS JOIN unnest(ARRAY['instagram','facebook','linkedin','tiktok']) pl
             CROSS JOIN generate_series(1, {m}) i")),
        // The triggers that keep the daily rollups were off for the bulk load.
        ("analytics rollups", "SELECT rebuild_analytics_rollups()".to_string()),
    ]
}
