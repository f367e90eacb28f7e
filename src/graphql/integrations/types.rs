//! Integration objects as the API shows them.

use async_graphql::{ID, Json, Object};
use chrono::{DateTime, FixedOffset};
use uuid::Uuid;

use crate::graphql::ids::{self, NodeKind};
use entity::{platform_reviews, social_posts, webhook_events};

type Timestamp = DateTime<FixedOffset>;

/// A delivery a platform sent to `POST /webhooks/{provider}`.
pub struct WebhookEvent(pub webhook_events::Model);

/// A delivery a platform sent to `POST /webhooks/{provider}`.
#[Object]
impl WebhookEvent {
    /// Global id.
    pub(crate) async fn id(&self) -> ID {
        ids::encode(NodeKind::WebhookEvent, self.0.id)
    }
    /// Database id.
    async fn uuid(&self) -> Uuid {
        self.0.id
    }
    /// Who sent it.
    async fn provider(&self) -> &str {
        &self.0.provider
    }
    /// What it reports, e.g. `post.published`.
    async fn event_type(&self) -> &str {
        &self.0.event_type
    }
    /// The body as received.
    async fn payload(&self) -> Json<serde_json::Value> {
        Json(self.0.payload.clone())
    }
    /// `received`, `processing`, `retrying`, `processed`, `ignored` or `dead`.
    async fn status(&self) -> &str {
        &self.0.status
    }
    /// Processing attempts so far.
    async fn attempt_count(&self) -> i32 {
        self.0.attempt_count
    }
    /// Attempts it gets before it is dead.
    async fn max_attempts(&self) -> i32 {
        self.0.max_attempts
    }
    /// The last failure.
    async fn last_error(&self) -> Option<&str> {
        self.0.last_error.as_deref()
    }
    /// When it was processed.
    async fn delivered_at(&self) -> Option<Timestamp> {
        self.0.delivered_at
    }
    /// When it arrived.
    async fn created_at(&self) -> Timestamp {
        self.0.created_at
    }
}

/// A post as a platform reported it.
pub struct SocialPost(pub social_posts::Model);

/// A post as a platform reported it.
#[Object]
impl SocialPost {
    /// Global id.
    pub(crate) async fn id(&self) -> ID {
        ids::encode(NodeKind::SocialPost, self.0.id)
    }
    /// Database id.
    async fn uuid(&self) -> Uuid {
        self.0.id
    }
    /// The platform.
    async fn platform(&self) -> &str {
        &self.0.platform
    }
    /// The platform's id of the post.
    async fn platform_post_id(&self) -> &str {
        &self.0.platform_post_id
    }
    /// What the platform reported about it.
    async fn content(&self) -> Json<serde_json::Value> {
        Json(self.0.content.clone())
    }
    /// `published`, `failed` or `deleted`.
    async fn status(&self) -> &str {
        &self.0.status
    }
    /// When it was first reported.
    async fn created_at(&self) -> Timestamp {
        self.0.created_at
    }
}

/// A review of the brand on a platform.
pub struct PlatformReview(pub platform_reviews::Model);

/// A review of the brand on a platform.
#[Object]
impl PlatformReview {
    /// Global id.
    pub(crate) async fn id(&self) -> ID {
        ids::encode(NodeKind::PlatformReview, self.0.id)
    }
    /// Database id.
    async fn uuid(&self) -> Uuid {
        self.0.id
    }
    /// The platform.
    async fn platform(&self) -> &str {
        &self.0.platform
    }
    /// The platform's id of the review.
    async fn review_id(&self) -> &str {
        &self.0.review_id
    }
    /// 1 to 5 stars.
    async fn rating(&self) -> Option<i32> {
        self.0.rating
    }
    /// What the reviewer wrote.
    async fn review_text(&self) -> Option<&str> {
        self.0.review_text.as_deref()
    }
    /// Who wrote it.
    async fn reviewer_name(&self) -> Option<&str> {
        self.0.reviewer_name.as_deref()
    }
    /// The brand's response.
    async fn response_text(&self) -> Option<&str> {
        self.0.response_text.as_deref()
    }
    /// `pending` (recorded, not sent yet) or `sent`.
    async fn response_status(&self) -> Option<&str> {
        self.0.response_status.as_deref()
    }
    /// When the response was recorded.
    async fn responded_at(&self) -> Option<Timestamp> {
        self.0.responded_at
    }
    /// When the review arrived.
    async fn created_at(&self) -> Timestamp {
        self.0.created_at
    }
}
