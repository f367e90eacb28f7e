//! Approvals of content items.

mod types;

pub use types::PostApproval;
