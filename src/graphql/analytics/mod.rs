//! Analytics metrics, summaries and goals.

mod types;

pub use types::{AnalyticsGoal, AnalyticsMetric, AnalyticsSummary};
