//! Analytics metrics, summaries, goals and ingest.

mod mutation;
pub mod sync_logs;
mod types;

pub use mutation::AnalyticsMutation;
pub use sync_logs::AnalyticsSyncLog;
pub use types::{AnalyticsGoal, AnalyticsMetric, AnalyticsSummary};
