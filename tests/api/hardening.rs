//! The gateway in front of the open internet: size, cost, time and rate limits, websocket
//! auth on every operation, CORS and origins, proxies, and the fixes review asked for.

use std::time::Duration;

use brandgraph::auth::jwt::{claims_for, mint_hs256};
use brandgraph::seed::{brands, users};
use futures_util::StreamExt;
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, TransactionTrait};
use serde_json::{Value, json};

use crate::helpers::{
    TEST_SECRET, error_code, service_token, spawn_app, spawn_app_with, user_token,
};
use crate::ws_client::{TRANSPORT_WS, WsClient, WsEvent};

const CREATE: &str = "mutation($brand: ID!) {
  createContentItem(input: { brandId: $brand, type: \"post\", title: \"late\", content: {} }) { uuid } }";

/// The process's resident memory in KiB (the app runs in this process).
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS")
}

#[tokio::test]
async fn an_oversized_body_is_refused_with_413_before_it_is_read() {
    let app = spawn_app().await;
    let body = vec![b' '; 10 * 1024 * 1024];
    let before = rss_kib();
    let response = app
        .http
        .post(app.url("/graphql"))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .expect("send");
    let after = rss_kib();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body: Value = response.json().await.expect("json error");
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    assert!(
        after.saturating_sub(before) < 4 * 1024,
        "RSS grew by {} KiB",
        after - before
    );
}

#[tokio::test]
async fn a_body_without_length_is_cut_at_the_limit() {
    let app = spawn_app_with(|config| config.http.max_body_bytes = 1024).await;
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        (0..64).map(|_| Ok(vec![b' '; 1024])).collect();
    let response = app
        .http
        .post(app.url("/graphql"))
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(futures_util::stream::iter(
            chunks,
        )))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

fn aliased(count: usize) -> String {
    let fields: String = (0..count)
        .map(|i| format!("a{i}: brands(first: 100) {{ edges {{ node {{ name contentItems(first: 100) {{ edges {{ node {{ uuid title }} }} }} }} }} }} "))
        .collect();
    format!("{{ {fields} }}")
}

#[tokio::test]
async fn expensive_documents_are_refused_before_any_sql() {
    let app = spawn_app().await;
    let token = service_token();
    for (query, expected) in [(aliased(200), "aliases"), (aliased(20), "query cost")] {
        let (response, statements) = app.graphql_counted(Some(&token), &query, json!({})).await;
        assert_eq!(error_code(&response), Some("BAD_USER_INPUT"), "{response}");
        let message = response["errors"][0]["message"]
            .as_str()
            .unwrap_or_default();
        assert!(message.contains(expected), "{message}");
        assert_eq!(statements, 0, "no SQL for a refused document");
    }
    let (response, _) = app
        .graphql_counted(Some(&token), &aliased(20), json!({}))
        .await;
    let cost = response["errors"][0]["extensions"]["cost"]
        .as_u64()
        .unwrap();
    assert!(cost > 100_000, "the cost is named: {cost}");
    // One such connection is an ordinary query and passes.
    let one = app.graphql(Some(&token), &aliased(1), json!({})).await;
    assert!(one.get("errors").is_none(), "{one}");
}

#[tokio::test]
async fn an_expired_token_closes_the_socket_and_writes_nothing() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let claims = claims_for(users::OWNER, "authenticated", 2);
    let token = mint_hs256(TEST_SECRET, &claims).unwrap();
    let mut client = WsClient::connect(&app, TRANSPORT_WS, &token).await;
    client
        .subscribe("1", "{ viewer { user { uuid } } }", json!({}))
        .await;
    assert!(client.next_data().await["errors"].is_null());
    // The server closes the socket when the token expires.
    let closed = loop {
        match client.next().await {
            WsEvent::Closed(frame) => break frame,
            WsEvent::Message(_) => continue,
        }
    };
    let frame = closed.expect("a close frame");
    assert_eq!(u16::from(frame.code), 4403, "{frame:?}");
    let rows = app
        .scalar("SELECT count(*)::text FROM content_items WHERE title = 'late'")
        .await;
    assert_eq!(rows, "0");
}

#[tokio::test]
async fn operations_on_a_socket_are_refused_once_its_token_expired() {
    use brandgraph::graphql::session::SocketSession;
    use brandgraph::rate_limit::{RateKey, RateLimiter};
    let app = spawn_app().await;
    app.seed_demo().await;
    let expired = brandgraph::auth::Principal::User {
        id: users::OWNER,
        email: None,
        expires_at: jsonwebtoken::get_current_timestamp() - 1,
    };
    for operation in ["{ viewer { user { uuid } } }", CREATE] {
        // As the websocket does: the session is connection data, not request data.
        let mut connection = async_graphql::Data::default();
        connection.insert(SocketSession {
            principal: expired.clone(),
            rate_key: RateKey::User(users::OWNER),
            limiter: RateLimiter::start(&Default::default()),
        });
        let request = async_graphql::Request::new(operation).variables(
            async_graphql::Variables::from_json(json!({ "brand": brands::AURORA })),
        );
        let response = app
            .schema
            .execute_stream_with_session_data(request, std::sync::Arc::new(connection))
            .next()
            .await
            .expect("one response");
        let code = response.errors[0]
            .extensions
            .as_ref()
            .and_then(|e| e.get("code"))
            .cloned();
        assert_eq!(
            code,
            Some(async_graphql::Value::from("UNAUTHENTICATED")),
            "{operation}: {:?}",
            response.errors
        );
    }
    let rows = app
        .scalar("SELECT count(*)::text FROM content_items WHERE title = 'late'")
        .await;
    assert_eq!(rows, "0");
}

#[tokio::test]
async fn a_silent_peer_is_dropped_after_the_idle_timeout() {
    let app = spawn_app_with(|config| {
        config.http.websocket.ws_keepalive_secs = 1;
        config.http.websocket.ws_idle_timeout_secs = 1;
    })
    .await;
    app.seed_demo().await;
    let mut client = WsClient::connect(&app, TRANSPORT_WS, &user_token(users::OWNER)).await;
    // Not reading means not answering pings; the next read finds the close.
    std::thread::sleep(Duration::from_millis(2500));
    let frame = loop {
        match client.next().await {
            WsEvent::Closed(frame) => break frame,
            WsEvent::Message(_) => continue,
        }
    };
    assert_eq!(u16::from(frame.expect("close frame").code), 4408);
}

#[tokio::test]
async fn cors_preflights_are_answered_for_allowed_origins_only() {
    let app = spawn_app_with(|config| {
        config.http.cors_origins = vec!["https://app.example".into()];
    })
    .await;
    let preflight = |origin: &'static str| {
        app.http
            .request(reqwest::Method::OPTIONS, app.url("/graphql"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization, content-type",
            )
            .send()
    };
    let allowed = preflight("https://app.example").await.unwrap();
    assert!(allowed.status().is_success(), "{}", allowed.status());
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://app.example"
    );
    assert!(allowed.headers().contains_key("access-control-max-age"));
    let refused = preflight("https://evil.example").await.unwrap();
    assert!(
        !refused
            .headers()
            .contains_key("access-control-allow-origin")
    );
}

#[tokio::test]
async fn a_websocket_from_a_foreign_origin_is_refused() {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let app = spawn_app_with(|config| {
        config.http.cors_origins = vec!["https://app.example".into()];
    })
    .await;
    let attempt = |origin: &'static str| {
        let mut request = format!("ws://{}/graphql/ws", app.addr)
            .into_client_request()
            .unwrap();
        let headers = request.headers_mut();
        headers.insert("sec-websocket-protocol", TRANSPORT_WS.parse().unwrap());
        headers.insert("origin", origin.parse().unwrap());
        tokio_tungstenite::connect_async(request)
    };
    assert!(attempt("https://app.example").await.is_ok());
    match attempt("https://evil.example").await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 403)
        }
        other => panic!("expected 403, got {:?}", other.map(|_| ())),
    }
}

#[tokio::test]
async fn rate_limits_answer_rate_limited_then_recover() {
    let app = spawn_app_with(|config| {
        config.http.rate_limit.rate_limit_per_sec = 1;
        config.http.rate_limit.rate_limit_burst = 2;
    })
    .await;
    app.seed_demo().await;
    let token = user_token(users::OWNER);
    let send = || {
        app.http
            .post(app.url("/graphql"))
            .bearer_auth(&token)
            .json(&json!({ "query": "{ viewer { user { uuid } } }" }))
            .send()
    };
    let mut limited = None;
    for _ in 0..5 {
        let response = send().await.unwrap();
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            limited = Some(response);
            break;
        }
    }
    let limited = limited.expect("the bucket runs dry");
    let retry_after: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=2).contains(&retry_after), "{retry_after}");
    let body: Value = limited.json().await.unwrap();
    assert_eq!(error_code(&body), Some("RATE_LIMITED"), "{body}");
    // Over a websocket the same bucket applies to each operation.
    let mut client = WsClient::connect(&app, TRANSPORT_WS, &token).await;
    client
        .subscribe("1", "{ viewer { user { uuid } } }", json!({}))
        .await;
    let refused = client.next().await;
    assert!(
        format!("{refused:?}").contains("RATE_LIMITED"),
        "{refused:?}"
    );
    // No signal exists for a refilled bucket: wait the advertised time.
    tokio::time::sleep(Duration::from_secs(retry_after)).await;
    let recovered = send().await.unwrap();
    assert_eq!(recovered.status(), StatusCode::OK);
}

#[tokio::test]
async fn forwarded_for_is_believed_only_from_trusted_proxies() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let create = |token: String| {
        app.http
            .post(app.url("/graphql"))
            .bearer_auth(token)
            .header("x-forwarded-for", "6.6.6.6")
            .json(&json!({ "query": CREATE, "variables": { "brand": brands::AURORA } }))
            .send()
    };
    create(user_token(users::OWNER)).await.unwrap();
    let ip = app
        .scalar("SELECT host(ip_address::inet) FROM audit_logs ORDER BY created_at DESC LIMIT 1")
        .await;
    assert_eq!(ip, "127.0.0.1");

    let behind_proxy = spawn_app_with(|config| {
        config.http.trusted_proxies = vec!["127.0.0.0/8".parse().unwrap()];
    })
    .await;
    behind_proxy.seed_demo().await;
    behind_proxy
        .http
        .post(behind_proxy.url("/graphql"))
        .bearer_auth(user_token(users::OWNER))
        .header("x-forwarded-for", "6.6.6.6")
        .json(&json!({ "query": CREATE, "variables": { "brand": brands::AURORA } }))
        .send()
        .await
        .unwrap();
    let ip = behind_proxy
        .scalar("SELECT host(ip_address::inet) FROM audit_logs ORDER BY created_at DESC LIMIT 1")
        .await;
    assert_eq!(ip, "6.6.6.6");
}

#[tokio::test]
async fn a_statement_beyond_the_timeout_is_cancelled_and_the_pool_still_serves() {
    let app = spawn_app_with(|config| config.database.statement_timeout_ms = 200).await;
    // Seeded over a connection of its own: the seed's statements may take longer than the
    // 200 ms the app's pool allows on a busy machine.
    let seeding = app.test_db.connect().await;
    brandgraph::seed::seed_demo(
        &seeding,
        chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
    )
    .await
    .unwrap();
    seeding.close().await.ok();
    app.settle_realtime().await;
    let err = app
        .db
        .execute_unprepared("SELECT pg_sleep(2)")
        .await
        .expect_err("cancelled");
    assert_eq!(brandgraph::error::ApiError::from(err).code(), "TIMEOUT");

    // A query stuck behind a lock is cancelled with a coded error...
    let holder = app.db.begin().await.unwrap();
    holder
        .execute_unprepared("LOCK TABLE brands IN ACCESS EXCLUSIVE MODE")
        .await
        .unwrap();
    let token = user_token(users::OWNER);
    let query = "query($id: ID!) { brand(id: $id) { name } }";
    let stuck = app
        .graphql(Some(&token), query, json!({ "id": brands::AURORA }))
        .await;
    assert_eq!(error_code(&stuck), Some("TIMEOUT"), "{stuck}");
    holder.rollback().await.unwrap();
    // ...and the pool serves the next request.
    let served = app
        .graphql(Some(&token), query, json!({ "id": brands::AURORA }))
        .await;
    assert_eq!(served["data"]["brand"]["name"], "Aurora Coffee", "{served}");
}

#[tokio::test]
async fn a_request_beyond_the_request_timeout_is_cancelled_with_a_coded_error() {
    let app = spawn_app_with(|config| config.http.request_timeout_secs = 1).await;
    app.seed_demo().await;
    let holder = app.db.begin().await.unwrap();
    holder
        .execute_unprepared("LOCK TABLE brands IN ACCESS EXCLUSIVE MODE")
        .await
        .unwrap();
    let response = app
        .http
        .post(app.url("/graphql"))
        .bearer_auth(user_token(users::OWNER))
        .json(&json!({ "query": "query($id: ID!) { brand(id: $id) { name } }", "variables": { "id": brands::AURORA } }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::GATEWAY_TIMEOUT);
    let body: Value = response.json().await.unwrap();
    assert_eq!(error_code(&body), Some("TIMEOUT"), "{body}");
    holder.rollback().await.unwrap();
}

#[tokio::test]
async fn concurrent_goal_upserts_leave_one_active_goal() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let token = user_token(users::OWNER);
    let upsert = "mutation($brand: ID!, $target: Float!) {
        upsertAnalyticsGoal(brandId: $brand, metric: \"shares\", target: $target, deadline: \"2027-01-01T00:00:00Z\") { target } }";
    let calls = (1..=8).map(|target| {
        app.graphql(
            Some(&token),
            upsert,
            json!({ "brand": brands::AURORA, "target": target as f64 * 100.0 }),
        )
    });
    for response in futures_util::future::join_all(calls).await {
        assert!(response.get("errors").is_none(), "{response}");
    }
    let active = app
        .scalar(&format!(
            "SELECT count(*)::text FROM analytics_goals WHERE brand_id = '{}' AND metric = 'shares' AND status = 'active'",
            brands::AURORA
        ))
        .await;
    assert_eq!(active, "1");
}

#[tokio::test]
async fn the_analytics_summary_stream_ends_when_its_user_leaves_the_brand() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let mut client = WsClient::connect(&app, TRANSPORT_WS, &user_token(users::MEMBER)).await;
    client
        .subscribe(
            "1",
            "subscription($brand: ID!) { analyticsSummary(brandId: $brand, days: 30) { totals { rows } } }",
            json!({ "brand": brands::AURORA }),
        )
        .await;
    assert!(client.next_data().await["errors"].is_null());
    app.remove_membership(users::MEMBER, brands::AURORA).await;
    let ended = client.next_data().await;
    assert_eq!(
        ended["errors"][0]["extensions"]["code"], "NOT_FOUND",
        "{ended}"
    );
}

#[tokio::test]
async fn only_members_of_the_brand_can_be_assigned_a_review() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let token = user_token(users::OWNER);
    let created = app
        .graphql(Some(&token), CREATE, json!({ "brand": brands::AURORA }))
        .await;
    let id = created["data"]["createContentItem"]["uuid"].clone();
    let submit =
        "mutation($id: ID!, $to: UUID) { submitForReview(id: $id, assignedTo: $to) { status } }";
    for stranger in [users::OUTSIDER, uuid::Uuid::new_v4()] {
        let response = app
            .graphql(Some(&token), submit, json!({ "id": id, "to": stranger }))
            .await;
        assert_eq!(error_code(&response), Some("BAD_USER_INPUT"), "{response}");
        assert_eq!(
            response["errors"][0]["message"],
            "the reviewer must be a member of the brand"
        );
    }
    let response = app
        .graphql(
            Some(&token),
            submit,
            json!({ "id": id, "to": users::MANAGER }),
        )
        .await;
    assert!(response.get("errors").is_none(), "{response}");
}

#[tokio::test]
async fn metrics_move_off_a_public_address() {
    let app = spawn_app_with(|config| {
        config.listen = "0.0.0.0:0".parse().unwrap();
        config.ops_listen = Some("127.0.0.1:0".parse().unwrap());
    })
    .await;
    let main = app.http.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(main.status(), StatusCode::NOT_FOUND);
    let ops = app.ops_addr.expect("an ops address");
    let metrics = app
        .http
        .get(format!("http://{ops}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(metrics.status(), StatusCode::OK);
}

#[test]
fn the_built_in_secret_is_refused_unless_developing_on_loopback() {
    let mut config = crate::helpers::server_config("postgres://unused/x".into());
    config.auth.jwt_secret = None;
    config.dev = false;
    assert!(config.check_secrets().is_err());
    config.dev = true;
    assert!(config.check_secrets().is_ok());
    config.listen = "0.0.0.0:8080".parse().unwrap();
    assert!(config.check_secrets().is_err());
    config.auth.jwt_secret = Some("a real secret".into());
    config.dev = false;
    assert!(config.check_secrets().is_ok());
    // The secret never shows in debug output.
    assert!(!format!("{:?}", config.auth).contains("a real secret"));
}
