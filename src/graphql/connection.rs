//! Pieces shared by every Relay connection: the lazily computed `totalCount`.

use async_graphql::{Context, Object};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

use crate::error::{ApiError, ApiResult};
use crate::graphql::context::RequestContext;

/// Extra connection fields. `totalCount` runs its `count(*)` only when selected.
pub struct ConnectionTotals {
    count: Statement,
}

impl ConnectionTotals {
    /// `count` must be a statement returning one row with one bigint column.
    pub fn new(count: Statement) -> Self {
        Self { count }
    }
}

/// Extra connection fields.
#[Object]
impl ConnectionTotals {
    /// Number of items in the whole connection (all pages), after filters.
    async fn total_count(&self, ctx: &Context<'_>) -> ApiResult<i64> {
        run_count(ctx.db()?, self.count.clone()).await
    }
}

async fn run_count(db: &DatabaseConnection, stmt: Statement) -> ApiResult<i64> {
    let row = db
        .query_one_raw(stmt)
        .await?
        .ok_or_else(|| ApiError::internal(std::io::Error::other("count returned no row")))?;
    Ok(row.try_get_by_index::<i64>(0)?)
}

/// A page of rows fetched with `limit + 1`: the extra row only tells that another page exists.
pub fn split_page<T>(mut rows: Vec<T>, limit: u64) -> (Vec<T>, bool) {
    let has_next = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    (rows, has_next)
}

/// `SELECT count(*)` over the rows a query would return.
pub fn count_of<E: sea_orm::EntityTrait>(select: sea_orm::Select<E>) -> Statement {
    use sea_orm::{QuerySelect, QueryTrait, sea_query::Expr};
    select
        .select_only()
        .column_as(Expr::cust("count(*)"), "count")
        .build(sea_orm::DbBackend::Postgres)
}
