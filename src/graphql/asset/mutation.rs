use async_graphql::{Context, ID, InputObject, Json, Object, SimpleObject};

use super::MediaAsset;
use crate::domain::assets::{self, NewAsset, Registered};
use crate::error::ApiResult;
use crate::graphql::context::{RequestContext, write};
use crate::graphql::ids::{NodeKind, decode_as};

/// Metadata of a file already stored elsewhere.
#[derive(InputObject)]
pub struct RegisterMediaAssetInput {
    /// The brand (global id or UUID).
    brand_id: ID,
    /// Original file name.
    filename: String,
    /// MIME type.
    mime_type: Option<String>,
    /// Storage path.
    path: String,
    /// Size in bytes.
    size_bytes: i64,
    /// SHA-256 of the content, 64 hex digits.
    hash: String,
    /// Category (`images`, `graphics`, `logos`, `videos`, ...).
    category: Option<String>,
    /// Width, height, tags, ...
    metadata: Option<Json<serde_json::Value>>,
    /// Resized variants.
    variants: Option<Json<serde_json::Value>>,
}

/// The registered asset.
#[derive(SimpleObject)]
pub struct RegisterMediaAssetPayload {
    /// The asset (the existing one when the brand already had this file).
    asset: MediaAsset,
    /// False when an asset with the same hash already existed in the brand.
    created: bool,
}

#[derive(Default)]
pub struct AssetMutation;

#[Object]
impl AssetMutation {
    /// Registers a stored file (managers and above). The same hash in the same brand returns
    /// the existing asset; the brand's storage quota is enforced (`QUOTA_EXCEEDED`).
    async fn register_media_asset(
        &self,
        ctx: &Context<'_>,
        input: RegisterMediaAssetInput,
    ) -> ApiResult<RegisterMediaAssetPayload> {
        let new = NewAsset {
            brand_id: decode_as(NodeKind::Brand, &input.brand_id)?,
            filename: input.filename,
            mime_type: input.mime_type,
            path: input.path,
            size_bytes: input.size_bytes,
            hash: input.hash,
            category: input.category,
            metadata: input.metadata.map(|m| m.0),
            variants: input.variants.map(|v| v.0),
        };
        let registered = write(ctx, async |txn| {
            assets::register(txn, ctx.viewer()?, ctx.audit()?, new).await
        })
        .await?;
        Ok(match registered {
            Registered::Created(asset) => RegisterMediaAssetPayload {
                asset: MediaAsset(asset),
                created: true,
            },
            Registered::Existing(asset) => RegisterMediaAssetPayload {
                asset: MediaAsset(asset),
                created: false,
            },
        })
    }

    /// Archives an active asset and frees its quota (managers and above).
    async fn archive_media_asset(&self, ctx: &Context<'_>, id: ID) -> ApiResult<MediaAsset> {
        let id = decode_as(NodeKind::MediaAsset, &id)?;
        let asset = write(ctx, async |txn| {
            assets::archive(txn, ctx.viewer()?, ctx.audit()?, id).await
        })
        .await?;
        Ok(MediaAsset(asset))
    }

    /// Logs a use of an asset (members and above); `usageCount` and `lastUsed` follow.
    async fn record_asset_usage(
        &self,
        ctx: &Context<'_>,
        asset_id: ID,
        #[graphql(desc = "Where it is used, e.g. `post:<uuid>`.")] used_in: String,
        context: Option<Json<serde_json::Value>>,
    ) -> ApiResult<MediaAsset> {
        let id = decode_as(NodeKind::MediaAsset, &asset_id)?;
        let asset = write(ctx, async |txn| {
            assets::record_usage(
                txn,
                ctx.viewer()?,
                ctx.audit()?,
                id,
                used_in,
                context.map(|c| c.0),
            )
            .await
        })
        .await?;
        Ok(MediaAsset(asset))
    }
}
