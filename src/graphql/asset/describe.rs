//! What the query compiler (`crate::compile`) may read of a `MediaAsset`: its plain
//! columns. `status` (an enum read leniently), the JSON fields, `brand` and `usage` run on
//! the executor.

use crate::compile::describe::{FilterField, FilterTest, ObjectType, Render, column, filter};
use crate::domain::status::AssetStatus;
use crate::graphql::ids::NodeKind;

/// The `filter` fields of `Brand.mediaAssets` (`MediaAssetFilter`).
pub static ASSET_FILTERS: &[FilterField] = &[
    filter("category", "category", FilterTest::Equals),
    filter("status", "status", FilterTest::EnumEquals(asset_status)),
    filter("mimeType", "mime_type", FilterTest::Equals),
];

/// The stored value of an `AssetStatus` by its GraphQL name, as the executor parses it.
fn asset_status(name: &str) -> Option<&'static str> {
    crate::compile::describe::enum_value::<AssetStatus>(name).map(AssetStatus::as_str)
}

pub static MEDIA_ASSET: ObjectType = ObjectType {
    name: "MediaAsset",
    table: "media_assets",
    columns: &[
        column("id", "id", Render::GlobalId(NodeKind::MediaAsset)),
        column("uuid", "id", Render::Uuid),
        column("category", "category", Render::OptionalText),
        column("filename", "filename", Render::Text),
        column("mimeType", "mime_type", Render::OptionalText),
        column("path", "path", Render::Text),
        column("sizeBytes", "size_bytes", Render::Int),
        column("hash", "hash", Render::OptionalText),
        column("usedIn", "used_in", Render::TextListOrEmpty),
        column("usageCount", "usage_count", Render::Int),
        column("lastUsed", "last_used", Render::OptionalTimestamp),
        column("createdAt", "created_at", Render::Timestamp),
        column("updatedAt", "updated_at", Render::Timestamp),
    ],
    relations: &[],
};
