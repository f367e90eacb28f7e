//! Content items, their lifecycle and schedule.

pub mod describe;
mod mutation;
mod types;

pub use mutation::ContentMutation;
pub use types::{ContentItem, ContentItemFilter, ContentOrder, ScheduledContent};
