//! Subscriptions executed once per audience (`graphql::audience`): subscribers of the same
//! operation share one rendering; access, expiry and removal stay per subscriber; a
//! subscriber that falls behind resumes privately with nothing lost or repeated.

use std::sync::Arc;
use std::time::Duration;

use brandgraph::auth::{Principal, Viewer};
use brandgraph::graphql::audience::{self, Payload};
use brandgraph::seed::{brands, users};
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{TestApp, spawn_app, spawn_app_with, user_token};
use crate::realtime::insert_approvals;
use crate::ws_client::{LEGACY_WS, TRANSPORT_WS, WsClient, WsEvent};

const APPROVALS: &str = "subscription($brand: ID!) {
  approvalUpdated(brandId: $brand) { cursor op approvalId status } }";
const NOTIFICATIONS: &str = "subscription($brand: ID!) {
  notificationReceived(brandId: $brand) { cursor message } }";

/// Waits until `count` reads `n` (`what` names it in the failure).
pub(crate) async fn reaches(what: &str, count: impl Fn() -> usize, n: usize) {
    for _ in 0..200 {
        if count() == n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("expected {n} {what}, have {}", count());
}

/// Waits until the app holds `n` audiences.
async fn audiences_reach(app: &TestApp, n: usize) {
    reaches("audiences", || app.audiences.count(), n).await;
}

/// Waits until `n` subscribers have joined their audiences.
async fn members_reach(app: &TestApp, n: usize) {
    reaches("members", || app.audiences.members(), n).await;
}

async fn subscribed(
    app: &TestApp,
    protocol: &'static str,
    user: Uuid,
    query: &str,
    brand: Uuid,
) -> WsClient {
    let mut client = WsClient::connect(app, protocol, &user_token(user)).await;
    client
        .subscribe("1", query, json!({ "brand": brand }))
        .await;
    client
}

async fn cursors(client: &mut WsClient, n: usize) -> Vec<String> {
    let mut cursors = Vec::with_capacity(n);
    for _ in 0..n {
        let payload = client.next_data().await;
        let cursor = payload["data"]["approvalUpdated"]["cursor"].as_str();
        cursors.push(cursor.unwrap_or_else(|| panic!("{payload}")).to_string());
    }
    cursors
}

#[tokio::test]
async fn subscribers_of_the_same_operation_share_one_execution() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let mut owner = subscribed(&app, TRANSPORT_WS, users::OWNER, APPROVALS, brands::AURORA).await;
    let mut manager = subscribed(&app, LEGACY_WS, users::MANAGER, APPROVALS, brands::AURORA).await;
    let mut member = subscribed(&app, TRANSPORT_WS, users::MEMBER, APPROVALS, brands::AURORA).await;
    // Other variables are another audience.
    let mut borealis = subscribed(
        &app,
        TRANSPORT_WS,
        users::MANAGER,
        APPROVALS,
        brands::BOREALIS,
    )
    .await;
    audiences_reach(&app, 2).await;
    // A subscriber admitted after the inserts would rightly not see them: wait for all.
    members_reach(&app, 4).await;

    insert_approvals(&app, brands::AURORA, 5).await;
    let seen = cursors(&mut owner, 5).await;
    assert_eq!(cursors(&mut manager, 5).await, seen);
    assert_eq!(cursors(&mut member, 5).await, seen);
    let mut sorted = seen.clone();
    sorted.sort_by_key(|c| c.parse::<i64>().unwrap());
    sorted.dedup();
    assert_eq!(sorted, seen, "in seq order, each once");
    assert!(
        borealis
            .next_within(Duration::from_millis(300))
            .await
            .is_none()
    );

    // An audience ends with its last subscriber.
    drop((owner, manager, member, borealis));
    audiences_reach(&app, 0).await;
}

#[tokio::test]
async fn streams_that_depend_on_the_viewer_are_not_shared() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let _owner = subscribed(
        &app,
        TRANSPORT_WS,
        users::OWNER,
        NOTIFICATIONS,
        brands::AURORA,
    )
    .await;
    let _manager = subscribed(
        &app,
        TRANSPORT_WS,
        users::MANAGER,
        NOTIFICATIONS,
        brands::AURORA,
    )
    .await;
    let mut approvals =
        subscribed(&app, TRANSPORT_WS, users::OWNER, APPROVALS, brands::AURORA).await;
    audiences_reach(&app, 1).await;
    insert_approvals(&app, brands::AURORA, 1).await;
    approvals.next_data().await;
    assert_eq!(app.audiences.count(), 1);
}

#[tokio::test]
async fn a_member_removed_from_the_brand_is_ended_while_its_audience_goes_on() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let mut owner = subscribed(&app, TRANSPORT_WS, users::OWNER, APPROVALS, brands::AURORA).await;
    let mut member = subscribed(&app, TRANSPORT_WS, users::MEMBER, APPROVALS, brands::AURORA).await;
    audiences_reach(&app, 1).await;
    // Each joins when its own execution has admitted it; a member admitted after the
    // insert would rightly not see it: wait until both are in.
    members_reach(&app, 2).await;
    insert_approvals(&app, brands::AURORA, 1).await;
    let first = cursors(&mut owner, 1).await;
    assert_eq!(cursors(&mut member, 1).await, first);

    app.remove_membership(users::MEMBER, brands::AURORA).await;
    let ended = member.next_data().await;
    assert_eq!(
        ended["errors"][0]["extensions"]["code"], "NOT_FOUND",
        "{ended}"
    );
    match member.next().await {
        WsEvent::Message(message) => assert_eq!(message["type"], "complete", "{message}"),
        other => panic!("{other:?}"),
    }
    insert_approvals(&app, brands::AURORA, 2).await;
    assert_eq!(cursors(&mut owner, 2).await.len(), 2);
    assert!(
        member
            .next_within(Duration::from_millis(300))
            .await
            .is_none()
    );
}

#[tokio::test]
async fn an_outsider_cannot_join_an_audience() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let mut owner = subscribed(&app, TRANSPORT_WS, users::OWNER, APPROVALS, brands::AURORA).await;
    audiences_reach(&app, 1).await;
    let mut stranger = subscribed(
        &app,
        TRANSPORT_WS,
        users::OUTSIDER,
        APPROVALS,
        brands::AURORA,
    )
    .await;
    let refused = stranger.next_data().await;
    assert_eq!(
        refused["errors"][0]["extensions"]["code"], "NOT_FOUND",
        "{refused}"
    );
    match stranger.next().await {
        WsEvent::Message(message) => assert_eq!(message["type"], "complete", "{message}"),
        other => panic!("{other:?}"),
    }
    insert_approvals(&app, brands::AURORA, 1).await;
    cursors(&mut owner, 1).await;
    assert!(
        stranger
            .next_within(Duration::from_millis(300))
            .await
            .is_none()
    );
}

fn cursor_of(payload: Payload) -> String {
    let value: Value = match payload {
        Payload::Own(response) => serde_json::to_value(&response).unwrap(),
        Payload::Shared(json) => serde_json::from_str(&json).unwrap(),
    };
    match value["data"]["approvalUpdated"]["cursor"].as_str() {
        Some(cursor) => cursor.to_string(),
        None => panic!("{value}"),
    }
}

async fn take(stream: &mut BoxStream<'static, Payload>, n: usize) -> Vec<String> {
    let mut cursors = Vec::with_capacity(n);
    for _ in 0..n {
        let payload = tokio::time::timeout(Duration::from_secs(10), stream.next())
            .await
            .expect("a payload within 10 s")
            .expect("the stream goes on");
        cursors.push(cursor_of(payload));
    }
    cursors
}

#[tokio::test]
async fn a_member_that_falls_behind_resumes_privately_without_loss_or_repeat() {
    let app = spawn_app_with(|config| config.realtime.subscriber_buffer = 4).await;
    app.seed_demo().await;
    let far = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 3600;
    let mut session = async_graphql::Data::default();
    session.insert(Viewer::new(
        Some(Principal::Service { expires_at: far }),
        app.db.clone(),
    ));
    session.insert(brandgraph::db::OperationDb::per_statement(
        &app.db,
        brandgraph::db::row_security::DbViewer::SERVICE,
    ));
    let session = Some(Arc::new(session));
    let request = || {
        async_graphql::Request::new(APPROVALS).variables(async_graphql::Variables::from_json(
            json!({ "brand": brands::AURORA }),
        ))
    };
    let mut slow = audience::execute(&app.schema, &app.audiences, request(), session.clone());
    let mut fast = audience::execute(&app.schema, &app.audiences, request(), session.clone());
    // The first poll runs each one's own execution, which admits it into the audience.
    for stream in [&mut slow, &mut fast] {
        assert!(
            tokio::time::timeout(Duration::from_millis(50), stream.next())
                .await
                .is_err()
        );
    }
    audiences_reach(&app, 1).await;

    // `slow` is not polled while 60 events pass through a buffer of 4.
    let reading = tokio::spawn(async move { take(&mut fast, 60).await });
    for _ in 0..6 {
        insert_approvals(&app, brands::AURORA, 10).await;
    }
    let expected = reading.await.unwrap();
    assert_eq!(take(&mut slow, 60).await, expected);
    assert!(app.audiences.departures() >= 1, "slow left its audience");
    assert!(
        tokio::time::timeout(Duration::from_millis(300), slow.next())
            .await
            .is_err(),
        "nothing more, nothing repeated"
    );
}
