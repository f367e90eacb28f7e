//! Database errors become client errors by constraint name, never raw SQL text.

use brandgraph::error::ApiError;
use sea_orm::ConnectionTrait;

use crate::helpers::TestDb;

#[tokio::test]
async fn constraint_violations_map_to_conflict_and_bad_user_input() {
    let test_db = TestDb::migrated().await;
    let db = test_db.connect().await;
    db.execute_unprepared(
        "INSERT INTO tenants (id, name) VALUES ('00000000-0000-0000-0000-000000000001', 't');
         INSERT INTO brands (tenant_id, name, slug) VALUES ('00000000-0000-0000-0000-000000000001', 'b', 'b');",
    )
    .await
    .unwrap();

    let duplicate = db
        .execute_unprepared(
            "INSERT INTO brands (tenant_id, name, slug) VALUES ('00000000-0000-0000-0000-000000000001', 'b2', 'b')",
        )
        .await
        .unwrap_err();
    let error = ApiError::from(duplicate);
    assert_eq!(error.code(), "CONFLICT");
    assert!(error.message().contains("slug"), "{}", error.message());

    let bad_status = db
        .execute_unprepared(
            "INSERT INTO content_items (brand_id, type, content, status)
             SELECT id, 'post', '{}', 'lost' FROM brands",
        )
        .await
        .unwrap_err();
    let error = ApiError::from(bad_status);
    assert_eq!(error.code(), "BAD_USER_INPUT");
    assert!(error.message().contains("status"), "{}", error.message());
    assert!(!error.message().contains("INSERT"), "no SQL text");

    let over_quota = db
        .execute_unprepared(
            "INSERT INTO storage_quotas (brand_id, limit_bytes, used_bytes) SELECT id, 10, 11 FROM brands",
        )
        .await
        .unwrap_err();
    assert_eq!(ApiError::from(over_quota).code(), "QUOTA_EXCEEDED");

    let dangling = db
        .execute_unprepared(
            "INSERT INTO content_items (brand_id, type, content) VALUES ('00000000-0000-0000-0000-0000000000ff', 'post', '{}')",
        )
        .await
        .unwrap_err();
    assert_eq!(ApiError::from(dangling).code(), "BAD_USER_INPUT");
    db.close().await.ok();
}
