//! One HTTP query with a W3C `traceparent` yields the expected span tree: the HTTP span
//! under the caller's span, the GraphQL operation under it, dataloader batches under the
//! operation and SQL statements under the batches.

use brandgraph::seed::users;
use opentelemetry::trace::{SpanId, TraceId};
use serde_json::json;

use crate::helpers::{spans, spawn_app_with, user_token};

#[tokio::test]
async fn a_traced_query_produces_the_span_tree() {
    let cost = span_tree("4bf92f3577b34da6a3ce929d0e0e4736", false).await;
    assert_eq!(
        cost, None,
        "the schema without extensions does not see the cost"
    );
}

#[tokio::test]
async fn with_trace_cost_the_operation_span_carries_the_cost() {
    let cost = span_tree("5cf92f3577b34da6a3ce929d0e0e4737", true).await;
    let cost: u64 = cost.expect("graphql.complexity").parse().unwrap();
    assert!(cost > 1, "{cost}");
}

/// Runs one traced query, checks the span tree and returns the operation span's cost.
async fn span_tree(trace: &str, trace_cost: bool) -> Option<String> {
    let app = spawn_app_with(|config| config.graphql.trace_cost = trace_cost).await;
    app.seed_demo().await;
    let trace = TraceId::from_hex(trace).unwrap();
    let caller = SpanId::from_hex("00f067aa0ba902b7").unwrap();
    let response = app
        .http
        .post(app.url("/graphql"))
        .bearer_auth(user_token(users::OWNER))
        .header("traceparent", format!("00-{trace}-{caller}-01"))
        .json(&json!({ "query": "query Traced { brands(first: 3) { edges { node { name contentItems(first: 2) { totalCount } } } } }" }))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());
    let mut recorded = Vec::new();
    // Spans end as the response is written; the exporter is synchronous.
    for _ in 0..100 {
        recorded = spans()
            .get_finished_spans()
            .unwrap()
            .into_iter()
            .filter(|s| s.span_context.trace_id() == trace)
            .collect::<Vec<_>>();
        if recorded.iter().any(|s| s.name == "http") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let named = |name: &'static str| recorded.iter().filter(move |s| s.name == name);
    let http = named("http").next().expect("an http span");
    assert_eq!(
        http.parent_span_id, caller,
        "the caller's span is the parent"
    );
    let operation = recorded
        .iter()
        .find(|s| s.name.starts_with("query Traced"))
        .unwrap_or_else(|| {
            panic!(
                "no operation span in {:#?}",
                recorded.iter().map(|s| &s.name).collect::<Vec<_>>()
            )
        });
    assert_eq!(operation.parent_span_id, http.span_context.span_id());
    let attribute = |key: &str| {
        operation
            .attributes
            .iter()
            .find(|kv| kv.key.as_str() == key)
            .map(|kv| kv.value.to_string())
    };
    assert_eq!(
        attribute("graphql.operation.type").as_deref(),
        Some("query")
    );
    let cost = attribute("graphql.complexity");
    let batches: Vec<_> = named("dataloader.batch")
        .filter(|s| s.parent_span_id == operation.span_context.span_id())
        .collect();
    assert!(
        !batches.is_empty(),
        "dataloader batches under the operation"
    );
    let statements_under_batches = recorded.iter().filter(|s| {
        batches
            .iter()
            .any(|b| b.span_context.span_id() == s.parent_span_id)
    });
    assert!(
        statements_under_batches.count() > 0,
        "SQL statement spans under the batches: {:#?}",
        recorded
            .iter()
            .map(|s| (&s.name, s.parent_span_id))
            .collect::<Vec<_>>()
    );
    cost
}
