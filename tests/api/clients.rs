//! What real client libraries and hostile callers tripped over (issue 30): live summary
//! computations that outlived their subscribers, websocket protocol answers (request
//! errors, close frames, refused tokens), GET's `operationName`, CORS request headers,
//! error metrics for refusals, allow-list mode and the gateway's own pages, cursors from
//! the future, and one expiry rule for HTTP and websockets.

use std::time::Duration;

use brandgraph::auth::jwt;
use brandgraph::seed::{brands, users};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::helpers::{TEST_SECRET, TestApp, error_code, spawn_app, spawn_app_with, user_token};
use crate::ws_client::{LEGACY_WS, TRANSPORT_WS, WsClient, WsEvent};

const SUMMARY: &str = "subscription($b: ID!, $days: Int!) { analyticsSummary(brandId: $b, days: $days) { totals { rows } } }";

/// The value of one series (name with its labels) on `/metrics`, if shown.
async fn metric(app: &TestApp, series: &str) -> Option<f64> {
    let body = app
        .http
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    body.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

/// Waits (up to 10 s) until `series` shows `value`; panics with the last value otherwise.
async fn await_metric(app: &TestApp, series: &str, value: f64) {
    let mut last = None;
    for _ in 0..200 {
        last = metric(app, series).await;
        if last.unwrap_or(0.0) == value {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{series} stayed at {last:?}, expected {value}");
}

fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

#[tokio::test]
async fn live_summary_computations_end_with_their_last_subscriber_on_both_protocols() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let token = user_token(users::OWNER);
    let summaries = "brandgraph_live_summaries";
    let analytics = "brandgraph_subscribers{topic=\"analytics\"}";

    // Four windows each: ended with `complete`, with the legacy `stop`, and by a socket
    // dropped without a word.
    let mut completing = WsClient::connect(&app, TRANSPORT_WS, &token).await;
    let mut stopping = WsClient::connect(&app, LEGACY_WS, &token).await;
    let mut dropping = WsClient::connect(&app, TRANSPORT_WS, &token).await;
    for (offset, client) in [&mut completing, &mut stopping, &mut dropping]
        .into_iter()
        .enumerate()
    {
        for day in 1..=4 {
            let days = offset * 4 + day;
            client
                .subscribe(
                    &day.to_string(),
                    SUMMARY,
                    json!({ "b": brands::AURORA, "days": days }),
                )
                .await;
        }
        for _ in 1..=4 {
            client.next_data().await;
        }
    }
    // A second subscriber of a window shares its computation.
    let mut sharing = WsClient::connect(&app, TRANSPORT_WS, &token).await;
    sharing
        .subscribe("1", SUMMARY, json!({ "b": brands::AURORA, "days": 1 }))
        .await;
    sharing.next_data().await;
    assert_eq!(metric(&app, summaries).await, Some(12.0));

    for id in 1..=4 {
        completing
            .send(json!({ "type": "complete", "id": id.to_string() }))
            .await;
        stopping
            .send(json!({ "type": "stop", "id": id.to_string() }))
            .await;
    }
    drop(dropping);
    // Window 1 still has a subscriber.
    await_metric(&app, summaries, 1.0).await;
    sharing.send(json!({ "type": "complete", "id": "1" })).await;
    assert_eq!(message(&mut sharing).await["type"], "complete");
    await_metric(&app, summaries, 0.0).await;
    await_metric(&app, analytics, 0.0).await;

    // A window watched again starts a computation again, and it answers.
    sharing
        .subscribe("2", SUMMARY, json!({ "b": brands::AURORA, "days": 1 }))
        .await;
    let again = sharing.next_data().await;
    assert!(
        again["data"]["analyticsSummary"]["totals"]["rows"].is_number(),
        "{again}"
    );
    assert_eq!(metric(&app, summaries).await, Some(1.0));
}

/// The next message that is not a keep-alive, as JSON; panics on a close.
async fn message(client: &mut WsClient) -> Value {
    match client.next().await {
        WsEvent::Message(message) => message,
        other => panic!("expected a message, got {other:?}"),
    }
}

#[tokio::test]
async fn request_errors_over_websockets_are_answered_with_error_execution_errors_with_next() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let token = user_token(users::OWNER);
    for protocol in [TRANSPORT_WS, LEGACY_WS] {
        let mut client = WsClient::connect(&app, protocol, &token).await;
        let start = if protocol == TRANSPORT_WS {
            "subscribe"
        } else {
            "start"
        };
        // A persisted query the server does not know: urql and Apollo retry with the text
        // on `error`; answered with `next` + `complete`, they subscribed twice.
        client
            .send(
                json!({ "id": "pq", "type": start, "payload": { "extensions": { "persistedQuery": {
                "version": 1, "sha256Hash": sha256_hex("subscription { unknown }") } } } }),
            )
            .await;
        let refused = message(&mut client).await;
        assert_eq!(refused["type"], "error", "{protocol}: {refused}");
        assert_eq!(refused["id"], "pq");
        assert_eq!(
            refused["payload"][0]["extensions"]["code"], "PERSISTED_QUERY_NOT_FOUND",
            "{refused}"
        );
        // Parse and validation failures alike.
        client.subscribe("parse", "subscription {", json!({})).await;
        let refused = message(&mut client).await;
        assert_eq!(
            (refused["type"].as_str(), refused["id"].as_str()),
            (Some("error"), Some("parse")),
            "{refused}"
        );
        client
            .subscribe("invalid", "subscription { noSuchField }", json!({}))
            .await;
        let refused = message(&mut client).await;
        assert_eq!(refused["type"], "error", "{refused}");
        assert!(refused["payload"].is_array(), "{refused}");

        // An error raised while executing (a brand that is not there) stays `next`, then
        // `complete`; no `complete` was sent for the refused ones before it.
        client
            .subscribe(
                "missing",
                SUMMARY,
                json!({ "b": uuid::Uuid::new_v4(), "days": 1 }),
            )
            .await;
        let failed = message(&mut client).await;
        assert!(
            matches!(failed["type"].as_str(), Some("next" | "data")),
            "{failed}"
        );
        assert_eq!(failed["id"], "missing");
        assert_eq!(
            error_code(&failed["payload"]),
            Some("NOT_FOUND"),
            "{failed}"
        );
        let completed = message(&mut client).await;
        assert_eq!(
            (completed["type"].as_str(), completed["id"].as_str()),
            (Some("complete"), Some("missing")),
            "{completed}"
        );
    }
}

#[tokio::test]
async fn a_clients_close_is_echoed_with_its_own_code_on_both_protocols() {
    let app = spawn_app().await;
    for protocol in [TRANSPORT_WS, LEGACY_WS] {
        let mut client = WsClient::connect(&app, protocol, &user_token(users::OWNER)).await;
        client.close(4321, "leaving").await;
        match client.next().await {
            WsEvent::Closed(Some(frame)) => {
                assert_eq!(u16::from(frame.code), 4321, "{protocol}");
            }
            other => panic!("{protocol}: expected the close echoed, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn the_legacy_protocol_says_why_it_refuses_a_token_before_closing() {
    let app = spawn_app().await;
    let mut client = WsClient::open(
        &app,
        LEGACY_WS,
        json!({ "Authorization": "Bearer not-a-token" }),
    )
    .await;
    let refused = message(&mut client).await;
    assert_eq!(refused["type"], "connection_error", "{refused}");
    assert!(
        refused["payload"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("invalid token")),
        "{refused}"
    );
    match client.next().await {
        WsEvent::Closed(Some(frame)) => assert_eq!(u16::from(frame.code), 4403),
        other => panic!("expected close 4403, got {other:?}"),
    }
}

#[tokio::test]
async fn get_takes_the_operation_name_under_the_specs_parameter_name() {
    let app = spawn_app().await;
    let response = app
        .http
        .get(app.url("/graphql"))
        .header("accept", "application/graphql-response+json")
        .query(&[
            (
                "query",
                "query A { a: __typename } query B { b: __typename }",
            ),
            ("operationName", "B"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body, json!({ "data": { "b": "Query" } }));

    let response = app
        .http
        .get(app.url("/graphql"))
        .header("accept", "application/graphql-response+json")
        .query(&[
            ("query", "query($n: Int) { __typename }"),
            ("variables", "{not json"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
}

async fn preflight(app: &TestApp, headers: &str) -> String {
    let response = app
        .http
        .request(reqwest::Method::OPTIONS, app.url("/graphql"))
        .header("origin", "https://app.example")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", headers)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    response
        .headers()
        .get("access-control-allow-headers")
        .map(|v| v.to_str().unwrap().to_ascii_lowercase())
        .unwrap_or_default()
}

#[tokio::test]
async fn cors_lets_pages_send_trace_context_and_apollo_headers_and_the_list_is_configurable() {
    let app = spawn_app_with(|config| {
        config.http.cors_origins = vec!["https://app.example".into()];
    })
    .await;
    let allowed = preflight(
        &app,
        "authorization, content-type, traceparent, tracestate, apollographql-client-name, apollographql-client-version",
    )
    .await;
    for header in [
        "authorization",
        "traceparent",
        "tracestate",
        "apollographql-client-name",
        "apollographql-client-version",
    ] {
        assert!(allowed.contains(header), "{header} not in {allowed}");
    }

    let app = spawn_app_with(|config| {
        config.http.cors_origins = vec!["https://app.example".into()];
        config.http.cors_allow_headers = vec!["content-type".into(), "x-tenant-hint".into()];
    })
    .await;
    let allowed = preflight(&app, "x-tenant-hint").await;
    assert!(allowed.contains("x-tenant-hint"), "{allowed}");
    assert!(!allowed.contains("traceparent"), "{allowed}");
}

#[tokio::test]
async fn refusals_before_execution_are_counted_by_code_on_http_and_websockets() {
    let app = spawn_app().await;
    let code = |code: &str| format!("brandgraph_graphql_errors_total{{code=\"{code}\"}}");
    for i in 0..3 {
        let miss = app
            .http
            .post(app.url("/graphql"))
            .json(&json!({ "extensions": { "persistedQuery": {
                "version": 1, "sha256Hash": sha256_hex(&format!("{{ miss{i} }}")) } } }))
            .send()
            .await
            .unwrap();
        let miss: Value = miss.json().await.unwrap();
        assert_eq!(
            error_code(&miss),
            Some("PERSISTED_QUERY_NOT_FOUND"),
            "{miss}"
        );
        let bad = app.graphql(None, "{ __typename", json!({})).await;
        assert_eq!(error_code(&bad), Some("BAD_USER_INPUT"), "{bad}");
    }
    let bad_token = app
        .http
        .post(app.url("/graphql"))
        .bearer_auth("wrong")
        .json(&json!({ "query": "{ __typename }" }))
        .send()
        .await
        .unwrap();
    let bad_token: Value = bad_token.json().await.unwrap();
    assert_eq!(
        error_code(&bad_token),
        Some("UNAUTHENTICATED"),
        "{bad_token}"
    );
    assert_eq!(
        metric(&app, &code("PERSISTED_QUERY_NOT_FOUND")).await,
        Some(3.0)
    );
    assert_eq!(metric(&app, &code("BAD_USER_INPUT")).await, Some(3.0));
    assert_eq!(metric(&app, &code("UNAUTHENTICATED")).await, Some(1.0));

    // A bad token and a document that does not parse, over a websocket.
    let mut refused = WsClient::open(
        &app,
        TRANSPORT_WS,
        json!({ "Authorization": "Bearer wrong" }),
    )
    .await;
    assert!(matches!(refused.next().await, WsEvent::Closed(_)));
    let mut client = WsClient::connect(&app, TRANSPORT_WS, &user_token(users::OWNER)).await;
    client.subscribe("1", "{ __typename", json!({})).await;
    assert_eq!(message(&mut client).await["type"], "error");
    assert_eq!(metric(&app, &code("UNAUTHENTICATED")).await, Some(2.0));
    assert_eq!(metric(&app, &code("BAD_USER_INPUT")).await, Some(4.0));
}

fn manifest_with(body: &str) -> std::path::PathBuf {
    let manifest = json!({
        "format": "apollo-persisted-query-manifest",
        "version": 1,
        "operations": [{ "id": sha256_hex(body), "name": "Viewer", "type": "query", "body": body }],
    });
    let path = std::env::temp_dir().join(format!("manifest-{}.json", uuid::Uuid::new_v4()));
    std::fs::write(&path, manifest.to_string()).unwrap();
    path
}

const INTROSPECTION: &str = "query IntrospectionQuery { __schema { queryType { name } ...Types } }
    fragment Types on __Schema { types { name } }";

#[tokio::test]
async fn allow_list_mode_admits_the_gateways_own_pages_and_introspection_only_when_switched_on() {
    let own = brandgraph::http::web::own_documents();
    assert!(
        own.iter().any(|d| d.contains("query DashboardBrands")),
        "the dashboard's documents are built in: {own:?}"
    );
    let manifest = manifest_with("{ viewer { user { displayName } } }");
    let path = manifest.clone();
    let app = spawn_app_with(move |config| {
        config.graphql.persisted_queries_only = Some(path);
    })
    .await;
    app.seed_demo().await;
    let token = user_token(users::OWNER);
    let variables = json!({ "id": brands::AURORA, "from": "2026-10-01", "to": "2026-11-01" });
    let subscription = |d: &&String| d.trim_start().starts_with("subscription");
    for document in own.iter().filter(|d| !subscription(d)) {
        let response = app.graphql(Some(&token), document, variables.clone()).await;
        assert_ne!(
            error_code(&response),
            Some("PERSISTED_QUERY_NOT_ALLOWED"),
            "{document}: {response}"
        );
    }
    let mut client = WsClient::connect(&app, TRANSPORT_WS, &token).await;
    for document in own.iter().filter(subscription) {
        client
            .subscribe("1", document, json!({ "b": brands::AURORA }))
            .await;
        let first = client.next_within(Duration::from_millis(500)).await;
        assert!(
            !format!("{first:?}").contains("PERSISTED_QUERY_NOT_ALLOWED"),
            "{document}: {first:?}"
        );
        client.send(json!({ "type": "complete", "id": "1" })).await;
        while let Some(WsEvent::Message(message)) =
            client.next_within(Duration::from_millis(100)).await
        {
            if message["type"] == "complete" {
                break;
            }
        }
    }
    // Any other document is still refused, and so is introspection by default.
    let other = app
        .graphql(Some(&token), "{ brands { totalCount } }", json!({}))
        .await;
    assert_eq!(error_code(&other), Some("PERSISTED_QUERY_NOT_ALLOWED"));
    let introspection = app.graphql(Some(&token), INTROSPECTION, json!({})).await;
    assert_eq!(
        error_code(&introspection),
        Some("PERSISTED_QUERY_NOT_ALLOWED"),
        "{introspection}"
    );
    // A mutation hidden beside introspection is not introspection.
    let path = manifest.clone();
    let app = spawn_app_with(move |config| {
        config.graphql.persisted_queries_only = Some(path);
        config.graphql.allow_list_introspection = Some(true);
    })
    .await;
    let introspection = app.graphql(Some(&token), INTROSPECTION, json!({})).await;
    assert_eq!(
        introspection["data"]["__schema"]["queryType"]["name"], "Query",
        "{introspection}"
    );
    let mixed = app
        .graphql(
            Some(&token),
            "{ __typename brands { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&mixed), Some("PERSISTED_QUERY_NOT_ALLOWED"));
    let _ = std::fs::remove_file(manifest);
}

#[tokio::test]
async fn a_cursor_beyond_the_newest_event_is_refused_and_a_real_one_is_not() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let mut client = WsClient::connect(&app, TRANSPORT_WS, &user_token(users::OWNER)).await;
    let approvals = "subscription($b: ID!, $after: String) { approvalUpdated(brandId: $b, after: $after) { cursor } }";
    let newest: i64 = app.cursor_now().await.parse().unwrap();
    for future in [(1i64 << 62).to_string(), (newest + 1000).to_string()] {
        client
            .subscribe(
                "future",
                approvals,
                json!({ "b": brands::AURORA, "after": future }),
            )
            .await;
        let refused = message(&mut client).await;
        assert_eq!(
            error_code(&refused["payload"]),
            Some("BAD_USER_INPUT"),
            "{refused}"
        );
        assert_eq!(
            refused["payload"]["errors"][0]["path"][0],
            "approvalUpdated"
        );
        assert_eq!(message(&mut client).await["type"], "complete");
    }
    client
        .subscribe(
            "now",
            approvals,
            json!({ "b": brands::AURORA, "after": newest.to_string() }),
        )
        .await;
    assert!(
        client
            .next_within(Duration::from_millis(300))
            .await
            .is_none(),
        "the newest cursor is accepted and waits for events"
    );
}

#[tokio::test]
async fn a_token_inside_the_leeway_is_served_alike_over_http_and_websockets() {
    let app = spawn_app_with(|config| config.auth.jwt_leeway_secs = 30).await;
    app.seed_demo().await;
    let mint = |ago: u64| {
        let mut claims = jwt::claims_for(users::OWNER, "authenticated", 0);
        claims.exp -= ago;
        jwt::mint_hs256(TEST_SECRET, &claims).unwrap()
    };
    let viewer = "{ viewer { user { displayName } } }";
    let recent = mint(10);
    let over_http = app.graphql(Some(&recent), viewer, json!({})).await;
    assert!(over_http["errors"].is_null(), "{over_http}");
    let mut client = WsClient::connect(&app, TRANSPORT_WS, &recent).await;
    client.subscribe("1", viewer, json!({})).await;
    let over_ws = message(&mut client).await;
    assert_eq!(over_ws["payload"], over_http, "{over_ws}");

    let stale = mint(40);
    let over_http = app.graphql(Some(&stale), viewer, json!({})).await;
    assert_eq!(error_code(&over_http), Some("UNAUTHENTICATED"));
    let mut refused = WsClient::open(
        &app,
        TRANSPORT_WS,
        json!({ "Authorization": format!("Bearer {stale}") }),
    )
    .await;
    match refused.next().await {
        WsEvent::Closed(Some(frame)) => assert_eq!(u16::from(frame.code), 4403),
        other => panic!("expected close 4403, got {other:?}"),
    }
}
