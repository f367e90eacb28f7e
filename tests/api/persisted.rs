//! Documents parsed once and Automatic Persisted Queries (`extensions.persistedQuery`)
//! over POST, GET and websockets; the allow-list mode; the cache's bound.

use brandgraph::seed::users;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::helpers::{TestApp, error_code, spawn_app, spawn_app_with, user_token};
use crate::ws_client::{TRANSPORT_WS, WsClient, WsEvent};

const BRANDS: &str = "{ brands { edges { node { name } } } }";

fn hash(query: &str) -> String {
    hex::encode(Sha256::digest(query.as_bytes()))
}

fn persisted(query: &str) -> Value {
    json!({ "persistedQuery": { "version": 1, "sha256Hash": hash(query) } })
}

async fn post(app: &TestApp, token: &str, body: Value) -> Value {
    app.http
        .post(app.url("/graphql"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json")
}

#[tokio::test]
async fn a_persisted_query_is_registered_with_its_text_then_runs_by_hash_alone() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let token = user_token(users::MEMBER);

    let unknown = post(&app, &token, json!({ "extensions": persisted(BRANDS) })).await;
    assert_eq!(
        error_code(&unknown),
        Some("PERSISTED_QUERY_NOT_FOUND"),
        "{unknown}"
    );
    assert_eq!(unknown["errors"][0]["message"], "PersistedQueryNotFound");

    let registered = post(
        &app,
        &token,
        json!({ "query": BRANDS, "extensions": persisted(BRANDS) }),
    )
    .await;
    assert!(registered.get("errors").is_none(), "{registered}");
    let by_hash = post(&app, &token, json!({ "extensions": persisted(BRANDS) })).await;
    assert_eq!(by_hash, registered);

    // The hash must be the text's.
    let mismatch = post(
        &app,
        &token,
        json!({ "query": "{ viewer { user { id } } }", "extensions": persisted(BRANDS) }),
    )
    .await;
    assert_eq!(error_code(&mismatch), Some("BAD_USER_INPUT"), "{mismatch}");
    for bad in [
        json!({ "persistedQuery": { "version": 2, "sha256Hash": hash(BRANDS) } }),
        json!({ "persistedQuery": { "version": 1, "sha256Hash": "not-hex" } }),
        json!({ "persistedQuery": "yes" }),
    ] {
        let response = post(&app, &token, json!({ "extensions": bad })).await;
        assert_eq!(error_code(&response), Some("BAD_USER_INPUT"), "{response}");
    }
    // Without a persisted query, a missing `query` is still the caller's mistake.
    let missing = app
        .http
        .post(app.url("/graphql"))
        .bearer_auth(&token)
        .json(&json!({ "variables": {} }))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 400);
}

#[tokio::test]
async fn persisted_queries_run_over_get_but_a_persisted_mutation_does_not() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let token = user_token(users::MEMBER);
    post(
        &app,
        &token,
        json!({ "query": BRANDS, "extensions": persisted(BRANDS) }),
    )
    .await;
    let get = |extensions: Value| {
        app.http
            .get(app.url("/graphql"))
            .bearer_auth(&token)
            .query(&[("extensions", extensions.to_string())])
            .send()
    };
    let response = get(persisted(BRANDS)).await.unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert!(
        body["data"]["brands"]["edges"]
            .as_array()
            .is_some_and(|e| !e.is_empty()),
        "{body}"
    );

    let mutation = "mutation { markNotificationsRead }";
    let registered = post(
        &app,
        &token,
        json!({ "query": mutation, "extensions": persisted(mutation) }),
    )
    .await;
    assert!(registered.get("errors").is_none(), "{registered}");
    // Registered: over GET it is refused, not executed.
    let response = get(persisted(mutation)).await.unwrap();
    assert_eq!(response.status(), 405);
}

#[tokio::test]
async fn persisted_queries_run_over_websockets() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let token = user_token(users::MEMBER);
    let mut client = WsClient::connect(&app, TRANSPORT_WS, &token).await;
    let subscribe =
        |id: &str, payload: Value| json!({ "id": id, "type": "subscribe", "payload": payload });

    client
        .send(subscribe("1", json!({ "extensions": persisted(BRANDS) })))
        .await;
    // graphql-ws answers a refused operation with `error` (its payload the errors), not
    // `next` + `complete`: clients retry with the text on it.
    match client.next().await {
        WsEvent::Message(message) => {
            assert_eq!(message["type"], "error", "{message}");
            assert_eq!(
                message["payload"][0]["extensions"]["code"], "PERSISTED_QUERY_NOT_FOUND",
                "{message}"
            );
        }
        other => panic!("{other:?}"),
    }
    client
        .send(subscribe(
            "2",
            json!({ "query": BRANDS, "extensions": persisted(BRANDS) }),
        ))
        .await;
    let with_text = loop {
        match client.next().await {
            WsEvent::Message(message) if message["type"] == "complete" => continue,
            WsEvent::Message(message) => break message["payload"].clone(),
            other => panic!("{other:?}"),
        }
    };
    assert!(with_text.get("errors").is_none(), "{with_text}");
    client
        .send(subscribe("3", json!({ "extensions": persisted(BRANDS) })))
        .await;
    loop {
        match client.next().await {
            WsEvent::Message(message) if message["type"] == "complete" => continue,
            WsEvent::Message(message) => {
                assert_eq!(message["id"], "3", "{message}");
                assert_eq!(message["payload"], with_text);
                break;
            }
            other => panic!("{other:?}"),
        }
    }
}

#[tokio::test]
async fn in_allow_list_mode_only_the_manifests_documents_run() {
    let viewer_query = "{ viewer { user { displayName } } }";
    let manifest = json!({
        "format": "apollo-persisted-query-manifest",
        "version": 1,
        "operations": [{ "id": hash(viewer_query), "name": "Viewer", "type": "query", "body": viewer_query }],
    });
    let path = std::env::temp_dir().join(format!("manifest-{}.json", uuid::Uuid::new_v4()));
    std::fs::write(&path, manifest.to_string()).unwrap();
    let manifest_path = path.clone();
    let app = spawn_app_with(move |config| {
        config.graphql.persisted_queries_only = Some(manifest_path);
    })
    .await;
    app.seed_demo().await;
    let token = user_token(users::MEMBER);

    let by_hash = post(
        &app,
        &token,
        json!({ "extensions": persisted(viewer_query) }),
    )
    .await;
    assert_eq!(
        by_hash["data"]["viewer"]["user"]["displayName"], "Max Member",
        "{by_hash}"
    );
    let by_text = app.graphql(Some(&token), viewer_query, json!({})).await;
    assert_eq!(by_text, by_hash);

    let other = app.graphql(Some(&token), BRANDS, json!({})).await;
    assert_eq!(
        error_code(&other),
        Some("PERSISTED_QUERY_NOT_ALLOWED"),
        "{other}"
    );
    assert!(other["data"].is_null(), "{other}");
    let registering = post(
        &app,
        &token,
        json!({ "query": BRANDS, "extensions": persisted(BRANDS) }),
    )
    .await;
    assert_eq!(
        error_code(&registering),
        Some("PERSISTED_QUERY_NOT_ALLOWED"),
        "{registering}"
    );
    let _ = std::fs::remove_file(path);
}

#[tokio::test]
async fn the_document_cache_is_bounded_and_a_refused_document_stays_refused() {
    let app = spawn_app_with(|config| {
        config.graphql.document_cache_entries = 4;
        config.graphql.document_cache_bytes = 64 * 1024;
        config.graphql.max_aliases = 1;
    })
    .await;
    app.seed_demo().await;
    let token = user_token(users::MEMBER);
    for n in 0..20 {
        let query = format!("{{ viewer {{ user {{ id }} }} __typename t{n}: __typename }}");
        let response = app.graphql(Some(&token), &query, json!({})).await;
        assert!(response.get("errors").is_none(), "{response}");
    }
    assert!(
        app.documents.entries() <= 4,
        "{} entries",
        app.documents.entries()
    );

    // Over the alias limit: refused the first time and every time after, cached or not.
    let aliased = "{ a: __typename b: __typename }";
    for _ in 0..3 {
        let response = app.graphql(Some(&token), aliased, json!({})).await;
        assert_eq!(error_code(&response), Some("BAD_USER_INPUT"), "{response}");
    }
}
