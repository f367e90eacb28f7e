//! `POST /webhooks/{provider}`: signed deliveries from platforms (see
//! [`crate::domain::webhooks`]). Answers `202` for a new delivery, `200` for one already
//! received, `401` for a bad signature or stale timestamp (nothing stored), `404` for a
//! provider without a configured secret, `400` for a body that is not a delivery.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use secrecy::ExposeSecret;
use serde_json::json;

use crate::domain::webhooks::intake::{self, Stored};
use crate::domain::webhooks::signature;
use crate::error::ApiError;
use crate::state::AppState;

fn answer(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        axum::Json(json!({ "error": { "code": code, "message": message } })),
    )
        .into_response()
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

pub async fn receive(
    State(state): State<AppState>,
    Path(provider): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let webhooks = &state.webhooks;
    let Some(secret) = webhooks.config.secret_of(&provider) else {
        return answer(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "no such webhook provider",
        );
    };
    let Ok(bytes) = axum::body::to_bytes(body, state.http.max_body_bytes).await else {
        return answer(
            StatusCode::PAYLOAD_TOO_LARGE,
            "BAD_USER_INPUT",
            "the delivery is larger than the body limit",
        );
    };
    let (Some(id), Some(timestamp), Some(signature)) = (
        header(&headers, "x-webhook-id"),
        header(&headers, "x-webhook-timestamp"),
        header(&headers, "x-webhook-signature"),
    ) else {
        return answer(
            StatusCode::UNAUTHORIZED,
            "UNAUTHENTICATED",
            signature::Rejection::MissingHeaders.message(),
        );
    };
    if let Err(rejection) = signature::verify(
        secret.expose_secret().as_bytes(),
        timestamp,
        signature,
        &bytes,
        chrono::Utc::now().timestamp(),
        webhooks.config.webhook_tolerance_secs,
    ) {
        tracing::warn!(
            provider,
            reason = rejection.message(),
            "webhook delivery refused"
        );
        return answer(
            StatusCode::UNAUTHORIZED,
            "UNAUTHENTICATED",
            rejection.message(),
        );
    }
    let delivery = match intake::parse(&provider, id, &bytes) {
        Ok(delivery) => delivery,
        Err(err) => return answer(StatusCode::BAD_REQUEST, err.code(), &err.message()),
    };
    match intake::store(
        &state.service_db.0,
        &delivery,
        webhooks.config.webhook_max_attempts,
    )
    .await
    {
        Ok(Stored::New(id)) => {
            webhooks.wake.notify_one();
            (
                StatusCode::ACCEPTED,
                axum::Json(json!({ "id": id, "status": "received" })),
            )
                .into_response()
        }
        Ok(Stored::Duplicate) => {
            (StatusCode::OK, axum::Json(json!({ "status": "duplicate" }))).into_response()
        }
        Err(err @ ApiError::BadUserInput { .. }) => {
            answer(StatusCode::BAD_REQUEST, err.code(), &err.message())
        }
        Err(err) => {
            tracing::error!(error = %err.message(), "storing a webhook delivery failed");
            answer(
                StatusCode::SERVICE_UNAVAILABLE,
                "INTERNAL",
                "the delivery could not be stored; send it again",
            )
        }
    }
}
