//! What every handler can reach.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::auth::{JwtVerifier, MembershipCache};
use crate::config::HttpConfig;
use crate::domain::webhooks::Webhooks;
use crate::graphql::AppSchema;
use crate::graphql::audience::Audiences;
use crate::graphql::documents::DocumentCache;
use crate::http::cors::OriginPolicy;
use crate::metrics::Metrics;
use crate::rate_limit::RateLimiter;
use crate::realtime::Realtime;

#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub schema: AppSchema,
    pub jwt: Arc<JwtVerifier>,
    /// Users' brand roles, invalidated by the realtime hub.
    pub memberships: Arc<MembershipCache>,
    pub realtime: Realtime,
    pub metrics: Arc<Metrics>,
    pub http: Arc<HttpConfig>,
    pub rate_limiter: RateLimiter,
    pub origins: OriginPolicy,
    /// Inbound webhook secrets and the processor's wake-up.
    pub webhooks: Webhooks,
    /// Parsed documents and persisted queries (shared with the schema's extension).
    pub documents: Arc<DocumentCache>,
    /// Websocket subscriptions executed once per audience.
    pub audiences: Audiences,
    /// A token GraphiQL's websocket sends in `connection_init` (set by `serve --demo`).
    pub graphiql_token: Option<String>,
}
