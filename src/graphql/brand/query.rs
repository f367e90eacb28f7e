use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, ID, InputObject, Object};
use sea_orm::sea_query::{Expr, extension::postgres::PgExpr};
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::Brand;
use crate::domain;
use crate::error::ApiResult;
use crate::graphql::connection::{ConnectionTotals, count_of, split_page};
use crate::graphql::context::RequestContext;
use crate::graphql::ids::{self, NodeKind};
use crate::graphql::pagination::{PageRequest, encode_cursor};
use entity::brands;

/// Brands ordered by name; the cursor is `(name, id)`.
pub type BrandConnection = Connection<String, Brand, ConnectionTotals>;

/// Narrows `brands`.
#[derive(InputObject, Default)]
pub struct BrandFilter {
    /// Only brands of this tenant.
    tenant_id: Option<Uuid>,
    /// Case-insensitive substring of the name.
    name_contains: Option<String>,
}

#[derive(Default)]
pub struct BrandQuery;

#[Object]
impl BrandQuery {
    /// One brand by global id or UUID; null when it does not exist or is not visible.
    async fn brand(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Option<Brand>> {
        let id = ids::decode_as(NodeKind::Brand, &id)?;
        let scope = ctx.viewer()?.brand_scope().await?;
        let brand = domain::brands::visible_by_id(&scope, id)
            .one(ctx.db()?)
            .await?;
        Ok(brand.map(Brand))
    }

    /// One brand by its tenant and slug; null when it does not exist or is not visible.
    async fn brand_by_slug(
        &self,
        ctx: &Context<'_>,
        tenant_id: Uuid,
        slug: String,
    ) -> ApiResult<Option<Brand>> {
        let scope = ctx.viewer()?.brand_scope().await?;
        let brand = domain::brands::visible(&scope)
            .filter(brands::Column::TenantId.eq(tenant_id))
            .filter(brands::Column::Slug.eq(slug))
            .one(ctx.db()?)
            .await?;
        Ok(brand.map(Brand))
    }

    /// The brands the caller may see, by name.
    async fn brands(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last edge of the previous page.")] after: Option<String>,
        filter: Option<BrandFilter>,
    ) -> ApiResult<BrandConnection> {
        let page = PageRequest::<(String, Uuid)>::parse(first, after.as_deref())?;
        let scope = ctx.viewer()?.brand_scope().await?;
        let filter = filter.unwrap_or_default();

        let mut select = domain::brands::visible(&scope);
        if let Some(tenant_id) = filter.tenant_id {
            select = select.filter(brands::Column::TenantId.eq(tenant_id));
        }
        if let Some(needle) = filter.name_contains {
            select = select.filter(Expr::col(brands::Column::Name).ilike(format!(
                "%{}%",
                needle.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
            )));
        }
        let totals = ConnectionTotals::query(count_of(select.clone()));

        if let Some((name, id)) = page.after {
            select = select.filter(Expr::cust_with_values(
                "(name, id) > ($1, $2)",
                [sea_orm::Value::from(name), sea_orm::Value::from(id)],
            ));
        }
        let rows = select
            .order_by_asc(brands::Column::Name)
            .order_by_asc(brands::Column::Id)
            .limit(page.limit + 1)
            .all(ctx.db()?)
            .await?;
        let (rows, has_next) = split_page(rows, page.limit);

        let mut connection = Connection::with_additional_fields(false, has_next, totals);
        connection.edges.extend(
            rows.into_iter()
                .map(|row| Edge::new(encode_cursor(&(&row.name, row.id)), Brand(row))),
        );
        Ok(connection)
    }
}
