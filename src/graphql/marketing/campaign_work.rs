//! The work on a campaign: its tasks (members and above) and its daily metrics
//! (managers and above). Each mutation runs in one transaction with its audit row.

use async_graphql::{Context, ID, InputObject, Object};
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use uuid::Uuid;

use super::{CampaignMetric, CampaignTask};
use crate::domain::marketing::tasks::{self, NewTask, TaskChanges};
use crate::domain::marketing::{TaskPriority, TaskStatus, metrics};
use crate::error::ApiResult;
use crate::graphql::context::{RequestContext, write};
use crate::graphql::ids::{NodeKind, decode_as};

type Timestamp = DateTime<FixedOffset>;

/// A new task of a campaign (it starts as `PENDING`).
#[derive(InputObject)]
pub struct CreateCampaignTaskInput {
    /// The campaign it belongs to.
    pub campaign_id: ID,
    /// What to do (1 to 200 characters).
    pub title: String,
    /// Details.
    pub description: Option<String>,
    /// How urgent it is (default `MEDIUM`).
    pub priority: Option<TaskPriority>,
    /// When it is due.
    pub due_date: Option<Timestamp>,
}

/// Changes to a task; omitted fields stay as they are.
#[derive(InputObject)]
pub struct UpdateCampaignTaskInput {
    /// New title.
    pub title: Option<String>,
    /// New details (empty clears them).
    pub description: Option<String>,
    /// New priority.
    pub priority: Option<TaskPriority>,
    /// New due date.
    pub due_date: Option<Timestamp>,
    /// New status: open tasks (`PENDING`, `IN_PROGRESS`) move between each other,
    /// complete or are cancelled; `COMPLETED` reopens to `IN_PROGRESS`, `CANCELLED` is
    /// restored to `PENDING`. Any other step is `BAD_USER_INPUT`.
    pub status: Option<TaskStatus>,
}

#[derive(Default)]
pub struct CampaignWorkMutation;

impl CampaignWorkMutation {
    async fn change_task(
        ctx: &Context<'_>,
        id: Uuid,
        changes: TaskChanges,
    ) -> ApiResult<CampaignTask> {
        let row = write(ctx, async |txn| {
            tasks::update(txn, ctx.viewer()?, ctx.audit()?, id, changes).await
        })
        .await?;
        Ok(CampaignTask(row))
    }
}

#[Object]
impl CampaignWorkMutation {
    /// Adds a task to a campaign (members and above).
    async fn create_campaign_task(
        &self,
        ctx: &Context<'_>,
        input: CreateCampaignTaskInput,
    ) -> ApiResult<CampaignTask> {
        let new = NewTask {
            campaign_id: decode_as(NodeKind::Campaign, &input.campaign_id)?,
            title: input.title,
            description: input.description,
            priority: input.priority,
            due_date: input.due_date,
        };
        let row = write(ctx, async |txn| {
            tasks::create(txn, ctx.viewer()?, ctx.audit()?, new).await
        })
        .await?;
        Ok(CampaignTask(row))
    }

    /// Changes a task or moves its status (members and above).
    async fn update_campaign_task(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The task's `uuid`.")] id: Uuid,
        input: UpdateCampaignTaskInput,
    ) -> ApiResult<CampaignTask> {
        let changes = TaskChanges {
            title: input.title,
            description: input.description,
            priority: input.priority,
            due_date: input.due_date,
            status: input.status,
        };
        Self::change_task(ctx, id, changes).await
    }

    /// Marks an open task completed (members and above); the same as
    /// `updateCampaignTask(input: { status: COMPLETED })`.
    async fn complete_campaign_task(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The task's `uuid`.")] id: Uuid,
    ) -> ApiResult<CampaignTask> {
        let changes = TaskChanges {
            status: Some(TaskStatus::Completed),
            ..TaskChanges::default()
        };
        Self::change_task(ctx, id, changes).await
    }

    /// Deletes a task (managers and above) and returns it as it was.
    async fn delete_campaign_task(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The task's `uuid`.")] id: Uuid,
    ) -> ApiResult<CampaignTask> {
        let row = write(ctx, async |txn| {
            tasks::delete(txn, ctx.viewer()?, ctx.audit()?, id).await
        })
        .await?;
        Ok(CampaignTask(row))
    }

    /// Sets one daily metric of a campaign (managers and above): one value per campaign,
    /// day and metric, so recording a day again replaces its value. `spend` is kept by
    /// `recordCampaignSpend` and refused here (`BAD_USER_INPUT`).
    async fn record_campaign_metric(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The campaign.")] campaign_id: ID,
        #[graphql(
            desc = "The metric's name: lowercase letters, digits and `_`, e.g. `impressions`."
        )]
        metric: String,
        #[graphql(desc = "Its value that day: 0 to 10^13, kept to four decimal places.")]
        value: f64,
        #[graphql(desc = "The day (default: today, UTC).")] date: Option<NaiveDate>,
    ) -> ApiResult<CampaignMetric> {
        let campaign = decode_as(NodeKind::Campaign, &campaign_id)?;
        let date = date.unwrap_or_else(|| Utc::now().date_naive());
        let row = write(ctx, async |txn| {
            metrics::record(
                txn,
                ctx.viewer()?,
                ctx.audit()?,
                campaign,
                date,
                &metric,
                value,
            )
            .await
        })
        .await?;
        Ok(CampaignMetric::from(row))
    }
}
