//! What every handler can reach.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::auth::{JwtVerifier, MembershipCache};
use crate::config::HttpConfig;
use crate::domain::webhooks::Webhooks;
use crate::graphql::AppSchema;
use crate::graphql::audience::Audiences;
use crate::graphql::documents::DocumentCache;
use crate::graphql::plain::PlainExecutor;
use crate::http::cors::OriginPolicy;
use crate::metrics::Metrics;
use crate::rate_limit::RateLimiter;
use crate::realtime::Realtime;

/// Cloned for every request (axum's `State`), so it is one `Arc` and not a struct of them.
#[derive(Clone)]
pub struct AppState(Arc<Services>);

impl AppState {
    pub fn new(services: Services) -> Self {
        Self(Arc::new(services))
    }

    /// Makes GraphiQL authenticate its subscriptions with `token` (demo mode only).
    pub fn set_graphiql_token(&mut self, token: String) {
        Arc::make_mut(&mut self.0).graphiql_token = Some(token);
    }
}

impl std::ops::Deref for AppState {
    type Target = Services;

    fn deref(&self) -> &Services {
        &self.0
    }
}

#[derive(Clone)]
pub struct Services {
    /// The primary: writes, memberships, and reads when no replica may serve them.
    pub db: DatabaseConnection,
    /// The service kind's pool (`db::row_security::ServiceDb`): realtime and signed
    /// platform deliveries.
    pub service_db: crate::db::row_security::ServiceDb,
    /// `DatabaseConfig::gateway_brand_filters` (off only in tests).
    pub brand_filters: bool,
    /// Chooses the database each query operation reads from (`db::replicas`).
    pub reads: Arc<crate::db::replicas::ReadRouter>,
    pub schema: AppSchema,
    /// HTTP operations run here, on the schema without extensions, unless spans must
    /// carry their cost (`graphql::plain`).
    pub plain: Option<Arc<PlainExecutor>>,
    pub jwt: Arc<JwtVerifier>,
    /// Users' brand roles, invalidated by the realtime hub.
    pub memberships: Arc<MembershipCache>,
    pub realtime: Realtime,
    pub metrics: Arc<Metrics>,
    pub http: Arc<HttpConfig>,
    pub rate_limiter: RateLimiter,
    pub origins: OriginPolicy,
    /// Public lead forms' budgets and counters.
    pub forms: crate::http::forms::FormIntake,
    /// Inbound webhook secrets and the processor's wake-up.
    pub webhooks: Webhooks,
    /// Parsed documents and persisted queries (shared with the schema's extension).
    pub documents: Arc<DocumentCache>,
    /// Websocket subscriptions executed once per audience.
    pub audiences: Audiences,
    /// Compiled query plans (`crate::compile`); `None` when switched off.
    pub compiler: Option<Arc<crate::compile::Compiler>>,
    /// A token GraphiQL's websocket sends in `connection_init` (set by `serve --demo`).
    pub graphiql_token: Option<String>,
}
