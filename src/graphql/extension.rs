//! The schema's one extension, composing every per-operation concern in a fixed order:
//! error codes on every response, the websocket session check, persisted queries and the
//! document cache, the document limits, and telemetry.
//!
//! One extension and not one per concern because async-graphql routes every resolved
//! field through each registered extension's `resolve` hook (a boxed future per field
//! and extension, even when the hook only passes through): profiles of the 20 × 10 × n
//! shape showed that chain as the largest gateway cost. For the same reason HTTP runs on
//! a second schema without any extension, calling these concerns itself
//! (`graphql::plain`); websocket operations and cost-traced HTTP operations run here. The
//! concerns live in their own modules as plain functions; this file only orders them.

use std::sync::Arc;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextPrepareRequest,
    NextRequest, NextSubscribe, NextValidation,
};
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{Request, Response, ServerError, ServerResult, ValidationResult, Variables};
use futures_util::StreamExt;
use futures_util::stream::BoxStream;

use super::documents::DocumentCache;
use super::error_codes::with_codes;
use super::limits::DocumentLimits;
use super::session::{SocketSession, admit_operation};
use super::telemetry::OperationTimer;
use crate::metrics::Metrics;

pub struct GatewayExtension {
    pub documents: Arc<DocumentCache>,
    pub limits: DocumentLimits,
    pub metrics: Arc<Metrics>,
}

impl ExtensionFactory for GatewayExtension {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(PerOperation {
            documents: self.documents.clone(),
            limits: self.limits.clone(),
            timer: OperationTimer::new(self.metrics.clone()),
            metrics: self.metrics.clone(),
        })
    }
}

struct PerOperation {
    documents: Arc<DocumentCache>,
    limits: DocumentLimits,
    timer: OperationTimer,
    metrics: Arc<Metrics>,
}

#[async_graphql::async_trait::async_trait]
impl Extension for PerOperation {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        let response = with_codes(next.run(ctx).await);
        self.metrics.count_request_errors(&response);
        response
    }

    fn subscribe<'s>(
        &self,
        ctx: &ExtensionContext<'_>,
        stream: BoxStream<'s, Response>,
        next: NextSubscribe<'_>,
    ) -> BoxStream<'s, Response> {
        let metrics = self.metrics.clone();
        next.run(ctx, stream)
            .map(move |response| {
                let response = with_codes(response);
                metrics.count_request_errors(&response);
                response
            })
            .boxed()
    }

    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        admit_operation(ctx.data_opt::<SocketSession>())?;
        next.run(ctx, self.documents.resolve(request)?).await
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        // An empty text is a persisted query resolved in `prepare_request`.
        let cached = (!query.is_empty())
            .then(|| self.documents.cached(query))
            .flatten();
        let doc = match cached {
            Some(doc) => doc,
            None => {
                let doc = next.run(ctx, query, variables).await?;
                self.documents.admit(query, &doc, &self.limits)?;
                doc
            }
        };
        self.timer.parsed(&doc);
        Ok(doc)
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await?;
        self.timer.validated(result.complexity);
        self.limits
            .check_cost(result.complexity)
            .map_err(|e| vec![e])?;
        Ok(result)
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        self.timer
            .execute(operation_name, Box::pin(next.run(ctx, operation_name)))
            .await
    }
}
