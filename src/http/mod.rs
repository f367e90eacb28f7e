//! The HTTP surface: routes and tower layers.

pub mod client;
pub mod connections;
pub mod cors;
pub mod forms;
mod graphql;
mod health;
pub mod serve;
pub mod web;
mod webhooks;
mod websocket;

use axum::Router;
use axum::http::HeaderName;
use axum::routing::{get, post};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use crate::state::AppState;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The public router. `/metrics` is on it only when `with_ops` (no separate ops address).
pub fn router(state: AppState, with_ops: bool) -> Router {
    let cors = state.origins.layer();
    let mut router = Router::new()
        .route(
            "/graphql",
            get(graphql::get_graphql).post(graphql::post_graphql),
        )
        .route("/graphql/ws", get(websocket::websocket))
        .route("/dashboard", get(web::dashboard))
        .route("/favicon.svg", get(web::favicon))
        .route("/favicon.ico", get(web::favicon_ico))
        .route(
            "/assets/{name}",
            get(web::asset).layer(tower_http::compression::CompressionLayer::new()),
        )
        .route("/webhooks/{provider}", post(webhooks::receive))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz));
    if with_ops {
        router = router.route("/metrics", get(health::metrics));
    }
    // Public forms answer CORS per key (`forms`), so they are added after the global layer.
    let forms = Router::new()
        .route(
            "/forms/{key}",
            post(forms::submit).options(forms::preflight),
        )
        .with_state(state.clone());
    router
        .with_state(state)
        .layer(cors)
        .merge(forms)
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &axum::http::Request<_>| {
            use tracing_opentelemetry::OpenTelemetrySpanExt;
            let request_id = request
                .headers()
                .get(REQUEST_ID)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            let span = tracing::info_span!("http", method = %request.method(), uri = %request.uri().path(), request_id);
            // A W3C `traceparent` from the caller becomes this span's parent.
            let parent = opentelemetry::global::get_text_map_propagator(|propagator| {
                propagator.extract(&opentelemetry_http::HeaderExtractor(request.headers()))
            });
            let _ = span.set_parent(parent);
            span
        }))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
}

/// Operational endpoints for a private address: metrics and probes.
pub fn ops_router(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(health::metrics))
        .route("/webhooks/{provider}", post(webhooks::receive))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .with_state(state)
}
