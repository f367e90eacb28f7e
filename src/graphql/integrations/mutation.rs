//! Responding to platform reviews.

use async_graphql::{Context, ID, Object};

use super::types::PlatformReview;
use crate::domain::reviews;
use crate::error::ApiResult;
use crate::graphql::context::{RequestContext, write};
use crate::graphql::ids::{NodeKind, decode_as};

#[derive(Default)]
pub struct IntegrationMutation;

#[Object]
impl IntegrationMutation {
    /// Records a response to a review (members and above); the platform worker sends it.
    async fn respond_to_review(
        &self,
        ctx: &Context<'_>,
        id: ID,
        #[graphql(desc = "The response, 1 to 4000 characters.")] response: String,
    ) -> ApiResult<PlatformReview> {
        let id = decode_as(NodeKind::PlatformReview, &id)?;
        let row = write(ctx, async |txn| {
            reviews::respond(txn, ctx.viewer()?, ctx.audit()?, id, &response).await
        })
        .await?;
        Ok(PlatformReview(row))
    }
}
