use async_graphql::{Context, ID, InputObject, Json, Object, SimpleObject};
use chrono::{DateTime, FixedOffset, NaiveDate};

use super::AnalyticsGoal;
use crate::config::GraphqlConfig;
use crate::domain::goals::{self, GoalInput};
use crate::domain::ingest::{self, MetricRow};
use crate::error::ApiResult;
use crate::graphql::context::{RequestContext, write};
use crate::graphql::ids::{NodeKind, decode_as};

/// One day of metrics for a platform (and optionally a post).
#[derive(InputObject)]
pub struct AnalyticsRowInput {
    /// Platform name (lowercase).
    platform: String,
    /// The platform's post id; omit for brand-level rows.
    post_id: Option<String>,
    /// The day measured.
    date: NaiveDate,
    /// Metric name -> non-negative number.
    metrics: Json<serde_json::Value>,
    /// Post type, hashtags, ...
    metadata: Option<Json<serde_json::Value>>,
}

/// What an ingest did.
#[derive(SimpleObject)]
pub struct IngestAnalyticsPayload {
    /// Rows received.
    received: u64,
    /// Rows inserted or changed (0 when the same batch is sent again).
    written: u64,
}

#[derive(Default)]
pub struct AnalyticsMutation;

#[Object]
impl AnalyticsMutation {
    /// Upserts a batch of metric rows in one statement, idempotently (service role or brand
    /// admins). One bad row rejects the whole batch with its index in the message.
    async fn ingest_analytics(
        &self,
        ctx: &Context<'_>,
        brand_id: ID,
        rows: Vec<AnalyticsRowInput>,
    ) -> ApiResult<IngestAnalyticsPayload> {
        let brand_id = decode_as(NodeKind::Brand, &brand_id)?;
        let max_batch = ctx.data::<GraphqlConfig>()?.ingest_max_batch;
        let rows = rows
            .into_iter()
            .map(|row| MetricRow {
                platform: row.platform,
                post_id: row.post_id,
                date: row.date,
                metrics: row.metrics.0,
                metadata: row.metadata.map(|m| m.0),
            })
            .collect();
        let outcome = write(ctx, async |txn| {
            ingest::ingest(txn, ctx.viewer()?, ctx.audit()?, brand_id, rows, max_batch).await
        })
        .await?;
        Ok(IngestAnalyticsPayload {
            received: outcome.received,
            written: outcome.written,
        })
    }

    /// Creates or updates the brand's active goal for a metric (admins and above); its
    /// progress is recomputed from the metrics.
    async fn upsert_analytics_goal(
        &self,
        ctx: &Context<'_>,
        brand_id: ID,
        metric: String,
        target: f64,
        deadline: DateTime<FixedOffset>,
        notes: Option<String>,
    ) -> ApiResult<AnalyticsGoal> {
        let input = GoalInput {
            brand_id: decode_as(NodeKind::Brand, &brand_id)?,
            metric,
            target,
            deadline,
            notes,
        };
        let goal = write(ctx, async |txn| {
            goals::upsert(txn, ctx.viewer()?, ctx.audit()?, input).await
        })
        .await?;
        Ok(AnalyticsGoal(goal))
    }

    /// Sets a goal's progress from outside (the service role); the goal becomes
    /// `achieved` when it reaches its target.
    async fn set_goal_progress(
        &self,
        ctx: &Context<'_>,
        goal_id: uuid::Uuid,
        current: f64,
    ) -> ApiResult<AnalyticsGoal> {
        let goal = write(ctx, async |txn| {
            goals::set_progress(txn, ctx.viewer()?, ctx.audit()?, goal_id, current).await
        })
        .await?;
        Ok(AnalyticsGoal(goal))
    }
}
