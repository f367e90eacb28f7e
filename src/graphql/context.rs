//! Typed access to the per-request data every resolver needs.

use async_graphql::Context;
use sea_orm::DatabaseConnection;

use crate::auth::Viewer;
use crate::db::row_security::{DbViewer, OperationDb, ServiceDb};
use crate::domain::audit::AuditContext;
use crate::error::ApiResult;
use crate::loaders::Loaders;

/// Shorthands over `ctx.data::<T>()` that return a resolver error instead of panicking.
pub trait RequestContext {
    /// The operation's reads, as the viewer (row-level security settings set).
    fn db(&self) -> ApiResult<&OperationDb>;
    /// The pool itself: mutations' own transactions, long-lived subscription streams.
    fn pool(&self) -> ApiResult<&DatabaseConnection>;
    /// The service kind's pool (`db::row_security::ServiceDb`): replay and shared streams.
    fn service_db(&self) -> ApiResult<&DatabaseConnection>;
    fn viewer(&self) -> ApiResult<&Viewer>;
    fn loaders(&self) -> ApiResult<&Loaders>;
    fn audit(&self) -> ApiResult<&AuditContext>;
}

impl RequestContext for Context<'_> {
    fn db(&self) -> ApiResult<&OperationDb> {
        Ok(self.data::<OperationDb>()?)
    }
    fn pool(&self) -> ApiResult<&DatabaseConnection> {
        Ok(self.data::<DatabaseConnection>()?)
    }
    fn service_db(&self) -> ApiResult<&DatabaseConnection> {
        Ok(&self.data::<ServiceDb>()?.0)
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

/// How long a mutation waits for a row lock before it gives up (`lock_timeout`).
#[derive(Clone, Copy)]
pub struct WriteSettings {
    pub lock_timeout: std::time::Duration,
}

/// Runs one mutation: opens its transaction, runs `work` in it and commits what it wrote;
/// an error rolls everything back. With read replicas, the writer's next reads see what it
/// wrote (`db::replicas`).
///
/// The caller's memberships are loaded first, on the pool: loading them later from
/// inside the transaction would hold two connections per request, and enough concurrent
/// mutations would then starve the pool.
pub async fn write<T>(
    ctx: &Context<'_>,
    work: impl AsyncFnOnce(&sea_orm::DatabaseTransaction) -> ApiResult<T>,
) -> ApiResult<T> {
    use sea_orm::{ConnectionTrait, TransactionTrait};
    let viewer = ctx.viewer()?;
    viewer.require_authenticated()?;
    viewer.memberships().await?;
    let txn = ctx.pool()?.begin().await?;
    // The row-level security settings travel in the same simple query as the timeout.
    let settings = DbViewer::of(viewer.principal()).set_sql();
    match ctx.data_opt::<WriteSettings>() {
        Some(write) => {
            txn.execute_unprepared(&format!(
                "SET LOCAL lock_timeout = {}; {settings}",
                write.lock_timeout.as_millis()
            ))
            .await?
        }
        None => txn.execute_unprepared(&settings).await?,
    };
    let value = work(&txn).await?;
    txn.commit().await?;
    // Read-your-writes: this writer's reads stay on the primary until a replica has
    // replayed the commit.
    if let Some(router) = ctx.data_opt::<std::sync::Arc<crate::db::replicas::ReadRouter>>()
        && router.has_replicas()
        && let Some(writer) = crate::db::replicas::Writer::of(viewer.principal())
    {
        router.wrote(writer).await;
    }
    Ok(value)
}
