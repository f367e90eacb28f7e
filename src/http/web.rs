//! GraphiQL and the live dashboard, served from assets embedded at build time (see
//! `build.rs` and `web/`): nothing is loaded from a CDN, so both work offline.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde_json::json;

use crate::state::AppState;

#[derive(rust_embed::Embed)]
#[folder = "$OUT_DIR/web"]
struct Assets;

/// A page with its configuration written into the `config` script element. `<` is
/// escaped so no value can close the script.
fn page(name: &str, config: serde_json::Value) -> Response {
    let Some(file) = Assets::get(name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let config = config.to_string().replace('<', "\\u003c");
    let html = String::from_utf8_lossy(&file.data).replace("__CONFIG__", &config);
    let mut response = Html(html).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn demo_authorization(state: &AppState) -> Option<String> {
    state
        .graphiql_token
        .as_ref()
        .map(|token| format!("Bearer {token}"))
}

/// GraphiQL. Under `--demo` its headers pane and websocket start with the demo token.
pub fn graphiql(state: &AppState) -> Response {
    page(
        "graphiql.html",
        json!({
            "endpoint": "/graphql",
            "subscriptionEndpoint": "/graphql/ws",
            "authorization": demo_authorization(state),
        }),
    )
}

/// The live dashboard. Under `--demo` it starts signed in as the demo owner; otherwise
/// it asks for a token (kept in sessionStorage).
pub async fn dashboard(State(state): State<AppState>) -> Response {
    page(
        "dashboard.html",
        json!({
            "endpoint": "/graphql",
            "subscriptionEndpoint": "/graphql/ws",
            "token": state.graphiql_token,
        }),
    )
}

/// The GraphQL documents the gateway's own pages send (`web/src/documents.js`, written
/// to `documents.json` by the web build), which an allow-list always admits.
pub fn own_documents() -> Vec<String> {
    Assets::get("documents.json")
        .and_then(|file| serde_json::from_slice(&file.data).ok())
        .unwrap_or_default()
}

/// The gateway's icon, linked by both pages.
pub async fn favicon() -> Response {
    asset(Path("favicon.svg".to_string())).await
}

/// Browsers ask for `/favicon.ico` on their own; the icon is an SVG.
pub async fn favicon_ico() -> Redirect {
    Redirect::permanent("/favicon.svg")
}

/// The bundled scripts and styles.
pub async fn asset(Path(name): Path<String>) -> Response {
    let Some(file) = Assets::get(&name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let content_type = match name.rsplit('.').next() {
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("html") => "text/html; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("woff2") => "font/woff2",
        _ => "application/octet-stream",
    };
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        file.data.into_owned(),
    )
        .into_response()
}
