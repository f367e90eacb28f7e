use async_graphql::{Context, ID, InputObject, Json, Object};
use chrono::{DateTime, FixedOffset};
use uuid::Uuid;

use crate::domain::status::AssetStatus;
use crate::error::{ApiError, ApiResult};
use crate::graphql::brand::Brand;
use crate::graphql::connection::{NestedConnection, nested_connection, nested_spec};
use crate::graphql::identity::User;
use crate::graphql::ids::{self, NodeKind};
use crate::graphql::pagination::PageArgs;
use crate::loaders::page::Sort;
use crate::loaders::relations::{AssetFilter, AssetUsage};
use entity::{media_assets, media_usage_logs, storage_quotas};

type Timestamp = DateTime<FixedOffset>;

/// Narrows `Brand.mediaAssets`.
#[derive(InputObject, Default)]
pub struct MediaAssetFilter {
    /// Only this category (`images`, `graphics`, `logos`, `videos`, ...).
    pub category: Option<String>,
    /// Only this status.
    pub status: Option<AssetStatus>,
    /// Only this MIME type.
    pub mime_type: Option<String>,
}

impl From<MediaAssetFilter> for AssetFilter {
    fn from(filter: MediaAssetFilter) -> Self {
        Self {
            category: filter.category,
            status: filter.status.map(|s| s.as_str().to_string()),
            mime_type: filter.mime_type,
        }
    }
}

/// A stored file of a brand (image, video, logo, ...).
pub struct MediaAsset(pub media_assets::Model);

/// A stored file of a brand (image, video, logo, ...).
#[Object]
impl MediaAsset {
    /// Global id (for `node`).
    pub(crate) async fn id(&self) -> ID {
        ids::encode(NodeKind::MediaAsset, self.0.id)
    }
    /// Database id.
    async fn uuid(&self) -> Uuid {
        self.0.id
    }
    /// The brand it belongs to.
    async fn brand(&self, ctx: &Context<'_>) -> ApiResult<Brand> {
        Brand::load(ctx, self.0.brand_id).await
    }
    /// Category (`images`, `graphics`, `logos`, `videos`, ...).
    async fn category(&self) -> Option<&str> {
        self.0.category.as_deref()
    }
    /// Original file name.
    async fn filename(&self) -> &str {
        &self.0.filename
    }
    /// MIME type.
    async fn mime_type(&self) -> Option<&str> {
        self.0.mime_type.as_deref()
    }
    /// Storage path.
    async fn path(&self) -> &str {
        &self.0.path
    }
    /// Size in bytes.
    async fn size_bytes(&self) -> i64 {
        self.0.size_bytes
    }
    /// SHA-256 of the content (hex), used for deduplication within the brand.
    async fn hash(&self) -> Option<&str> {
        self.0.hash.as_deref()
    }
    /// Width, height, tags, colours, ...
    async fn metadata(&self) -> Option<Json<serde_json::Value>> {
        self.0.metadata.clone().map(Json)
    }
    /// Resized variants.
    async fn variants(&self) -> Option<Json<serde_json::Value>> {
        self.0.variants.clone().map(Json)
    }
    /// Where it is used (`post:<id>`, `email:<id>`).
    async fn used_in(&self) -> Vec<String> {
        self.0.used_in.clone().unwrap_or_default()
    }
    /// How often it was used.
    async fn usage_count(&self) -> i32 {
        self.0.usage_count
    }
    /// When it was last used.
    async fn last_used(&self) -> Option<Timestamp> {
        self.0.last_used
    }
    /// Status.
    async fn status(&self) -> ApiResult<Option<AssetStatus>> {
        match self.0.status.as_deref() {
            None => Ok(None),
            Some(status) => AssetStatus::parse(status)
                .map(Some)
                .ok_or_else(|| ApiError::unexpected("asset status", status)),
        }
    }
    /// Creation time.
    async fn created_at(&self) -> Timestamp {
        self.0.created_at
    }
    /// Last update time.
    async fn updated_at(&self) -> Timestamp {
        self.0.updated_at
    }
    /// Its usage log, newest first.
    #[graphql(
        complexity = "crate::graphql::pagination::page_cost(first.or(last), child_complexity)"
    )]
    async fn usage(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last edge of the previous page.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100); not with `first`.")] last: Option<
            i32,
        >,
        #[graphql(desc = "Cursor of the first edge of the next page.")] before: Option<String>,
    ) -> ApiResult<NestedConnection<MediaUsage>> {
        let spec = nested_spec(
            ctx,
            (),
            Sort::NEWEST_FIRST,
            PageArgs::new(first, after, last, before),
        )?;
        nested_connection::<AssetUsage, _>(
            ctx,
            self.0.id,
            spec,
            |l| l.asset_usage(),
            |l| l.asset_usage_count(),
            MediaUsage,
        )
        .await
    }
}

/// One use of a media asset.
pub struct MediaUsage(pub media_usage_logs::Model);

/// One use of a media asset.
#[Object]
impl MediaUsage {
    /// Database id.
    async fn uuid(&self) -> Uuid {
        self.0.id
    }
    /// Where it was used (`post:<id>`, `email:<id>`).
    async fn used_in(&self) -> &str {
        &self.0.used_in
    }
    /// Who used it.
    async fn used_by(&self, ctx: &Context<'_>) -> ApiResult<Option<User>> {
        User::load(ctx, self.0.used_by_user).await
    }
    /// Free-form context of the use.
    async fn context(&self) -> Option<Json<serde_json::Value>> {
        self.0.context.clone().map(Json)
    }
    /// When it was used.
    async fn created_at(&self) -> Timestamp {
        self.0.created_at
    }
}

/// A brand's storage allowance.
pub struct StorageQuota(pub storage_quotas::Model);

/// A brand's storage allowance.
#[Object]
impl StorageQuota {
    /// Allowance in bytes.
    async fn limit_bytes(&self) -> i64 {
        self.0.limit_bytes
    }
    /// Bytes used by active assets.
    async fn used_bytes(&self) -> i64 {
        self.0.used_bytes
    }
    /// Bytes still free.
    async fn available_bytes(&self) -> i64 {
        (self.0.limit_bytes - self.0.used_bytes).max(0)
    }
}
