//! `POST /forms/{formKey}`: a lead from an anonymous browser (or any HTTP client) through
//! a brand's publishable form key ([`crate::domain::marketing::capture`]).
//!
//! Refused cheaply, in this order: a client address over its per-minute budget (`429`),
//! a body over the form limit (`413`), an unknown, revoked or archived-brand key (`404`,
//! all alike), a browser page on an origin the key does not list (`403`, no CORS
//! headers), a key over its budget (`429`), a body that is neither JSON nor URL-encoded
//! (`415`) or malformed (`400`). A filled honeypot field (`website`, hidden from people
//! by the form's CSS) is answered like a success and stores nothing. Every accepted
//! submission answers `202 {"status":"accepted"}`, whether the address was new or
//! already a lead of the brand, so the answer tells nothing about existing leads.
//!
//! CORS is per key and lives here (the router's global CORS layer does not wrap this
//! route): a preflight gets `Access-Control-Allow-Origin` only for an origin the key
//! lists.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use governor::clock::Clock;
use governor::{DefaultKeyedRateLimiter, Quota};
use prometheus::{IntCounterVec, Opts, Registry};
use sea_orm::{ConnectionTrait, TransactionTrait};
use serde_json::{Map, Value, json};

use crate::config::FormConfig;
use crate::db::row_security::DbViewer;
use crate::domain::audit::AuditContext;
use crate::domain::marketing::capture::{self, Submission, Target};
use crate::error::ApiError;
use crate::http::client::identify;
use crate::rate_limit::retry_after_secs;
use crate::state::AppState;

/// The hidden field people leave empty and form-filling bots do not.
pub const HONEYPOT: &str = "website";
/// Most fields one submission may carry.
const MAX_FIELDS: usize = 30;

/// Budgets and counters of the form endpoint, one per app.
#[derive(Clone)]
pub struct FormIntake {
    max_body_bytes: usize,
    per_ip: Option<Arc<DefaultKeyedRateLimiter<IpAddr>>>,
    per_key: Option<Arc<DefaultKeyedRateLimiter<uuid::Uuid>>>,
    submissions: IntCounterVec,
}

fn per_minute<K: std::hash::Hash + Eq + Clone>(n: u32) -> Option<Arc<DefaultKeyedRateLimiter<K>>> {
    NonZeroU32::new(n).map(|n| Arc::new(DefaultKeyedRateLimiter::keyed(Quota::per_minute(n))))
}

impl FormIntake {
    /// Builds the buckets and registers `brandgraph_form_submissions_total` in `registry`.
    pub fn new(config: &FormConfig, registry: &Registry) -> anyhow::Result<Self> {
        let submissions = IntCounterVec::new(
            Opts::new(
                "brandgraph_form_submissions_total",
                "Lead form submissions by outcome (accepted, refused) and reason.",
            ),
            &["outcome", "reason"],
        )?;
        registry.register(Box::new(submissions.clone()))?;
        let intake = Self {
            max_body_bytes: config.form_max_body_bytes,
            per_ip: per_minute(config.form_rate_limit_per_ip),
            per_key: per_minute(config.form_rate_limit_per_key),
            submissions,
        };
        // Forget idle addresses and keys every minute (weak references: the task ends
        // with the app).
        let (ips, keys) = (
            intake.per_ip.as_ref().map(Arc::downgrade),
            intake.per_key.as_ref().map(Arc::downgrade),
        );
        tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_secs(60));
            loop {
                every.tick().await;
                let ips = ips.as_ref().and_then(std::sync::Weak::upgrade);
                let keys = keys.as_ref().and_then(std::sync::Weak::upgrade);
                if ips.is_none() && keys.is_none() {
                    return;
                }
                ips.inspect(|l| l.retain_recent());
                keys.inspect(|l| l.retain_recent());
            }
        });
        Ok(intake)
    }

    fn count(&self, outcome: &str, reason: &str) {
        self.submissions.with_label_values(&[outcome, reason]).inc();
    }

    fn refuse(&self, reason: &str, response: Response) -> Response {
        self.count("refused", reason);
        response
    }
}

fn take<K: std::hash::Hash + Eq + Clone>(
    limiter: Option<&Arc<DefaultKeyedRateLimiter<K>>>,
    key: &K,
) -> Result<(), Duration> {
    match limiter {
        Some(l) => l
            .check_key(key)
            .map_err(|not_until| not_until.wait_time_from(l.clock().now())),
        None => Ok(()),
    }
}

fn answer(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        axum::Json(json!({ "error": { "code": code, "message": message } })),
    )
        .into_response()
}

fn accepted() -> Response {
    (
        StatusCode::ACCEPTED,
        axum::Json(json!({ "status": "accepted" })),
    )
        .into_response()
}

fn rate_limited(wait: Duration) -> Response {
    let mut response = answer(
        StatusCode::TOO_MANY_REQUESTS,
        "RATE_LIMITED",
        "too many submissions; try again later",
    );
    if let Ok(value) = HeaderValue::from_str(&retry_after_secs(wait).to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

fn unknown_form() -> Response {
    answer(StatusCode::NOT_FOUND, "NOT_FOUND", "no such form")
}

/// Adds the CORS answer for an admitted origin.
fn with_cors(mut response: Response, origin: Option<&HeaderValue>) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::VARY, HeaderValue::from_static("origin"));
    if let Some(origin) = origin {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
    }
    response
}

/// Why a body was refused: its status and message.
type Refusal = (StatusCode, &'static str);

fn refusal((status, message): Refusal) -> Response {
    answer(status, "BAD_USER_INPUT", message)
}

/// The submission's fields as texts (JSON values must be texts, numbers or null).
fn fields(headers: &HeaderMap, body: &[u8]) -> Result<Map<String, Value>, Refusal> {
    let media = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let invalid = |message: &'static str| (StatusCode::BAD_REQUEST, message);
    let pairs: Vec<(String, Value)> = match media.as_str() {
        "application/json" => match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(map)) => map.into_iter().collect(),
            _ => return Err(invalid("send one JSON object of fields")),
        },
        "application/x-www-form-urlencoded" => {
            match serde_urlencoded::from_bytes::<Vec<(String, String)>>(body) {
                Ok(list) => list
                    .into_iter()
                    .map(|(k, v)| (k, Value::String(v)))
                    .collect(),
                Err(_) => return Err(invalid("the form data is malformed")),
            }
        }
        _ => {
            return Err((
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "send application/json or application/x-www-form-urlencoded",
            ));
        }
    };
    if pairs.len() > MAX_FIELDS {
        return Err(invalid("too many fields"));
    }
    let mut map = Map::new();
    for (name, value) in pairs {
        let text = match value {
            Value::String(s) => s,
            Value::Number(n) => n.to_string(),
            Value::Null => continue,
            _ => return Err(invalid("field values must be texts")),
        };
        map.insert(name, Value::String(text));
    }
    Ok(map)
}

fn submission(map: &Map<String, Value>) -> Submission {
    let get = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| map.get(*n).and_then(Value::as_str))
            .map(str::to_string)
    };
    let name = get(&["name"]).or_else(|| {
        let joined = [
            get(&["first_name", "firstName"]),
            get(&["last_name", "lastName"]),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
        (!joined.trim().is_empty()).then_some(joined)
    });
    Submission {
        email: get(&["email"]).unwrap_or_default(),
        name,
        phone: get(&["phone"]),
        company: get(&["company"]),
        job_title: get(&["job_title", "jobTitle"]),
        industry: get(&["industry"]),
        company_size: get(&["company_size", "companySize"]),
        message: get(&["message"]),
    }
}

/// `OPTIONS /forms/{formKey}`: the key's CORS preflight.
pub async fn preflight(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(key): Path<String>,
    headers: HeaderMap,
) -> Response {
    let intake = &state.forms;
    let ip = identify(&state, peer, &headers).ip;
    if let Err(wait) = take(intake.per_ip.as_ref(), &ip) {
        return rate_limited(wait);
    }
    let origin = headers.get(header::ORIGIN);
    let admitted = match (
        origin.and_then(|o| o.to_str().ok()),
        capture::live_key(&state.db, &key).await,
    ) {
        (Some(o), Ok(Some(k))) => capture::admits_origin(&k, o),
        _ => false,
    };
    let mut response = StatusCode::NO_CONTENT.into_response();
    if admitted {
        let h = response.headers_mut();
        h.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("POST"),
        );
        h.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("content-type"),
        );
        h.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("600"),
        );
    }
    with_cors(response, origin.filter(|_| admitted))
}

/// `POST /forms/{formKey}`.
pub async fn submit(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(key): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let intake = &state.forms;
    let caller = identify(&state, peer, &headers);
    if let Err(wait) = take(intake.per_ip.as_ref(), &caller.ip) {
        return intake.refuse("rate_limited_ip", rate_limited(wait));
    }
    let too_large = || {
        intake.refuse(
            "too_large",
            answer(
                StatusCode::PAYLOAD_TOO_LARGE,
                "BAD_USER_INPUT",
                "the submission is too large",
            ),
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > intake.max_body_bytes) {
        return too_large();
    }
    let Ok(bytes) = axum::body::to_bytes(body, intake.max_body_bytes).await else {
        return too_large();
    };
    let form = match capture::live_key(&state.db, &key).await {
        Ok(Some(form)) => form,
        Ok(None) => return intake.refuse("unknown_key", unknown_form()),
        Err(err) => return internal(intake, &err),
    };
    let origin = headers.get(header::ORIGIN);
    if let Some(o) = origin
        && !o.to_str().is_ok_and(|o| capture::admits_origin(&form, o))
    {
        return intake.refuse(
            "foreign_origin",
            answer(
                StatusCode::FORBIDDEN,
                "FORBIDDEN",
                "this form does not accept submissions from this site",
            ),
        );
    }
    let respond = |response: Response| with_cors(response, origin);
    if let Err(wait) = take(intake.per_key.as_ref(), &form.id) {
        return respond(intake.refuse("rate_limited_key", rate_limited(wait)));
    }
    let map = match fields(&headers, &bytes) {
        Ok(map) => map,
        Err(refused) => return respond(intake.refuse("invalid", refusal(refused))),
    };
    if map
        .get(HONEYPOT)
        .and_then(Value::as_str)
        .is_some_and(|v| !v.trim().is_empty())
    {
        tracing::info!(form_key = %form.id, "form submission dropped by the honeypot");
        return respond(intake.refuse("honeypot", accepted()));
    }
    let audit = AuditContext {
        user_id: None,
        ..caller.audit_context()
    };
    let target = Target {
        brand_id: form.brand_id,
        source: form.source.clone(),
        campaign_id: form.campaign_id,
        form_key_id: Some(form.id),
        created_by: None,
    };
    let stored = async {
        let txn = state.db.begin().await?;
        // Anonymous capture writes as the form's brand and nothing else.
        txn.execute_unprepared(&DbViewer::form(form.brand_id).set_sql())
            .await?;
        let captured = capture::capture(&txn, &audit, target, submission(&map)).await?;
        txn.commit().await?;
        Ok::<_, ApiError>(captured)
    }
    .await;
    match stored {
        Ok(captured) => {
            intake.count(
                "accepted",
                if captured.created { "new" } else { "duplicate" },
            );
            respond(accepted())
        }
        Err(err @ ApiError::BadUserInput { .. }) => respond(intake.refuse(
            "invalid",
            answer(StatusCode::BAD_REQUEST, err.code(), &err.message()),
        )),
        Err(err) => respond(internal(intake, &err)),
    }
}

fn internal(intake: &FormIntake, err: &ApiError) -> Response {
    tracing::error!(error = ?err, "storing a form submission failed");
    intake.refuse(
        "error",
        answer(
            StatusCode::SERVICE_UNAVAILABLE,
            "INTERNAL",
            "the submission could not be stored; send it again",
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(media: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_str(media).unwrap());
        headers
    }

    #[test]
    fn json_and_url_encoded_bodies_give_the_same_fields() {
        let json = fields(
            &typed("application/json"),
            br#"{"email":"a@b.io","first_name":"Ana","last_name":"Lima","company_size":"small","phone":null}"#,
        )
        .unwrap();
        let form = fields(
            &typed("application/x-www-form-urlencoded; charset=utf-8"),
            b"email=a%40b.io&first_name=Ana&last_name=Lima&company_size=small",
        )
        .unwrap();
        assert_eq!(json, form);
        let s = submission(&form);
        assert_eq!(s.name.as_deref(), Some("Ana Lima"));
        assert_eq!(s.email, "a@b.io");
    }

    #[test]
    fn other_media_types_and_nested_values_are_refused() {
        let status = |r: Result<_, Refusal>| r.err().map(|(status, _)| status);
        assert_eq!(
            status(fields(&typed("text/plain"), b"email=a@b.io")),
            Some(StatusCode::UNSUPPORTED_MEDIA_TYPE)
        );
        assert_eq!(
            status(fields(&typed("application/json"), br#"{"email":{"x":1}}"#)),
            Some(StatusCode::BAD_REQUEST)
        );
        assert_eq!(
            status(fields(&typed("application/json"), b"[1]")),
            Some(StatusCode::BAD_REQUEST)
        );
        let many: String = (0..=MAX_FIELDS).map(|i| format!("f{i}=x&")).collect();
        assert_eq!(
            status(fields(
                &typed("application/x-www-form-urlencoded"),
                many.as_bytes()
            )),
            Some(StatusCode::BAD_REQUEST)
        );
    }
}
