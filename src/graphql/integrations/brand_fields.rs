//! The integration fields of `Brand` (the type only delegates).

use async_graphql::Context;
use chrono::{DateTime, FixedOffset};
use uuid::Uuid;

use super::types::{PlatformReview, SocialPost, WebhookEvent};
use crate::auth::Role;
use crate::domain::access::require_role;
use crate::error::{ApiError, ApiResult};
use crate::graphql::connection::{NestedConnection, nested_connection, nested_spec};
use crate::graphql::context::RequestContext;
use crate::graphql::pagination::PageArgs;
use crate::loaders::page::Sort;
use crate::loaders::relations::{
    BrandPlatformReviews, BrandSocialPosts, BrandWebhookEvents, ReviewFilter, SocialPostFilter,
};

/// `Brand.webhookEvents` (owners and admins), newest first.
pub async fn webhook_events(
    ctx: &Context<'_>,
    brand: Uuid,
    status: Option<String>,
    page: PageArgs,
) -> ApiResult<NestedConnection<WebhookEvent>> {
    require_role(ctx.viewer()?, brand, Role::Admin).await?;
    let spec = nested_spec(ctx, status, Sort::NEWEST_FIRST, page)?;
    nested_connection::<BrandWebhookEvents, _>(
        ctx,
        brand,
        spec,
        |l| l.brand_webhook_events(),
        |l| l.brand_webhook_events_count(),
        WebhookEvent,
    )
    .await
}

/// `Brand.socialPosts`, newest first.
pub async fn social_posts(
    ctx: &Context<'_>,
    brand: Uuid,
    filter: SocialPostFilter,
    page: PageArgs,
) -> ApiResult<NestedConnection<SocialPost>> {
    let spec = nested_spec(ctx, filter, Sort::NEWEST_FIRST, page)?;
    nested_connection::<BrandSocialPosts, _>(
        ctx,
        brand,
        spec,
        |l| l.brand_social_posts(),
        |l| l.brand_social_posts_count(),
        SocialPost,
    )
    .await
}

/// `Brand.platformReviews`, newest first.
#[allow(clippy::too_many_arguments)]
pub async fn platform_reviews(
    ctx: &Context<'_>,
    brand: Uuid,
    platform: Option<String>,
    min_rating: Option<i32>,
    max_rating: Option<i32>,
    from: Option<DateTime<FixedOffset>>,
    to: Option<DateTime<FixedOffset>>,
    unanswered: bool,
    page: PageArgs,
) -> ApiResult<NestedConnection<PlatformReview>> {
    for (field, value) in [("minRating", min_rating), ("maxRating", max_rating)] {
        if value.is_some_and(|r| !(1..=5).contains(&r)) {
            return Err(ApiError::bad_input(
                field,
                format!("{field} must be 1 to 5"),
            ));
        }
    }
    let filter = ReviewFilter {
        platform,
        min_rating,
        max_rating,
        from,
        to,
        unanswered,
    };
    let spec = nested_spec(ctx, filter, Sort::NEWEST_FIRST, page)?;
    nested_connection::<BrandPlatformReviews, _>(
        ctx,
        brand,
        spec,
        |l| l.brand_platform_reviews(),
        |l| l.brand_platform_reviews_count(),
        PlatformReview,
    )
    .await
}
