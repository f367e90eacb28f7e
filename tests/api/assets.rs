//! Media assets: registration, deduplication, the quota under concurrency, archive, usage.

use brandgraph::seed::{brands, users};
use serde_json::{Value, json};

use crate::helpers::{TestApp, error_code, spawn_app, user_token};

const REGISTER: &str = "mutation($brand: ID!, $hash: String!, $size: Int!) {
  registerMediaAsset(input: { brandId: $brand, filename: \"a.png\", mimeType: \"image/png\",
    path: \"/a.png\", sizeBytes: $size, hash: $hash, category: \"images\" }) { created asset { uuid sizeBytes } } }";

fn hash(n: usize) -> String {
    format!("{n:064x}")
}

async fn register(app: &TestApp, hash: &str, size: i64) -> Value {
    app.graphql(
        Some(&user_token(users::MANAGER)),
        REGISTER,
        json!({ "brand": brands::AURORA, "hash": hash, "size": size }),
    )
    .await
}

async fn quota_is_consistent(app: &TestApp) -> (String, String) {
    let used = app
        .scalar(&format!(
            "SELECT used_bytes::text FROM storage_quotas WHERE brand_id = '{}'",
            brands::AURORA
        ))
        .await;
    let active = app
        .scalar(&format!(
            "SELECT coalesce(sum(size_bytes), 0)::text FROM media_assets WHERE brand_id = '{}' AND status = 'active'",
            brands::AURORA
        ))
        .await;
    assert_eq!(used, active, "used_bytes equals the sum of active assets");
    (used, active)
}

#[tokio::test]
async fn the_same_hash_in_the_same_brand_returns_the_existing_asset() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let first = register(&app, &hash(1), 1000).await;
    assert_eq!(
        first["data"]["registerMediaAsset"]["created"], true,
        "{first}"
    );
    let (used_before, _) = quota_is_consistent(&app).await;
    let again = register(&app, &hash(1).to_uppercase(), 1000).await;
    assert_eq!(
        again["data"]["registerMediaAsset"]["created"], false,
        "{again}"
    );
    assert_eq!(
        again["data"]["registerMediaAsset"]["asset"]["uuid"],
        first["data"]["registerMediaAsset"]["asset"]["uuid"]
    );
    assert_eq!(
        quota_is_consistent(&app).await.0,
        used_before,
        "no second charge"
    );
}

#[tokio::test]
async fn fifty_concurrent_registrations_never_pass_the_quota() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let (used, _) = quota_is_consistent(&app).await;
    let used: i64 = used.parse().unwrap();
    // Room for exactly 10 more assets of 1,000 bytes.
    app.scalar(&format!(
        "UPDATE storage_quotas SET limit_bytes = {} WHERE brand_id = '{}' RETURNING 'x'",
        used + 10_000,
        brands::AURORA
    ))
    .await;
    let calls = (0..50).map(|n| {
        let app = &app;
        async move { register(app, &hash(1000 + n), 1000).await }
    });
    let results = futures_util::future::join_all(calls).await;
    let created = results
        .iter()
        .filter(|r| r["data"]["registerMediaAsset"]["created"] == true)
        .count();
    let refused = results
        .iter()
        .filter(|r| error_code(r) == Some("QUOTA_EXCEEDED"))
        .count();
    assert_eq!((created, refused), (10, 40), "{results:?}");
    let (used_after, _) = quota_is_consistent(&app).await;
    assert_eq!(used_after.parse::<i64>().unwrap(), used + 10_000);
}

#[tokio::test]
async fn archiving_frees_quota_and_usage_is_counted() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let created = register(&app, &hash(7), 5000).await;
    let id = created["data"]["registerMediaAsset"]["asset"]["uuid"]
        .as_str()
        .unwrap()
        .to_string();
    let (with_asset, _) = quota_is_consistent(&app).await;

    let used = app
        .graphql(
            Some(&user_token(users::MEMBER)),
            "mutation($id: ID!) { recordAssetUsage(assetId: $id, usedIn: \"post:1\", context: { slot: 1 }) { usageCount lastUsed usedIn } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(used["data"]["recordAssetUsage"]["usageCount"], 1, "{used}");
    assert_eq!(
        used["data"]["recordAssetUsage"]["usedIn"],
        json!(["post:1"])
    );

    let viewer_archive = app
        .graphql(
            Some(&user_token(users::VIEWER)),
            "mutation($id: ID!) { archiveMediaAsset(id: $id) { status } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(error_code(&viewer_archive), Some("FORBIDDEN"));
    let archived = app
        .graphql(
            Some(&user_token(users::MANAGER)),
            "mutation($id: ID!) { archiveMediaAsset(id: $id) { status } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        archived["data"]["archiveMediaAsset"]["status"], "ARCHIVED",
        "{archived}"
    );
    let (after, _) = quota_is_consistent(&app).await;
    assert_eq!(
        after.parse::<i64>().unwrap(),
        with_asset.parse::<i64>().unwrap() - 5000
    );
}

#[tokio::test]
async fn bad_asset_input_is_bad_user_input() {
    let app = spawn_app().await;
    app.seed_demo().await;
    for (hash, size) in [("abc".to_string(), 10), ("z".repeat(64), 10), (hash(3), -1)] {
        let response = register(&app, &hash, size).await;
        assert_eq!(error_code(&response), Some("BAD_USER_INPUT"), "{response}");
    }
}
