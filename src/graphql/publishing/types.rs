//! Connections, connector platforms, publish jobs and their logs as the API shows them.
//! No type here exposes a token or a ciphertext: only facts about them (`hasAccessToken`,
//! `tokenExpiresAt`).

use async_graphql::{Context, Enum, ID, Json, Object, SimpleObject};
use chrono::{DateTime, FixedOffset};
use uuid::Uuid;

use crate::domain::publishing::secrets::{ACCESS_TOKEN, REFRESH_TOKEN};
use crate::error::ApiResult;
use crate::graphql::brand::Brand;
use crate::graphql::content::ContentItem;
use crate::graphql::context::RequestContext;
use crate::graphql::ids::{self, NodeKind};
use entity::{connections, connector_platforms, platform_sync_logs, publish_jobs, publishing_logs};

type Timestamp = DateTime<FixedOffset>;

/// A tenant's settings for one connector platform.
pub struct ConnectorPlatform(pub connector_platforms::Model);

/// A tenant's settings for one connector platform.
#[Object]
impl ConnectorPlatform {
    /// `meta`, `linkedin`, `tiktok`, `gbp` or `mailchimp`.
    async fn platform(&self) -> &str {
        &self.0.platform_name
    }
    /// Whether brands of the tenant may connect and publish.
    async fn is_enabled(&self) -> bool {
        self.0.is_enabled
    }
    /// Still in beta.
    async fn is_beta(&self) -> bool {
        self.0.is_beta
    }
    /// The platform API version used.
    async fn api_version(&self) -> &str {
        &self.0.api_version
    }
    /// Publications allowed per window.
    async fn rate_limit_requests(&self) -> i32 {
        self.0.rate_limit_requests
    }
    /// The rate window, in seconds.
    async fn rate_limit_window_seconds(&self) -> i32 {
        self.0.rate_limit_window_seconds
    }
    /// Attempts a publish job gets.
    async fn max_retry_attempts(&self) -> i32 {
        self.0.max_retry_attempts
    }
    /// The platform calls back with webhooks.
    async fn webhook_supported(&self) -> bool {
        self.0.webhook_supported
    }
    /// The platform can schedule natively.
    async fn scheduling_supported(&self) -> bool {
        self.0.scheduling_supported
    }
}

/// A platform account connected to a brand.
pub struct PlatformConnection(pub connections::Model);

/// A platform account connected to a brand.
#[Object]
impl PlatformConnection {
    /// Global id (for `node`).
    pub(crate) async fn id(&self) -> ID {
        ids::encode(NodeKind::PlatformConnection, self.0.id)
    }
    /// Database id.
    async fn uuid(&self) -> Uuid {
        self.0.id
    }
    /// The brand it publishes for.
    async fn brand(&self, ctx: &Context<'_>) -> ApiResult<Option<Brand>> {
        match self.0.brand_id {
            Some(id) => Brand::load(ctx, id).await.map(Some),
            None => Ok(None),
        }
    }
    /// The connector platform (`meta`, `linkedin`, ...).
    async fn platform(&self, ctx: &Context<'_>) -> ApiResult<String> {
        let platform = ctx
            .loaders()?
            .connector_platforms()
            .load_one(self.0.platform_id)
            .await?;
        Ok(platform.map(|p| p.platform_name).unwrap_or_default())
    }
    /// The account's user id on the platform.
    async fn platform_user_id(&self) -> &str {
        &self.0.platform_user_id
    }
    /// The page or account id on the platform.
    async fn platform_account_id(&self) -> Option<&str> {
        self.0.platform_account_id.as_deref()
    }
    /// Name shown for the account.
    async fn display_name(&self) -> &str {
        &self.0.display_name
    }
    /// Avatar URL.
    async fn profile_image_url(&self) -> Option<&str> {
        self.0.profile_image_url.as_deref()
    }
    /// `active`, `expired`, `disconnected` or `error`.
    async fn status(&self) -> &str {
        &self.0.status
    }
    /// `healthy`, `degraded`, `unhealthy` or `unknown`.
    async fn health_status(&self) -> &str {
        &self.0.health_status
    }
    /// When health was last checked.
    async fn last_health_check(&self) -> Option<Timestamp> {
        self.0.last_health_check
    }
    /// What the last failed check said.
    async fn health_check_error(&self) -> Option<&str> {
        self.0.health_check_error.as_deref()
    }
    /// When the access token expires.
    async fn token_expires_at(&self) -> Option<Timestamp> {
        self.0.token_expires_at
    }
    /// When tokens were last stored.
    async fn last_token_refresh(&self) -> Option<Timestamp> {
        self.0.last_token_refresh
    }
    /// The account must be connected again by a person.
    async fn requires_reconnect(&self) -> bool {
        self.0.requires_reconnect
    }
    /// OAuth scopes granted.
    async fn scopes(&self) -> Vec<String> {
        self.0.scopes.clone().unwrap_or_default()
    }
    /// An access token is stored (encrypted; never readable here).
    async fn has_access_token(&self, ctx: &Context<'_>) -> ApiResult<bool> {
        self.has_secret(ctx, ACCESS_TOKEN).await
    }
    /// A refresh token is stored (encrypted; never readable here).
    async fn has_refresh_token(&self, ctx: &Context<'_>) -> ApiResult<bool> {
        self.has_secret(ctx, REFRESH_TOKEN).await
    }
    /// When it was connected.
    async fn created_at(&self) -> Timestamp {
        self.0.created_at
    }
    /// When a worker last published with it.
    async fn last_used_at(&self) -> Option<Timestamp> {
        self.0.last_used_at
    }
}

impl PlatformConnection {
    async fn has_secret(&self, ctx: &Context<'_>, secret_type: &str) -> ApiResult<bool> {
        let secrets = ctx
            .loaders()?
            .connection_secrets()
            .load_one(self.0.id)
            .await?;
        Ok(secrets
            .unwrap_or_default()
            .iter()
            .any(|s| s.secret_type == secret_type))
    }
}

/// Where a publish job stands.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum PublishJobStatus {
    /// Waiting for its time (or its first worker).
    Pending,
    /// A worker holds it under a lease.
    Processing,
    /// On the platform.
    Published,
    /// Failed; waits for `nextRetryAt`.
    Retrying,
    /// In the dead-letter queue (`dlqReason` says why); `retryPublishJob` revives it.
    Dead,
    /// Cancelled by a person.
    Cancelled,
}

impl PublishJobStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Processing => "processing",
            Self::Published => "published",
            Self::Retrying => "retrying",
            Self::Dead => "dead",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::Pending,
            Self::Processing,
            Self::Published,
            Self::Retrying,
            Self::Dead,
            Self::Cancelled,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

/// One publication of a content item on one connection.
pub struct PublishJob(pub publish_jobs::Model);

/// One publication of a content item on one connection.
#[Object]
impl PublishJob {
    /// Global id (for `node`).
    pub(crate) async fn id(&self) -> ID {
        ids::encode(NodeKind::PublishJob, self.0.id)
    }
    /// Database id.
    async fn uuid(&self) -> Uuid {
        self.0.id
    }
    /// The job's status.
    async fn status(&self) -> Option<PublishJobStatus> {
        PublishJobStatus::parse(&self.0.status)
    }
    /// The content item it publishes.
    async fn content_item(&self, ctx: &Context<'_>) -> ApiResult<Option<ContentItem>> {
        let Some(id) = self.0.content_item_id else {
            return Ok(None);
        };
        Ok(ctx
            .loaders()?
            .content_items()
            .load_one(id)
            .await?
            .map(ContentItem))
    }
    /// The email campaign it sends (email jobs only).
    async fn email_campaign(
        &self,
        ctx: &Context<'_>,
    ) -> ApiResult<Option<crate::graphql::email::EmailCampaign>> {
        let Some(id) = self.0.email_campaign_id else {
            return Ok(None);
        };
        Ok(ctx
            .loaders()?
            .email_campaigns()
            .load_one(id)
            .await?
            .map(crate::graphql::email::EmailCampaign))
    }
    /// The account it publishes to.
    async fn connection(&self, ctx: &Context<'_>) -> ApiResult<Option<PlatformConnection>> {
        Ok(ctx
            .loaders()?
            .connections()
            .load_one(self.0.connection_id)
            .await?
            .map(PlatformConnection))
    }
    /// Deduplicates the publication on the platform side.
    async fn idempotency_key(&self) -> Uuid {
        self.0.idempotency_key
    }
    /// Title sent.
    async fn title(&self) -> Option<&str> {
        self.0.title.as_deref()
    }
    /// Body sent.
    async fn body(&self) -> &str {
        &self.0.body
    }
    /// What else the worker sends (an object; an email job's `from_name`, `from_address`
    /// and `plain_text`).
    async fn metadata(&self) -> async_graphql::Json<serde_json::Value> {
        async_graphql::Json(
            self.0
                .metadata
                .clone()
                .unwrap_or_else(|| serde_json::json!({})),
        )
    }
    /// Media sent.
    async fn media_urls(&self) -> Vec<String> {
        self.0.media_urls.clone().unwrap_or_default()
    }
    /// When it is due.
    async fn publish_at(&self) -> Option<Timestamp> {
        self.0.publish_at
    }
    /// Attempts made so far.
    async fn attempt_count(&self) -> i32 {
        self.0.attempt_count
    }
    /// Attempts it gets before the dead-letter queue.
    async fn max_attempts(&self) -> i32 {
        self.0.max_attempts
    }
    /// When the next attempt is due (while retrying).
    async fn next_retry_at(&self) -> Option<Timestamp> {
        self.0.next_retry_at
    }
    /// When the current worker's lease runs out (while processing).
    async fn lease_expires_at(&self) -> Option<Timestamp> {
        self.0.lease_expires_at
    }
    /// The post's id on the platform.
    async fn platform_post_id(&self) -> Option<&str> {
        self.0.platform_post_id.as_deref()
    }
    /// The post's URL on the platform.
    async fn platform_post_url(&self) -> Option<&str> {
        self.0.platform_post_url.as_deref()
    }
    /// The last failure's code.
    async fn last_error_code(&self) -> Option<&str> {
        self.0.last_error_code.as_deref()
    }
    /// The last failure's message.
    async fn last_error_message(&self) -> Option<&str> {
        self.0.last_error_message.as_deref()
    }
    /// Every failed attempt: `{attempt, code, message, retryable, at}`.
    async fn error_history(&self) -> Json<serde_json::Value> {
        Json(self.0.error_history.clone().unwrap_or_default())
    }
    /// Why it is in the dead-letter queue.
    async fn dlq_reason(&self) -> Option<&str> {
        self.0.dlq_reason.as_deref()
    }
    /// When it entered the dead-letter queue.
    async fn dlq_at(&self) -> Option<Timestamp> {
        self.0.dlq_at
    }
    /// When it was published.
    async fn published_at(&self) -> Option<Timestamp> {
        self.0.published_at
    }
    /// Creation time.
    async fn created_at(&self) -> Timestamp {
        self.0.created_at
    }
    /// Last update time.
    async fn updated_at(&self) -> Timestamp {
        self.0.updated_at
    }
}

/// One transition of a publish job.
pub struct PublishingLog(pub publishing_logs::Model);

/// One transition of a publish job.
#[Object]
impl PublishingLog {
    /// The job (database id).
    async fn job_id(&self) -> Uuid {
        self.0.job_id
    }
    /// The connector platform.
    async fn platform(&self) -> &str {
        &self.0.platform
    }
    /// The job's status after the transition.
    async fn status(&self) -> &str {
        &self.0.status
    }
    /// The post's id on the platform, once published.
    async fn platform_post_id(&self) -> Option<&str> {
        self.0.platform_post_id.as_deref()
    }
    /// The failure, if any.
    async fn error_message(&self) -> Option<&str> {
        self.0.error_message.as_deref()
    }
    /// When it happened.
    async fn created_at(&self) -> Timestamp {
        self.0.created_at
    }
}

/// One synchronisation run with a platform.
pub struct PlatformSyncLog(pub platform_sync_logs::Model);

/// One synchronisation run with a platform.
#[Object]
impl PlatformSyncLog {
    /// The platform.
    async fn platform(&self) -> &str {
        &self.0.platform
    }
    /// What was synchronised (e.g. `posts`, `insights`).
    async fn sync_type(&self) -> &str {
        &self.0.sync_type
    }
    /// `running`, `success` or `failed`.
    async fn status(&self) -> &str {
        &self.0.status
    }
    /// Items synchronised.
    async fn items_synced(&self) -> i32 {
        self.0.items_synced.unwrap_or(0)
    }
    /// Start time.
    async fn started_at(&self) -> Timestamp {
        self.0.started_at
    }
    /// End time.
    async fn finished_at(&self) -> Option<Timestamp> {
        self.0.finished_at
    }
    /// The failure, if any.
    async fn error_message(&self) -> Option<&str> {
        self.0.error_message.as_deref()
    }
}

/// A brand's connections at a glance.
#[derive(SimpleObject)]
pub struct ConnectionStats {
    /// Connections of any status.
    pub total: i32,
    /// Active connections.
    pub active: i32,
    /// Active connections whose token expires within 24 hours.
    pub expiring_soon: i32,
    /// Connections that are not healthy or need reconnecting.
    pub needing_attention: i32,
    /// Connector platforms with at least one active connection.
    pub connected_platforms: Vec<String>,
}

/// Publish jobs of one connector platform over a window.
#[derive(SimpleObject)]
pub struct PlatformPublishingStats {
    /// The connector platform.
    pub platform: String,
    /// Jobs published.
    pub published: i64,
    /// Jobs pending, processing or waiting for a retry.
    pub in_flight: i64,
    /// Jobs in the dead-letter queue.
    pub dead: i64,
    /// Jobs cancelled.
    pub cancelled: i64,
}
