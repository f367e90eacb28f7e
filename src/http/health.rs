use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use migration::MigratorTrait;
use serde_json::{Value, json};

use crate::realtime::ListenerStatus;
use crate::state::AppState;

/// The process is up.
pub async fn healthz() -> &'static str {
    "ok"
}

/// The database answers, every migration has been applied and the realtime listener is
/// connected.
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let listener = state.realtime.hub.status();
    if listener != ListenerStatus::Ready {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "ready": false, "listener": listener.as_str() })),
        );
    }
    if let Err(err) = state.db.ping().await {
        tracing::warn!(error = %err, "readiness: database unreachable");
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "ready": false, "database": "unreachable" })),
        );
    }
    match migration::Migrator::get_pending_migrations_read_only(&state.db).await {
        Ok(pending) if pending.is_empty() => (
            StatusCode::OK,
            Json(
                json!({ "ready": true, "database": "ok", "migrations": "current", "listener": "ready" }),
            ),
        ),
        Ok(pending) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(
                json!({ "ready": false, "database": "ok", "migrations": format!("{} pending", pending.len()) }),
            ),
        ),
        Err(err) => {
            tracing::warn!(error = %err, "readiness: cannot read migrations");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "ready": false, "database": "ok", "migrations": "unknown" })),
            )
        }
    }
}

/// Counters in the Prometheus text format.
pub async fn metrics(State(state): State<AppState>) -> String {
    state
        .metrics
        .render(&state.realtime, &state.audiences, &state.db)
}
