use sea_orm::ConnectionTrait;

use crate::helpers::{admin_exec, spawn_app};

#[tokio::test]
async fn healthz_answers_ok() {
    let app = spawn_app().await;
    let response = reqwest::get(app.url("/healthz")).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "ok");
}

#[tokio::test]
async fn responses_carry_a_request_id() {
    let app = spawn_app().await;
    let response = reqwest::get(app.url("/healthz")).await.unwrap();
    let id = response
        .headers()
        .get("x-request-id")
        .expect("x-request-id header");
    assert_eq!(id.len(), 36, "a UUID");
}

#[tokio::test]
async fn readyz_fails_while_the_database_is_unreachable_and_recovers() {
    let app = spawn_app().await;
    let name = app.test_db.name.clone();
    let ready = || async {
        reqwest::get(app.url("/readyz"))
            .await
            .unwrap()
            .status()
            .as_u16()
    };
    assert_eq!(ready().await, 200);

    admin_exec(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS false")).await;
    admin_exec(&format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
    ))
    .await;
    assert_eq!(ready().await, 503);

    admin_exec(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true")).await;
    let mut status = 0;
    for _ in 0..50 {
        status = ready().await;
        if status == 200 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(status, 200, "ready again once the database is back");
}

#[tokio::test]
async fn readyz_fails_while_a_migration_is_pending() {
    let app = spawn_app().await;
    app.owner()
        .await
        .execute_unprepared("DELETE FROM seaql_migrations WHERE version = '010_maintenance'")
        .await
        .unwrap();
    let response = reqwest::get(app.url("/readyz")).await.unwrap();
    assert_eq!(response.status(), 503);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["migrations"], "1 pending");
}

#[tokio::test]
async fn metrics_count_graphql_requests() {
    let app = spawn_app().await;
    app.graphql(None, "{ __typename }", serde_json::json!({}))
        .await;
    let body = reqwest::get(app.url("/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        body.contains("brandgraph_graphql_requests_total 1"),
        "{body}"
    );
    assert!(
        body.contains("# TYPE brandgraph_sql_statements_total counter"),
        "{body}"
    );
}

#[tokio::test]
async fn metrics_time_operations_count_error_codes_and_show_the_pool() {
    let app = spawn_app().await;
    app.graphql(None, "query Probe { __typename }", serde_json::json!({}))
        .await;
    app.graphql(None, "{ brands { totalCount } }", serde_json::json!({}))
        .await;
    let body = reqwest::get(app.url("/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for series in [
        "brandgraph_graphql_operation_duration_seconds_count{name=\"Probe\",type=\"query\"} 1",
        "brandgraph_graphql_errors_total{code=\"UNAUTHENTICATED\"} 1",
        "brandgraph_db_pool_connections{state=\"max\"} 5",
        "brandgraph_build_info{version=",
        "brandgraph_websocket_connections 0",
        "# TYPE brandgraph_sql_statement_duration_seconds histogram",
        "brandgraph_listener_reconnects_total 0",
        "brandgraph_sequencer_held_back 0",
    ] {
        assert!(body.contains(series), "{series} missing:\n{body}");
    }
}

#[tokio::test]
async fn metrics_count_subscribers_by_topic() {
    use crate::ws_client::{TRANSPORT_WS, WsClient};
    let app = spawn_app().await;
    app.seed_demo().await;
    let mut client = WsClient::connect(
        &app,
        TRANSPORT_WS,
        &crate::helpers::user_token(brandgraph::seed::users::OWNER),
    )
    .await;
    client
        .subscribe(
            "1",
            "subscription($b: ID!) { approvalUpdated(brandId: $b) { cursor } }",
            serde_json::json!({ "b": brandgraph::seed::brands::AURORA }),
        )
        .await;
    // The subscription registers asynchronously; poll the scrape until it shows.
    let mut body = String::new();
    for _ in 0..100 {
        body = reqwest::get(app.url("/metrics"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if body.contains("brandgraph_subscribers{topic=\"approval\"} 1") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(
        body.contains("brandgraph_subscribers{topic=\"approval\"} 1"),
        "{body}"
    );
    assert!(
        body.contains("brandgraph_websocket_connections 1"),
        "{body}"
    );
}
