//! The tenant's connector platform settings, and the record of synchronisation runs.

use chrono::{DateTime, FixedOffset};
use sea_orm::{ConnectionTrait, DbBackend, EntityTrait, Statement};
use serde_json::json;
use uuid::Uuid;

use super::connections::ensure_platform;
use super::connector;
use crate::auth::{Role, Viewer};
use crate::domain::access::require_role;
use crate::domain::audit::{self, AuditContext, AuditEntry};
use crate::error::{ApiError, ApiResult};
use entity::{connector_platforms, platform_sync_logs};

/// Settings to change; `None` keeps the current value.
#[derive(Default)]
pub struct PlatformSettings {
    pub is_enabled: Option<bool>,
    pub is_beta: Option<bool>,
    pub rate_limit_requests: Option<i32>,
    pub rate_limit_window_seconds: Option<i32>,
    pub max_retry_attempts: Option<i32>,
}

async fn tenant_of(db: &impl ConnectionTrait, brand_id: Uuid) -> ApiResult<Uuid> {
    let brand = entity::brands::Entity::find_by_id(brand_id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("brand"))?;
    brand
        .tenant_id
        .ok_or_else(|| ApiError::bad_input("brandId", "the brand belongs to no tenant"))
}

/// Changes the settings of a connector platform for the tenant of `brand_id` (admins of
/// a brand of the tenant, or the service role).
pub async fn configure(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    ctx: &AuditContext,
    brand_id: Uuid,
    platform: &str,
    settings: PlatformSettings,
) -> ApiResult<connector_platforms::Model> {
    require_role(viewer, brand_id, Role::Admin).await?;
    let platform = connector(platform)?;
    let positive = |field: &'static str, value: Option<i32>, max: i32| match value {
        Some(v) if !(1..=max).contains(&v) => {
            Err(ApiError::bad_input(field, format!("must be 1 to {max}")))
        }
        _ => Ok(()),
    };
    positive("rateLimitRequests", settings.rate_limit_requests, 1_000_000)?;
    positive(
        "rateLimitWindowSeconds",
        settings.rate_limit_window_seconds,
        86_400,
    )?;
    positive("maxRetryAttempts", settings.max_retry_attempts, 50)?;
    let tenant = tenant_of(db, brand_id).await?;
    let before = ensure_platform(db, tenant, platform).await?;
    db.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "UPDATE connector_platforms SET is_enabled = coalesce($2, is_enabled), is_beta = coalesce($3, is_beta),
                rate_limit_requests = coalesce($4, rate_limit_requests),
                rate_limit_window_seconds = coalesce($5, rate_limit_window_seconds),
                max_retry_attempts = coalesce($6, max_retry_attempts)
          WHERE id = $1",
        [
            before.id.into(),
            settings.is_enabled.into(),
            settings.is_beta.into(),
            settings.rate_limit_requests.into(),
            settings.rate_limit_window_seconds.into(),
            settings.max_retry_attempts.into(),
        ],
    ))
    .await?;
    let after = connector_platforms::Entity::find_by_id(before.id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("connector platform"))?;
    audit::record(
        db,
        ctx,
        AuditEntry {
            brand_id: Some(brand_id),
            action: "connector_platform.configure",
            resource_type: "connector_platform",
            resource_id: after.id.to_string(),
            metadata: json!({ "platform": platform, "before": before, "after": after }),
        },
    )
    .await?;
    Ok(after)
}

/// A synchronisation run to record.
pub struct SyncRun {
    pub brand_id: Uuid,
    pub platform: String,
    pub sync_type: String,
    pub status: String,
    pub items_synced: i32,
    pub started_at: DateTime<FixedOffset>,
    pub finished_at: Option<DateTime<FixedOffset>>,
    pub error_message: Option<String>,
}

/// Records a synchronisation run (the service role: sync jobs run as the backend).
pub async fn record_sync(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    run: SyncRun,
) -> ApiResult<platform_sync_logs::Model> {
    viewer.require_authenticated()?;
    if !viewer.is_service() {
        return Err(ApiError::Forbidden(
            "only the service role records sync runs".into(),
        ));
    }
    if !["running", "success", "failed"].contains(&run.status.as_str()) {
        return Err(ApiError::bad_input(
            "status",
            "status must be running, success or failed",
        ));
    }
    if run.platform.is_empty()
        || run.platform.len() > 50
        || run.sync_type.is_empty()
        || run.sync_type.len() > 50
    {
        return Err(ApiError::bad_input(
            "platform",
            "platform and syncType must be 1 to 50 characters",
        ));
    }
    use sea_orm::{ActiveModelTrait, Set};
    Ok(platform_sync_logs::ActiveModel {
        id: Set(Uuid::new_v4()),
        brand_id: Set(run.brand_id),
        platform: Set(run.platform),
        sync_type: Set(run.sync_type),
        status: Set(run.status),
        items_synced: Set(Some(run.items_synced.max(0))),
        started_at: Set(run.started_at),
        finished_at: Set(run.finished_at),
        error_message: Set(run.error_message),
        ..Default::default()
    }
    .insert(db)
    .await?)
}
