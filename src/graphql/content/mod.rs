//! Content items, their lifecycle and schedule.

mod mutation;
mod types;

pub use mutation::ContentMutation;
pub use types::{ContentItem, ContentItemFilter, ContentOrder, ScheduledContent};
