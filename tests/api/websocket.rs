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
async fn without_a_token_the_websocket_caller_is_anonymous() {
    let app = spawn_app().await;
    let mut client = WsClient::open(&app, TRANSPORT_WS, json!({})).await;
    assert!(matches!(client.next().await, WsEvent::Message(m) if m["type"] == "connection_ack"));
    client
        .subscribe("1", "{ brands { totalCount } }", json!({}))
        .await;
    match client.next().await {
        WsEvent::Message(message) => {
            assert_eq!(
                message["payload"]["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
                "{message}"
            );
        }
        other => panic!("{other:?}"),
    }
}
