use async_graphql::{Context, Enum, ID, InputObject, Json, Object};
use chrono::{DateTime, FixedOffset};
use uuid::Uuid;

use crate::domain::status::{ContentStatus, ScheduleStatus};
use crate::error::{ApiError, ApiResult};
use crate::graphql::approval::PostApproval;
use crate::graphql::asset::MediaAsset;
use crate::graphql::brand::Brand;
use crate::graphql::connection::selected_fields;
use crate::graphql::context::RequestContext;
use crate::graphql::identity::User;
use crate::graphql::ids::{self, NodeKind};
use crate::loaders::group::GroupKey;
use crate::loaders::page::Sort;
use crate::loaders::relations::{ContentFilter, PostApprovals};
use entity::{content_items, post_approvals, scheduled_content};

type Timestamp = DateTime<FixedOffset>;

/// A post, blog, caption, email or story of a brand.
pub struct ContentItem(pub content_items::Model);

/// Narrows `Brand.contentItems`.
#[derive(InputObject, Default)]
pub struct ContentItemFilter {
    /// Only items in this status.
    pub status: Option<ContentStatus>,
    /// Only items of this type (`post`, `blog`, `caption`, `email`, `story`).
    #[graphql(name = "type")]
    pub content_type: Option<String>,
    /// Only items for this platform.
    pub platform: Option<String>,
    /// Only items scheduled at or after this time.
    pub scheduled_from: Option<Timestamp>,
    /// Only items scheduled before this time.
    pub scheduled_to: Option<Timestamp>,
}

impl From<ContentItemFilter> for ContentFilter {
    fn from(filter: ContentItemFilter) -> Self {
        Self {
            status: filter.status.map(|s| s.as_str().to_string()),
            content_type: filter.content_type,
            platform: filter.platform,
            scheduled_from: filter.scheduled_from,
            scheduled_to: filter.scheduled_to,
        }
    }
}

/// The order of `Brand.contentItems`.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Default)]
pub enum ContentOrder {
    /// Newest first (default).
    #[default]
    CreatedAtDesc,
    /// Oldest first.
    CreatedAtAsc,
    /// Most recently changed first.
    UpdatedAtDesc,
}

impl ContentOrder {
    pub fn sort(self) -> Sort {
        match self {
            Self::CreatedAtDesc => Sort {
                column: "created_at",
                descending: true,
            },
            Self::CreatedAtAsc => Sort {
                column: "created_at",
                descending: false,
            },
            Self::UpdatedAtDesc => Sort {
                column: "updated_at",
                descending: true,
            },
        }
    }
}

impl ContentItem {
    /// Its approval rounds, newest first, fetched with the columns the current field's
    /// selection reads (`approvals` and `latestApproval` of every item share one batch).
    async fn approval_rounds(&self, ctx: &Context<'_>) -> ApiResult<Vec<post_approvals::Model>> {
        let fields = selected_fields(&ctx.look_ahead());
        let key =
            GroupKey::selecting::<PostApprovals>(self.0.id, fields.iter().map(String::as_str));
        let rounds = ctx
            .loaders()?
            .post_approvals_by_post()
            .load_one(key)
            .await?;
        Ok(rounds.unwrap_or_default())
    }
}

/// A post, blog, caption, email or story of a brand.
#[Object]
impl ContentItem {
    /// Global id (for `node`).
    pub(crate) async fn id(&self) -> ID {
        ids::encode(NodeKind::ContentItem, self.0.id)
    }
    /// Database id.
    async fn uuid(&self) -> Uuid {
        self.0.id
    }
    /// The brand it belongs to.
    async fn brand(&self, ctx: &Context<'_>) -> ApiResult<Brand> {
        Brand::load(ctx, self.0.brand_id).await
    }
    /// `post`, `blog`, `caption`, `email` or `story`.
    #[graphql(name = "type")]
    async fn content_type(&self) -> &str {
        &self.0.r#type
    }
    /// Title.
    async fn title(&self) -> Option<&str> {
        self.0.title.as_deref()
    }
    /// The content itself (body, hashtags, ...).
    async fn content(&self) -> Json<serde_json::Value> {
        Json(self.0.content.clone())
    }
    /// Lifecycle status.
    async fn status(&self) -> ApiResult<ContentStatus> {
        ContentStatus::parse(&self.0.status)
            .ok_or_else(|| ApiError::unexpected("content status", &self.0.status))
    }
    /// Target platform (`instagram`, `facebook`, `linkedin`, ...).
    async fn platform(&self) -> Option<&str> {
        self.0.platform.as_deref()
    }
    /// When it is scheduled to go out.
    async fn scheduled_for(&self) -> Option<Timestamp> {
        self.0.scheduled_for
    }
    /// When it went out.
    async fn published_at(&self) -> Option<Timestamp> {
        self.0.published_at
    }
    /// Whether it needs an approval before scheduling.
    async fn approval_required(&self) -> bool {
        self.0.approval_required.unwrap_or(true)
    }
    /// Who approved it.
    async fn approved_by(&self, ctx: &Context<'_>) -> ApiResult<Option<User>> {
        User::load(ctx, self.0.approved_by).await
    }
    /// When it was approved.
    async fn approved_at(&self) -> Option<Timestamp> {
        self.0.approved_at
    }
    /// The AI agent that generated it, if any.
    async fn generated_by_agent(&self) -> Option<&str> {
        self.0.generated_by_agent.as_deref()
    }
    /// Generation parameters.
    async fn generation_metadata(&self) -> Option<Json<serde_json::Value>> {
        self.0.generation_metadata.clone().map(Json)
    }
    /// Media URLs attached to it.
    async fn media_urls(&self) -> Vec<String> {
        self.0.media_urls.clone().unwrap_or_default()
    }
    /// Its author.
    async fn created_by(&self, ctx: &Context<'_>) -> ApiResult<Option<User>> {
        User::load(ctx, self.0.created_by).await
    }
    /// Creation time.
    async fn created_at(&self) -> Timestamp {
        self.0.created_at
    }
    /// Last update time.
    async fn updated_at(&self) -> Timestamp {
        self.0.updated_at
    }
    /// Every approval round, newest first.
    async fn approvals(&self, ctx: &Context<'_>) -> ApiResult<Vec<PostApproval>> {
        let approvals = self.approval_rounds(ctx).await?;
        Ok(approvals.into_iter().map(PostApproval).collect())
    }
    /// The newest approval round.
    async fn latest_approval(&self, ctx: &Context<'_>) -> ApiResult<Option<PostApproval>> {
        let approvals = self.approval_rounds(ctx).await?;
        Ok(approvals.into_iter().next().map(PostApproval))
    }
    /// Its publication schedule, earliest first.
    async fn schedule(&self, ctx: &Context<'_>) -> ApiResult<Vec<ScheduledContent>> {
        let rows = ctx.loaders()?.post_schedules().load_one(self.0.id).await?;
        Ok(rows
            .unwrap_or_default()
            .into_iter()
            .map(ScheduledContent)
            .collect())
    }
    /// Media assets used by it (from the usage log).
    async fn media_assets(&self, ctx: &Context<'_>) -> ApiResult<Vec<MediaAsset>> {
        let rows = ctx.loaders()?.content_assets().load_one(self.0.id).await?;
        Ok(rows
            .unwrap_or_default()
            .into_iter()
            .map(MediaAsset)
            .collect())
    }
}

/// One planned publication of a content item.
pub struct ScheduledContent(pub scheduled_content::Model);

/// One planned publication of a content item.
#[Object]
impl ScheduledContent {
    /// Global id (for `node`).
    pub(crate) async fn id(&self) -> ID {
        ids::encode(NodeKind::ScheduledContent, self.0.id)
    }
    /// Database id.
    async fn uuid(&self) -> Uuid {
        self.0.id
    }
    /// The content item to publish.
    async fn content(&self, ctx: &Context<'_>) -> ApiResult<Option<ContentItem>> {
        let item = ctx
            .loaders()?
            .content_items()
            .load_one(self.0.content_id)
            .await?;
        Ok(item.map(ContentItem))
    }
    /// When to publish.
    async fn scheduled_at(&self) -> Timestamp {
        self.0.scheduled_at
    }
    /// Platforms to publish to.
    async fn platforms(&self) -> &[String] {
        &self.0.platforms
    }
    /// Publication status.
    async fn status(&self) -> ApiResult<ScheduleStatus> {
        ScheduleStatus::parse(&self.0.status)
            .ok_or_else(|| ApiError::unexpected("schedule status", &self.0.status))
    }
}
