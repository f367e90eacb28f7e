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
