//! Bulk data for tests that need more than the demo seed, inserted in SQL.

use sea_orm::{ConnectionTrait, DatabaseConnection};
use uuid::Uuid;

/// Inserts a tenant with `brands` brands, each with `items` content items, each item with
/// one approved approval by a fresh approver. Returns the brand ids.
pub async fn brands_with_content(
    db: &DatabaseConnection,
    brands: usize,
    items: usize,
) -> Vec<Uuid> {
    let tenant = Uuid::new_v4();
    let approver = Uuid::new_v4();
    db.execute_unprepared(&format!(
        "INSERT INTO tenants (id, name) VALUES ('{tenant}', 'Fixture tenant');
         INSERT INTO users (id, email, display_name) VALUES ('{approver}', '{approver}@fixture.test', 'Approver');
         INSERT INTO brands (id, tenant_id, name, slug)
           SELECT gen_random_uuid(), '{tenant}', 'Fixture ' || lpad(n::text, 3, '0'), 'fixture-' || n
             FROM generate_series(1, {brands}) n;
         INSERT INTO content_items (brand_id, type, title, content, status, created_at)
           SELECT b.id, 'post', b.name || ' item ' || n, '{{}}', 'approved', now() - n * interval '1 minute'
             FROM brands b CROSS JOIN generate_series(1, {items}) n WHERE b.tenant_id = '{tenant}';
         INSERT INTO post_approvals (brand_id, post_id, status, approved_by, approved_at)
           SELECT c.brand_id, c.id, 'approved', '{approver}', now()
             FROM content_items c JOIN brands b ON b.id = c.brand_id WHERE b.tenant_id = '{tenant}';
         INSERT INTO media_assets (tenant_id, brand_id, filename, path, size_bytes, hash)
           SELECT '{tenant}', b.id, 'f' || n || '.png', '/f' || n, 10, md5(b.id::text || n)
             FROM brands b CROSS JOIN generate_series(1, {items}) n WHERE b.tenant_id = '{tenant}';
         INSERT INTO media_usage_logs (asset_id, brand_id, used_in, used_by_user)
           SELECT m.id, m.brand_id, 'post:' || m.id, '{approver}'
             FROM media_assets m WHERE m.tenant_id = '{tenant}';
         INSERT INTO analytics_metrics (brand_id, tenant_id, platform, date, metrics)
           SELECT b.id, '{tenant}', p, current_date - d, jsonb_build_object('reach', d * 10, 'clicks', d)
             FROM brands b CROSS JOIN unnest(ARRAY['instagram', 'tiktok']) p CROSS JOIN generate_series(0, 9) d
            WHERE b.tenant_id = '{tenant}';"
    ))
    .await
    .expect("fixture insert");
    let rows = db
        .query_all_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            format!("SELECT id FROM brands WHERE tenant_id = '{tenant}' ORDER BY name"),
        ))
        .await
        .unwrap();
    rows.into_iter()
        .map(|row| row.try_get_by_index(0).unwrap())
        .collect()
}
