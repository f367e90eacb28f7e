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
}
