//! Media assets: registration with per-brand deduplication, the storage quota, archiving
//! and usage logging.
//!
//! The quota is enforced by one conditional `UPDATE ... WHERE used_bytes + size <=
//! limit_bytes` on the brand's quota row: the row lock serialises concurrent
//! registrations, so `used_bytes` can never pass the limit (a CHECK constraint backs
//! this up), and it always equals the sum of the brand's active assets because every
//! change to it happens in the transaction that adds or archives the asset.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, Set,
    Statement,
};
use serde_json::{Value, json};
use uuid::Uuid;

use super::access::require_role;
use super::audit::{self, AuditContext, AuditEntry};
use super::brands::scoped;
use super::status::AssetStatus;
use crate::auth::{Role, Viewer};
use crate::error::{ApiError, ApiResult};
use entity::{brands, media_assets, media_usage_logs};

/// Metadata of a file already stored elsewhere.
pub struct NewAsset {
    pub brand_id: Uuid,
    pub filename: String,
    pub mime_type: Option<String>,
    pub path: String,
    pub size_bytes: i64,
    /// SHA-256, 64 hex digits.
    pub hash: String,
    pub category: Option<String>,
    pub metadata: Option<Value>,
    pub variants: Option<Value>,
}

/// What registration did.
pub enum Registered {
    Created(media_assets::Model),
    /// The brand already had a file with this hash.
    Existing(media_assets::Model),
}

fn validate(new: &NewAsset) -> ApiResult<()> {
    if new.filename.trim().is_empty() {
        return Err(ApiError::bad_input("filename", "filename is empty"));
    }
    if new.path.trim().is_empty() {
        return Err(ApiError::bad_input("path", "path is empty"));
    }
    if new.size_bytes < 0 {
        return Err(ApiError::bad_input("sizeBytes", "size cannot be negative"));
    }
    if new.hash.len() != 64 || !new.hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ApiError::bad_input(
            "hash",
            "hash must be a SHA-256 in 64 hex digits",
        ));
    }
    Ok(())
}

async fn find_by_hash(
    db: &impl ConnectionTrait,
    brand_id: Uuid,
    hash: &str,
) -> ApiResult<Option<media_assets::Model>> {
    Ok(media_assets::Entity::find()
        .filter(media_assets::Column::BrandId.eq(brand_id))
        .filter(media_assets::Column::Hash.eq(hash))
        .one(db)
        .await?)
}

/// Creates the brand's quota row with the default limit if missing, and locks it: the
/// lock serialises every registration and archive of the brand, including the
/// deduplication check that follows it.
async fn lock_quota(db: &impl ConnectionTrait, brand: &brands::Model) -> ApiResult<()> {
    db.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "INSERT INTO storage_quotas (brand_id, tenant_id) VALUES ($1, $2) ON CONFLICT (brand_id) DO NOTHING",
        [brand.id.into(), brand.tenant_id.into()],
    ))
    .await?;
    db.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT 1 FROM storage_quotas WHERE brand_id = $1 FOR UPDATE",
        [brand.id.into()],
    ))
    .await?;
    Ok(())
}

/// Adds `delta` bytes to the brand's usage; `QUOTA_EXCEEDED` if that would pass the limit.
async fn charge_quota(db: &impl ConnectionTrait, brand_id: Uuid, delta: i64) -> ApiResult<()> {
    let charged = db
        .execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "UPDATE storage_quotas SET used_bytes = used_bytes + $2
              WHERE brand_id = $1 AND used_bytes + $2 BETWEEN 0 AND limit_bytes",
            [brand_id.into(), delta.into()],
        ))
        .await?;
    if charged.rows_affected() == 0 {
        return Err(ApiError::QuotaExceeded(format!(
            "storing {delta} more bytes would exceed the brand's storage quota"
        )));
    }
    Ok(())
}

pub async fn register(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    ctx: &AuditContext,
    new: NewAsset,
) -> ApiResult<Registered> {
    require_role(viewer, new.brand_id, Role::Manager).await?;
    validate(&new)?;
    let hash = new.hash.to_ascii_lowercase();
    let brand = brands::Entity::find_by_id(new.brand_id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("brand"))?;
    let tenant_id = brand
        .tenant_id
        .ok_or_else(|| ApiError::bad_input("brandId", "the brand belongs to no tenant"))?;
    lock_quota(db, &brand).await?;
    if let Some(existing) = find_by_hash(db, new.brand_id, &hash).await? {
        return Ok(Registered::Existing(existing));
    }
    charge_quota(db, brand.id, new.size_bytes).await?;
    let asset = media_assets::ActiveModel {
        id: Set(Uuid::new_v4()),
        tenant_id: Set(tenant_id),
        brand_id: Set(new.brand_id),
        category: Set(new.category),
        filename: Set(new.filename),
        mime_type: Set(new.mime_type),
        path: Set(new.path),
        size_bytes: Set(new.size_bytes),
        hash: Set(Some(hash)),
        metadata: Set(Some(new.metadata.unwrap_or_else(|| json!({})))),
        variants: Set(Some(new.variants.unwrap_or_else(|| json!([])))),
        status: Set(Some(AssetStatus::Active.as_str().into())),
        ..Default::default()
    }
    .insert(db)
    .await?;
    audit::record(
        db,
        ctx,
        AuditEntry {
            brand_id: Some(asset.brand_id),
            action: "asset.register",
            resource_type: "media_asset",
            resource_id: asset.id.to_string(),
            metadata: json!({ "size_bytes": asset.size_bytes, "hash": asset.hash }),
        },
    )
    .await?;
    Ok(Registered::Created(asset))
}

/// The asset, locked, if the viewer may see its brand.
async fn lock_visible(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> ApiResult<media_assets::Model> {
    use sea_orm::QuerySelect;
    let scope = viewer.brand_scope().await?;
    scoped(
        media_assets::Entity::find_by_id(id),
        &scope,
        media_assets::Column::BrandId,
    )
    .lock_exclusive()
    .one(db)
    .await?
    .ok_or(ApiError::NotFound("media asset"))
}

/// Archives an active asset and frees its quota.
pub async fn archive(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    ctx: &AuditContext,
    id: Uuid,
) -> ApiResult<media_assets::Model> {
    let asset = lock_visible(db, viewer, id).await?;
    require_role(viewer, asset.brand_id, Role::Manager).await?;
    if asset.status.as_deref() != Some(AssetStatus::Active.as_str()) {
        return Err(ApiError::bad_input(
            "id",
            "only active assets can be archived",
        ));
    }
    charge_quota(db, asset.brand_id, -asset.size_bytes).await?;
    let mut active: media_assets::ActiveModel = asset.into();
    active.status = Set(Some(AssetStatus::Archived.as_str().into()));
    let asset = active.update(db).await?;
    audit::record(
        db,
        ctx,
        AuditEntry {
            brand_id: Some(asset.brand_id),
            action: "asset.archive",
            resource_type: "media_asset",
            resource_id: asset.id.to_string(),
            metadata: json!({ "freed_bytes": asset.size_bytes }),
        },
    )
    .await?;
    Ok(asset)
}

/// Logs one use; the `increment_asset_usage` trigger keeps the counters.
pub async fn record_usage(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    ctx: &AuditContext,
    asset_id: Uuid,
    used_in: String,
    context: Option<Value>,
) -> ApiResult<media_assets::Model> {
    let asset = lock_visible(db, viewer, asset_id).await?;
    require_role(viewer, asset.brand_id, Role::Member).await?;
    if used_in.trim().is_empty() || used_in.len() > 200 {
        return Err(ApiError::bad_input(
            "usedIn",
            "usedIn must be 1 to 200 characters, e.g. post:<id>",
        ));
    }
    media_usage_logs::ActiveModel {
        id: Set(Uuid::new_v4()),
        asset_id: Set(asset.id),
        brand_id: Set(asset.brand_id),
        used_in: Set(used_in.clone()),
        used_by_user: Set(viewer.user_id()),
        context: Set(Some(context.unwrap_or_else(|| json!({})))),
        ..Default::default()
    }
    .insert(db)
    .await?;
    audit::record(
        db,
        ctx,
        AuditEntry {
            brand_id: Some(asset.brand_id),
            action: "asset.use",
            resource_type: "media_asset",
            resource_id: asset.id.to_string(),
            metadata: json!({ "used_in": used_in }),
        },
    )
    .await?;
    media_assets::Entity::find_by_id(asset.id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("media asset"))
}
