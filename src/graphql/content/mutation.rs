use async_graphql::{Context, ID, InputObject, Json, Object};
use chrono::{DateTime, FixedOffset};

use super::{ContentItem, ScheduledContent};
use crate::domain::content::{self, ContentChanges, Decision, NewContent, ReviewRequest};
use crate::error::ApiResult;
use crate::graphql::approval::PostApproval;
use crate::graphql::context::{RequestContext, write};
use crate::graphql::ids::{NodeKind, decode_as};

/// A new content item (created as a draft).
#[derive(InputObject)]
pub struct CreateContentItemInput {
    /// The brand (global id or UUID).
    brand_id: ID,
    /// `post`, `blog`, `caption`, `email` or `story`.
    #[graphql(name = "type")]
    content_type: String,
    /// Title.
    title: Option<String>,
    /// The content itself.
    content: Json<serde_json::Value>,
    /// Target platform.
    platform: Option<String>,
    /// Whether it needs approval before scheduling (default true).
    #[graphql(default = true)]
    approval_required: bool,
    /// Attached media URLs.
    #[graphql(default)]
    media_urls: Vec<String>,
}

/// Changes to a draft or rejected content item; omitted fields stay as they are.
#[derive(InputObject)]
pub struct UpdateContentItemInput {
    /// New type.
    #[graphql(name = "type")]
    content_type: Option<String>,
    /// New title.
    title: Option<String>,
    /// New content.
    content: Option<Json<serde_json::Value>>,
    /// New platform.
    platform: Option<String>,
    /// New media URLs.
    media_urls: Option<Vec<String>>,
}

#[derive(Default)]
pub struct ContentMutation;

#[Object]
impl ContentMutation {
    /// Creates a draft (members and above).
    async fn create_content_item(
        &self,
        ctx: &Context<'_>,
        input: CreateContentItemInput,
    ) -> ApiResult<ContentItem> {
        let new = NewContent {
            brand_id: decode_as(NodeKind::Brand, &input.brand_id)?,
            content_type: input.content_type,
            title: input.title,
            content: input.content.0,
            platform: input.platform,
            approval_required: input.approval_required,
            media_urls: input.media_urls,
        };
        let item = write(ctx, async |txn| {
            content::create(txn, ctx.viewer()?, ctx.audit()?, new).await
        })
        .await?;
        Ok(ContentItem(item))
    }

    /// Edits a draft or rejected item (members and above); a rejected item returns to draft.
    async fn update_content_item(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateContentItemInput,
    ) -> ApiResult<ContentItem> {
        let changes = ContentChanges {
            content_type: input.content_type,
            title: input.title,
            content: input.content.map(|c| c.0),
            platform: input.platform,
            media_urls: input.media_urls,
        };
        let id = decode_as(NodeKind::ContentItem, &id)?;
        let item = write(ctx, async |txn| {
            content::update(txn, ctx.viewer()?, ctx.audit()?, id, changes).await
        })
        .await?;
        Ok(ContentItem(item))
    }

    /// Sends a draft for review: status `PENDING_REVIEW`, a pending approval and a review request.
    async fn submit_for_review(
        &self,
        ctx: &Context<'_>,
        id: ID,
        #[graphql(desc = "Reviewer to assign (user UUID).")] assigned_to: Option<uuid::Uuid>,
        #[graphql(desc = "When the review is due.")] deadline: Option<DateTime<FixedOffset>>,
        #[graphql(desc = "`low`, `normal` (default), `high` or `urgent`.")] priority: Option<
            String,
        >,
    ) -> ApiResult<PostApproval> {
        let id = decode_as(NodeKind::ContentItem, &id)?;
        if let Some(priority) = &priority
            && !["low", "normal", "high", "urgent"].contains(&priority.as_str())
        {
            return Err(crate::error::ApiError::bad_input(
                "priority",
                "priority must be low, normal, high or urgent",
            ));
        }
        let request = ReviewRequest {
            assigned_to,
            deadline,
            priority,
        };
        let (_, approval) = write(ctx, async |txn| {
            content::submit_for_review(txn, ctx.viewer()?, ctx.audit()?, id, request).await
        })
        .await?;
        Ok(PostApproval(approval))
    }

    /// Approves a post under review (managers and above).
    async fn approve_post(&self, ctx: &Context<'_>, id: ID) -> ApiResult<PostApproval> {
        let id = decode_as(NodeKind::ContentItem, &id)?;
        let (_, approval) = write(ctx, async |txn| {
            content::decide(txn, ctx.viewer()?, ctx.audit()?, id, Decision::Approve).await
        })
        .await?;
        Ok(PostApproval(approval))
    }

    /// Rejects a post under review with a reason (managers and above).
    async fn reject_post(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reason: String,
    ) -> ApiResult<PostApproval> {
        let id = decode_as(NodeKind::ContentItem, &id)?;
        let (_, approval) = write(ctx, async |txn| {
            content::decide(
                txn,
                ctx.viewer()?,
                ctx.audit()?,
                id,
                Decision::Reject { reason },
            )
            .await
        })
        .await?;
        Ok(PostApproval(approval))
    }

    /// Schedules approved content on platforms at a future time (managers and above);
    /// scheduling again moves the time.
    async fn schedule_content(
        &self,
        ctx: &Context<'_>,
        id: ID,
        scheduled_at: DateTime<FixedOffset>,
        platforms: Vec<String>,
    ) -> ApiResult<ScheduledContent> {
        let id = decode_as(NodeKind::ContentItem, &id)?;
        let (_, entry) = write(ctx, async |txn| {
            content::schedule(
                txn,
                ctx.viewer()?,
                ctx.audit()?,
                id,
                scheduled_at,
                platforms,
            )
            .await
        })
        .await?;
        Ok(ScheduledContent(entry))
    }
}
