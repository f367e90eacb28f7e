//! Lead capture: form keys (admins only), `POST /forms/{formKey}` from anonymous browsers
//! (JSON and URL-encoded, CORS per key, dedup by address, answers that reveal nothing,
//! every abuse case refused cheaply, metrics), `captureLead` for trusted backends, and
//! lead search through `Brand.leads(filter: {search})`.

use brandgraph::seed::{brands, users};
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{TestApp, error_code, service_token, spawn_app, spawn_app_with, user_token};

const CREATE_KEY: &str = "mutation($input: CreateLeadFormKeyInput!) {
    createLeadFormKey(input: $input) { uuid key allowedOrigins source revokedAt } }";
const SHOP: &str = "https://shop.aurora.test";

async fn create_key(app: &TestApp, user: Uuid, brand: Uuid, origins: &[&str]) -> Value {
    app.graphql(
        Some(&user_token(user)),
        CREATE_KEY,
        json!({ "input": { "brandId": brand, "name": format!("form {}", Uuid::new_v4()),
                            "allowedOrigins": origins, "source": "landing_page" } }),
    )
    .await
}

/// A live key of Aurora for `SHOP`: (uuid, key).
async fn aurora_key(app: &TestApp) -> (Uuid, String) {
    let created = create_key(app, users::ADMIN, brands::AURORA, &[SHOP]).await;
    let key = &created["data"]["createLeadFormKey"];
    (
        key["uuid"].as_str().expect("uuid").parse().unwrap(),
        key["key"].as_str().expect("key").to_string(),
    )
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

async fn post_form(
    app: &TestApp,
    key: &str,
    media: &str,
    body: impl Into<reqwest::Body>,
    extra: &[(&'static str, &str)],
) -> Answer {
    let mut request = app
        .http
        .post(app.url(&format!("/forms/{key}")))
        .header("content-type", media)
        .body(body);
    for (name, value) in extra {
        request = request.header(*name, HeaderValue::from_str(value).unwrap());
    }
    let response = request.send().await.expect("send");
    Answer {
        status: response.status(),
        headers: response.headers().clone(),
        body: response.text().await.unwrap(),
    }
}

async fn post_json(app: &TestApp, key: &str, body: Value) -> Answer {
    post_form(app, key, "application/json", body.to_string(), &[]).await
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    app.scalar(&format!("SELECT ({sql})::text"))
        .await
        .parse()
        .expect("a count")
}

async fn leads_with(app: &TestApp, email: &str) -> i64 {
    count(
        app,
        &format!("SELECT count(*) FROM leads WHERE lower(email) = lower('{email}')"),
    )
    .await
}

#[tokio::test]
async fn a_second_submission_of_an_address_adds_an_activity_not_a_lead_and_answers_alike() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let (key_id, key) = aurora_key(&app).await;

    let first = post_json(
        &app,
        &key,
        json!({ "email": "Zoe.Quinn@example.org", "first_name": "Zoe", "last_name": "Quinn",
                "company": "Quinn Labs", "company_size": "enterprise", "message": "Call me" }),
    )
    .await;
    let second = post_form(
        &app,
        &key,
        "application/x-www-form-urlencoded",
        "email=zoe.quinn%40EXAMPLE.org&name=Z.+Quinn",
        &[],
    )
    .await;
    assert_eq!(first.status, StatusCode::ACCEPTED, "{}", first.body);
    assert_eq!(
        (second.status, &second.body),
        (first.status, &first.body),
        "a duplicate answers exactly like a new lead"
    );
    assert_eq!(first.body, r#"{"status":"accepted"}"#);

    assert_eq!(leads_with(&app, "zoe.quinn@example.org").await, 1);
    let lead = app
        .scalar("SELECT concat_ws('|', name, source, company_size, (created_by IS NULL)::text) FROM leads WHERE email = 'Zoe.Quinn@example.org'")
        .await;
    assert_eq!(lead, "Zoe Quinn|landing_page|enterprise|true");
    let activities = app
        .scalar(
            "SELECT string_agg(a.type || ':' || (a.metadata->>'form_key_id'), ',')
               FROM lead_activities a JOIN leads l ON l.id = a.lead_id
              WHERE l.email = 'Zoe.Quinn@example.org'",
        )
        .await;
    assert_eq!(
        activities,
        format!("form_submitted:{key_id},form_submitted:{key_id}")
    );
    // Like any insert, a captured lead reaches the change log (ids, status, score only).
    let events = count(
        &app,
        "SELECT count(*) FROM change_events e JOIN leads l ON l.id = e.entity_id
          WHERE e.topic = 'lead' AND e.op = 'insert' AND l.email = 'Zoe.Quinn@example.org'
            AND NOT e.payload::text ILIKE '%zoe%'",
    )
    .await;
    assert_eq!(events, 1);
    // Members find it among the brand's leads.
    let listed = app
        .graphql(
            Some(&user_token(users::MEMBER)),
            "query($id: ID!) { brand(id: $id) { leads(filter: { source: \"landing_page\" }) {
                totalCount edges { node { email companySize activities { totalCount } } } } } }",
            json!({ "id": brands::AURORA }),
        )
        .await;
    assert_eq!(
        listed["data"]["brand"]["leads"]["edges"][0]["node"],
        json!({ "email": "Zoe.Quinn@example.org", "companySize": "ENTERPRISE",
                "activities": { "totalCount": 2 } }),
        "{listed}"
    );
}

#[tokio::test]
async fn oversized_honeypot_revoked_unknown_and_foreign_origin_submissions_store_nothing() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let (key_id, key) = aurora_key(&app).await;
    let before = count(&app, "SELECT count(*) FROM leads").await;

    // Oversized: refused from its declared length, before the key is even looked up.
    let huge = json!({ "email": "big@example.org", "message": "x".repeat(20_000) });
    let oversized = post_json(&app, &key, huge).await;
    assert_eq!(oversized.status, StatusCode::PAYLOAD_TOO_LARGE);
    // A field over its own limit inside a small body is a field error.
    let long_name = post_json(
        &app,
        &key,
        json!({ "email": "long@example.org", "name": "n".repeat(201) }),
    )
    .await;
    assert_eq!(
        long_name.status,
        StatusCode::BAD_REQUEST,
        "{}",
        long_name.body
    );
    assert!(long_name.body.contains("name"), "{}", long_name.body);

    // Honeypot: answered like a success, nothing stored.
    let bot = post_json(
        &app,
        &key,
        json!({ "email": "bot@example.org", "website": "http://spam.test" }),
    )
    .await;
    assert_eq!(bot.status, StatusCode::ACCEPTED);
    assert_eq!(bot.body, r#"{"status":"accepted"}"#);

    // A page on another site: 403 and no CORS header, so its script cannot read even that.
    let foreign = post_form(
        &app,
        &key,
        "application/json",
        json!({ "email": "foreign@example.org" }).to_string(),
        &[("origin", "https://evil.test")],
    )
    .await;
    assert_eq!(foreign.status, StatusCode::FORBIDDEN);
    assert!(foreign.headers.get("access-control-allow-origin").is_none());

    // Revoked and unknown keys are indistinguishable.
    let revoked = app
        .graphql(
            Some(&user_token(users::ADMIN)),
            "mutation($id: UUID!) { revokeLeadFormKey(id: $id) { revokedAt } }",
            json!({ "id": key_id }),
        )
        .await;
    assert!(
        revoked["data"]["revokeLeadFormKey"]["revokedAt"].is_string(),
        "{revoked}"
    );
    let after_revoke = post_json(&app, &key, json!({ "email": "late@example.org" })).await;
    let unknown = post_json(
        &app,
        &format!("lfk_{}", Uuid::new_v4().simple()),
        json!({ "email": "late@example.org" }),
    )
    .await;
    let garbage = post_json(&app, "not-a-key", json!({ "email": "late@example.org" })).await;
    assert_eq!(after_revoke.status, StatusCode::NOT_FOUND);
    for other in [&unknown, &garbage] {
        assert_eq!(
            (other.status, &other.body),
            (after_revoke.status, &after_revoke.body)
        );
    }
    // Other media types and malformed bodies.
    let (live_id, live) = aurora_key(&app).await;
    let text = post_form(&app, &live, "text/plain", "email=a@b.io", &[]).await;
    assert_eq!(text.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let nested = post_json(&app, &live, json!({ "email": { "$ne": null } })).await;
    assert_eq!(nested.status, StatusCode::BAD_REQUEST);
    let no_email = post_json(&app, &live, json!({ "name": "Nobody" })).await;
    assert_eq!(no_email.status, StatusCode::BAD_REQUEST);

    assert_eq!(count(&app, "SELECT count(*) FROM leads").await, before);
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT count(*) FROM lead_activities WHERE metadata->>'form_key_id' IN ('{key_id}', '{live_id}')"
            )
        )
        .await,
        0
    );

    // Every refusal was counted, by reason.
    let metrics = app
        .http
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for reason in [
        "too_large",
        "honeypot",
        "foreign_origin",
        "unknown_key",
        "invalid",
    ] {
        let line =
            format!("brandgraph_form_submissions_total{{outcome=\"refused\",reason=\"{reason}\"}}");
        assert!(metrics.contains(&line), "{line} missing from /metrics");
    }
}

#[tokio::test]
async fn a_flood_is_cut_per_client_address_and_per_key() {
    let app = spawn_app_with(|config| {
        config.http.forms.form_rate_limit_per_ip = 3;
        config.http.forms.form_rate_limit_per_key = 5;
        config.http.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    })
    .await;
    app.seed_demo().await;
    let (_, key) = aurora_key(&app).await;
    let from = |ip: &'static str, n: u32| {
        let app = &app;
        let key = key.clone();
        async move {
            post_form(
                app,
                &key,
                "application/json",
                json!({ "email": format!("flood{n}@{ip}.example.org") }).to_string(),
                &[("x-forwarded-for", ip)],
            )
            .await
        }
    };
    for n in 0..3 {
        assert_eq!(from("10.0.0.1", n).await.status, StatusCode::ACCEPTED);
    }
    let cut = from("10.0.0.1", 3).await;
    assert_eq!(cut.status, StatusCode::TOO_MANY_REQUESTS, "{}", cut.body);
    assert!(cut.headers.get("retry-after").is_some());
    // Another address still gets through, until the key's own budget (5) is spent.
    assert_eq!(from("10.0.0.2", 4).await.status, StatusCode::ACCEPTED);
    assert_eq!(from("10.0.0.2", 5).await.status, StatusCode::ACCEPTED);
    let key_cut = from("10.0.0.3", 6).await;
    assert_eq!(key_cut.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        count(&app, "SELECT count(*) FROM leads WHERE email LIKE 'flood%'").await,
        5
    );
}

#[tokio::test]
async fn cors_is_answered_per_key_for_its_origins_only() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let (_, key) = aurora_key(&app).await;
    let preflight = |origin: &'static str| {
        let app = &app;
        let key = key.clone();
        async move {
            app.http
                .request(reqwest::Method::OPTIONS, app.url(&format!("/forms/{key}")))
                .header("origin", origin)
                .header("access-control-request-method", "POST")
                .header("access-control-request-headers", "content-type")
                .send()
                .await
                .unwrap()
        }
    };
    let allowed = preflight(SHOP).await;
    assert_eq!(allowed.status(), StatusCode::NO_CONTENT);
    assert_eq!(allowed.headers()["access-control-allow-origin"], SHOP);
    assert_eq!(allowed.headers()["access-control-allow-methods"], "POST");
    let foreign = preflight("https://evil.test").await;
    assert!(
        foreign
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );

    let posted = post_form(
        &app,
        &key,
        "application/json",
        json!({ "email": "cors@example.org" }).to_string(),
        &[("origin", SHOP)],
    )
    .await;
    assert_eq!(posted.status, StatusCode::ACCEPTED);
    assert_eq!(posted.headers["access-control-allow-origin"], SHOP);
    // A server posting without an Origin is not a browser: the key alone decides.
    let server = post_json(&app, &key, json!({ "email": "server@example.org" })).await;
    assert_eq!(server.status, StatusCode::ACCEPTED);
}

#[tokio::test]
async fn form_keys_are_created_listed_and_revoked_by_admins_only() {
    let app = spawn_app().await;
    app.seed_demo().await;
    for (user, code) in [
        (users::MANAGER, "FORBIDDEN"),
        (users::MEMBER, "FORBIDDEN"),
        (users::VIEWER, "FORBIDDEN"),
        (users::OUTSIDER, "NOT_FOUND"),
    ] {
        let refused = create_key(&app, user, brands::AURORA, &[SHOP]).await;
        assert_eq!(error_code(&refused), Some(code), "{refused}");
        let listed = app
            .graphql(
                Some(&user_token(user)),
                "query($id: ID!) { brand(id: $id) { leadFormKeys { key } } }",
                json!({ "id": brands::AURORA }),
            )
            .await;
        assert!(!listed.to_string().contains("lfk_"), "{listed}");
    }
    let bad = create_key(&app, users::ADMIN, brands::AURORA, &["shop.aurora.test"]).await;
    assert_eq!(error_code(&bad), Some("BAD_USER_INPUT"), "{bad}");
    let none = create_key(&app, users::ADMIN, brands::AURORA, &[]).await;
    assert_eq!(error_code(&none), Some("BAD_USER_INPUT"), "{none}");

    let (id, key) = aurora_key(&app).await;
    let owner_list = app
        .graphql(
            Some(&user_token(users::OWNER)),
            "query($id: ID!) { brand(id: $id) { leadFormKeys { uuid key allowedOrigins } } }",
            json!({ "id": brands::AURORA }),
        )
        .await;
    // The demo's website key and this one.
    let listed = owner_list["data"]["brand"]["leadFormKeys"]
        .as_array()
        .expect("a list");
    assert_eq!(listed.len(), 2, "{owner_list}");
    assert!(
        listed.contains(&json!({ "uuid": id, "key": key, "allowedOrigins": [SHOP] })),
        "{owner_list}"
    );
    let updated = app
        .graphql(
            Some(&user_token(users::ADMIN)),
            "mutation($id: UUID!) { updateLeadFormKey(id: $id, input: { allowedOrigins: [\"https://b.test/\", \"*\"] }) { allowedOrigins } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        updated["data"]["updateLeadFormKey"]["allowedOrigins"],
        json!(["https://b.test", "*"]),
        "{updated}"
    );
    let member_revokes = app
        .graphql(
            Some(&user_token(users::MEMBER)),
            "mutation($id: UUID!) { revokeLeadFormKey(id: $id) { revokedAt } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(error_code(&member_revokes), Some("FORBIDDEN"));
    let audit = app
        .scalar(&format!(
            "SELECT string_agg(action, ',' ORDER BY created_at) FROM audit_logs WHERE resource_id = '{id}'"
        ))
        .await;
    assert_eq!(audit, "lead_form_key.create,lead_form_key.update");
}

#[tokio::test]
async fn capture_lead_is_for_admins_and_the_service_role_and_deduplicates() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let query = "mutation($input: CaptureLeadInput!) { captureLead(input: $input) {
        created lead { email source companySize activities { totalCount } } } }";
    let input = json!({ "input": { "brandId": brands::AURORA, "email": "Backend@Example.org",
                                   "companySize": "SMALL", "source": "crm_sync" } });
    for (user, code) in [
        (users::MANAGER, "FORBIDDEN"),
        (users::OUTSIDER, "NOT_FOUND"),
    ] {
        let refused = app
            .graphql(Some(&user_token(user)), query, input.clone())
            .await;
        assert_eq!(error_code(&refused), Some(code), "{refused}");
    }
    let first = app
        .graphql(Some(&user_token(users::ADMIN)), query, input.clone())
        .await;
    assert_eq!(
        first["data"]["captureLead"],
        json!({ "created": true, "lead": { "email": "Backend@Example.org", "source": "crm_sync",
                "companySize": "SMALL", "activities": { "totalCount": 1 } } }),
        "{first}"
    );
    let mut again = input.clone();
    again["input"]["email"] = json!("backend@example.ORG");
    let second = app.graphql(Some(&service_token()), query, again).await;
    assert_eq!(second["data"]["captureLead"]["created"], false, "{second}");
    assert_eq!(
        second["data"]["captureLead"]["lead"]["activities"]["totalCount"],
        2
    );
    assert_eq!(leads_with(&app, "backend@example.org").await, 1);
}

#[tokio::test]
async fn lead_search_matches_name_company_and_email_only_for_those_who_may_read_it() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let (_, key) = aurora_key(&app).await;
    post_json(
        &app,
        &key,
        json!({ "email": "ivy.hart@glasshouse.example", "name": "Ivy Hart", "company": "Glasshouse Roasters" }),
    )
    .await;
    let search = |user: Uuid, brand: Uuid, words: &'static str| {
        let app = &app;
        async move {
            let response = app
                .graphql(
                    Some(&user_token(user)),
                    "query($id: ID!, $q: String!) { brand(id: $id) {
                        leads(filter: { search: $q }) { totalCount edges { node { name } } } } }",
                    json!({ "id": brand, "q": words }),
                )
                .await;
            (
                response["data"]["brand"]["leads"]["totalCount"].as_i64(),
                response,
            )
        }
    };
    assert_eq!(
        search(users::MEMBER, brands::AURORA, "glasshouse").await.0,
        Some(1)
    );
    assert_eq!(
        search(users::MEMBER, brands::AURORA, "\"ivy hart\"")
            .await
            .0,
        Some(1)
    );
    assert_eq!(
        search(users::MEMBER, brands::AURORA, "ivy.hart@glasshouse.example")
            .await
            .0,
        Some(1)
    );
    // Viewers do not read addresses, so they cannot find a lead by one either.
    assert_eq!(
        search(users::VIEWER, brands::AURORA, "ivy").await.0,
        Some(1)
    );
    assert_eq!(
        search(users::VIEWER, brands::AURORA, "ivy.hart@glasshouse.example")
            .await
            .0,
        Some(0)
    );
    // Other brands' members and outsiders find nothing.
    let (_, other) = search(users::MANAGER, brands::BOREALIS, "ivy").await;
    assert_eq!(other["data"]["brand"]["leads"]["totalCount"], 0, "{other}");
    let (_, outsider) = search(users::OUTSIDER, brands::AURORA, "ivy").await;
    assert_eq!(outsider["data"]["brand"], Value::Null, "{outsider}");
    assert!(!outsider.to_string().contains("Ivy"));
    // The workspace search never returns leads.
    let global = app
        .graphql(
            Some(&user_token(users::OWNER)),
            "{ search(query: \"glasshouse\") { kind title } }",
            json!({}),
        )
        .await;
    assert!(!global.to_string().contains("Ivy"), "{global}");
    let empty = search(users::MEMBER, brands::AURORA, "   ").await.1;
    assert_eq!(error_code(&empty), Some("BAD_USER_INPUT"), "{empty}");
}
