//! The demo dataset: one tenant, three brands, users in every role (and an outsider),
//! content in every status with approvals, media assets with quotas, and 90 days of
//! analytics for four platforms.
//!
//! Deterministic: ids are fixed or derived with `md5(...)::uuid`, metric values are
//! hashes of their coordinates, and every date is relative to an anchor date (today by
//! default), so two databases seeded with one anchor hold the same rows. Idempotent: a
//! database that already holds the demo tenant is left as it is.

mod email;
mod marketing;
mod workflows;

pub use marketing::DEMO_FORM_KEY;

use std::time::Instant;

use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, DatabaseConnection, TransactionTrait};
use uuid::Uuid;

pub const DEMO_TENANT: Uuid = Uuid::from_u128(0x0000_0000_0000_4000_8000_0000_0000_0001);

/// The demo users, by the role they hold in the first brand.
pub mod users {
    use uuid::Uuid;
    pub const OWNER: Uuid = Uuid::from_u128(0x0000_0000_0000_4000_8000_0000_0000_0101);
    pub const ADMIN: Uuid = Uuid::from_u128(0x0000_0000_0000_4000_8000_0000_0000_0102);
    pub const MANAGER: Uuid = Uuid::from_u128(0x0000_0000_0000_4000_8000_0000_0000_0103);
    pub const MEMBER: Uuid = Uuid::from_u128(0x0000_0000_0000_4000_8000_0000_0000_0104);
    pub const VIEWER: Uuid = Uuid::from_u128(0x0000_0000_0000_4000_8000_0000_0000_0105);
    /// Belongs to no brand.
    pub const OUTSIDER: Uuid = Uuid::from_u128(0x0000_0000_0000_4000_8000_0000_0000_0106);
    /// Invited to Aurora, not yet accepted.
    pub const INVITEE: Uuid = Uuid::from_u128(0x0000_0000_0000_4000_8000_0000_0000_0107);
}

/// The demo brands.
pub mod brands {
    use uuid::Uuid;
    pub const AURORA: Uuid = Uuid::from_u128(0x0000_0000_0000_4000_8000_0000_0000_0201);
    pub const BOREALIS: Uuid = Uuid::from_u128(0x0000_0000_0000_4000_8000_0000_0000_0202);
    pub const CASCADE: Uuid = Uuid::from_u128(0x0000_0000_0000_4000_8000_0000_0000_0203);
    /// Archived: invisible on every path until `restoreBrand`.
    pub const DRIFTWOOD: Uuid = Uuid::from_u128(0x0000_0000_0000_4000_8000_0000_0000_0204);
}

/// What `seed` did.
#[derive(Debug, PartialEq, Eq)]
pub enum SeedOutcome {
    Seeded,
    AlreadyPresent,
}

/// Seeds the demo data in one transaction, printing progress to stderr.
pub async fn seed_demo(db: &DatabaseConnection, anchor: NaiveDate) -> anyhow::Result<SeedOutcome> {
    let present = db
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            format!("SELECT 1 FROM tenants WHERE id = '{DEMO_TENANT}'"),
        ))
        .await?
        .is_some();
    if present {
        eprintln!("demo data already present; nothing to do");
        return Ok(SeedOutcome::AlreadyPresent);
    }

    let started = Instant::now();
    let txn = db.begin().await?;
    let steps = steps(anchor);
    let total = steps.len();
    for (index, (label, sql)) in steps.iter().enumerate() {
        let step_started = Instant::now();
        let result = txn.execute_unprepared(sql).await?;
        eprintln!(
            "[{}/{total}] {label}: {} rows ({} ms)",
            index + 1,
            result.rows_affected(),
            step_started.elapsed().as_millis()
        );
    }
    txn.commit().await?;
    eprintln!("demo data seeded in {} ms", started.elapsed().as_millis());
    Ok(SeedOutcome::Seeded)
}

/// The seed statements, in order. `anchor` is the last day of analytics.
fn steps(anchor: NaiveDate) -> Vec<(&'static str, String)> {
    let a = format!("DATE '{}'", anchor.format("%Y-%m-%d"));
    let t = DEMO_TENANT;
    let (b1, b2, b3) = (brands::AURORA, brands::BOREALIS, brands::CASCADE);
    let u = [
        users::OWNER,
        users::ADMIN,
        users::MANAGER,
        users::MEMBER,
        users::VIEWER,
        users::OUTSIDER,
    ];
    vec![
        (
            "tenant",
            format!("INSERT INTO tenants (id, name, plan, created_at) VALUES ('{t}', 'Northwind Demo', 'pro', {a} - 120)"),
        ),
        (
            "users",
            format!(
                "INSERT INTO users (id, email, display_name, created_at) VALUES
                 ('{}', 'olivia.owner@demo.test', 'Olivia Owner', {a} - 120),
                 ('{}', 'adam.admin@demo.test', 'Adam Admin', {a} - 119),
                 ('{}', 'mia.manager@demo.test', 'Mia Manager', {a} - 118),
                 ('{}', 'max.member@demo.test', 'Max Member', {a} - 117),
                 ('{}', 'vera.viewer@demo.test', 'Vera Viewer', {a} - 116),
                 ('{}', 'oscar.outsider@demo.test', 'Oscar Outsider', {a} - 115)",
                u[0], u[1], u[2], u[3], u[4], u[5]
            ),
        ),
        (
            "brands",
            format!(
                "INSERT INTO brands (id, tenant_id, created_by, name, slug, industry, description,
                                     primary_color, tone_keywords, brand_kit, intake_completed, created_at)
                 VALUES
                 ('{b1}', '{t}', '{o}', 'Aurora Coffee', 'aurora-coffee', 'Food & beverage',
                  'Small-batch roaster with a loyal local following.', '#b45309',
                  ARRAY['warm','crafted','local'], '{{\"fonts\":[\"Inter\"]}}', true, {a} - 110),
                 ('{b2}', '{t}', '{o}', 'Borealis Outdoor', 'borealis-outdoor', 'Retail',
                  'Gear for long trails and cold nights.', '#0f766e',
                  ARRAY['bold','honest'], '{{}}', true, {a} - 105),
                 ('{b3}', '{t}', '{o}', 'Cascade Studio', 'cascade-studio', 'Design agency',
                  'A studio that designs for other brands.', '#7c3aed',
                  ARRAY['playful'], '{{}}', false, {a} - 100)",
                o = u[0]
            ),
        ),
        (
            "brand members",
            format!(
                "INSERT INTO brand_members (user_id, brand_id, role, created_at) VALUES
                 ('{}', '{b1}', 'owner', {a} - 100), ('{}', '{b2}', 'owner', {a} - 100), ('{}', '{b3}', 'owner', {a} - 100),
                 ('{}', '{b1}', 'admin', {a} - 99), ('{}', '{b2}', 'viewer', {a} - 99),
                 ('{}', '{b1}', 'manager', {a} - 98), ('{}', '{b2}', 'member', {a} - 98),
                 ('{}', '{b1}', 'member', {a} - 97),
                 ('{}', '{b1}', 'viewer', {a} - 96)",
                u[0], u[0], u[0], u[1], u[1], u[2], u[2], u[3], u[4]
            ),
        ),
        (
            "content items (every status, 24 per brand)",
            format!(
                "INSERT INTO content_items (id, brand_id, type, title, content, status, platform,
                                            scheduled_for, published_at, approval_required,
                                            approved_by, approved_at, created_by, created_at)
                 SELECT md5('content:' || b.id || ':' || n)::uuid, b.id,
                        (ARRAY['post','blog','caption','email','story'])[1 + n % 5],
                        b.name || ' idea #' || n,
                        jsonb_build_object('body', 'Draft copy ' || n || ' for ' || b.name, 'hashtags', jsonb_build_array('#demo')),
                        s.status,
                        (ARRAY['instagram','facebook','linkedin','tiktok'])[1 + n % 4],
                        CASE WHEN s.status IN ('scheduled') THEN {a} + 7 + n
                             WHEN s.status = 'published' THEN {a} - n END,
                        CASE WHEN s.status = 'published' THEN {a} - n END,
                        true,
                        CASE WHEN s.status IN ('approved','scheduled','published') THEN '{mgr}'::uuid END,
                        CASE WHEN s.status IN ('approved','scheduled','published') THEN {a} - n - 1 END,
                        '{mem}', {a} - 60 + n
                   FROM (VALUES ('{b1}'::uuid, 'Aurora Coffee'), ('{b2}'::uuid, 'Borealis Outdoor'), ('{b3}'::uuid, 'Cascade Studio')) AS b(id, name)
                  CROSS JOIN generate_series(0, 23) AS n
                  CROSS JOIN LATERAL (SELECT (ARRAY['draft','pending_review','approved','rejected','scheduled','published'])[1 + n % 6] AS status) s",
                mgr = u[2],
                mem = u[3]
            ),
        ),
        (
            "post approvals",
            format!(
                "INSERT INTO post_approvals (id, brand_id, post_id, status, approved_at, approved_by,
                                             rejected_at, rejected_by, rejection_reason, locked, created_at)
                 SELECT md5('approval:' || c.id)::uuid, c.brand_id, c.id,
                        CASE c.status WHEN 'pending_review' THEN 'pending'
                                      WHEN 'rejected' THEN 'rejected' ELSE 'approved' END,
                        c.approved_at, c.approved_by,
                        CASE WHEN c.status = 'rejected' THEN c.created_at + interval '1 day' END,
                        CASE WHEN c.status = 'rejected' THEN '{mgr}'::uuid END,
                        CASE WHEN c.status = 'rejected' THEN 'Off-brand tone; please revise.' END,
                        c.status = 'published',
                        c.created_at + interval '1 hour'
                   FROM content_items c
                  WHERE c.status <> 'draft'",
                mgr = u[2]
            ),
        ),
        (
            "approval requests",
            format!(
                "INSERT INTO approval_requests (id, brand_id, post_id, requested_by, assigned_to, priority, deadline, status, created_at)
                 SELECT md5('request:' || c.id)::uuid, c.brand_id, c.id, c.created_by, '{mgr}',
                        'normal', c.created_at + interval '3 days', 'pending', c.created_at + interval '1 hour'
                   FROM content_items c WHERE c.status = 'pending_review'",
                mgr = u[2]
            ),
        ),
        (
            "scheduled content",
            "INSERT INTO scheduled_content (id, brand_id, content_id, scheduled_at, platforms, status, created_at)
             SELECT md5('schedule:' || c.id)::uuid, c.brand_id, c.id, c.scheduled_for,
                    ARRAY[c.platform], CASE c.status WHEN 'published' THEN 'published' ELSE 'scheduled' END,
                    c.approved_at
               FROM content_items c WHERE c.status IN ('scheduled', 'published')"
                .to_string(),
        ),
        (
            "media assets (12 per brand)",
            format!(
                "INSERT INTO media_assets (id, tenant_id, brand_id, category, filename, mime_type, path,
                                           size_bytes, hash, metadata, status, created_at)
                 SELECT md5('asset:' || b.id || ':' || n)::uuid, '{t}', b.id,
                        (ARRAY['images','graphics','logos','videos'])[1 + n % 4],
                        'asset-' || n || (ARRAY['.jpg','.png','.svg','.mp4'])[1 + n % 4],
                        (ARRAY['image/jpeg','image/png','image/svg+xml','video/mp4'])[1 + n % 4],
                        'brands/' || b.id || '/asset-' || n,
                        (100000 + n * 250000)::bigint,
                        encode(sha256(('asset:' || b.id || ':' || n)::bytea), 'hex'),
                        jsonb_build_object('width', 1080, 'height', 1080 + n),
                        CASE WHEN n = 11 THEN 'archived' ELSE 'active' END,
                        {a} - 90 + n
                   FROM unnest(ARRAY['{b1}','{b2}','{b3}']::uuid[]) AS b(id)
                  CROSS JOIN generate_series(0, 11) AS n"
            ),
        ),
        (
            "storage quotas",
            format!(
                "INSERT INTO storage_quotas (id, brand_id, tenant_id, created_at, used_bytes)
                 SELECT md5('quota:' || b.id)::uuid, b.id, '{t}', {a} - 90, COALESCE((SELECT sum(size_bytes) FROM media_assets m
                                               WHERE m.brand_id = b.id AND m.status = 'active'), 0)
                   FROM unnest(ARRAY['{b1}','{b2}','{b3}']::uuid[]) AS b(id)"
            ),
        ),
        (
            "media usage logs",
            format!(
                "INSERT INTO media_usage_logs (id, asset_id, brand_id, used_in, used_by_user, created_at)
                 SELECT md5('usage:' || m.id || ':' || k)::uuid, m.id, m.brand_id,
                        'post:' || md5('content:' || m.brand_id || ':' || k)::uuid, '{mem}',
                        {a} - 30 + k
                   FROM media_assets m CROSS JOIN generate_series(0, 2) AS k
                  WHERE m.status = 'active' AND m.size_bytes % 3 = 0",
                mem = u[3]
            ),
        ),
        (
            "analytics metrics (90 days x 4 platforms)",
            format!(
                "INSERT INTO analytics_metrics (id, brand_id, tenant_id, platform, post_id, date, metrics, metadata, created_at)
                 SELECT md5('metric:' || b.id || ':' || p || ':' || d)::uuid, b.id, '{t}', p, NULL, {a} - d,
                        jsonb_build_object(
                          'reach', r.reach, 'impressions', r.reach * 2 + r.h % 500,
                          'engagement', r.reach / 20, 'likes', r.reach / 25, 'comments', r.reach / 200,
                          'shares', r.reach / 400, 'clicks', r.reach / 50, 'followers', 5000 + (90 - d) * 7 + r.h % 13,
                          'ctr', round((r.reach / 50)::numeric / (r.reach * 2 + r.h % 500), 4),
                          'engagementRate', round((r.reach / 20)::numeric / r.reach, 4)),
                        jsonb_build_object('postType', 'aggregate'),
                        ({a} - d)::timestamptz + interval '23 hours'
                   FROM unnest(ARRAY['{b1}','{b2}','{b3}']::uuid[]) AS b(id)
                  CROSS JOIN unnest(ARRAY['instagram','facebook','linkedin','tiktok']) AS p
                  CROSS JOIN generate_series(0, 89) AS d
                  CROSS JOIN LATERAL (
                    SELECT h, 1000 + h % 9000 AS reach
                      FROM (SELECT ('x' || substr(md5(b.id || p || d), 1, 7))::bit(28)::int AS h) x
                  ) r"
            ),
        ),
        (
            "workspace: an archived brand, an invitation, settings, milestones",
            format!(
                "INSERT INTO brands (id, tenant_id, created_by, name, slug, industry, description, created_at,
                                     archived_at, archived_by)
                 VALUES ('{d}', '{t}', '{o}', 'Driftwood Studio', 'driftwood-studio', 'Design',
                         'A retired studio brand, archived.', {a} - 100, {a} - 10, '{o}');
                 INSERT INTO brand_members (user_id, brand_id, role, created_at) VALUES ('{o}', '{d}', 'owner', {a} - 100);
                 INSERT INTO users (id, email, display_name, created_at)
                 VALUES ('{i}', 'nina.newcomer@demo.test', 'Nina Newcomer', {a} - 2);
                 INSERT INTO brand_invitations (id, brand_id, user_id, email, role, invited_by, created_at)
                 VALUES (md5('invitation:{b1}:{i}')::uuid, '{b1}', '{i}', 'nina.newcomer@demo.test', 'member', '{ad}', {a} - 2);
                 INSERT INTO client_settings (client_id, brand_id, timezone, language, unsubscribe_token, created_at)
                 VALUES ('{o}', '{b1}', 'Europe/Berlin', 'en', 'demo-unsubscribe-olivia-aurora', {a} - 90);
                 INSERT INTO milestones (brand_id, workspace_id, key, unlocked_at, acknowledged_at, created_at)
                 SELECT '{b1}', '{b1}', k, {a} - 100 + n::int * 5, {a} - 99 + n::int * 5, {a} - 100 + n::int * 5
                   FROM unnest(ARRAY['brand_kit_completed', 'first_post_approved', 'first_platform_connected'])
                        WITH ORDINALITY AS m(k, n)",
                d = brands::DRIFTWOOD,
                o = users::OWNER,
                i = users::INVITEE,
                ad = users::ADMIN,
            ),
        ),
        (
            "analytics goals",
            format!(
                "INSERT INTO analytics_goals (id, brand_id, tenant_id, metric, target, current, deadline, status, notes, created_at)
                 SELECT md5('goal:' || b.id || ':' || g.metric)::uuid, b.id, '{t}', g.metric, g.target, 0,
                        {a} + 60, 'active', g.notes, {a} - 30
                   FROM unnest(ARRAY['{b1}','{b2}','{b3}']::uuid[]) AS b(id)
                  CROSS JOIN (VALUES ('reach', 1500000.0, 'Quarterly reach'),
                                     ('engagementRate', 0.06, 'Keep engagement above 6%')) AS g(metric, target, notes)"
            ),
        ),
    ]
    .into_iter()
    .chain(workflows::steps(&a))
    .chain(marketing::steps(&a))
    .chain(email::steps(&a))
    .collect()
}
