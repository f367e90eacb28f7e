use async_graphql::{Context, ID, Object};
use chrono::{DateTime, FixedOffset};
use uuid::Uuid;

use crate::domain::status::ApprovalStatus;
use crate::error::{ApiError, ApiResult};
use crate::graphql::content::ContentItem;
use crate::graphql::context::RequestContext;
use crate::graphql::identity::User;
use crate::graphql::ids::{self, NodeKind};
use entity::post_approvals;

type Timestamp = DateTime<FixedOffset>;

/// One approval round of a content item.
pub struct PostApproval(pub post_approvals::Model);

/// One approval round of a content item.
#[Object]
impl PostApproval {
    /// Global id (for `node`).
    pub(crate) async fn id(&self) -> ID {
        ids::encode(NodeKind::PostApproval, self.0.id)
    }
    /// Database id.
    async fn uuid(&self) -> Uuid {
        self.0.id
    }
    /// The content item under review.
    async fn post(&self, ctx: &Context<'_>) -> ApiResult<Option<ContentItem>> {
        let Some(post_id) = self.0.post_id else {
            return Ok(None);
        };
        Ok(ctx
            .loaders()?
            .content_items()
            .load_one(post_id)
            .await?
            .map(ContentItem))
    }
    /// The decision.
    async fn status(&self) -> ApiResult<ApprovalStatus> {
        ApprovalStatus::parse(&self.0.status)
            .ok_or_else(|| ApiError::unexpected("approval status", &self.0.status))
    }
    /// When it was approved.
    async fn approved_at(&self) -> Option<Timestamp> {
        self.0.approved_at
    }
    /// Who approved it.
    async fn approved_by(&self, ctx: &Context<'_>) -> ApiResult<Option<User>> {
        User::load(ctx, self.0.approved_by).await
    }
    /// When it was rejected.
    async fn rejected_at(&self) -> Option<Timestamp> {
        self.0.rejected_at
    }
    /// Who rejected it.
    async fn rejected_by(&self, ctx: &Context<'_>) -> ApiResult<Option<User>> {
        User::load(ctx, self.0.rejected_by).await
    }
    /// Why it was rejected.
    async fn rejection_reason(&self) -> Option<&str> {
        self.0.rejection_reason.as_deref()
    }
    /// A locked approval can no longer change.
    async fn locked(&self) -> bool {
        self.0.locked.unwrap_or(false)
    }
    /// When the round started.
    async fn created_at(&self) -> Timestamp {
        self.0.created_at
    }
    /// Last update time.
    async fn updated_at(&self) -> Timestamp {
        self.0.updated_at
    }
}
