//! Relay connections: the lazily computed `totalCount` and the glue between the
//! generic page loaders and async-graphql's `Connection`.

use async_graphql::connection::{Connection, Edge};
use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, Lookahead, Object, OutputType};
use futures_util::future::BoxFuture;
use sea_orm::{ConnectionTrait, Statement};
use std::sync::Arc;
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::graphql::context::RequestContext;
use crate::graphql::pagination::{PageArgs, PageRequest, encode_cursor, page_info};
use crate::graphql::prefetch::{self, PageOf};
use crate::loaders::Loaders;
use crate::loaders::page::{
    CountKey, CountLoader, PageCursor, PageKey, PageLoader, PageSpec, PagedRelation, Sort,
    SortValue, cursor_of,
};

type CountFn = Box<dyn for<'a> Fn(&'a Loaders) -> BoxFuture<'a, ApiResult<i64>> + Send + Sync>;

/// Extra connection fields. `totalCount` runs its count only when selected.
pub enum ConnectionTotals {
    /// Already counted (by the statement that fetched the page).
    Known(i64),
    /// A top-level connection: one `count(*)` statement.
    Query(Statement),
    /// A nested connection: a batched per-parent count.
    Loader(CountFn),
}

impl ConnectionTotals {
    /// `count` must return one row with one bigint column.
    pub fn query(count: Statement) -> Self {
        Self::Query(count)
    }

    /// The count of one parent's children, batched with its siblings.
    pub fn counted<R: PagedRelation>(
        key: CountKey<R::Filter>,
        pick: fn(&Loaders) -> &DataLoader<CountLoader<R>>,
    ) -> Self {
        Self::Loader(Box::new(move |loaders| {
            let key = key.clone();
            Box::pin(async move { Ok(pick(loaders).load_one(key).await?.unwrap_or(0)) })
        }))
    }
}

/// Extra connection fields.
#[Object]
impl ConnectionTotals {
    /// Number of items in the whole connection (all pages), after filters.
    async fn total_count(&self, ctx: &Context<'_>) -> ApiResult<i64> {
        match self {
            Self::Known(total) => Ok(*total),
            Self::Query(statement) => run_count(ctx.db()?, statement.clone()).await,
            Self::Loader(count) => count(ctx.loaders()?).await,
        }
    }
}

async fn run_count(db: &impl ConnectionTrait, stmt: Statement) -> ApiResult<i64> {
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

/// The connection type of every nested (per-parent) connection.
pub type NestedConnection<N> = Connection<String, N, ConnectionTotals>;

/// Validated arguments of a nested connection. `ctx` tells whether `totalCount` is selected.
pub fn nested_spec<F>(
    ctx: &Context<'_>,
    filter: F,
    sort: Sort,
    page: PageArgs,
) -> ApiResult<Arc<PageSpec<F>>> {
    nested_spec_at(&ctx.look_ahead(), filter, sort, page)
}

/// [`nested_spec`] of the connection field `selection` (seen from its parent).
pub fn nested_spec_at<F>(
    selection: &Lookahead<'_>,
    filter: F,
    sort: Sort,
    page: PageArgs,
) -> ApiResult<Arc<PageSpec<F>>> {
    let page = PageRequest::<PageCursor>::parse(&page)?;
    let key = |field, cursor: Option<PageCursor>| match cursor {
        Some(cursor)
            if cursor.sort != sort.column
                || matches!(cursor.value, SortValue::Int(_)) != sort.is_integer() =>
        {
            Err(ApiError::bad_input(
                field,
                "the cursor belongs to another order",
            ))
        }
        other => Ok(other.map(|cursor| (cursor.value, cursor.id))),
    };
    Ok(Arc::new(PageSpec {
        filter,
        sort,
        after: key("after", page.after)?,
        before: key("before", page.before)?,
        backward: page.backward,
        limit: page.limit,
        with_total: selection.field("totalCount").exists(),
        fields: Some(node_fields(selection)),
    }))
}

/// The fields selected on a connection's nodes (under `edges { node }` and `nodes`), in
/// snake_case, sorted and deduplicated so equal selections batch together.
fn node_fields(selection: &Lookahead<'_>) -> Arc<[String]> {
    let mut fields = selected_fields(&selection.field("edges").field("node"));
    fields.extend(selected_fields(&selection.field("nodes")));
    fields.sort_unstable();
    fields.dedup();
    fields.into()
}

/// The fields selected under `selection` (every occurrence, fragments included), in
/// snake_case as the columns they read are named.
pub fn selected_fields(selection: &Lookahead<'_>) -> Vec<String> {
    selection
        .selection_fields()
        .iter()
        .flat_map(|field| {
            field
                .selection_set()
                .map(|child| snake_case(child.name()))
                .collect::<Vec<_>>()
        })
        .collect()
}

fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// One parent's page of relation `R` as a Relay connection of `N`.
pub async fn nested_connection<R, N>(
    ctx: &Context<'_>,
    parent: Uuid,
    spec: Arc<PageSpec<R::Filter>>,
    pages: fn(&Loaders) -> &DataLoader<PageLoader<R>>,
    counts: fn(&Loaders) -> &DataLoader<CountLoader<R>>,
    node: fn(R::Model) -> N,
) -> ApiResult<NestedConnection<N>>
where
    R: PagedRelation,
    N: OutputType,
{
    let sort = spec.sort;
    let (backward, after, before) = (spec.backward, spec.after.is_some(), spec.before.is_some());
    let count_key = CountKey {
        parent,
        filter: Arc::new(spec.filter.clone()),
    };
    let key = PageKey { parent, spec };
    let page = match prefetch::taken::<PageOf<R>>(ctx, &key) {
        Some(page) => page,
        None => pages(ctx.loaders()?)
            .load_one(key)
            .await?
            .unwrap_or_default(),
    };
    let totals = match page.total {
        Some(total) => ConnectionTotals::Known(total),
        None => ConnectionTotals::counted(count_key, counts),
    };
    let (has_previous, has_next) = page_info(backward, after, before, page.has_more);
    let mut connection = Connection::with_additional_fields(has_previous, has_next, totals);
    connection.edges.extend(page.rows.into_iter().map(|row| {
        let cursor = encode_cursor(&cursor_of::<R>(&row, sort));
        Edge::new(cursor, node(row))
    }));
    Ok(connection)
}
