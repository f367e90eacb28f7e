//! GraphQL over HTTP (POST and GET) and over websockets, with the caller's identity
//! attached to every request.

use async_graphql::http::{ALL_WEBSOCKET_PROTOCOLS, GraphiQLSource};
use async_graphql::{Data, ErrorExtensions, Pos};
use async_graphql_axum::{GraphQLProtocol, GraphQLRequest, GraphQLResponse, GraphQLWebSocket};
use std::net::SocketAddr;

use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, WebSocket};
use axum::extract::{ConnectInfo, RawQuery, State, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use futures_util::{SinkExt, StreamExt};

use crate::auth::{Principal, Viewer, bearer_token};
use crate::domain::audit::AuditContext;
use crate::error::ApiError;
use crate::graphql::subscription::SubscriptionBudget;
use crate::loaders::Loaders;
use crate::state::AppState;

pub async fn post_graphql(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    request: GraphQLRequest,
) -> GraphQLResponse {
    execute(&state, peer, &headers, request.into_inner())
        .await
        .into()
}

/// GraphiQL for a browser; otherwise a query from the URL (GraphQL-over-HTTP, queries only).
pub async fn get_graphql(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let wants_html = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    let query = query.unwrap_or_default();
    if query.is_empty() && wants_html {
        let mut graphiql = GraphiQLSource::build()
            .endpoint("/graphql")
            .subscription_endpoint("/graphql/ws");
        let authorization = state
            .graphiql_token
            .as_ref()
            .map(|token| format!("Bearer {token}"));
        if let Some(authorization) = &authorization {
            graphiql = graphiql.ws_connection_param("Authorization", authorization);
        }
        return Html(graphiql.finish()).into_response();
    }
    let request = match async_graphql::http::parse_query_string(&query) {
        Ok(request) => request,
        Err(err) => return (StatusCode::BAD_REQUEST, err.to_string()).into_response(),
    };
    if !is_query_only(&request) {
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            [(header::ALLOW, "POST")],
            "mutations and subscriptions must use POST",
        )
            .into_response();
    }
    GraphQLResponse::from(execute(&state, peer, &headers, request).await).into_response()
}

/// True when every operation of the document is a query (or it does not parse: the
/// executor then reports the syntax error itself).
fn is_query_only(request: &async_graphql::Request) -> bool {
    use async_graphql::parser::types::OperationType;
    match async_graphql::parser::parse_query(&request.query) {
        Ok(doc) => doc
            .operations
            .iter()
            .all(|(_, op)| op.node.ty == OperationType::Query),
        Err(_) => true,
    }
}

async fn execute(
    state: &AppState,
    peer: SocketAddr,
    headers: &HeaderMap,
    request: async_graphql::Request,
) -> async_graphql::Response {
    state
        .metrics
        .graphql_requests
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let authorization = headers
        .get(header::AUTHORIZATION)
        .map(|v| v.to_str().unwrap_or("invalid"));
    let principal = match authenticate(state, authorization) {
        Ok(principal) => principal,
        Err(err) => {
            return async_graphql::Response::from_errors(vec![
                err.extend().into_server_error(Pos::default()),
            ]);
        }
    };
    let audit = audit_context(&principal, Some(peer), headers);
    let request = request
        .data(Viewer::new(principal, state.db.clone()).with_cache(state.realtime.hub.memberships()))
        .data(Loaders::new(&state.db))
        .data(audit);
    state.schema.execute(request).await
}

/// Who is calling and from where, for audit rows. The client address is the first
/// `X-Forwarded-For` hop when a proxy sets it, else the peer address.
fn audit_context(
    principal: &Option<Principal>,
    peer: Option<SocketAddr>,
    headers: &HeaderMap,
) -> AuditContext {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let forwarded = header("x-forwarded-for")
        .and_then(|v| v.split(',').next())
        .map(|v| v.trim().to_string());
    AuditContext {
        user_id: match principal {
            Some(Principal::User { id, .. }) => Some(*id),
            _ => None,
        },
        ip_address: forwarded.or_else(|| peer.map(|p| p.ip().to_string())),
        user_agent: header("user-agent").map(String::from),
    }
}

fn authenticate(
    state: &AppState,
    authorization: Option<&str>,
) -> Result<Option<Principal>, ApiError> {
    bearer_token(authorization)?
        .map(|token| state.jwt.verify(token))
        .transpose()
}

/// Websocket subscriptions (`graphql-transport-ws` and legacy `graphql-ws`).
///
/// The first message must be `connection_init` with the token in its payload
/// (`{"Authorization": "Bearer …"}` or `{"token": "…"}`). It is checked here, before the
/// GraphQL protocol starts, so a refused connection is closed with a proper code: 4401
/// without a token, 4403 with a bad one, 4429 when the user has too many connections.
pub async fn websocket(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    protocol: GraphQLProtocol,
    upgrade: WebSocketUpgrade,
) -> Response {
    // Small buffers: the defaults reserve 128 KiB per direction and connection, which is
    // most of an idle subscriber's memory; GraphQL messages here are a few hundred bytes.
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .read_buffer_size(4 * 1024)
        .write_buffer_size(0)
        .max_message_size(1024 * 1024)
        .on_upgrade(move |socket| serve_websocket(state, peer, headers, protocol, socket))
}

async fn serve_websocket(
    state: AppState,
    peer: SocketAddr,
    headers: HeaderMap,
    protocol: GraphQLProtocol,
    socket: WebSocket,
) {
    let (mut sink, mut stream) = socket.split();
    let init = tokio::time::timeout(Duration::from_secs(10), stream.next()).await;
    let Ok(Some(Ok(Message::Text(first)))) = init else {
        let _ = close(&mut sink, 4408, "connection_init not received").await;
        return;
    };
    let payload = serde_json::from_str::<serde_json::Value>(&first)
        .ok()
        .filter(|message| message["type"] == "connection_init")
        .map(|message| message["payload"].clone());
    let Some(payload) = payload else {
        let _ = close(&mut sink, 4400, "the first message must be connection_init").await;
        return;
    };
    let principal = match authenticate_init(&state, &payload) {
        Ok(Some(principal)) => principal,
        Ok(None) => {
            let _ = close(
                &mut sink,
                4401,
                "authentication required: send a token in connection_init",
            )
            .await;
            return;
        }
        Err(err) => {
            let _ = close(&mut sink, 4403, &err.message()).await;
            return;
        }
    };
    let _connection = match &principal {
        Principal::User { id, .. } => match state.realtime.open_connection(*id) {
            Some(guard) => Some(guard),
            None => {
                let _ = close(&mut sink, 4429, "too many connections for this user").await;
                return;
            }
        },
        Principal::Service { .. } => None,
    };

    let mut data = Data::default();
    data.insert(audit_context(
        &Some(principal.clone()),
        Some(peer),
        &headers,
    ));
    data.insert(Viewer::for_connection(
        principal,
        state.db.clone(),
        state.realtime.hub.memberships(),
    ));
    data.insert(Loaders::new(&state.db));
    data.insert(SubscriptionBudget::new(
        state.realtime.config.max_subscriptions_per_connection,
    ));
    // Hand the already-read connection_init back to the protocol handler, which answers
    // it with connection_ack.
    let replayed =
        futures_util::stream::once(async move { Ok(Message::Text(first)) }).chain(stream);
    GraphQLWebSocket::new_with_pair(sink, replayed, state.schema.clone(), protocol)
        .on_connection_init(move |_| async move { Ok(data) })
        .serve()
        .await;
}

async fn close(
    sink: &mut futures_util::stream::SplitSink<WebSocket, Message>,
    code: u16,
    reason: &str,
) -> Result<(), axum::Error> {
    sink.send(Message::Close(Some(CloseFrame {
        code,
        reason: reason.chars().take(120).collect::<String>().into(),
    })))
    .await
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
