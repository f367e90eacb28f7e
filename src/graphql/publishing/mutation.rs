//! Connecting accounts and managing publish jobs (people); the worker protocol is in
//! [`super::worker`].

use async_graphql::{Context, Enum, ID, InputObject, Object};
use chrono::{DateTime, FixedOffset};
use secrecy::SecretString;

use super::Publishing;
use super::types::{ConnectorPlatform, PlatformConnection, PlatformSyncLog, PublishJob};
use crate::domain::publishing::connections::{self, ConnectInput, Health, TokenUpdate};
use crate::domain::publishing::jobs;
use crate::domain::publishing::platforms::{self, PlatformSettings, SyncRun};
use crate::error::ApiResult;
use crate::graphql::context::{RequestContext, write};
use crate::graphql::ids::{NodeKind, decode_as};

/// An OAuth account to connect. The tokens are encrypted before they are stored and can
/// never be read back through the API.
#[derive(InputObject)]
pub struct ConnectPlatformInput {
    /// The brand (global id or UUID).
    pub brand_id: ID,
    /// `meta`, `linkedin`, `tiktok`, `gbp` or `mailchimp`.
    pub platform: String,
    /// The account's user id on the platform.
    pub platform_user_id: String,
    /// The page or account id (defaults to the user id).
    pub platform_account_id: Option<String>,
    /// Name shown for the account.
    pub display_name: String,
    /// Avatar URL.
    pub profile_image_url: Option<String>,
    /// OAuth scopes granted.
    #[graphql(default)]
    pub scopes: Vec<String>,
    /// The OAuth access token.
    #[graphql(secret)]
    pub access_token: String,
    /// The OAuth refresh token.
    #[graphql(secret)]
    pub refresh_token: Option<String>,
    /// When the access token expires.
    pub token_expires_at: Option<DateTime<FixedOffset>>,
}

/// The outcome of a health check.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionHealth {
    /// Works.
    Healthy,
    /// Works with problems (e.g. missing scopes).
    Degraded,
    /// Does not work.
    Unhealthy,
}

/// Connector platform settings to change; omitted fields keep their value.
#[derive(InputObject)]
pub struct ConnectorPlatformSettings {
    /// Whether brands of the tenant may connect and publish.
    pub is_enabled: Option<bool>,
    /// Mark as beta.
    pub is_beta: Option<bool>,
    /// Publications allowed per window.
    pub rate_limit_requests: Option<i32>,
    /// The rate window, in seconds.
    pub rate_limit_window_seconds: Option<i32>,
    /// Attempts a publish job gets.
    pub max_retry_attempts: Option<i32>,
}

/// A synchronisation run with a platform.
#[derive(InputObject)]
pub struct SyncLogInput {
    /// The brand (global id or UUID).
    pub brand_id: ID,
    /// The platform synchronised.
    pub platform: String,
    /// What was synchronised (e.g. `posts`, `insights`).
    pub sync_type: String,
    /// `running`, `success` or `failed`.
    pub status: String,
    /// Items synchronised.
    #[graphql(default)]
    pub items_synced: i32,
    /// Start time.
    pub started_at: DateTime<FixedOffset>,
    /// End time.
    pub finished_at: Option<DateTime<FixedOffset>>,
    /// The failure, if any.
    pub error_message: Option<String>,
}

#[derive(Default)]
pub struct PublishingMutation;

#[Object]
impl PublishingMutation {
    /// Connects a platform account to a brand, or reconnects it (admins and above).
    async fn connect_platform(
        &self,
        ctx: &Context<'_>,
        input: ConnectPlatformInput,
    ) -> ApiResult<PlatformConnection> {
        let keyring = ctx.data::<Publishing>()?.keyring();
        let input = ConnectInput {
            brand_id: decode_as(NodeKind::Brand, &input.brand_id)?,
            platform: input.platform,
            platform_user_id: input.platform_user_id,
            platform_account_id: input.platform_account_id,
            display_name: input.display_name,
            profile_image_url: input.profile_image_url,
            scopes: input.scopes,
            access_token: SecretString::from(input.access_token),
            refresh_token: input.refresh_token.map(SecretString::from),
            token_expires_at: input.token_expires_at,
        };
        let connection = write(ctx, async |txn| {
            connections::connect(txn, ctx.viewer()?, ctx.audit()?, keyring, input).await
        })
        .await?;
        Ok(PlatformConnection(connection))
    }

    /// Stores refreshed tokens for a connection (admins and above).
    async fn update_access_token(
        &self,
        ctx: &Context<'_>,
        connection_id: ID,
        #[graphql(secret)] access_token: String,
        #[graphql(secret)] refresh_token: Option<String>,
        expires_at: Option<DateTime<FixedOffset>>,
    ) -> ApiResult<PlatformConnection> {
        let id = decode_as(NodeKind::PlatformConnection, &connection_id)?;
        let keyring = ctx.data::<Publishing>()?.keyring();
        let tokens = TokenUpdate {
            access_token: SecretString::from(access_token),
            refresh_token: refresh_token.map(SecretString::from),
            expires_at,
        };
        let connection = write(ctx, async |txn| {
            connections::update_access_token(txn, ctx.viewer()?, ctx.audit()?, keyring, id, tokens)
                .await
        })
        .await?;
        Ok(PlatformConnection(connection))
    }

    /// Records a health check of a connection (managers and above).
    async fn verify_connection(
        &self,
        ctx: &Context<'_>,
        connection_id: ID,
        health: ConnectionHealth,
        error: Option<String>,
        #[graphql(default)] requires_reconnect: bool,
    ) -> ApiResult<PlatformConnection> {
        let id = decode_as(NodeKind::PlatformConnection, &connection_id)?;
        let health = match health {
            ConnectionHealth::Healthy => Health::Healthy,
            ConnectionHealth::Degraded => Health::Degraded,
            ConnectionHealth::Unhealthy => Health::Unhealthy,
        };
        let connection = write(ctx, async |txn| {
            connections::record_health(
                txn,
                ctx.viewer()?,
                ctx.audit()?,
                id,
                health,
                error,
                requires_reconnect,
            )
            .await
        })
        .await?;
        Ok(PlatformConnection(connection))
    }

    /// Disconnects an account: its tokens are deleted and its unpublished jobs cancelled
    /// (admins and above).
    async fn disconnect_platform(
        &self,
        ctx: &Context<'_>,
        connection_id: ID,
    ) -> ApiResult<PlatformConnection> {
        let id = decode_as(NodeKind::PlatformConnection, &connection_id)?;
        let connection = write(ctx, async |txn| {
            connections::disconnect(txn, ctx.viewer()?, ctx.audit()?, id).await
        })
        .await?;
        Ok(PlatformConnection(connection))
    }

    /// Deletes a connection with its tokens and jobs (admins and above). Returns its id.
    async fn delete_connection(&self, ctx: &Context<'_>, connection_id: ID) -> ApiResult<ID> {
        let id = decode_as(NodeKind::PlatformConnection, &connection_id)?;
        write(ctx, async |txn| {
            connections::delete(txn, ctx.viewer()?, ctx.audit()?, id).await
        })
        .await?;
        Ok(connection_id)
    }

    /// Publishes approved or scheduled content now, on every active connection of its
    /// brand or on the given ones (managers and above).
    async fn publish_now(
        &self,
        ctx: &Context<'_>,
        content_item_id: ID,
        connection_ids: Option<Vec<ID>>,
    ) -> ApiResult<Vec<PublishJob>> {
        let id = decode_as(NodeKind::ContentItem, &content_item_id)?;
        let connections = connection_ids
            .map(|ids| {
                ids.iter()
                    .map(|c| decode_as(NodeKind::PlatformConnection, c))
                    .collect::<ApiResult<Vec<_>>>()
            })
            .transpose()?;
        let jobs = write(ctx, async |txn| {
            jobs::publish_now(txn, ctx.viewer()?, ctx.audit()?, id, connections).await
        })
        .await?;
        Ok(jobs.into_iter().map(PublishJob).collect())
    }

    /// Changes the tenant's settings of a connector platform; the tenant is that of
    /// `brandId` (admins of that brand, or the service role).
    async fn configure_connector_platform(
        &self,
        ctx: &Context<'_>,
        brand_id: ID,
        platform: String,
        settings: ConnectorPlatformSettings,
    ) -> ApiResult<ConnectorPlatform> {
        let brand = decode_as(NodeKind::Brand, &brand_id)?;
        let settings = PlatformSettings {
            is_enabled: settings.is_enabled,
            is_beta: settings.is_beta,
            rate_limit_requests: settings.rate_limit_requests,
            rate_limit_window_seconds: settings.rate_limit_window_seconds,
            max_retry_attempts: settings.max_retry_attempts,
        };
        let row = write(ctx, async |txn| {
            platforms::configure(txn, ctx.viewer()?, ctx.audit()?, brand, &platform, settings).await
        })
        .await?;
        Ok(ConnectorPlatform(row))
    }

    /// Records a synchronisation run with a platform (the service role).
    async fn record_sync_log(
        &self,
        ctx: &Context<'_>,
        input: SyncLogInput,
    ) -> ApiResult<PlatformSyncLog> {
        let run = SyncRun {
            brand_id: decode_as(NodeKind::Brand, &input.brand_id)?,
            platform: input.platform,
            sync_type: input.sync_type,
            status: input.status,
            items_synced: input.items_synced,
            started_at: input.started_at,
            finished_at: input.finished_at,
            error_message: input.error_message,
        };
        let row = write(ctx, async |txn| {
            platforms::record_sync(txn, ctx.viewer()?, run).await
        })
        .await?;
        Ok(PlatformSyncLog(row))
    }

    /// Cancels a job that is pending, retrying or dead (managers and above).
    async fn cancel_publish_job(&self, ctx: &Context<'_>, id: ID) -> ApiResult<PublishJob> {
        let id = decode_as(NodeKind::PublishJob, &id)?;
        let job = write(ctx, async |txn| {
            jobs::cancel(txn, ctx.viewer()?, ctx.audit()?, id).await
        })
        .await?;
        Ok(PublishJob(job))
    }

    /// Puts a dead or cancelled job back in the queue with a fresh retry budget
    /// (managers and above).
    async fn retry_publish_job(&self, ctx: &Context<'_>, id: ID) -> ApiResult<PublishJob> {
        let id = decode_as(NodeKind::PublishJob, &id)?;
        let job = write(ctx, async |txn| {
            jobs::retry(txn, ctx.viewer()?, ctx.audit()?, id).await
        })
        .await?;
        Ok(PublishJob(job))
    }
}
