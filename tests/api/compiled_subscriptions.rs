//! Lead subscriptions rendered by compiled plans (`compile::EventPlan`): subscribers of
//! one role in the brand form one audience whose events are each rendered by one SQL
//! statement; what they receive equals the executor's rendering for the same role, a
//! member whose role changes leaves for a private execution without losing an event, and
//! with compiled queries off every subscriber renders its own.

use brandgraph::seed::{brands, users};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::audiences::reaches;
use crate::helpers::{TestApp, service_token, spawn_app, spawn_app_with, user_token};
use crate::ws_client::{LEGACY_WS, TRANSPORT_WS, WsClient};

/// Aliases, a fragment, `__typename`, a variable directive, a gated field and a nested
/// page: everything the plan renders in one statement.
const LIVE: &str = "subscription Live($brand: ID!, $withPhone: Boolean!) {
  captured: leadCaptured(brandId: $brand) {
    __typename cursor op leadId status score campaignId occurredAt
    lead { ...Person phone @include(if: $withPhone)
      activities(first: 2) { edges { cursor node { type description } } pageInfo { hasNextPage } } } } }
fragment Person on Lead { __typename id uuid name email company source status score tags createdAt }";

/// The same selection with a cursor: a subscriber of it always renders privately on the
/// executor (the reference the compiled rendering must equal).
const REFERENCE: &str = "subscription Live($brand: ID!, $withPhone: Boolean!, $after: String) {
  captured: leadCaptured(brandId: $brand, after: $after) {
    __typename cursor op leadId status score campaignId occurredAt
    lead { ...Person phone @include(if: $withPhone)
      activities(first: 2) { edges { cursor node { type description } } pageInfo { hasNextPage } } } } }
fragment Person on Lead { __typename id uuid name email company source status score tags createdAt }";

const UPDATED: &str = "subscription($brand: ID!) {
  leadUpdated(brandId: $brand) { cursor op status score lead { name email score } } }";

const CREATE_LEAD: &str = "mutation($input: CreateLeadInput!) { createLead(input: $input) { id } }";

async fn execute(app: &TestApp, sql: &str) {
    app.db.execute_unprepared(sql).await.expect(sql);
}

async fn subscribed(app: &TestApp, token: &str, query: &str, variables: Value) -> WsClient {
    let mut client = WsClient::connect(app, TRANSPORT_WS, token).await;
    client.subscribe("1", query, variables).await;
    client
}

async fn create_lead(app: &TestApp, name: &str, email: &str) -> String {
    let created = app
        .graphql(
            Some(&user_token(users::MEMBER)),
            CREATE_LEAD,
            json!({ "input": { "brandId": brands::AURORA, "name": name, "email": email,
                               "phone": "+49 30 5550", "company": "Compiled GmbH" } }),
        )
        .await;
    assert!(created["errors"].is_null(), "{created}");
    created["data"]["createLead"]["id"]
        .as_str()
        .expect("id")
        .to_string()
}

#[tokio::test]
async fn lead_subscribers_share_one_compiled_rendering_per_role_equal_to_the_executors() {
    let app = spawn_app().await;
    app.seed_demo().await;
    app.settle_realtime().await;
    let variables = json!({ "brand": brands::AURORA, "withPhone": true });
    let after = app.cursor_now().await;
    let reference_variables = json!({ "brand": brands::AURORA, "withPhone": true, "after": after });
    // Every role of Aurora, a second viewer connection (the same audience) and the service
    // role (which reads as an owner: the owners' audience).
    let subscribers: Vec<(&str, String)> = vec![
        ("owner", user_token(users::OWNER)),
        ("admin", user_token(users::ADMIN)),
        ("manager", user_token(users::MANAGER)),
        ("member", user_token(users::MEMBER)),
        ("viewer", user_token(users::VIEWER)),
        ("viewer again", user_token(users::VIEWER)),
        ("service", service_token()),
    ];
    let mut compiled = Vec::new();
    let mut reference = Vec::new();
    for (who, token) in &subscribers {
        compiled.push((*who, subscribed(&app, token, LIVE, variables.clone()).await));
        reference.push(subscribed(&app, token, REFERENCE, reference_variables.clone()).await);
    }
    reaches("members", || app.audiences.members(), 7).await;
    assert_eq!(app.audiences.count(), 5, "one audience per role");
    let before = app.audiences.compiled_events();

    let ids = [
        create_lead(&app, "Ada Compiled", "ada.compiled@example.test").await,
        create_lead(&app, "Grace Compiled", "grace.compiled@example.test").await,
    ];
    for ((who, client), reference) in compiled.iter_mut().zip(reference.iter_mut()) {
        for id in &ids {
            let seen = client.next_data().await;
            let expected = reference.next_data().await;
            assert_eq!(seen, expected, "{who}: compiled vs executor");
            let captured = &seen["data"]["captured"];
            assert_eq!(
                captured["leadId"].as_str(),
                Some(id.as_str()),
                "{who}: {seen}"
            );
            assert_eq!(captured["__typename"], "LeadEvent");
            assert!(seen["errors"].is_null(), "{who}: {seen}");
            let email = &captured["lead"]["email"];
            match *who {
                "viewer" | "viewer again" => assert!(email.is_null(), "{who} read an email"),
                _ => assert!(email.as_str().is_some(), "{who}: {seen}"),
            }
        }
    }
    // One statement per event per audience, however many members it has.
    assert_eq!(app.audiences.compiled_events() - before, 5 * 2);
    assert_eq!(app.audiences.departures(), 0);
}

#[tokio::test]
async fn a_subscriber_whose_role_changes_leaves_its_audience_and_reads_as_its_new_role() {
    let app = spawn_app().await;
    app.seed_demo().await;
    app.settle_realtime().await;
    let mut member = subscribed(
        &app,
        &user_token(users::MEMBER),
        UPDATED,
        json!({ "brand": brands::AURORA }),
    )
    .await;
    reaches("members", || app.audiences.members(), 1).await;
    let lead: Uuid = app
        .scalar(&format!(
            "SELECT id::text FROM leads WHERE brand_id = '{}' AND email IS NOT NULL ORDER BY id LIMIT 1",
            brands::AURORA
        ))
        .await
        .parse()
        .expect("a demo lead");
    let bump = format!("UPDATE leads SET score = score + 1 WHERE id = '{lead}'");
    execute(&app, &bump).await;
    let first = member.next_data().await;
    assert!(
        first["data"]["leadUpdated"]["lead"]["email"].is_string(),
        "{first}"
    );

    execute(
        &app,
        &format!(
            "UPDATE brand_members SET role = 'viewer' WHERE user_id = '{}' AND brand_id = '{}'",
            users::MEMBER,
            brands::AURORA
        ),
    )
    .await;
    reaches("departures", || app.audiences.departures() as usize, 1).await;
    execute(&app, &bump).await;
    let second = member.next_data().await;
    let updated = &second["data"]["leadUpdated"];
    assert!(
        updated["lead"]["email"].is_null(),
        "read as a viewer: {second}"
    );
    assert!(second["errors"].is_null(), "{second}");
    let cursor = |event: &Value| {
        event["data"]["leadUpdated"]["cursor"]
            .as_str()
            .and_then(|c| c.parse::<i64>().ok())
            .expect("cursor")
    };
    assert!(cursor(&second) > cursor(&first));
    assert_eq!(
        updated["score"].as_i64(),
        first["data"]["leadUpdated"]["score"]
            .as_i64()
            .map(|s| s + 1),
        "the next change, none lost or repeated: {first} then {second}"
    );
}

#[tokio::test]
async fn with_compiled_queries_off_each_lead_subscriber_renders_its_own() {
    let app = spawn_app_with(|config| config.graphql.compiled_queries = false).await;
    app.seed_demo().await;
    app.settle_realtime().await;
    let mut member = WsClient::connect(&app, LEGACY_WS, &user_token(users::MEMBER)).await;
    member
        .subscribe(
            "1",
            LIVE,
            json!({ "brand": brands::AURORA, "withPhone": false }),
        )
        .await;
    // Admitted (its private stream is watching) before the lead is created.
    reaches(
        "lead subscribers",
        || {
            let topics = app.hub.subscribers_by_topic();
            topics.get("lead").copied().unwrap_or(0)
        },
        1,
    )
    .await;
    create_lead(&app, "Off Path", "off.path@example.test").await;
    let seen = member.next_data().await;
    assert_eq!(
        seen["data"]["captured"]["lead"]["name"], "Off Path",
        "{seen}"
    );
    assert!(seen["data"]["captured"]["lead"].get("phone").is_none());
    assert_eq!(app.audiences.count(), 0);
    assert_eq!(app.audiences.compiled_events(), 0);
}
