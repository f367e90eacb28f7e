//! Content items and their schedule.

mod types;

pub use types::{ContentItem, ContentItemFilter, ContentOrder, ScheduledContent};
