//! Content connections: keyset pages, filters, orders, totals.

use std::collections::HashSet;

use brandgraph::seed::brands;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{error_code, service_token, spawn_app};

const PAGE: &str = "query($id: ID!, $after: String, $first: Int, $order: ContentOrder) {
  brand(id: $id) { contentItems(first: $first, after: $after, orderBy: $order) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { uuid } } } } }";

fn uuids(page: &Value) -> Vec<Uuid> {
    page["data"]["brand"]["contentItems"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{page}"))
        .iter()
        .map(|e| e["node"]["uuid"].as_str().unwrap().parse().unwrap())
        .collect()
}

#[tokio::test]
async fn walking_pages_while_items_are_inserted_never_repeats_or_skips_an_existing_item() {
    let app = spawn_app().await;
    let brand = crate::fixtures::brands_with_content(&app.db, 1, 200).await[0];
    let existing: HashSet<Uuid> = {
        let rows = app
            .db
            .query_all_raw(sea_orm::Statement::from_string(
                app.db.get_database_backend(),
                format!("SELECT id FROM content_items WHERE brand_id = '{brand}'"),
            ))
            .await
            .unwrap();
        rows.into_iter()
            .map(|r| r.try_get_by_index(0).unwrap())
            .collect()
    };
    assert_eq!(existing.len(), 200);

    // A writer that keeps inserting items with timestamps *inside* the range being walked.
    let writer_db = app.db.clone();
    let writer = tokio::spawn(async move {
        for n in 0..60 {
            writer_db
                .execute_unprepared(&format!(
                    "INSERT INTO content_items (brand_id, type, content, created_at)
                     VALUES ('{brand}', 'post', '{{}}', now() - interval '{} seconds')",
                    n * 200 + 30
                ))
                .await
                .unwrap();
            tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        }
    });

    let token = service_token();
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = app
            .graphql(
                Some(&token),
                PAGE,
                json!({ "id": brand, "first": 7, "after": after }),
            )
            .await;
        seen.extend(uuids(&page));
        let info = &page["data"]["brand"]["contentItems"]["pageInfo"];
        if !info["hasNextPage"].as_bool().unwrap() {
            break;
        }
        after = info["endCursor"].as_str().map(String::from);
    }
    writer.await.unwrap();

    let unique: HashSet<Uuid> = seen.iter().copied().collect();
    assert_eq!(unique.len(), seen.len(), "an item came twice");
    let missing: Vec<_> = existing.difference(&unique).collect();
    assert!(
        missing.is_empty(),
        "skipped {} existing items",
        missing.len()
    );
}

#[tokio::test]
async fn both_orders_list_every_item_once_and_the_total_counts_all_pages() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let token = service_token();
    for order in ["CREATED_AT_DESC", "CREATED_AT_ASC", "UPDATED_AT_DESC"] {
        let mut seen = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let vars = json!({ "id": brands::AURORA, "first": 5, "after": after, "order": order });
            let page = app.graphql(Some(&token), PAGE, vars).await;
            assert_eq!(
                page["data"]["brand"]["contentItems"]["totalCount"], 24,
                "{order}: {page}"
            );
            seen.extend(uuids(&page));
            let info = &page["data"]["brand"]["contentItems"]["pageInfo"];
            if !info["hasNextPage"].as_bool().unwrap() {
                break;
            }
            after = info["endCursor"].as_str().map(String::from);
        }
        assert_eq!(seen.len(), 24, "{order}");
        assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 24, "{order}");
    }
}

#[tokio::test]
async fn every_selected_edge_cursor_continues_after_its_edge() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let token = service_token();
    let query =
        "query($id: ID!, $after: String) { brand(id: $id) { contentItems(first: 6, after: $after) {
      pageInfo { startCursor endCursor } edges { cursor node { uuid } } } } }";
    let page = app
        .graphql(Some(&token), query, json!({ "id": brands::AURORA }))
        .await;
    let connection = &page["data"]["brand"]["contentItems"];
    let edges = connection["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{page}"));
    assert_eq!(edges.len(), 6, "{page}");
    assert_eq!(connection["pageInfo"]["startCursor"], edges[0]["cursor"]);
    assert_eq!(connection["pageInfo"]["endCursor"], edges[5]["cursor"]);
    // A cursor from the middle of the page is as good as the last one.
    let middle = edges[2]["cursor"].as_str().unwrap();
    assert!(!middle.is_empty(), "{page}");
    let next = app
        .graphql(
            Some(&token),
            PAGE,
            json!({ "id": brands::AURORA, "first": 3, "after": middle }),
        )
        .await;
    let expected: Vec<Uuid> = edges[3..6]
        .iter()
        .map(|e| e["node"]["uuid"].as_str().unwrap().parse().unwrap())
        .collect();
    assert_eq!(uuids(&next), expected, "{next}");
}

#[tokio::test]
async fn a_cursor_of_one_order_is_refused_by_another() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let token = service_token();
    let first = app
        .graphql(
            Some(&token),
            PAGE,
            json!({ "id": brands::AURORA, "first": 2, "order": "UPDATED_AT_DESC" }),
        )
        .await;
    let cursor = first["data"]["brand"]["contentItems"]["pageInfo"]["endCursor"].clone();
    let mixed = app
        .graphql(
            Some(&token),
            PAGE,
            json!({ "id": brands::AURORA, "after": cursor, "order": "CREATED_AT_DESC" }),
        )
        .await;
    assert_eq!(error_code(&mixed), Some("BAD_USER_INPUT"));
}

#[tokio::test]
async fn content_filters_narrow_by_status_type_platform_and_schedule() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let token = service_token();
    let query = "query($id: ID!, $f: ContentItemFilter) { brand(id: $id) {
        contentItems(first: 100, filter: $f) { totalCount edges { node { status type platform scheduledFor } } } } }";
    let run = |filter: Value| {
        let app = &app;
        let token = token.clone();
        async move {
            app.graphql(
                Some(&token),
                query,
                json!({ "id": brands::AURORA, "f": filter }),
            )
            .await
        }
    };

    let scheduled = run(json!({ "status": "SCHEDULED" })).await;
    let edges = scheduled["data"]["brand"]["contentItems"]["edges"]
        .as_array()
        .unwrap();
    assert_eq!(edges.len(), 4);
    assert!(edges.iter().all(|e| e["node"]["status"] == "SCHEDULED"));

    let blogs_on_linkedin = run(json!({ "type": "blog", "platform": "linkedin" })).await;
    for edge in blogs_on_linkedin["data"]["brand"]["contentItems"]["edges"]
        .as_array()
        .unwrap()
    {
        assert_eq!(edge["node"]["type"], "blog");
        assert_eq!(edge["node"]["platform"], "linkedin");
    }

    let window = run(
        json!({ "scheduledFrom": "2026-11-09T00:00:00Z", "scheduledTo": "2026-11-20T00:00:00Z" }),
    )
    .await;
    let edges = window["data"]["brand"]["contentItems"]["edges"]
        .as_array()
        .unwrap();
    assert!(!edges.is_empty(), "{window}");
    for edge in edges {
        let at = edge["node"]["scheduledFor"].as_str().unwrap();
        assert!(("2026-11-09".."2026-11-20").contains(&&at[..10]), "{at}");
    }

    let bad = run(json!({ "status": "LOST" })).await;
    assert!(
        bad["errors"].is_array(),
        "unknown enum values are refused: {bad}"
    );
}

#[tokio::test]
async fn nested_relations_of_a_content_item_resolve() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let query = "query($id: ID!) { brand(id: $id) { contentItems(first: 100, filter: { status: REJECTED }) { edges { node {
        brand { uuid } approvals { status rejectedBy { displayName } rejectionReason post { uuid } }
        latestApproval { status } createdBy { displayName } } } } } }";
    let response = app
        .graphql(
            Some(&service_token()),
            query,
            json!({ "id": brands::AURORA }),
        )
        .await;
    let edges = response["data"]["brand"]["contentItems"]["edges"]
        .as_array()
        .unwrap();
    assert_eq!(edges.len(), 4, "{response}");
    for edge in edges {
        let node = &edge["node"];
        assert_eq!(node["brand"]["uuid"], brands::AURORA.to_string());
        assert_eq!(node["latestApproval"]["status"], "REJECTED");
        assert_eq!(
            node["approvals"][0]["rejectedBy"]["displayName"],
            "Mia Manager"
        );
        assert_eq!(node["createdBy"]["displayName"], "Max Member");
    }
}
