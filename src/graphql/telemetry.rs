//! Times every GraphQL operation (HTTP and websocket) by type and name, and counts its
//! errors by `extensions.code`, into [`Metrics`]; and runs it in a `graphql.operation`
//! span (name, type, complexity) for traces.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use async_graphql::Response;
use async_graphql::parser::types::{ExecutableDocument, OperationType};
use futures_util::future::BoxFuture;
use tracing::Instrument;

use crate::metrics::Metrics;

/// One per request: remembers the operation type the document declared and its cost.
pub struct OperationTimer {
    metrics: Arc<Metrics>,
    kind: Mutex<&'static str>,
    complexity: Mutex<Option<usize>>,
}

impl OperationTimer {
    pub fn new(metrics: Arc<Metrics>) -> Self {
        Self {
            metrics,
            kind: Mutex::new("unknown"),
            complexity: Mutex::new(None),
        }
    }

    /// Notes the type of the (first) operation of the parsed document.
    pub fn parsed(&self, doc: &ExecutableDocument) {
        if let Some((_, op)) = doc.operations.iter().next() {
            *self.kind.lock().unwrap_or_else(|e| e.into_inner()) = match op.node.ty {
                OperationType::Query => "query",
                OperationType::Mutation => "mutation",
                OperationType::Subscription => "subscription",
            };
        }
    }

    /// Notes the cost validation computed.
    pub fn validated(&self, complexity: usize) {
        *self.complexity.lock().unwrap_or_else(|e| e.into_inner()) = Some(complexity);
    }

    /// Runs the execution in a `graphql.operation` span and records its time and errors.
    pub async fn execute(
        &self,
        operation_name: Option<&str>,
        execution: BoxFuture<'_, Response>,
    ) -> Response {
        let started = Instant::now();
        let response = execution.instrument(self.span(operation_name)).await;
        self.record(operation_name, started, &response);
        response
    }

    /// The `graphql.operation` span of an execution.
    pub fn span(&self, operation_name: Option<&str>) -> tracing::Span {
        let kind = *self.kind.lock().unwrap_or_else(|e| e.into_inner());
        let complexity = *self.complexity.lock().unwrap_or_else(|e| e.into_inner());
        let span = tracing::info_span!(
            "graphql.operation",
            otel.name = %format!("{kind} {}", operation_name.unwrap_or("anonymous")),
            graphql.operation.type = kind,
            graphql.operation.name = operation_name.unwrap_or_default(),
            graphql.complexity = tracing::field::Empty,
        );
        if let Some(complexity) = complexity {
            span.record("graphql.complexity", complexity);
        }
        span
    }

    /// Records the time since `started` and the response's error codes.
    pub fn record(&self, operation_name: Option<&str>, started: Instant, response: &Response) {
        let kind = *self.kind.lock().unwrap_or_else(|e| e.into_inner());
        let codes: Vec<String> = response
            .errors
            .iter()
            .filter_map(|e| {
                e.extensions
                    .as_ref()?
                    .get("code")
                    .map(|c| c.to_string().trim_matches('"').to_string())
            })
            .collect();
        self.metrics
            .observe_operation(kind, operation_name, started.elapsed(), &codes);
    }
}
