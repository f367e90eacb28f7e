//! Review queue, workflow and escalation mutations.

use async_graphql::{Context, ID, InputObject, Json, Object};
use chrono::{DateTime, FixedOffset};

use super::types::{ApprovalRequest, EscalationRule, WorkflowInstance, WorkflowTemplate};
use crate::auth::Role;
use crate::domain::workflows::escalations::{self, EscalationRuleType};
use crate::domain::workflows::review_queue::{self, RequestChange, ReviewPriority};
use crate::domain::workflows::templates::{self, Step};
use crate::domain::workflows::{instances, notifications};
use crate::error::ApiResult;
use crate::graphql::context::{RequestContext, write};
use crate::graphql::ids::{NodeKind, decode_as};

/// One step of a workflow template.
#[derive(InputObject)]
pub struct WorkflowStepInput {
    /// What the step is, e.g. "Legal review".
    pub name: String,
    /// The least role that acts on it.
    pub role: Role,
}

fn steps(input: Vec<WorkflowStepInput>) -> Vec<Step> {
    input
        .into_iter()
        .map(|s| Step {
            name: s.name,
            role: s.role,
        })
        .collect()
}

#[derive(Default)]
pub struct WorkflowMutation;

#[Object]
impl WorkflowMutation {
    /// Reassigns a pending approval request or changes its deadline or priority
    /// (managers and above).
    async fn update_approval_request(
        &self,
        ctx: &Context<'_>,
        id: ID,
        #[graphql(desc = "The new reviewer: a member of the brand.")] assigned_to: Option<ID>,
        #[graphql(desc = "The new deadline.")] deadline: Option<DateTime<FixedOffset>>,
        #[graphql(default, desc = "Remove the deadline.")] clear_deadline: bool,
        #[graphql(desc = "The new priority.")] priority: Option<ReviewPriority>,
    ) -> ApiResult<ApprovalRequest> {
        let id = decode_as(NodeKind::ApprovalRequest, &id)?;
        let change = RequestChange {
            assigned_to: assigned_to
                .map(|u| decode_as(NodeKind::User, &u))
                .transpose()?,
            deadline: if clear_deadline {
                Some(None)
            } else {
                deadline.map(Some)
            },
            priority,
        };
        let row = write(ctx, async |txn| {
            review_queue::update(txn, ctx.viewer()?, ctx.audit()?, id, change).await
        })
        .await?;
        Ok(ApprovalRequest(row))
    }

    /// Creates a workflow template (admins and above).
    async fn create_workflow_template(
        &self,
        ctx: &Context<'_>,
        brand_id: ID,
        #[graphql(desc = "Its name.")] name: String,
        #[graphql(desc = "1 to 20 steps, in order.")] steps: Vec<WorkflowStepInput>,
    ) -> ApiResult<WorkflowTemplate> {
        let brand = decode_as(NodeKind::Brand, &brand_id)?;
        let steps = self::steps(steps);
        let row = write(ctx, async |txn| {
            templates::create(txn, ctx.viewer()?, ctx.audit()?, brand, &name, &steps).await
        })
        .await?;
        Ok(WorkflowTemplate(row))
    }

    /// Renames a template or replaces its steps (admins and above).
    async fn update_workflow_template(
        &self,
        ctx: &Context<'_>,
        id: ID,
        #[graphql(desc = "The new name.")] name: Option<String>,
        #[graphql(desc = "The new steps.")] steps: Option<Vec<WorkflowStepInput>>,
    ) -> ApiResult<WorkflowTemplate> {
        let id = decode_as(NodeKind::WorkflowTemplate, &id)?;
        let steps = steps.map(self::steps);
        let row = write(ctx, async |txn| {
            templates::update(
                txn,
                ctx.viewer()?,
                ctx.audit()?,
                id,
                name.as_deref(),
                steps.as_deref(),
            )
            .await
        })
        .await?;
        Ok(WorkflowTemplate(row))
    }

    /// Starts a workflow (members and above); the first step's role is notified.
    async fn start_workflow(
        &self,
        ctx: &Context<'_>,
        template_id: ID,
        #[graphql(desc = "The content item it is about.")] content_item_id: Option<ID>,
        #[graphql(desc = "Initial context (an object).")] context: Option<Json<serde_json::Value>>,
    ) -> ApiResult<WorkflowInstance> {
        let template = decode_as(NodeKind::WorkflowTemplate, &template_id)?;
        let item = content_item_id
            .map(|id| decode_as(NodeKind::ContentItem, &id))
            .transpose()?;
        let row = write(ctx, async |txn| {
            instances::start(
                txn,
                ctx.viewer()?,
                ctx.audit()?,
                template,
                item,
                context.map(|c| c.0),
            )
            .await
        })
        .await?;
        Ok(WorkflowInstance(row))
    }

    /// Completes the current step (its role or higher; else `FORBIDDEN`). The next
    /// step's role is notified; after the last step the workflow is completed.
    async fn advance_workflow(
        &self,
        ctx: &Context<'_>,
        id: ID,
        #[graphql(desc = "Merged into the workflow's context.")] context: Option<
            Json<serde_json::Value>,
        >,
        #[graphql(desc = "A note kept in the context's history.")] note: Option<String>,
    ) -> ApiResult<WorkflowInstance> {
        let id = decode_as(NodeKind::WorkflowInstance, &id)?;
        let row = write(ctx, async |txn| {
            instances::advance(
                txn,
                ctx.viewer()?,
                ctx.audit()?,
                id,
                context.map(|c| c.0),
                note,
            )
            .await
        })
        .await?;
        Ok(WorkflowInstance(row))
    }

    /// Cancels an active workflow (managers and above, or whoever started it).
    async fn cancel_workflow(
        &self,
        ctx: &Context<'_>,
        id: ID,
        #[graphql(desc = "Why (kept in the audit trail).")] reason: Option<String>,
    ) -> ApiResult<WorkflowInstance> {
        let id = decode_as(NodeKind::WorkflowInstance, &id)?;
        let row = write(ctx, async |txn| {
            instances::cancel(txn, ctx.viewer()?, ctx.audit()?, id, reason).await
        })
        .await?;
        Ok(WorkflowInstance(row))
    }

    /// Marks the caller's notifications read: these, or all. Returns how many changed.
    async fn mark_notifications_read(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only these (default: all).")] ids: Option<Vec<ID>>,
    ) -> ApiResult<i32> {
        let ids = ids
            .map(|ids| {
                ids.iter()
                    .map(|id| decode_as(NodeKind::WorkflowNotification, id))
                    .collect::<ApiResult<Vec<_>>>()
            })
            .transpose()?;
        let changed = write(ctx, async |txn| {
            notifications::mark_read(txn, ctx.viewer()?, ids).await
        })
        .await?;
        Ok(changed as i32)
    }

    /// Adds an escalation rule (admins and above).
    async fn create_escalation_rule(
        &self,
        ctx: &Context<'_>,
        brand_id: ID,
        #[graphql(
            default_with = "EscalationRuleType::ApprovalOverdue",
            desc = "What it watches."
        )]
        rule_type: EscalationRuleType,
        #[graphql(desc = "Hours per level, 1 to 8760.")] trigger_hours: i32,
        #[graphql(desc = "The role notified.")] escalate_to_role: Role,
    ) -> ApiResult<EscalationRule> {
        let brand = decode_as(NodeKind::Brand, &brand_id)?;
        let row = write(ctx, async |txn| {
            escalations::create_rule(
                txn,
                ctx.viewer()?,
                ctx.audit()?,
                brand,
                rule_type,
                trigger_hours,
                escalate_to_role,
            )
            .await
        })
        .await?;
        Ok(EscalationRule(row))
    }

    /// Changes an escalation rule (admins and above).
    async fn update_escalation_rule(
        &self,
        ctx: &Context<'_>,
        id: ID,
        #[graphql(desc = "Hours per level, 1 to 8760.")] trigger_hours: Option<i32>,
        #[graphql(desc = "The role notified.")] escalate_to_role: Option<Role>,
        #[graphql(desc = "Whether it is evaluated.")] enabled: Option<bool>,
    ) -> ApiResult<EscalationRule> {
        let id = decode_as(NodeKind::EscalationRule, &id)?;
        let row = write(ctx, async |txn| {
            escalations::update_rule(
                txn,
                ctx.viewer()?,
                ctx.audit()?,
                id,
                trigger_hours,
                escalate_to_role,
                enabled,
            )
            .await
        })
        .await?;
        Ok(EscalationRule(row))
    }
}
