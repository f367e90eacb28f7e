//! Media assets, their usage and the brand's storage quota.

pub mod describe;
mod mutation;
mod types;

pub use mutation::AssetMutation;
pub use types::{MediaAsset, MediaAssetFilter, StorageQuota};
