//! The brand's publishing fields (`Brand.connections`, `Brand.publishJobs`, ...), kept
//! here so the brand type only delegates.

use async_graphql::Context;
use uuid::Uuid;

use super::types::{
    ConnectionStats, ConnectorPlatform, PlatformConnection, PlatformPublishingStats,
    PlatformSyncLog, PublishJob, PublishJobStatus, PublishingLog,
};
use crate::domain::publishing::connections::expiring_within;
use crate::error::{ApiError, ApiResult};
use crate::graphql::connection::{NestedConnection, nested_connection, nested_spec};
use crate::graphql::context::RequestContext;
use crate::graphql::ids::{NodeKind, decode_as};
use crate::graphql::pagination::PageArgs;
use crate::loaders::page::Sort;
use crate::loaders::publishing_stats::StatsKey;
use crate::loaders::relations::{
    BrandPublishJobs, BrandPublishingLogs, BrandSyncLogs, PublishJobFilter,
};
use entity::connections;

async fn brand_connections(ctx: &Context<'_>, brand: Uuid) -> ApiResult<Vec<connections::Model>> {
    Ok(ctx
        .loaders()?
        .brand_connections()
        .load_one(brand)
        .await?
        .unwrap_or_default())
}

/// Connections, optionally narrowed.
pub async fn connections(
    ctx: &Context<'_>,
    brand: Uuid,
    platform: Option<String>,
    status: Option<String>,
    expiring_within_hours: Option<i32>,
    search: Option<String>,
) -> ApiResult<Vec<PlatformConnection>> {
    let all = brand_connections(ctx, brand).await?;
    let mut rows: Vec<&connections::Model> = match expiring_within_hours {
        Some(hours) if !(0..=24 * 366).contains(&hours) => {
            return Err(ApiError::bad_input(
                "expiringWithinHours",
                "expiringWithinHours must be 0 to 8784",
            ));
        }
        Some(hours) => expiring_within(&all, hours.into()),
        None => all.iter().collect(),
    };
    if let Some(platform) = platform {
        let platform = crate::domain::publishing::connector(&platform)?;
        let loaders = ctx.loaders()?;
        let mut keep = Vec::new();
        for row in rows {
            let name = loaders
                .connector_platforms()
                .load_one(row.platform_id)
                .await?;
            if name.is_some_and(|p| p.platform_name == platform) {
                keep.push(row);
            }
        }
        rows = keep;
    }
    if let Some(status) = status {
        rows.retain(|row| row.status == status);
    }
    if let Some(search) = search.map(|s| s.to_lowercase()) {
        rows.retain(|row| {
            row.display_name.to_lowercase().contains(&search)
                || row
                    .platform_account_id
                    .as_deref()
                    .is_some_and(|a| a.to_lowercase().contains(&search))
        });
    }
    Ok(rows.into_iter().cloned().map(PlatformConnection).collect())
}

/// Counts over the brand's connections.
pub async fn connection_stats(ctx: &Context<'_>, brand: Uuid) -> ApiResult<ConnectionStats> {
    let all = brand_connections(ctx, brand).await?;
    let loaders = ctx.loaders()?;
    let mut connected_platforms = Vec::new();
    for row in all.iter().filter(|r| r.status == "active") {
        if let Some(platform) = loaders
            .connector_platforms()
            .load_one(row.platform_id)
            .await?
        {
            connected_platforms.push(platform.platform_name);
        }
    }
    connected_platforms.sort();
    connected_platforms.dedup();
    Ok(ConnectionStats {
        total: all.len() as i32,
        active: all.iter().filter(|r| r.status == "active").count() as i32,
        expiring_soon: expiring_within(&all, 24).len() as i32,
        needing_attention: all
            .iter()
            .filter(|r| {
                r.status == "active" && (r.health_status != "healthy" || r.requires_reconnect)
            })
            .count() as i32,
        connected_platforms,
    })
}

/// The tenant's connector platform settings.
pub async fn connector_platforms(
    ctx: &Context<'_>,
    tenant: Option<Uuid>,
) -> ApiResult<Vec<ConnectorPlatform>> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    let Some(tenant) = tenant else {
        return Ok(Vec::new());
    };
    let rows = entity::connector_platforms::Entity::find()
        .filter(entity::connector_platforms::Column::TenantId.eq(tenant))
        .order_by_asc(entity::connector_platforms::Column::PlatformName)
        .all(ctx.db()?)
        .await?;
    Ok(rows.into_iter().map(ConnectorPlatform).collect())
}

/// Publish jobs, newest first.
pub async fn publish_jobs(
    ctx: &Context<'_>,
    brand: Uuid,
    status: Option<PublishJobStatus>,
    content_item_id: Option<async_graphql::ID>,
    page: PageArgs,
) -> ApiResult<NestedConnection<PublishJob>> {
    let filter = PublishJobFilter {
        status: status.map(|s| s.as_str().to_string()),
        content_item: content_item_id
            .map(|id| decode_as(NodeKind::ContentItem, &id))
            .transpose()?,
        connection: None,
    };
    let spec = nested_spec(ctx, filter, Sort::NEWEST_FIRST, page)?;
    nested_connection::<BrandPublishJobs, _>(
        ctx,
        brand,
        spec,
        |l| l.brand_publish_jobs(),
        |l| l.brand_publish_jobs_count(),
        PublishJob,
    )
    .await
}

/// Publishing log, newest first.
pub async fn publishing_logs(
    ctx: &Context<'_>,
    brand: Uuid,
    job_id: Option<async_graphql::ID>,
    page: PageArgs,
) -> ApiResult<NestedConnection<PublishingLog>> {
    let job = job_id
        .map(|id| decode_as(NodeKind::PublishJob, &id))
        .transpose()?;
    let spec = nested_spec(ctx, job, Sort::NEWEST_FIRST, page)?;
    nested_connection::<BrandPublishingLogs, _>(
        ctx,
        brand,
        spec,
        |l| l.brand_publishing_logs(),
        |l| l.brand_publishing_logs_count(),
        PublishingLog,
    )
    .await
}

/// Platform sync runs, newest first.
pub async fn sync_logs(
    ctx: &Context<'_>,
    brand: Uuid,
    platform: Option<String>,
    page: PageArgs,
) -> ApiResult<NestedConnection<PlatformSyncLog>> {
    let spec = nested_spec(ctx, platform, Sort::NEWEST_FIRST, page)?;
    nested_connection::<BrandSyncLogs, _>(
        ctx,
        brand,
        spec,
        |l| l.brand_sync_logs(),
        |l| l.brand_sync_logs_count(),
        PlatformSyncLog,
    )
    .await
}

/// Job counts per platform over the last `days` days.
pub async fn publishing_stats(
    ctx: &Context<'_>,
    brand: Uuid,
    days: i32,
) -> ApiResult<Vec<PlatformPublishingStats>> {
    if !(1..=366).contains(&days) {
        return Err(ApiError::bad_input("days", "days must be 1 to 366"));
    }
    let counts = ctx
        .loaders()?
        .publishing_stats()
        .load_one(StatsKey { brand, days })
        .await?
        .unwrap_or_default();
    Ok(counts
        .into_iter()
        .map(|c| PlatformPublishingStats {
            platform: c.platform,
            published: c.published,
            in_flight: c.in_flight,
            dead: c.dead,
            cancelled: c.cancelled,
        })
        .collect())
}
