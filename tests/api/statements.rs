//! The number of SQL statements a query runs depends on its depth, not on its rows.

use serde_json::{Value, json};

use crate::fixtures::brands_with_content;
use crate::helpers::{TestApp, service_token, spawn_app};

const CONTENT_TREE: &str = "query($n: Int) { brands(first: $n) { edges { node { name
  contentItems(first: 10) { edges { node { title
    approvals { status }
    latestApproval { status approvedBy { displayName } } } } } } } } }";

const ASSET_TREE: &str = "query($n: Int) { brands(first: $n) { edges { node { name
  mediaAssets(first: 10) { totalCount edges { node { filename
    usage(first: 5) { totalCount edges { node { usedIn usedBy { displayName } } } } } } } } } } }";

const ANALYTICS_TREE: &str = "query($n: Int) { brands(first: $n) { edges { node { name
  analyticsSummary(days: 30) { totals { reach } byPlatform { platform totals { clicks } } }
  analytics(from: \"2000-01-01\", to: \"2000-12-31\", platform: \"tiktok\") { reach } } } } }";

async fn statements_for(app: &TestApp, query: &str, brands: usize) -> (Value, u64) {
    let (response, count) = app
        .graphql_counted(Some(&service_token()), query, json!({ "n": brands }))
        .await;
    assert!(response.get("errors").is_none(), "{response}");
    let edges = response["data"]["brands"]["edges"].as_array().unwrap();
    assert_eq!(edges.len(), brands);
    (response, count)
}

async fn assert_flat(query: &str, depth: u64) -> u64 {
    let app = spawn_app().await;
    brands_with_content(&app.db, 20, 10).await;
    let (_, two) = statements_for(&app, query, 2).await;
    let (twenty, many) = statements_for(&app, query, 20).await;
    assert_eq!(
        two, many,
        "2 brands and 20 brands run the same number of statements"
    );
    assert!(many <= depth + 1, "{many} statements for depth {depth}");
    assert!(
        !twenty.to_string().contains("null"),
        "every relation resolved: {twenty}"
    );
    many
}

#[tokio::test]
async fn the_content_tree_runs_the_same_few_statements_for_2_and_20_brands() {
    // brands -> contentItems -> approvals / latestApproval -> approvedBy
    assert_eq!(assert_flat(CONTENT_TREE, 4).await, 4);
}

#[tokio::test]
async fn the_asset_tree_runs_the_same_few_statements_for_2_and_20_brands() {
    // brands -> mediaAssets -> usage -> usedBy; each totalCount rides on its page's statement
    assert_eq!(assert_flat(ASSET_TREE, 4).await, 4);
}

#[tokio::test]
async fn the_analytics_tree_runs_the_same_few_statements_for_2_and_20_brands() {
    // brands -> analyticsSummary, analytics
    assert_eq!(assert_flat(ANALYTICS_TREE, 2).await, 3);
}

#[tokio::test]
async fn a_user_viewer_adds_exactly_one_membership_lookup() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let token = crate::helpers::user_token(brandgraph::seed::users::OWNER);
    let query = "{ brands { edges { node { name viewerRole contentItems(first: 3) { edges { node { title } } } } } } }";
    let (response, count) = app.graphql_counted(Some(&token), query, json!({})).await;
    assert!(response.get("errors").is_none(), "{response}");
    // memberships (once, although every brand asks for viewerRole) + brands + content pages
    assert_eq!(count, 3);
}
