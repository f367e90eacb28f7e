//! Typed access to the per-request data every resolver needs.

use async_graphql::Context;
use sea_orm::DatabaseConnection;

use crate::auth::Viewer;
use crate::domain::audit::AuditContext;
use crate::error::ApiResult;
use crate::loaders::Loaders;

/// Shorthands over `ctx.data::<T>()` that return a resolver error instead of panicking.
pub trait RequestContext {
    fn db(&self) -> ApiResult<&DatabaseConnection>;
    fn viewer(&self) -> ApiResult<&Viewer>;
    fn loaders(&self) -> ApiResult<&Loaders>;
    fn audit(&self) -> ApiResult<&AuditContext>;
}

impl RequestContext for Context<'_> {
    fn db(&self) -> ApiResult<&DatabaseConnection> {
        Ok(self.data::<DatabaseConnection>()?)
    }
    fn viewer(&self) -> ApiResult<&Viewer> {
        Ok(self.data::<Viewer>()?)
    }
    fn loaders(&self) -> ApiResult<&Loaders> {
        Ok(self.data::<Loaders>()?)
    }
    fn audit(&self) -> ApiResult<&AuditContext> {
        Ok(self.data::<AuditContext>()?)
    }
}

/// Starts the transaction of a mutation. The caller's memberships are loaded first, on
/// the pool: loading them later from inside the transaction would hold two connections
/// per request, and enough concurrent mutations would then starve the pool.
pub async fn begin_write(ctx: &Context<'_>) -> ApiResult<sea_orm::DatabaseTransaction> {
    use sea_orm::TransactionTrait;
    let viewer = ctx.viewer()?;
    viewer.require_authenticated()?;
    viewer.memberships().await?;
    Ok(ctx.db()?.begin().await?)
}
