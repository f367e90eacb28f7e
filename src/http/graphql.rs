//! GraphQL over HTTP (POST and GET) as the GraphQL-over-HTTP specification describes it:
//! `application/graphql-response+json` or `application/json` as the client accepts,
//! request errors as 400 without `data` in the former, always 200 in the latter. The
//! body is refused above the size limit before it is buffered; the caller is
//! authenticated and rate-limited before anything is parsed; the execution is cancelled
//! at the request timeout.

use std::net::SocketAddr;

use async_graphql::{ErrorExtensions, Pos, Variables};
use axum::body::Body;
use axum::extract::{ConnectInfo, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tracing::Instrument;

use super::client::{Caller, authenticate, identify};
use crate::auth::Viewer;
use crate::compile::{self, Outcome, Plan, PlanKey};
use crate::db::replicas::{Route, Writer};
use crate::db::row_security::{DbViewer, OperationDb};
use crate::error::ApiError;
use crate::graphql::documents::DocumentCache;
use crate::graphql::plain::{self, is_request_error};
use crate::graphql::prefetch::Prefetched;
use crate::loaders::Loaders;
use crate::metrics::Metrics;
use crate::rate_limit::{rate_limited, retry_after_secs};
use crate::state::AppState;

/// The response media types of the GraphQL-over-HTTP spec.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Media {
    GraphqlResponse,
    Json,
}

impl Media {
    const GRAPHQL_RESPONSE: &str = "application/graphql-response+json; charset=utf-8";
    const JSON: &str = "application/json; charset=utf-8";

    /// The first acceptable type the client lists; none listed means `application/json`.
    fn negotiate(headers: &HeaderMap) -> Option<Self> {
        let Some(accept) = headers.get(header::ACCEPT) else {
            return Some(Self::Json);
        };
        let accept = accept.to_str().ok()?;
        accept.split(',').find_map(
            |item| match item.split(';').next().unwrap_or_default().trim() {
                "application/graphql-response+json" => Some(Self::GraphqlResponse),
                "application/json" | "application/*" | "*/*" => Some(Self::Json),
                _ => None,
            },
        )
    }

    fn content_type(self) -> HeaderValue {
        HeaderValue::from_static(match self {
            Self::GraphqlResponse => Self::GRAPHQL_RESPONSE,
            Self::Json => Self::JSON,
        })
    }
}

/// A JSON error body outside GraphQL execution (malformed HTTP request, limits), counted
/// in the error metrics by its code.
fn refusal(metrics: &Metrics, status: StatusCode, media: Media, error: &ApiError) -> Response {
    metrics.count_errors([error.code()]);
    let body = json!({ "errors": [{ "message": error.message(), "extensions": { "code": error.code() } }] });
    let mut response = (status, body.to_string()).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, media.content_type());
    response
}

fn bad_request(metrics: &Metrics, media: Media, message: &str) -> Response {
    refusal(
        metrics,
        StatusCode::BAD_REQUEST,
        media,
        &ApiError::BadUserInput {
            message: message.into(),
            field: None,
        },
    )
}

fn not_acceptable(metrics: &Metrics) -> Response {
    refusal(
        metrics,
        StatusCode::NOT_ACCEPTABLE,
        Media::Json,
        &ApiError::BadUserInput {
            message: "accept application/graphql-response+json or application/json".into(),
            field: None,
        },
    )
}

pub async fn post_graphql(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let Some(media) = Media::negotiate(&headers) else {
        return not_acceptable(&state.metrics);
    };
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
    if !is_json {
        return refusal(
            &state.metrics,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            media,
            &ApiError::bad_input("content-type", "send the request as application/json"),
        );
    }
    let caller = match admit(&state, peer, &headers, media) {
        Ok(caller) => caller,
        Err(response) => return response,
    };
    let limit = state.http.max_body_bytes;
    let too_large = || {
        refusal(
            &state.metrics,
            StatusCode::PAYLOAD_TOO_LARGE,
            media,
            &ApiError::bad_input("body", format!("the request body exceeds {limit} bytes")),
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return too_large();
    }
    let bytes = match axum::body::to_bytes(body, limit).await {
        Ok(bytes) => bytes,
        Err(_) => return too_large(),
    };
    if bytes.is_empty() {
        return bad_request(&state.metrics, media, "the request body is empty");
    }
    let Ok(params) = serde_json::from_slice::<Value>(&bytes) else {
        return bad_request(&state.metrics, media, "the request body is not valid JSON");
    };
    let request = match request_from_json(params) {
        Ok(request) => request,
        Err(message) => return bad_request(&state.metrics, media, message),
    };
    run(&state, caller, media, request).await
}

/// Checks the GraphQL request parameters' types, as the spec requires.
fn request_from_json(params: Value) -> Result<async_graphql::Request, &'static str> {
    let Value::Object(mut params) = params else {
        return Err("the request body must be a JSON object");
    };
    let persisted = params
        .get("extensions")
        .is_some_and(|extensions| extensions.get("persistedQuery").is_some());
    let query = match params.remove("query") {
        Some(Value::String(query)) => query,
        // A persisted query sent by its hash alone.
        None | Some(Value::Null) if persisted => String::new(),
        _ => return Err("`query` must be a string"),
    };
    let mut request = async_graphql::Request::new(query);
    match params.remove("operationName") {
        None | Some(Value::Null) => {}
        Some(Value::String(name)) => request = request.operation_name(name),
        Some(_) => return Err("`operationName` must be a string"),
    }
    match params.remove("variables") {
        None | Some(Value::Null) => {}
        Some(variables @ Value::Object(_)) => {
            request = request.variables(Variables::from_json(variables));
        }
        Some(_) => return Err("`variables` must be an object"),
    }
    match params.remove("extensions") {
        None | Some(Value::Null) => {}
        Some(Value::Object(extensions)) => {
            for (name, value) in extensions {
                if let Ok(value) = async_graphql::Value::from_json(value) {
                    request.extensions.insert(name, value);
                }
            }
        }
        Some(_) => return Err("`extensions` must be an object"),
    }
    Ok(request)
}

/// The GraphQL request of a GET's query string, with the spec's parameter names
/// (`query`, `operationName`, and `variables` and `extensions` as JSON text), checked as a
/// POST body is.
fn request_from_url(query: &str) -> Result<async_graphql::Request, &'static str> {
    let Ok(pairs) = serde_urlencoded::from_str::<Vec<(String, String)>>(query) else {
        return Err("the URL does not hold a valid GraphQL request");
    };
    let mut params = serde_json::Map::new();
    for (name, value) in pairs {
        let value = match name.as_str() {
            "query" | "operationName" => Value::String(value),
            "variables" | "extensions" => match serde_json::from_str(&value) {
                Ok(value) => value,
                Err(_) => return Err("`variables` and `extensions` must be JSON objects"),
            },
            _ => continue,
        };
        if params.insert(name, value).is_some() {
            return Err("each GraphQL request parameter may appear once in the URL");
        }
    }
    request_from_json(Value::Object(params))
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
        return super::web::graphiql(&state);
    }
    let Some(media) = Media::negotiate(&headers) else {
        return not_acceptable(&state.metrics);
    };
    let caller = match admit(&state, peer, &headers, media) {
        Ok(caller) => caller,
        Err(response) => return response,
    };
    let request = match request_from_url(&query) {
        Ok(request) => request,
        Err(message) => return bad_request(&state.metrics, media, message),
    };
    if !is_query_only(&state.documents, &request) {
        let mut response = refusal(
            &state.metrics,
            StatusCode::METHOD_NOT_ALLOWED,
            media,
            &ApiError::bad_input("query", "mutations and subscriptions must use POST"),
        );
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, POST"));
        return response;
    }
    run(&state, caller, media, request).await
}

/// True when every operation of the document (sent as text or as a persisted query's
/// hash) is a query, or when it is unknown or does not parse: the executor then reports
/// that itself.
fn is_query_only(documents: &DocumentCache, request: &async_graphql::Request) -> bool {
    use async_graphql::parser::types::OperationType;
    documents.document_of(request).is_none_or(|doc| {
        doc.operations
            .iter()
            .all(|(_, op)| op.node.ty == OperationType::Query)
    })
}

/// Authenticates the caller and takes one operation from its rate bucket.
#[allow(clippy::result_large_err)]
fn admit(
    state: &AppState,
    peer: SocketAddr,
    headers: &HeaderMap,
    media: Media,
) -> Result<Caller, Response> {
    let mut caller = identify(state, peer, headers);
    let authorization = headers
        .get(header::AUTHORIZATION)
        .map(|v| v.to_str().unwrap_or("invalid"));
    caller.principal = match authenticate(state, authorization) {
        Ok(principal) => principal,
        Err(err) => {
            let status = match media {
                Media::GraphqlResponse => StatusCode::UNAUTHORIZED,
                Media::Json => StatusCode::OK,
            };
            let mut response = refusal(&state.metrics, status, media, &err);
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            return Err(response);
        }
    };
    if let Err(wait) = state.rate_limiter.check(caller.rate_key()) {
        let mut response = refusal(
            &state.metrics,
            StatusCode::TOO_MANY_REQUESTS,
            media,
            &rate_limited(wait),
        );
        response.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from(retry_after_secs(wait)),
        );
        return Err(response);
    }
    Ok(caller)
}

async fn run(
    state: &AppState,
    caller: Caller,
    media: Media,
    request: async_graphql::Request,
) -> Response {
    state.metrics.graphql_requests.inc();
    let operation_db = |route: &Route| {
        OperationDb::for_operation(&route.db, DbViewer::of(caller.principal.as_ref()))
    };
    let with_data = |request: async_graphql::Request, route: &Route, db: &OperationDb| {
        let request = request
            .data(caller.audit_context())
            // Memberships are read from the primary: a revoked role must not linger on a
            // lagging replica.
            .data(
                Viewer::new(caller.principal.clone(), state.db.clone())
                    .with_cache(state.memberships.clone())
                    .with_brand_filters(state.brand_filters),
            )
            .data(Loaders::new(db))
            .data(db.clone())
            .data(Prefetched::default());
        if route.is_replica() {
            // Resolvers' `ctx.db()` reads the request's connection before the schema's.
            request.data(route.db.clone())
        } else {
            request
        }
    };
    let timeout = state.http.request_timeout();
    let timed_out = || {
        let error = ApiError::Timeout(format!(
            "the request did not finish within {} s and was cancelled",
            timeout.as_secs()
        ));
        refusal(&state.metrics, StatusCode::GATEWAY_TIMEOUT, media, &error)
    };
    let key = state.compiler.as_ref().and_then(|_| {
        Some(PlanKey {
            document: DocumentCache::hash_of(&request)?,
            operation: request.operation_name.clone(),
        })
    });
    let plan = key
        .as_ref()
        .and_then(|key| state.compiler.as_ref()?.plan_for(key));
    // Plans exist only for queries; other documents are looked at only with replicas.
    let reads =
        plan.is_some() || (state.reads.has_replicas() && is_read_only(&state.documents, &request));
    let mut route = if reads {
        state.reads.read(Writer::of(caller.principal.as_ref()))
    } else {
        state.reads.primary()
    };
    if let Some(plan) = plan {
        match tokio::time::timeout(
            timeout,
            run_compiled(state, &caller, &plan, &request, &route.db),
        )
        .await
        {
            Ok(Compiled::Data(data)) => return compiled_response(media, &data),
            Ok(Compiled::Executor) => {}
            Ok(Compiled::Failed) if route.is_replica() => {
                state.reads.failed(&route);
                state.reads.count_primary_read();
                route = state.reads.primary();
            }
            Ok(Compiled::Failed) => {}
            Err(_) => return timed_out(),
        }
    }
    // A read a replica fails is answered again by the primary (queries change nothing).
    let again = route.is_replica().then(|| plain::copy_of(&request));
    let db = operation_db(&route);
    let Ok(mut response) = tokio::time::timeout(
        timeout,
        execute(state, request, |request| with_data(request, &route, &db)),
    )
    .await
    else {
        return timed_out();
    };
    finish(db, &mut response).await;
    if let Some(again) = again
        && has_internal_error(&response)
    {
        state.reads.failed(&route);
        state.reads.count_primary_read();
        let primary = state.reads.primary();
        let db = operation_db(&primary);
        let Ok(retried) = tokio::time::timeout(
            timeout,
            execute(state, again, |request| with_data(request, &primary, &db)),
        )
        .await
        else {
            return timed_out();
        };
        response = retried;
        finish(db, &mut response).await;
    }
    if let (Some(compiler), Some(key)) = (&state.compiler, key)
        && !compiler.knows(&key)
        && !is_request_error(&response)
        && let Some(doc) = state.documents.parsed_by_hash(&key.document)
    {
        compiler.learn(key, &doc);
    }
    graphql_response(media, response)
}

/// Commits the operation's transaction; a failed commit is the operation's error (what a
/// resolver wrote through it is lost).
async fn finish(db: OperationDb, response: &mut async_graphql::Response) {
    if let Err(err) = db.finish().await {
        tracing::warn!(error = %err, "the operation's transaction did not commit");
        response.errors.push(
            ApiError::internal(err)
                .extend()
                .into_server_error(Pos::default()),
        );
    }
}

/// True when the document is known, parses, and each of its operations is a query.
fn is_read_only(documents: &DocumentCache, request: &async_graphql::Request) -> bool {
    use async_graphql::parser::types::OperationType;
    documents.document_of(request).is_some_and(|doc| {
        doc.operations
            .iter()
            .all(|(_, op)| op.node.ty == OperationType::Query)
    })
}

/// Whether an error of the response is `INTERNAL` (a failed statement, a lost connection).
fn has_internal_error(response: &async_graphql::Response) -> bool {
    response.errors.iter().any(|error| {
        error
            .extensions
            .as_ref()
            .and_then(|extensions| extensions.get("code"))
            .is_some_and(|code| *code == async_graphql::Value::from(crate::error::code::INTERNAL))
    })
}

/// What a compiled plan came to for one request.
enum Compiled {
    Data(String),
    /// The executor must answer (an anonymous caller, a variable the plan cannot prove valid).
    Executor,
    /// The statement failed; the executor answers.
    Failed,
}

/// Runs a compiled plan for the caller on `db`.
async fn run_compiled(
    state: &AppState,
    caller: &Caller,
    plan: &Plan,
    request: &async_graphql::Request,
    db: &sea_orm::DatabaseConnection,
) -> Compiled {
    let viewer = Viewer::new(caller.principal.clone(), state.db.clone())
        .with_cache(state.memberships.clone())
        .with_brand_filters(state.brand_filters);
    let Ok(scope) = viewer.brand_scope().await else {
        return Compiled::Executor;
    };
    // Loaded once per request with the scope (memoized): no statement of its own. Role
    // gates read them even when the scope is every brand (the gateway's brand filters off
    // in tests); only the service role has none.
    let roles = match viewer.is_service() {
        true => Default::default(),
        false => match viewer.memberships().await {
            Ok(roles) => roles,
            Err(_) => return Compiled::Executor,
        },
    };
    let name = plan.operation_name.as_deref();
    let span = tracing::info_span!(
        "graphql.operation",
        otel.name = %format!("query {}", name.unwrap_or("anonymous")),
        graphql.operation.type = "query",
        graphql.operation.name = name.unwrap_or_default(),
        graphql.path = "compiled",
    );
    let started = std::time::Instant::now();
    let user = viewer.user_id();
    let outcome = compile::run(
        plan,
        &request.variables,
        &scope,
        user,
        &roles,
        DbViewer::of(caller.principal.as_ref()),
        db,
    )
    .instrument(span)
    .await;
    match outcome {
        Outcome::Data(data) => {
            state.metrics.compiled_operations.inc();
            state
                .metrics
                .observe_operation("query", name, started.elapsed(), &[]);
            Compiled::Data(data)
        }
        Outcome::Executor => Compiled::Executor,
        Outcome::Failed(err) => {
            tracing::warn!(error = %err, "a compiled plan failed; the executor answers");
            Compiled::Failed
        }
    }
}

/// `{"data":` + the plan's text + `}`: PostgreSQL's text is the response, unparsed.
fn compiled_response(media: Media, data: &str) -> Response {
    let body = compile::response_text(data).into_bytes();
    let mut http = (StatusCode::OK, body).into_response();
    http.headers_mut()
        .insert(header::CONTENT_TYPE, media.content_type());
    http
}

/// Runs `request` (with its data added by `with_data`) on the schema without extensions,
/// or on the extended one when spans must carry the cost or the document is over the cost
/// limit (the extended schema's refusal names the cost).
async fn execute(
    state: &AppState,
    request: async_graphql::Request,
    with_data: impl Fn(async_graphql::Request) -> async_graphql::Request,
) -> async_graphql::Response {
    let Some(plain) = &state.plain else {
        return state.schema.execute(with_data(request)).await;
    };
    let again = plain::copy_of(&request);
    match plain.execute(with_data(request)).await {
        Some(response) => response,
        None => state.schema.execute(with_data(again)).await,
    }
}

fn graphql_response(media: Media, response: async_graphql::Response) -> Response {
    let request_error = is_request_error(&response);
    let status = match media {
        Media::GraphqlResponse if request_error => StatusCode::BAD_REQUEST,
        _ => StatusCode::OK,
    };
    // Serialised straight to bytes: through a `serde_json::Value` first, every field of a
    // large response would be allocated twice.
    let body = if status == StatusCode::BAD_REQUEST {
        serde_json::to_value(&response).and_then(|mut body| {
            if let Value::Object(fields) = &mut body {
                fields.remove("data");
            }
            serde_json::to_vec(&body)
        })
    } else {
        serde_json::to_vec(&response)
    };
    let body = body.unwrap_or_else(|_| {
        json!({ "errors": [ApiError::internal(std::io::Error::other("unserialisable response"))
            .extend()
            .into_server_error(Pos::default())] })
        .to_string()
        .into_bytes()
    });
    let mut http = (status, body).into_response();
    http.headers_mut()
        .insert(header::CONTENT_TYPE, media.content_type());
    http
}
