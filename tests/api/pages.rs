//! Relay backward pages (`last`/`before`) and windows between two cursors, on both read
//! paths (the executor, and compiled plans once a document has been seen).

use brandgraph::seed::brands;
use serde_json::{Value, json};

use crate::helpers::{TestApp, error_code, service_token, spawn_app, spawn_app_with};

const CONTENT: &str = "query($id: ID!, $first: Int, $last: Int, $after: String, $before: String, $order: ContentOrder) {
  brand(id: $id) { contentItems(first: $first, last: $last, after: $after, before: $before, orderBy: $order) {
    totalCount pageInfo { hasPreviousPage hasNextPage startCursor endCursor }
    edges { cursor node { uuid } } } } }";

/// A page in one direction and `order` (a plan must know both: `last` is non-null and the
/// order literal).
fn one_way(size: &str, order: &str) -> String {
    let ty = if size == "last" { "Int!" } else { "Int" };
    format!(
        "query($id: ID!, ${size}: {ty}, $after: String, $before: String) {{
      brand(id: $id) {{ contentItems({size}: ${size}, after: $after, before: $before, orderBy: {order}) {{
        totalCount pageInfo {{ hasPreviousPage hasNextPage startCursor endCursor }}
        edges {{ cursor node {{ uuid }} }} }} }} }}"
    )
}

/// An app answering from the executor only, and one answering from plans.
async fn both_paths() -> [TestApp; 2] {
    let executor = spawn_app_with(|config| config.graphql.compiled_queries = false).await;
    executor.seed_demo().await;
    let compiled = spawn_app().await;
    compiled.seed_demo().await;
    [executor, compiled]
}

async fn content_page(app: &TestApp, variables: Value) -> Value {
    let mut variables = variables;
    variables["id"] = json!(brands::AURORA);
    let size = if variables.get("last").is_some() {
        "last"
    } else {
        "first"
    };
    let order = variables["order"]
        .as_str()
        .unwrap_or("CREATED_AT_DESC")
        .to_string();
    let query = one_way(size, &order);
    let response = app.graphql(Some(&service_token()), &query, variables).await;
    assert!(response.get("errors").is_none(), "{response}");
    response["data"]["brand"]["contentItems"].clone()
}

/// The (uuid, cursor) of each edge of a connection.
fn edges(connection: &Value) -> Vec<(String, String)> {
    connection["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{connection}"))
        .iter()
        .map(|edge| {
            let uuid = edge["node"]["uuid"].as_str().unwrap_or_default();
            (
                uuid.to_string(),
                edge["cursor"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn info(connection: &Value) -> (bool, bool) {
    let info = &connection["pageInfo"];
    (
        info["hasPreviousPage"].as_bool().unwrap(),
        info["hasNextPage"].as_bool().unwrap(),
    )
}

#[tokio::test]
async fn walking_back_with_last_and_before_lists_every_row_once_in_order_on_both_paths() {
    let [executor, compiled] = both_paths().await;
    for app in [&executor, &compiled] {
        for order in ["CREATED_AT_DESC", "CREATED_AT_ASC", "UPDATED_AT_DESC"] {
            let all = edges(&content_page(app, json!({ "first": 100, "order": order })).await);
            assert_eq!(all.len(), 24, "{order}");
            // Pages of 5 from the end: 4, 9, 14, 19, 24 rows remain before each.
            let mut end = all.len();
            let mut before = Value::Null;
            loop {
                let vars = json!({ "last": 5, "before": before, "order": order });
                let page = content_page(app, vars).await;
                let start = end.saturating_sub(5);
                assert_eq!(edges(&page), all[start..end], "{order} rows {start}..{end}");
                assert_eq!(page["totalCount"], 24, "{order}: counts ignore cursors");
                assert_eq!(
                    info(&page),
                    (start > 0, !before.is_null()),
                    "{order} rows {start}..{end}: {page}"
                );
                assert_eq!(page["pageInfo"]["startCursor"], json!(all[start].1));
                assert_eq!(page["pageInfo"]["endCursor"], json!(all[end - 1].1));
                if start == 0 {
                    break;
                }
                before = page["pageInfo"]["startCursor"].clone();
                end = start;
            }
        }
    }
    assert_eq!(compiled_count(&executor).await, 0);
    assert!(
        compiled_count(&compiled).await >= 12,
        "backward pages were answered from plans"
    );
}

async fn compiled_count(app: &TestApp) -> u64 {
    let metrics = app.http.get(app.url("/metrics")).send().await.unwrap();
    let body = metrics.text().await.unwrap();
    body.lines()
        .find_map(|line| {
            line.strip_prefix("brandgraph_graphql_compiled_operations_total ")?
                .parse()
                .ok()
        })
        .unwrap_or(0)
}

#[tokio::test]
async fn a_window_between_two_cursors_is_paged_from_either_end() {
    for app in both_paths().await {
        let all = edges(&content_page(&app, json!({ "first": 30 })).await);
        let (after, before) = (&all[3].1, &all[10].1);
        let window = |size: &str, n: i64| json!({ size: n, "after": after, "before": before });

        let page = content_page(&app, window("first", 3)).await;
        assert_eq!(edges(&page), all[4..7]);
        assert_eq!(info(&page), (true, true));
        let page = content_page(&app, window("first", 10)).await;
        assert_eq!(edges(&page), all[4..10], "the window holds six rows");
        assert_eq!(info(&page), (true, false));
        let page = content_page(&app, window("last", 2)).await;
        assert_eq!(edges(&page), all[8..10]);
        assert_eq!(info(&page), (true, true));
        let page = content_page(&app, window("last", 10)).await;
        assert_eq!(edges(&page), all[4..10]);
        assert_eq!(info(&page), (false, true));
        // No edges, but rows lie before the (empty) page's end.
        let page = content_page(&app, window("last", 0)).await;
        assert_eq!(edges(&page), []);
        assert_eq!(info(&page), (true, true));
        assert_eq!(page["pageInfo"]["startCursor"], Value::Null);
        // `last` alone: the last rows of the whole list.
        let page = content_page(&app, json!({ "last": 2 })).await;
        assert_eq!(edges(&page), all[22..24]);
        assert_eq!(info(&page), (true, false));
    }
}

#[tokio::test]
async fn brands_page_backward_in_both_orders() {
    let query = |order: &str| {
        format!(
            "query($last: Int!, $before: String) {{ brands(last: $last, before: $before, orderBy: {order}) {{
            totalCount pageInfo {{ hasPreviousPage hasNextPage }} edges {{ cursor node {{ name }} }} }} }}"
        )
    };
    let names = |response: &Value| -> Vec<String> {
        let edges = response["data"]["brands"]["edges"].as_array();
        edges
            .unwrap_or_else(|| panic!("{response}"))
            .iter()
            .map(|edge| edge["node"]["name"].as_str().unwrap().to_string())
            .collect()
    };
    let token = service_token();
    for app in both_paths().await {
        for (order, expected) in [
            (
                "NAME_ASC",
                ["Aurora Coffee", "Borealis Outdoor", "Cascade Studio"],
            ),
            (
                "CREATED_AT_DESC",
                // The demo seed creates the brands in name order.
                ["Cascade Studio", "Borealis Outdoor", "Aurora Coffee"],
            ),
        ] {
            let query = query(order);
            let vars = json!({ "last": 2 });
            let last_two = app.graphql(Some(&token), &query, vars).await;
            assert_eq!(names(&last_two), expected[1..], "{order}: {last_two}");
            let info = &last_two["data"]["brands"]["pageInfo"];
            assert_eq!(info["hasPreviousPage"], true);
            assert_eq!(info["hasNextPage"], false);
            assert_eq!(last_two["data"]["brands"]["totalCount"], 3);
            let before = last_two["data"]["brands"]["edges"][0]["cursor"].clone();
            let vars = json!({ "last": 2, "before": before });
            let rest = app.graphql(Some(&token), &query, vars).await;
            assert_eq!(names(&rest), expected[..1], "{order}: {rest}");
            let info = &rest["data"]["brands"]["pageInfo"];
            assert_eq!(info["hasPreviousPage"], false);
            assert_eq!(info["hasNextPage"], true);
        }
    }
}

#[tokio::test]
async fn first_with_last_and_bad_backward_arguments_are_bad_user_input_on_both_paths() {
    for app in both_paths().await {
        let brands_cursor = app
            .graphql(
                Some(&service_token()),
                "{ brands(first: 1) { edges { cursor } } }",
                json!({}),
            )
            .await["data"]["brands"]["edges"][0]["cursor"]
            .clone();
        for (vars, field) in [
            (json!({ "first": 2, "last": 2 }), "last"),
            (json!({ "last": 101 }), "last"),
            (json!({ "last": -1 }), "last"),
            (json!({ "last": 2, "before": "not a cursor" }), "before"),
            (json!({ "before": brands_cursor }), "before"),
        ] {
            let mut variables = vars.clone();
            variables["id"] = json!(brands::AURORA);
            // Twice: the second request may be answered from a plan.
            for _ in 0..2 {
                let response = app
                    .graphql(Some(&service_token()), CONTENT, variables.clone())
                    .await;
                assert_eq!(error_code(&response), Some("BAD_USER_INPUT"), "{vars}");
                assert_eq!(
                    response["errors"][0]["extensions"]["field"], field,
                    "{vars}: {response}"
                );
            }
        }
        let literal = format!(
            "{{ brand(id: \"{}\") {{ contentItems(first: 1, last: 1) {{ totalCount }} }} }}",
            brands::AURORA
        );
        let response = app
            .graphql(Some(&service_token()), &literal, json!({}))
            .await;
        assert_eq!(error_code(&response), Some("BAD_USER_INPUT"), "{response}");
    }
}
