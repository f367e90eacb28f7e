//! `Brand.analyticsSyncLogs`: the runs `ingestAnalytics` records, one per platform of
//! each batch.

use async_graphql::{Context, Object};
use chrono::{DateTime, FixedOffset};
use uuid::Uuid;

use crate::domain::analytics::Platform;
use crate::error::ApiResult;
use crate::graphql::connection::{NestedConnection, nested_connection, nested_spec};
use crate::graphql::pagination::PageArgs;
use crate::loaders::page::Sort;
use crate::loaders::relations::BrandAnalyticsSyncLogs;
use entity::analytics_sync_logs;

type Timestamp = DateTime<FixedOffset>;

/// One analytics ingest run for one platform.
pub struct AnalyticsSyncLog(pub analytics_sync_logs::Model);

/// One analytics ingest run for one platform.
#[Object]
impl AnalyticsSyncLog {
    /// Database id.
    async fn uuid(&self) -> Uuid {
        self.0.id
    }
    /// The platform.
    async fn platform(&self) -> &str {
        &self.0.platform
    }
    /// What wrote it (`ingest` for `ingestAnalytics`).
    async fn sync_type(&self) -> &str {
        &self.0.sync_type
    }
    /// `completed` or `failed`.
    async fn status(&self) -> &str {
        &self.0.status
    }
    /// Metric rows received for the platform.
    async fn items_synced(&self) -> i32 {
        self.0.items_synced.unwrap_or(0)
    }
    /// Metric rows that could not be written.
    async fn items_failed(&self) -> i32 {
        self.0.items_failed.unwrap_or(0)
    }
    /// Start time.
    async fn started_at(&self) -> Timestamp {
        self.0.started_at
    }
    /// End time.
    async fn completed_at(&self) -> Option<Timestamp> {
        self.0.completed_at
    }
    /// How long the run took, in milliseconds.
    async fn duration_ms(&self) -> Option<i32> {
        self.0.duration_ms
    }
    /// The failure, if any.
    async fn error_message(&self) -> Option<&str> {
        self.0.error_message.as_deref()
    }
    /// When it was recorded.
    async fn created_at(&self) -> Timestamp {
        self.0.created_at
    }
}

/// `Brand.analyticsSyncLogs`, newest first; readable by every member, like `syncLogs`.
pub async fn brand_analytics_sync_logs(
    ctx: &Context<'_>,
    brand: Uuid,
    platform: Option<String>,
    page: PageArgs,
) -> ApiResult<NestedConnection<AnalyticsSyncLog>> {
    let platform = platform
        .map(|p| Platform::parse(&p))
        .transpose()?
        .map(Platform::into_inner);
    let spec = nested_spec(ctx, platform, Sort::NEWEST_FIRST, page)?;
    nested_connection::<BrandAnalyticsSyncLogs, _>(
        ctx,
        brand,
        spec,
        |l| l.brand_analytics_sync_logs(),
        |l| l.brand_analytics_sync_logs_count(),
        AnalyticsSyncLog,
    )
    .await
}
