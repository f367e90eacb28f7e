//! Root query fields of the marketing domain.

use async_graphql::{Context, ID, Object};
use sea_orm::{ColumnTrait, QueryFilter};

use super::Campaign;
use crate::domain::marketing::campaigns;
use crate::error::ApiResult;
use crate::graphql::context::RequestContext;
use crate::graphql::ids::{NodeKind, decode_as};

#[derive(Default)]
pub struct MarketingQuery;

#[Object]
impl MarketingQuery {
    /// One campaign by global id or UUID; null when it does not exist or its brand is
    /// not visible to the caller.
    async fn campaign(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Option<Campaign>> {
        let id = decode_as(NodeKind::Campaign, &id)?;
        let scope = ctx.viewer()?.brand_scope().await?;
        let row = campaigns::visible(&scope)
            .filter(entity::campaigns::Column::Id.eq(id))
            .one(ctx.db()?)
            .await?;
        Ok(row.map(Campaign))
    }
}
