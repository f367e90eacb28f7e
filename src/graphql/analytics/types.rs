use async_graphql::{ID, Json, Lookahead, Object, SimpleObject};
use chrono::{DateTime, FixedOffset, NaiveDate};
use uuid::Uuid;

use crate::graphql::ids::{self, NodeKind};
use crate::loaders::analytics::{MetricColumns, MetricTotals, Summary, metric_key};
use entity::{analytics_goals, analytics_metrics};

/// One day of metrics of a brand on one platform (optionally for one post).
pub struct AnalyticsMetric(pub analytics_metrics::Model);

impl AnalyticsMetric {
    /// What of a metric row the fields selected under `selection` (an `analytics` field)
    /// read: the metric fields read their key of `metrics`; `raw` reads all of it; `id`
    /// and `uuid` the row's id. No field reads the tenant or the row's timestamps.
    pub fn columns(selection: &Lookahead<'_>) -> MetricColumns {
        let mut keys = Vec::new();
        let mut metadata = false;
        let mut id = false;
        for field in selection.selection_fields() {
            for read in field.selection_set() {
                match read.name() {
                    "raw" => return MetricColumns::ALL,
                    "metadata" => metadata = true,
                    "id" | "uuid" => id = true,
                    name => keys.extend(metric_key(name)),
                }
            }
        }
        keys.sort_unstable();
        keys.dedup();
        MetricColumns {
            keys: Some(keys),
            metadata,
            id,
        }
    }

    fn number(&self, name: &str) -> Option<f64> {
        self.0.metrics.get(name).and_then(serde_json::Value::as_f64)
    }
}

/// One day of metrics of a brand on one platform (optionally for one post).
#[Object]
impl AnalyticsMetric {
    /// Global id (for `node`).
    pub(crate) async fn id(&self) -> ID {
        ids::encode(NodeKind::AnalyticsMetric, self.0.id)
    }
    /// Database id.
    async fn uuid(&self) -> Uuid {
        self.0.id
    }
    /// The day measured.
    async fn date(&self) -> NaiveDate {
        self.0.date
    }
    /// The platform measured.
    async fn platform(&self) -> &str {
        &self.0.platform
    }
    /// The platform's post id, or null for brand-level rows.
    async fn post_id(&self) -> Option<&str> {
        self.0.post_id.as_deref()
    }
    /// People reached.
    async fn reach(&self) -> Option<f64> {
        self.number("reach")
    }
    /// Impressions.
    async fn impressions(&self) -> Option<f64> {
        self.number("impressions")
    }
    /// Engagements.
    async fn engagement(&self) -> Option<f64> {
        self.number("engagement")
    }
    /// Likes.
    async fn likes(&self) -> Option<f64> {
        self.number("likes")
    }
    /// Comments.
    async fn comments(&self) -> Option<f64> {
        self.number("comments")
    }
    /// Shares.
    async fn shares(&self) -> Option<f64> {
        self.number("shares")
    }
    /// Clicks.
    async fn clicks(&self) -> Option<f64> {
        self.number("clicks")
    }
    /// Followers at the end of the day.
    async fn followers(&self) -> Option<f64> {
        self.number("followers")
    }
    /// Click-through rate.
    async fn ctr(&self) -> Option<f64> {
        self.number("ctr")
    }
    /// Engagement rate.
    async fn engagement_rate(&self) -> Option<f64> {
        self.number("engagementRate")
    }
    /// All metrics as stored.
    async fn raw(&self) -> Json<serde_json::Value> {
        Json(self.0.metrics.clone())
    }
    /// Post type, hashtags, content category, ...
    async fn metadata(&self) -> Option<Json<serde_json::Value>> {
        self.0.metadata.clone().map(Json)
    }
}

/// Metrics added up over a window (sums; `followers` is the highest value seen).
#[derive(SimpleObject)]
#[graphql(name = "MetricTotals")]
pub struct MetricTotalsView {
    /// People reached.
    reach: f64,
    /// Impressions.
    impressions: f64,
    /// Engagements.
    engagement: f64,
    /// Likes.
    likes: f64,
    /// Comments.
    comments: f64,
    /// Shares.
    shares: f64,
    /// Clicks.
    clicks: f64,
    /// Highest follower count in the window.
    followers: Option<f64>,
    /// clicks / impressions over the window.
    ctr: Option<f64>,
    /// engagement / reach over the window.
    engagement_rate: Option<f64>,
    /// Metric rows aggregated.
    rows: i64,
}

fn ratio(numerator: f64, denominator: f64) -> Option<f64> {
    (denominator > 0.0).then(|| numerator / denominator)
}

impl From<&MetricTotals> for MetricTotalsView {
    fn from(t: &MetricTotals) -> Self {
        let [
            reach,
            impressions,
            engagement,
            likes,
            comments,
            shares,
            clicks,
        ] = t.sums;
        Self {
            reach,
            impressions,
            engagement,
            likes,
            comments,
            shares,
            clicks,
            followers: t.followers,
            ctr: ratio(clicks, impressions),
            engagement_rate: ratio(engagement, reach),
            rows: t.rows,
        }
    }
}

/// The totals of one platform.
#[derive(SimpleObject)]
pub struct PlatformTotals {
    /// The platform.
    platform: String,
    /// Its totals.
    totals: MetricTotalsView,
}

/// A brand's metrics over the last `days` days, in total and per platform.
pub struct AnalyticsSummary {
    pub days: u32,
    pub summary: Summary,
}

/// A brand's metrics over the last `days` days, in total and per platform.
#[Object]
impl AnalyticsSummary {
    /// Window length in days (today included).
    async fn days(&self) -> u32 {
        self.days
    }
    /// Totals over every platform in the window.
    async fn totals(&self) -> MetricTotalsView {
        (&self.summary.totals).into()
    }
    /// The same per platform, by platform name.
    async fn by_platform(&self) -> Vec<PlatformTotals> {
        self.summary
            .by_platform
            .iter()
            .map(|(platform, totals)| PlatformTotals {
                platform: platform.clone(),
                totals: totals.into(),
            })
            .collect()
    }
}

/// A target for one metric by a deadline.
pub struct AnalyticsGoal(pub analytics_goals::Model);

/// A target for one metric by a deadline.
#[Object]
impl AnalyticsGoal {
    /// Global id (for `node`).
    pub(crate) async fn id(&self) -> ID {
        ids::encode(NodeKind::AnalyticsGoal, self.0.id)
    }
    /// Database id.
    async fn uuid(&self) -> Uuid {
        self.0.id
    }
    /// The metric (`reach`, `engagementRate`, ...).
    async fn metric(&self) -> &str {
        &self.0.metric
    }
    /// Target value.
    async fn target(&self) -> f64 {
        self.0.target
    }
    /// Current value.
    async fn current(&self) -> f64 {
        self.0.current.unwrap_or(0.0)
    }
    /// current / target (0 when the target is 0).
    async fn progress(&self) -> f64 {
        ratio(self.0.current.unwrap_or(0.0), self.0.target).unwrap_or(0.0)
    }
    /// Deadline.
    async fn deadline(&self) -> DateTime<FixedOffset> {
        self.0.deadline
    }
    /// `active`, `achieved`, `missed`, ...
    async fn status(&self) -> &str {
        &self.0.status
    }
    /// Notes.
    async fn notes(&self) -> Option<&str> {
        self.0.notes.as_deref()
    }
}
