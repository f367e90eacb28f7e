//! A small websocket GraphQL client for tests (`graphql-transport-ws` or legacy `graphql-ws`).

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{Message, http::HeaderValue};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::helpers::TestApp;

pub const TRANSPORT_WS: &str = "graphql-transport-ws";
pub const LEGACY_WS: &str = "graphql-ws";

pub struct WsClient {
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
    pub protocol: &'static str,
}

/// What the server did next.
#[derive(Debug)]
pub enum WsEvent {
    Message(Value),
    Closed(Option<CloseFrame>),
}

impl WsClient {
    /// Opens the socket and sends `connection_init` with `payload`; does not wait for the ack.
    pub async fn open(app: &TestApp, protocol: &'static str, payload: Value) -> Self {
        Self::open_at(app.addr, protocol, payload).await
    }

    /// Like [`open`](Self::open), to a gateway at `addr`.
    pub async fn open_at(
        addr: std::net::SocketAddr,
        protocol: &'static str,
        payload: Value,
    ) -> Self {
        let mut request = format!("ws://{addr}/graphql/ws")
            .into_client_request()
            .unwrap();
        request
            .headers_mut()
            .insert("sec-websocket-protocol", HeaderValue::from_static(protocol));
        let (socket, _) = tokio_tungstenite::connect_async(request)
            .await
            .expect("ws connect");
        let mut client = Self { socket, protocol };
        client
            .send(json!({ "type": "connection_init", "payload": payload }))
            .await;
        client
    }

    /// Opens, authenticates with `token`, and waits for `connection_ack`.
    pub async fn connect(app: &TestApp, protocol: &'static str, token: &str) -> Self {
        Self::connect_at(app.addr, protocol, token).await
    }

    /// Like [`connect`](Self::connect), to a gateway at `addr`.
    pub async fn connect_at(
        addr: std::net::SocketAddr,
        protocol: &'static str,
        token: &str,
    ) -> Self {
        let mut client = Self::open_at(
            addr,
            protocol,
            json!({ "Authorization": format!("Bearer {token}") }),
        )
        .await;
        match client.next().await {
            WsEvent::Message(message) if message["type"] == "connection_ack" => client,
            other => panic!("expected connection_ack, got {other:?}"),
        }
    }

    pub async fn send(&mut self, message: Value) {
        self.socket
            .send(Message::Text(message.to_string().into()))
            .await
            .expect("ws send");
    }

    /// Sends a Close frame with `code`; the server's answer comes from [`next`](Self::next).
    pub async fn close(&mut self, code: u16, reason: &str) {
        let frame = CloseFrame {
            code: code.into(),
            reason: reason.to_string().into(),
        };
        self.socket
            .send(Message::Close(Some(frame)))
            .await
            .expect("ws close");
    }

    /// Starts an operation (`subscribe` or legacy `start`).
    pub async fn subscribe(&mut self, id: &str, query: &str, variables: Value) {
        let kind = if self.protocol == TRANSPORT_WS {
            "subscribe"
        } else {
            "start"
        };
        self.send(json!({ "id": id, "type": kind, "payload": { "query": query, "variables": variables } }))
            .await;
    }

    /// The payload of the next `next`/`data` message of any operation; panics on anything
    /// else or after 10 s.
    pub async fn next_data(&mut self) -> Value {
        match self.next().await {
            WsEvent::Message(message)
                if matches!(message["type"].as_str(), Some("next" | "data")) =>
            {
                message["payload"].clone()
            }
            other => panic!("expected data, got {other:?}"),
        }
    }

    /// The next data message or close, skipping pings and keep-alives; panics after 10 s.
    pub async fn next(&mut self) -> WsEvent {
        self.next_within(Duration::from_secs(10))
            .await
            .expect("no websocket message within 10 s")
    }

    /// Like [`next`](Self::next) but gives up (returning `None`) after `wait`.
    pub async fn next_within(&mut self, wait: Duration) -> Option<WsEvent> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let message = tokio::time::timeout_at(deadline, self.socket.next())
                .await
                .ok()?;
            match message {
                None => return Some(WsEvent::Closed(None)),
                Some(Err(_)) => return Some(WsEvent::Closed(None)),
                Some(Ok(Message::Close(frame))) => return Some(WsEvent::Closed(frame)),
                Some(Ok(Message::Text(text))) => {
                    let value: Value = serde_json::from_str(&text).expect("json message");
                    if matches!(value["type"].as_str(), Some("ping" | "ka" | "pong")) {
                        continue;
                    }
                    return Some(WsEvent::Message(value));
                }
                Some(Ok(_)) => continue,
            }
        }
    }
}
