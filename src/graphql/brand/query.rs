use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, Enum, ID, InputObject, Lookahead, Object};
use sea_orm::sea_query::{Expr, SimpleExpr, extension::postgres::PgExpr};
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, QuerySelect, Select};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Brand;
use crate::domain;
use crate::error::{ApiError, ApiResult};
use crate::graphql::connection::{ConnectionTotals, count_of, split_page};
use crate::graphql::context::RequestContext;
use crate::graphql::ids::{self, NodeKind};
use crate::graphql::pagination::{PageArgs, PageRequest, encode_cursor, page_info};
use crate::graphql::prefetch::{self, Arguments, MetricRows, Summaries};
use crate::loaders::relations::{BrandAssets, BrandContent};
use crate::loaders::{analytics, parent};
use entity::brands;

/// Brands in the requested order; the cursor is the sort key and id of the last brand.
pub type BrandConnection = Connection<String, Brand, ConnectionTotals>;

/// The order of `brands`.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Default, Debug)]
pub enum BrandOrder {
    /// By name, A to Z (default).
    #[default]
    NameAsc,
    /// Newest first.
    CreatedAtDesc,
}

/// Where a page of brands continues: the order it belongs to, the sort value, the id.
#[derive(Serialize, Deserialize)]
struct BrandCursor {
    #[serde(rename = "o")]
    order: String,
    #[serde(rename = "v")]
    value: String,
    #[serde(rename = "i")]
    id: Uuid,
}

impl BrandOrder {
    fn tag(self) -> &'static str {
        match self {
            Self::NameAsc => "name",
            Self::CreatedAtDesc => "created",
        }
    }

    fn cursor(self, brand: &brands::Model) -> String {
        let value = match self {
            Self::NameAsc => brand.name.clone(),
            Self::CreatedAtDesc => brand.created_at.to_rfc3339(),
        };
        encode_cursor(&BrandCursor {
            order: self.tag().into(),
            value,
            id: brand.id,
        })
    }

    /// The keyset condition "after this cursor" (`before`: "before it") in this order.
    fn past(self, field: &'static str, cursor: BrandCursor) -> ApiResult<SimpleExpr> {
        let (value, id) = cursor_key(field, self.tag(), cursor)?;
        let descending = self == Self::CreatedAtDesc;
        let op = if descending == (field == "after") {
            "<"
        } else {
            ">"
        };
        let column = match self {
            Self::NameAsc => "name",
            Self::CreatedAtDesc => "created_at",
        };
        let sql = format!("({column}, id) {op} ($1, $2)");
        Ok(Expr::cust_with_values(sql, [value, id.into()]))
    }

    /// Orders `select` in this order, or in reverse (a `last` page is read backward).
    fn sorted(self, select: Select<brands::Entity>, reverse: bool) -> Select<brands::Entity> {
        let (column, descending) = match self {
            Self::NameAsc => (brands::Column::Name, false),
            Self::CreatedAtDesc => (brands::Column::CreatedAt, true),
        };
        let order = if descending != reverse {
            sea_orm::Order::Desc
        } else {
            sea_orm::Order::Asc
        };
        select
            .order_by(column, order.clone())
            .order_by(brands::Column::Id, order)
    }
}

/// Where a `brands` page in the order tagged `tag` (`name` or `created`) continues after
/// `cursor`: the sort value (text or timestamptz) and the id. The compiled path decodes
/// cursors with this function too, so both paths accept and refuse the same cursors.
pub fn after_cursor(tag: &str, cursor: &str) -> ApiResult<(sea_orm::Value, Uuid)> {
    cursor_key(
        "after",
        tag,
        crate::graphql::pagination::decode_cursor(cursor)?,
    )
}

fn cursor_key(
    field: &'static str,
    tag: &str,
    cursor: BrandCursor,
) -> ApiResult<(sea_orm::Value, Uuid)> {
    if cursor.order != tag {
        return Err(ApiError::bad_input(
            field,
            "the cursor belongs to another order",
        ));
    }
    let value = if tag == "created" {
        let at = chrono::DateTime::parse_from_rfc3339(&cursor.value)
            .map_err(|_| ApiError::bad_input(field, "not a valid cursor"))?;
        sea_orm::Value::from(at)
    } else {
        sea_orm::Value::from(cursor.value)
    };
    Ok((value, cursor.id))
}

/// The `ILIKE` pattern of `BrandFilter.nameContains`: the needle anywhere, its `\`, `%`
/// and `_` matched literally (both read paths bind this pattern).
pub fn name_pattern(needle: &str) -> String {
    format!(
        "%{}%",
        needle
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    )
}

/// Narrows `brands`.
#[derive(InputObject, Default)]
pub struct BrandFilter {
    /// Only brands of this tenant.
    tenant_id: Option<Uuid>,
    /// Case-insensitive substring of the name.
    name_contains: Option<String>,
}

/// The brand `select` finds. When its selection starts with one page of `mediaAssets`
/// (else of `contentItems`), or with `analytics` or `analyticsSummary`, that comes with it
/// in the same statement.
async fn with_first_child(
    ctx: &Context<'_>,
    select: Select<brands::Entity>,
) -> ApiResult<Option<brands::Model>> {
    let look = ctx.look_ahead();
    if look.field("mediaAssets").exists() {
        with_assets_page(ctx, select).await
    } else if look.field("contentItems").exists() {
        with_content_page(ctx, select).await
    } else if look.field("analytics").exists() {
        with_metric_rows(ctx, select).await
    } else if look.field("analyticsSummary").exists() {
        with_summary(ctx, select).await
    } else {
        Ok(select.one(ctx.db()?).await?)
    }
}

async fn with_assets_page(
    ctx: &Context<'_>,
    select: Select<brands::Entity>,
) -> ApiResult<Option<brands::Model>> {
    let spec = |at: &Lookahead<'_>, args: &Arguments| {
        Brand::media_assets_spec(at, prefetch::page_args(args)?, args.get("filter")?)
    };
    prefetch::one_with_page::<BrandAssets, _>(ctx, select, "mediaAssets", spec, |b| b.id).await
}

async fn with_content_page(
    ctx: &Context<'_>,
    select: Select<brands::Entity>,
) -> ApiResult<Option<brands::Model>> {
    let spec = |at: &Lookahead<'_>, args: &Arguments| {
        let order = args.get("orderBy")?;
        Brand::content_items_spec(at, prefetch::page_args(args)?, args.get("filter")?, order)
    };
    prefetch::one_with_page::<BrandContent, _>(ctx, select, "contentItems", spec, |b| b.id).await
}

// The analytics keys are planned before the brand is known; its id is filled in once it is.

async fn with_metric_rows(
    ctx: &Context<'_>,
    select: Select<brands::Entity>,
) -> ApiResult<Option<brands::Model>> {
    let db = ctx.db()?;
    let key = |at: &Lookahead<'_>, args: &Arguments| {
        let (from, to) = (args.get("from")?, args.get("to")?);
        Brand::metric_range_key(Uuid::nil(), at, from, to, args.get("platform")?)
    };
    let Some((prefetched, mut key)) = prefetch::plan(ctx, "analytics", key) else {
        return Ok(select.one(db).await?);
    };
    let children = key.range.of_parent();
    let found = parent::one_with_children(db, select, children, analytics::METRIC_RANGE_ORDER);
    let Some((brand, rows)) = found.await? else {
        return Ok(None);
    };
    let rows = rows
        .iter()
        .map(|row| key.range.columns.decode(row))
        .collect::<Result<Vec<_>, _>>()?;
    key.brand = brand.id;
    prefetched.put::<MetricRows>(key, rows);
    Ok(Some(brand))
}

async fn with_summary(
    ctx: &Context<'_>,
    select: Select<brands::Entity>,
) -> ApiResult<Option<brands::Model>> {
    let db = ctx.db()?;
    let key = |_: &Lookahead<'_>, args: &Arguments| {
        let days: Option<i32> = args.get("days")?;
        let days = days.unwrap_or(Brand::DEFAULT_SUMMARY_DAYS);
        Brand::summary_key(Uuid::nil(), days, args.get("platform")?)
    };
    let Some((prefetched, mut key)) = prefetch::plan(ctx, "analyticsSummary", key) else {
        return Ok(select.one(db).await?);
    };
    let children = analytics::summary_of_parent(key.days, key.platform.as_deref());
    let found = parent::one_with_children(db, select, children, analytics::SUMMARY_ORDER);
    let Some((brand, rows)) = found.await? else {
        return Ok(None);
    };
    let summary = analytics::summaries_from_rows(rows)?.remove(&brand.id);
    key.brand = brand.id;
    prefetched.put::<Summaries>(key, summary.unwrap_or_default());
    Ok(Some(brand))
}

#[derive(Default)]
pub struct BrandQuery;

#[Object]
impl BrandQuery {
    /// One brand by global id or UUID; null when it does not exist or is not visible.
    async fn brand(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Option<Brand>> {
        let id = ids::decode_as(NodeKind::Brand, &id)?;
        let scope = ctx.viewer()?.brand_scope().await?;
        let select = domain::brands::visible_by_id(&scope, id);
        Ok(with_first_child(ctx, select).await?.map(Brand))
    }

    /// One brand by its tenant and slug; null when it does not exist or is not visible.
    async fn brand_by_slug(
        &self,
        ctx: &Context<'_>,
        tenant_id: Uuid,
        slug: String,
    ) -> ApiResult<Option<Brand>> {
        let scope = ctx.viewer()?.brand_scope().await?;
        let select = domain::brands::visible(&scope)
            .filter(brands::Column::TenantId.eq(tenant_id))
            .filter(brands::Column::Slug.eq(slug));
        Ok(with_first_child(ctx, select).await?.map(Brand))
    }

    /// The brands the caller may see, by name.
    #[graphql(
        complexity = "crate::graphql::pagination::page_cost(first.or(last), child_complexity)"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn brands(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last edge of the previous page.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100); not with `first`.")] last: Option<
            i32,
        >,
        #[graphql(desc = "Cursor of the first edge of the next page.")] before: Option<String>,
        filter: Option<BrandFilter>,
        #[graphql(desc = "Default: by name.")] order_by: Option<BrandOrder>,
    ) -> ApiResult<BrandConnection> {
        let order = order_by.unwrap_or_default();
        let args = PageArgs::new(first, after, last, before);
        let page = PageRequest::<BrandCursor>::parse(&args)?;
        let scope = ctx.viewer()?.brand_scope().await?;
        let filter = filter.unwrap_or_default();

        let mut select = domain::brands::visible(&scope);
        if let Some(tenant_id) = filter.tenant_id {
            select = select.filter(brands::Column::TenantId.eq(tenant_id));
        }
        if let Some(needle) = filter.name_contains {
            select = select.filter(Expr::col(brands::Column::Name).ilike(name_pattern(&needle)));
        }
        let totals = ConnectionTotals::query(count_of(select.clone()));

        let (after, before) = (page.after.is_some(), page.before.is_some());
        if let Some(cursor) = page.after {
            select = select.filter(order.past("after", cursor)?);
        }
        if let Some(cursor) = page.before {
            select = select.filter(order.past("before", cursor)?);
        }
        select = order.sorted(select, page.backward);
        let rows = select.limit(page.limit + 1).all(ctx.db()?).await?;
        let (mut rows, more) = split_page(rows, page.limit);
        if page.backward {
            rows.reverse();
        }
        let (has_previous, has_next) = page_info(page.backward, after, before, more);

        let mut connection = Connection::with_additional_fields(has_previous, has_next, totals);
        connection.edges.extend(
            rows.into_iter()
                .map(|row| Edge::new(order.cursor(&row), Brand(row))),
        );
        Ok(connection)
    }
}
