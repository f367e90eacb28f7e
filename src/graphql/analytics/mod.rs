//! Analytics metrics, summaries, goals and ingest.

mod mutation;
mod types;

pub use mutation::AnalyticsMutation;
pub use types::{AnalyticsGoal, AnalyticsMetric, AnalyticsSummary};
