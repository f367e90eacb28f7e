//! What every handler can reach.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::auth::JwtVerifier;
use crate::graphql::AppSchema;
use crate::metrics::Metrics;
use crate::realtime::Realtime;

#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub schema: AppSchema,
    pub jwt: Arc<JwtVerifier>,
    pub realtime: Realtime,
    pub metrics: Arc<Metrics>,
    /// A token GraphiQL's websocket sends in `connection_init` (set by `serve --demo`).
    pub graphiql_token: Option<String>,
}
