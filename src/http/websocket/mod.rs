//! GraphQL over websockets (`graphql-transport-ws` and the legacy `graphql-ws`).
//!
//! The first message must be `connection_init` with the token in its payload
//! (`{"Authorization": "Bearer …"}` or `{"token": "…"}`). It is checked here, before the
//! GraphQL protocol starts, so a refused connection is closed with a proper code: 4401
//! without a token, 4403 with a bad one, 4429 when the user has too many connections.
//! Afterwards the socket is served by our own loop ([`protocol`] holds the messages and
//! the running operations), which adds what a public endpoint needs: the socket closes
//! (4403) when the token expires, protocol pings keep it alive and a peer silent for the
//! idle timeout is dropped (4408), a peer that stops reading is dropped once a send
//! stalls, so a slow reader cannot make the server hold its messages, and subscriptions
//! are executed once per audience (`graphql::audience`).

mod protocol;

use std::net::SocketAddr;
use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_graphql::Data;
use async_graphql::http::{ALL_WEBSOCKET_PROTOCOLS, ClientMessage, WebSocketProtocols};
use axum::extract::ws::{CloseFrame, Message, WebSocket};
use axum::extract::{ConnectInfo, State, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::{FutureExt, SinkExt};
use tokio::time::Instant;

use super::client::{Caller, authenticate, identify};
use crate::auth::{Principal, Viewer};
use crate::db::row_security::{DbViewer, OperationDb};
use crate::error::{ApiError, code};
use crate::graphql::session::SocketSession;
use crate::graphql::subscription::SubscriptionBudget;
use crate::loaders::Loaders;
use crate::state::AppState;
use protocol::Operations;

pub async fn websocket(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    if !state.origins.admits(&headers) {
        return (StatusCode::FORBIDDEN, "origin not allowed").into_response();
    }
    let protocol = headers
        .get(header::SEC_WEBSOCKET_PROTOCOL)
        .and_then(|v| v.to_str().ok())
        .and_then(|offered| {
            offered
                .split(',')
                .find_map(|p| WebSocketProtocols::from_str(p.trim()).ok())
        });
    let Some(protocol) = protocol else {
        return (
            StatusCode::BAD_REQUEST,
            "offer the graphql-transport-ws or graphql-ws subprotocol",
        )
            .into_response();
    };
    let caller = identify(&state, peer, &headers);
    let limits = &state.http.websocket;
    // Small buffers: GraphQL messages here are a few hundred bytes, and the defaults
    // reserve 128 KiB per direction and connection. Writes are buffered up to
    // `COALESCE_BYTES` between flushes (`write_with_queued`); every send ends in a flush.
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .read_buffer_size(4 * 1024)
        .write_buffer_size(COALESCE_BYTES)
        .max_write_buffer_size(limits.ws_max_message_bytes.max(64 * 1024) * 4)
        .max_message_size(limits.ws_max_message_bytes)
        .max_frame_size(limits.ws_max_message_bytes)
        .on_upgrade(move |socket| serve(state, caller, protocol, socket))
}

/// Bytes of queued messages written together; a larger batch is written as it fills.
const COALESCE_BYTES: usize = 8 * 1024;

const EXPIRY_GRACE: Duration = Duration::from_millis(500);

async fn close(socket: &mut WebSocket, code: u16, reason: &str) {
    let frame = CloseFrame {
        code,
        reason: reason.chars().take(120).collect::<String>().into(),
    };
    let _ = socket.send(Message::Close(Some(frame))).await;
}

/// Answers the peer's Close with the same code (RFC 6455 §5.5.1), so the client sees its
/// own code instead of 1006. tungstenite queues that reply on receipt; a flush writes it.
async fn echo_close(socket: &mut WebSocket, frame: Option<CloseFrame>) {
    let reply = async {
        if socket.send(Message::Close(frame)).await.is_err() {
            let _ = socket.flush().await;
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(1), reply).await;
}

/// Refuses a connection's `connection_init`: the legacy protocol's clients (Apollo's
/// `WebSocketLink`) learn why only from a `connection_error` message, so it precedes the
/// close there; graphql-transport-ws carries the reason in the close frame alone.
async fn refuse(
    socket: &mut WebSocket,
    state: &AppState,
    protocol: WebSocketProtocols,
    code: u16,
    error_code: &str,
    reason: &str,
) {
    state.metrics.count_errors([error_code]);
    if protocol == WebSocketProtocols::SubscriptionsTransportWS {
        let message = protocol::connection_error(reason);
        let _ = socket.send(Message::Text(message.into())).await;
    }
    close(socket, code, reason).await;
}

async fn serve(
    state: AppState,
    mut caller: Caller,
    protocol: WebSocketProtocols,
    mut socket: WebSocket,
) {
    // Not split into halves: one task reads and writes, and a split's lock showed in
    // fan-out profiles.
    let init = tokio::time::timeout(Duration::from_secs(10), socket.recv()).await;
    let Ok(Some(Ok(Message::Text(first)))) = init else {
        close(&mut socket, 4408, "connection_init not received").await;
        return;
    };
    let payload = serde_json::from_str::<serde_json::Value>(&first)
        .ok()
        .filter(|message| message["type"] == "connection_init")
        .map(|message| message["payload"].clone());
    let Some(payload) = payload else {
        close(
            &mut socket,
            4400,
            "the first message must be connection_init",
        )
        .await;
        return;
    };
    let principal = match authenticate_init(&state, &payload) {
        Ok(Some(principal)) => principal,
        Ok(None) => {
            refuse(
                &mut socket,
                &state,
                protocol,
                4401,
                code::UNAUTHENTICATED,
                "authentication required: send a token in connection_init",
            )
            .await;
            return;
        }
        Err(err) => {
            refuse(
                &mut socket,
                &state,
                protocol,
                4403,
                err.code(),
                &err.message(),
            )
            .await;
            return;
        }
    };
    let _connection = match &principal {
        Principal::User { id, .. } => match state.realtime.open_connection(*id) {
            Some(guard) => Some(guard),
            None => {
                refuse(
                    &mut socket,
                    &state,
                    protocol,
                    4429,
                    code::RATE_LIMITED,
                    "too many connections for this user",
                )
                .await;
                return;
            }
        },
        Principal::Service { .. } => None,
    };
    caller.principal = Some(principal.clone());
    let deadline = principal.deadline();
    state.metrics.websocket_connections.inc();
    let _counted = counted_connection(&state);

    let mut data = Data::default();
    data.insert(caller.audit_context());
    data.insert(SocketSession {
        principal: principal.clone(),
        rate_key: caller.rate_key(),
        limiter: state.rate_limiter.clone(),
    });
    // Each statement of the connection's operations runs as its viewer, in a transaction
    // of its own: one held for the connection's hours would pin a pool connection.
    let db = OperationDb::per_statement(&state.db, DbViewer::of(Some(&principal)));
    data.insert(
        Viewer::for_connection(principal, state.db.clone(), state.memberships.clone())
            .with_brand_filters(state.brand_filters),
    );
    data.insert(Loaders::new(&db));
    data.insert(db);
    data.insert(SubscriptionBudget::new(
        state.realtime.config.max_subscriptions_per_connection,
    ));
    let mut operations = Operations::new(
        protocol,
        state.schema.clone(),
        state.audiences.clone(),
        data,
    );

    let limits = &state.http.websocket;
    let idle_timeout = Duration::from_secs(limits.ws_idle_timeout_secs.max(1));
    let send_timeout = Duration::from_secs(limits.ws_send_timeout_secs.max(1));
    let ping_every = Duration::from_secs(limits.ws_keepalive_secs.max(1));
    let mut keepalive = tokio::time::interval_at(first_ping(ping_every), ping_every);
    keepalive.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // A moment after expiry, so each subscription's own final UNAUTHENTICATED reaches the
    // client first; operations sent meanwhile are refused (see `graphql::session`).
    let expiry = tokio::time::sleep_until(deadline + EXPIRY_GRACE);
    tokio::pin!(expiry);
    // Every frame from the peer (pongs included) counts as a sign of life.
    let mut last_heard = Instant::now();
    let mut outgoing = Some(Message::Text(protocol::connection_ack().into()));
    loop {
        if let Some(message) = outgoing.take() {
            let written = write_with_queued(&mut socket, message, &mut operations);
            match tokio::time::timeout(send_timeout, written).await {
                Ok(Ok(())) => {}
                // The peer is gone or stopped reading: drop the connection and what it queued.
                _ => return,
            }
        }
        let reply = tokio::select! {
            frame = socket.recv() => {
                last_heard = Instant::now();
                let text = match frame {
                    Some(Ok(Message::Text(text))) => axum::body::Bytes::from(text),
                    Some(Ok(Message::Binary(bytes))) => bytes,
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                    Some(Ok(Message::Close(frame))) => {
                        echo_close(&mut socket, frame).await;
                        return;
                    }
                    Some(Err(_)) | None => return,
                };
                match answer(&mut operations, protocol, &text) {
                    Answer::Send(message) => Some(message),
                    Answer::Nothing => None,
                    Answer::Close(code, reason) => {
                        close(&mut socket, code, &reason).await;
                        return;
                    }
                }
            }
            message = operations.next() => Some(message),
            _ = keepalive.tick() => {
                if last_heard.elapsed() > idle_timeout {
                    close(&mut socket, 4408, "idle timeout").await;
                    return;
                }
                outgoing = Some(Message::Ping(axum::body::Bytes::new()));
                continue;
            }
            () = &mut expiry => {
                close(&mut socket, 4403, "token expired").await;
                return;
            }
        };
        outgoing = reply.map(|text| Message::Text(text.into()));
    }
}

/// When a connection's first keepalive ping is due: somewhere in the second half of the
/// first period, by the clock's sub-second part at the time. Connections opened together
/// (every client reconnecting after a restart) would otherwise ping in step for as long
/// as they stay open.
fn first_ping(period: Duration) -> Instant {
    let phase = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .subsec_nanos();
    let half = period / 2;
    Instant::now() + half + half.mul_f64(f64::from(phase) / 1e9)
}

/// Most messages written with one flush.
const MAX_COALESCED: usize = 32;

/// Writes `first` and whatever the running operations have ready by now, then flushes
/// once: messages that queued while this task waited for its turn leave in one write (and
/// TCP segment) instead of one each, which is what a busy brand's subscribers need.
async fn write_with_queued(
    socket: &mut WebSocket,
    first: Message,
    operations: &mut Operations,
) -> Result<(), axum::Error> {
    socket.feed(first).await?;
    for _ in 1..MAX_COALESCED {
        // `Operations::next` is cancel-safe: an unready poll loses nothing.
        let Some(text) = operations.next().now_or_never() else {
            break;
        };
        socket.feed(Message::Text(text.into())).await?;
    }
    socket.flush().await
}

enum Answer {
    Send(String),
    Nothing,
    Close(u16, String),
}

/// Handles one client message (after `connection_init`).
fn answer(operations: &mut Operations, protocol: WebSocketProtocols, text: &[u8]) -> Answer {
    let message = match ClientMessage::from_bytes(text) {
        Ok(message) => message,
        Err(err) => return Answer::Close(1002, err.to_string()),
    };
    match message {
        ClientMessage::ConnectionInit { .. } => match protocol {
            WebSocketProtocols::GraphQLWS => {
                Answer::Close(4429, "Too many initialisation requests.".into())
            }
            WebSocketProtocols::SubscriptionsTransportWS => Answer::Send(
                protocol::connection_error("Too many initialisation requests."),
            ),
        },
        ClientMessage::Start { id, payload } => {
            if protocol == WebSocketProtocols::GraphQLWS && operations.is_running(&id) {
                return Answer::Close(4409, format!("Subscriber for {id} already exists"));
            }
            operations.start(id, payload);
            Answer::Nothing
        }
        ClientMessage::Stop { id } => match operations.stop(&id) {
            Some(complete) => Answer::Send(complete),
            None => Answer::Nothing,
        },
        ClientMessage::ConnectionTerminate => Answer::Close(1000, String::new()),
        ClientMessage::Ping { .. } => Answer::Send(protocol::pong()),
        ClientMessage::Pong { .. } => Answer::Nothing,
    }
}

/// Decrements the open-connections gauge when the connection's task ends.
fn counted_connection(state: &AppState) -> impl Drop + use<> {
    struct Counted(prometheus::IntGauge);
    impl Drop for Counted {
        fn drop(&mut self) {
            self.0.dec();
        }
    }
    Counted(state.metrics.websocket_connections.clone())
}

fn authenticate_init(
    state: &AppState,
    payload: &serde_json::Value,
) -> Result<Option<Principal>, ApiError> {
    let field = |name: &str| payload.get(name).and_then(|v| v.as_str());
    if let Some(header) = field("Authorization").or(field("authorization")) {
        authenticate(state, Some(header))
    } else if let Some(token) = field("token").or(field("authToken")) {
        state.jwt.verify(token).map(Some)
    } else {
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_first_ping_falls_in_the_second_half_of_the_first_period() {
        let period = Duration::from_secs(10);
        for _ in 0..100 {
            let before = Instant::now();
            let at = first_ping(period);
            assert!(at >= before + period / 2, "{:?}", at - before);
            assert!(at <= Instant::now() + period, "{:?}", at - before);
        }
    }
}
