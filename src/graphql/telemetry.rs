//! Times every GraphQL operation (HTTP and websocket) by type and name, and counts its
//! errors by `extensions.code`, into [`Metrics`]; and runs it in a `graphql.operation`
//! span (name, type, complexity) for traces.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextValidation,
};
use async_graphql::parser::types::{ExecutableDocument, OperationType};
use async_graphql::{Response, ServerResult, Variables};
use async_graphql::{ServerError, ValidationResult};
use tracing::Instrument;

use crate::metrics::Metrics;

pub struct Telemetry(pub Arc<Metrics>);

impl ExtensionFactory for Telemetry {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(OperationTimer {
            metrics: self.0.clone(),
            kind: Mutex::new("unknown"),
            complexity: Mutex::new(0),
        })
    }
}

/// One per request: remembers the operation type the document declared.
struct OperationTimer {
    metrics: Arc<Metrics>,
    kind: Mutex<&'static str>,
    complexity: Mutex<usize>,
}

#[async_graphql::async_trait::async_trait]
impl Extension for OperationTimer {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let doc = next.run(ctx, query, variables).await?;
        if let Some((_, op)) = doc.operations.iter().next() {
            *self.kind.lock().unwrap_or_else(|e| e.into_inner()) = match op.node.ty {
                OperationType::Query => "query",
                OperationType::Mutation => "mutation",
                OperationType::Subscription => "subscription",
            };
        }
        Ok(doc)
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await?;
        *self.complexity.lock().unwrap_or_else(|e| e.into_inner()) = result.complexity;
        Ok(result)
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let started = Instant::now();
        let kind = *self.kind.lock().unwrap_or_else(|e| e.into_inner());
        let complexity = *self.complexity.lock().unwrap_or_else(|e| e.into_inner());
        let span = tracing::info_span!(
            "graphql.operation",
            otel.name = %format!("{kind} {}", operation_name.unwrap_or("anonymous")),
            graphql.operation.type = kind,
            graphql.operation.name = operation_name.unwrap_or_default(),
            graphql.complexity = complexity,
        );
        let response = next.run(ctx, operation_name).instrument(span).await;
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
        response
    }
}
