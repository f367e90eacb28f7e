//! Error codes that say what happened: who is missing (authentication) and what is in the
//! way (rows still referring to what is deleted).

use brandgraph::error::ApiError;
use brandgraph::seed::brands;
use sea_orm::ConnectionTrait;
use serde_json::json;

use crate::helpers::{error_code, service_token, spawn_app, user_token};

#[tokio::test]
async fn leaving_a_brand_anonymously_is_unauthenticated() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let response = app
        .graphql(
            None,
            "mutation($brand: ID!) { leaveBrand(brandId: $brand) }",
            json!({ "brand": brands::AURORA }),
        )
        .await;
    assert_eq!(error_code(&response), Some("UNAUTHENTICATED"), "{response}");
}

#[tokio::test]
async fn deleting_a_brand_deletes_its_analytics_and_everything_else_it_owns() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let owned = |table: &'static str| {
        format!(
            "SELECT count(*)::text FROM {table} WHERE brand_id = '{}'",
            brands::AURORA
        )
    };
    assert_ne!(app.scalar(&owned("analytics_metrics")).await, "0");
    assert_ne!(app.scalar(&owned("content_items")).await, "0");

    let response = app
        .graphql(
            Some(&service_token()),
            "mutation($id: ID!) { deleteBrand(id: $id) }",
            json!({ "id": brands::AURORA }),
        )
        .await;

    assert!(response.get("errors").is_none(), "{response}");
    for table in [
        "analytics_metrics",
        "analytics_daily_rollups",
        "content_items",
        "brand_members",
    ] {
        assert_eq!(app.scalar(&owned(table)).await, "0", "{table}");
    }
    let brand = app
        .graphql(
            Some(&user_token(brandgraph::seed::users::OWNER)),
            "query($id: ID!) { brand(id: $id) { id } }",
            json!({ "id": brands::AURORA }),
        )
        .await;
    assert!(brand["data"]["brand"].is_null(), "{brand}");
}

#[tokio::test]
async fn deleting_a_row_that_others_still_refer_to_is_a_conflict_naming_them() {
    let app = spawn_app().await;
    app.seed_demo().await;
    // `content_items.created_by` refers to users without ON DELETE: the seeded author
    // cannot be deleted while their content exists.
    let deleted = app
        .db
        .execute_unprepared(
            "DELETE FROM users WHERE id IN (SELECT created_by FROM content_items \
             WHERE created_by IS NOT NULL LIMIT 1)",
        )
        .await
        .expect_err("the author is still referenced");
    let error = ApiError::from(deleted);
    assert_eq!(error.code(), "CONFLICT", "{:?}", error);
    assert!(
        error.message().contains("still referenced by"),
        "{}",
        error.message()
    );

    // The other direction stays what it was: a row pointing at nothing is bad input.
    let inserted = app
        .db
        .execute_unprepared(&format!(
            "INSERT INTO brand_members (brand_id, user_id, role) VALUES ('{}', gen_random_uuid(), 'member')",
            brands::AURORA
        ))
        .await
        .expect_err("no such user");
    assert_eq!(ApiError::from(inserted).code(), "BAD_USER_INPUT");
}
