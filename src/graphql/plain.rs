//! HTTP operations executed on a schema without extensions.
//!
//! Whenever a schema has an extension, async-graphql sends every resolved field through
//! the extensions' `resolve` hook: a boxed future and a registry lookup per field, whatever
//! the hook does (profiles of the 20 × 10 × n shape: ~8 % of the gateway's CPU). So HTTP,
//! the hot path, runs the extension's concerns (`graphql::extension`) itself around a
//! second schema that has none: the document is resolved, cached or parsed and limited by
//! [`DocumentCache::prepare`], the operation is timed here, and codes are added to the
//! response.
//!
//! The one thing only an extension sees is the cost validation computes. This schema
//! refuses a document over the limit (`limit_complexity`), and [`PlainExecutor::execute`]
//! then returns `None` for the caller to run it through the extended schema, whose refusal
//! names the cost (nothing runs either way). Spans of these operations carry no cost; with
//! `BRANDGRAPH_TRACE_COST` HTTP uses the extended schema throughout.

use std::sync::Arc;
use std::time::Instant;

use async_graphql::parser::types::{DocumentOperations, ExecutableDocument};
use async_graphql::{Request, Response};
use tracing::Instrument;

use super::documents::DocumentCache;
use super::error_codes::with_codes;
use super::limits::DocumentLimits;
use super::schema::AppSchema;
use super::telemetry::OperationTimer;
use crate::metrics::Metrics;

/// How async-graphql refuses a document over `limit_complexity`.
const TOO_COMPLEX: &str = "Query is too complex.";

pub struct PlainExecutor {
    schema: AppSchema,
    documents: Arc<DocumentCache>,
    limits: DocumentLimits,
    metrics: Arc<Metrics>,
}

impl PlainExecutor {
    /// `schema` must have no extension and `limit_complexity` set to the cost limit.
    pub fn new(
        schema: AppSchema,
        documents: Arc<DocumentCache>,
        limits: DocumentLimits,
        metrics: Arc<Metrics>,
    ) -> Self {
        Self {
            schema,
            documents,
            limits,
            metrics,
        }
    }

    /// The response to `request`, or `None` when the document costs more than the limit.
    pub async fn execute(&self, request: Request) -> Option<Response> {
        let mut request = match self.documents.prepare(request, &self.limits) {
            Ok(request) => request,
            Err(error) => {
                let response = with_codes(Response::from_errors(vec![error]));
                self.metrics.count_request_errors(&response);
                return Some(response);
            }
        };
        let timer = OperationTimer::new(self.metrics.clone());
        let mut name = request.operation_name.clone();
        if let Ok(doc) = request.parsed_query() {
            timer.parsed(doc);
            name = name.or_else(|| sole_operation_name(doc));
        }
        let started = Instant::now();
        let response = self
            .schema
            .execute(request)
            .instrument(timer.span(name.as_deref()))
            .await;
        if is_too_complex(&response) {
            return None;
        }
        // As the extension's `execute` hook, which a document that fails validation never
        // reaches.
        let executed = !is_request_error(&response);
        if executed {
            timer.record(name.as_deref(), started, &response);
        }
        let response = with_codes(response);
        if !executed {
            self.metrics.count_request_errors(&response);
        }
        Some(response)
    }
}

/// The name of a document's one operation, as async-graphql names an execution.
fn sole_operation_name(doc: &ExecutableDocument) -> Option<String> {
    match &doc.operations {
        DocumentOperations::Multiple(operations) if operations.len() == 1 => {
            operations.keys().next().map(ToString::to_string)
        }
        _ => None,
    }
}

fn is_too_complex(response: &Response) -> bool {
    matches!(response.errors.as_slice(), [error] if error.message == TOO_COMPLEX)
}

/// Nothing was executed: the document did not parse or validate, or variables did not
/// coerce; no error has a path and there is no data.
pub fn is_request_error(response: &Response) -> bool {
    response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|error| error.path.is_empty())
}

/// A copy of what the client sent (without request data), to run again.
pub fn copy_of(request: &Request) -> Request {
    let mut copy = Request::new(request.query.clone()).variables(request.variables.clone());
    copy.operation_name = request.operation_name.clone();
    copy.extensions = request.extensions.clone();
    copy
}
