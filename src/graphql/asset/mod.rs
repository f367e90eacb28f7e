//! Media assets, their usage and the brand's storage quota.

mod types;

pub use types::{MediaAsset, MediaAssetFilter, NEWEST_FIRST, StorageQuota};
