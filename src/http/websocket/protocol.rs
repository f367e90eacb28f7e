//! The server side of `graphql-transport-ws` and the legacy `graphql-ws`: the messages the
//! server writes, and a connection's running operations.
//!
//! Our own rather than async-graphql's `http::WebSocket` so that an event rendered once
//! for a whole audience (`graphql::audience`) is written into each socket's `next` frame
//! as the same serialised bytes.

use std::sync::Arc;

use async_graphql::http::WebSocketProtocols;
use async_graphql::{Data, Request, ServerError};
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use tokio_stream::StreamMap;

use crate::graphql::AppSchema;
use crate::graphql::audience::{self, Audiences, Payload};
use crate::graphql::plain::is_request_error;
use crate::graphql::prefetch::Prefetched;

pub fn connection_ack() -> String {
    r#"{"type":"connection_ack"}"#.to_string()
}

pub fn pong() -> String {
    r#"{"type":"pong"}"#.to_string()
}

/// The legacy protocol's refusal of a second `connection_init`.
pub fn connection_error(message: &str) -> String {
    serde_json::json!({"type": "connection_error", "payload": {"message": message}}).to_string()
}

/// `error`: the operation was refused before it ran (it did not parse or validate, its
/// persisted query is unknown, the connection's token expired); it ends without
/// `complete`. Errors raised while executing go in `next`, as graphql-ws specifies.
fn error(id: &str, errors: &[ServerError]) -> String {
    serde_json::json!({"type": "error", "id": id, "payload": errors}).to_string()
}

fn complete(id: &str) -> String {
    serde_json::json!({"type": "complete", "id": id}).to_string()
}

/// `next` (`data` in the legacy protocol) carrying `payload`, spliced in as it is.
fn next(protocol: WebSocketProtocols, id: &str, payload: &str) -> String {
    let kind = match protocol {
        WebSocketProtocols::GraphQLWS => "next",
        WebSocketProtocols::SubscriptionsTransportWS => "data",
    };
    let id = serde_json::to_string(id).unwrap_or_else(|_| "\"\"".into());
    let mut message = String::with_capacity(payload.len() + id.len() + 40);
    message.push_str(r#"{"type":""#);
    message.push_str(kind);
    message.push_str(r#"","id":"#);
    message.push_str(&id);
    message.push_str(r#","payload":"#);
    message.push_str(payload);
    message.push('}');
    message
}

/// The operations one connection is running, by the client's id.
pub struct Operations {
    protocol: WebSocketProtocols,
    schema: AppSchema,
    audiences: Audiences,
    session: Arc<Data>,
    running: StreamMap<String, BoxStream<'static, Option<Payload>>>,
}

impl Operations {
    pub fn new(
        protocol: WebSocketProtocols,
        schema: AppSchema,
        audiences: Audiences,
        session: Data,
    ) -> Self {
        Self {
            protocol,
            schema,
            audiences,
            session: Arc::new(session),
            running: StreamMap::new(),
        }
    }

    pub fn is_running(&self, id: &str) -> bool {
        self.running.contains_key(id)
    }

    /// Starts operation `id`; its messages come from [`next`](Self::next).
    pub fn start(&mut self, id: String, request: Request) {
        let payloads = audience::execute(
            &self.schema,
            &self.audiences,
            request.data(Prefetched::default()),
            Some(self.session.clone()),
        );
        // `None` marks the end, answered with `complete`.
        let payloads = payloads
            .map(Some)
            .chain(futures_util::stream::once(async { None }))
            .boxed();
        self.running.insert(id, payloads);
    }

    /// Stops operation `id`; the `complete` to send if it was running.
    pub fn stop(&mut self, id: &str) -> Option<String> {
        self.running.remove(id).map(|_| complete(id))
    }

    /// The next message of any running operation; pending while none runs.
    pub async fn next(&mut self) -> String {
        loop {
            if self.running.is_empty() {
                return std::future::pending().await;
            }
            let Some((id, payload)) = self.running.next().await else {
                continue;
            };
            let message = match payload {
                Some(Payload::Own(response)) if is_request_error(&response) => {
                    self.running.remove(&id);
                    error(&id, &response.errors)
                }
                Some(Payload::Own(response)) => match serde_json::to_string(&response) {
                    Ok(json) => next(self.protocol, &id, &json),
                    Err(_) => continue,
                },
                Some(Payload::Shared(json)) => next(self.protocol, &id, &json),
                None => {
                    self.running.remove(&id);
                    complete(&id)
                }
            };
            return message;
        }
    }
}
