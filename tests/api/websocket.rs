//! GraphQL over websockets: authentication in `connection_init`, both protocols.

use brandgraph::seed::users;
use serde_json::json;

use crate::helpers::{spawn_app, user_token};
use crate::ws_client::{LEGACY_WS, TRANSPORT_WS, WsClient, WsEvent};

#[tokio::test]
async fn the_token_in_connection_init_identifies_the_caller_in_both_protocols() {
    let app = spawn_app().await;
    app.seed_demo().await;
    for protocol in [TRANSPORT_WS, LEGACY_WS] {
        let mut client = WsClient::connect(&app, protocol, &user_token(users::MANAGER)).await;
        client
            .subscribe(
                "1",
                "{ viewer { user { displayName } } brands { totalCount } }",
                json!({}),
            )
            .await;
        match client.next().await {
            WsEvent::Message(message) => {
                let data = &message["payload"]["data"];
                assert_eq!(
                    data["viewer"]["user"]["displayName"], "Mia Manager",
                    "{protocol}: {message}"
                );
                assert_eq!(data["brands"]["totalCount"], 2);
            }
            other => panic!("{protocol}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_connection_init_without_a_token_is_closed_with_4401() {
    let app = spawn_app().await;
    let mut client = WsClient::open(&app, TRANSPORT_WS, json!({})).await;
    match client.next().await {
        WsEvent::Closed(Some(frame)) => assert_eq!(u16::from(frame.code), 4401, "{frame:?}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_connection_init_with_a_bad_token_is_closed_with_4403() {
    let app = spawn_app().await;
    for protocol in [TRANSPORT_WS, LEGACY_WS] {
        let mut client =
            WsClient::open(&app, protocol, json!({ "Authorization": "Bearer garbage" })).await;
        if protocol == LEGACY_WS {
            // The legacy protocol's clients learn why only from `connection_error`.
            match client.next().await {
                WsEvent::Message(message) => assert_eq!(message["type"], "connection_error"),
                other => panic!("{protocol}: {other:?}"),
            }
        }
        match client.next().await {
            WsEvent::Closed(Some(frame)) => {
                assert_eq!(u16::from(frame.code), 4403, "{frame:?}");
                assert!(frame.reason.contains("invalid token"), "{frame:?}");
            }
            other => panic!("{protocol}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_user_may_hold_only_so_many_connections() {
    let app =
        crate::helpers::spawn_app_with(|config| config.realtime.max_connections_per_user = 2).await;
    app.seed_demo().await;
    let token = user_token(users::MEMBER);
    let _first = WsClient::connect(&app, TRANSPORT_WS, &token).await;
    let second = WsClient::connect(&app, TRANSPORT_WS, &token).await;
    let mut third = WsClient::open(&app, TRANSPORT_WS, json!({ "token": token })).await;
    match third.next().await {
        WsEvent::Closed(Some(frame)) => assert_eq!(u16::from(frame.code), 4429),
        other => panic!("{other:?}"),
    }
    drop(second);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let _again = WsClient::connect(&app, TRANSPORT_WS, &token).await;
}

#[tokio::test]
async fn a_role_change_applies_to_an_open_connection_without_reconnecting() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let mut client = WsClient::connect(&app, TRANSPORT_WS, &user_token(users::MEMBER)).await;
    let create = "mutation($brand: ID!) { createContentItem(input: { brandId: $brand, type: \"post\", content: {} }) { status } }";
    let vars = json!({ "brand": brandgraph::seed::brands::AURORA });
    client.subscribe("1", create, vars.clone()).await;
    let allowed = client.next_data().await;
    assert_eq!(
        allowed["data"]["createContentItem"]["status"], "DRAFT",
        "{allowed}"
    );
    assert!(matches!(client.next().await, WsEvent::Message(m) if m["type"] == "complete"));

    use sea_orm::ConnectionTrait;
    app.db
        .execute_unprepared(&format!(
            "UPDATE brand_members SET role = 'viewer' WHERE user_id = '{}' AND brand_id = '{}'",
            users::MEMBER,
            brandgraph::seed::brands::AURORA
        ))
        .await
        .unwrap();
    app.settle_realtime().await;
    client.subscribe("2", create, vars).await;
    let refused = client.next_data().await;
    assert_eq!(
        refused["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{refused}"
    );
}

#[tokio::test]
async fn invalid_operations_over_a_websocket_carry_an_error_code_too() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let mut client = WsClient::connect(&app, TRANSPORT_WS, &user_token(users::MEMBER)).await;
    client.subscribe("1", "{ nope }", json!({})).await;
    match client.next().await {
        WsEvent::Message(message) => {
            let errors = if message["type"] == "error" {
                &message["payload"]
            } else {
                &message["payload"]["errors"]
            };
            assert_eq!(
                errors[0]["extensions"]["code"], "BAD_USER_INPUT",
                "{message}"
            );
        }
        other => panic!("{other:?}"),
    }
}
