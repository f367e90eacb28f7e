//! The workflow fields of `Brand` and `viewer` (the types only delegate).

use async_graphql::{Context, ID};
use uuid::Uuid;

use super::types::{
    ApprovalRequest, EscalationEvent, EscalationRule, WorkflowInstance, WorkflowNotification,
    WorkflowTemplate,
};
use crate::domain::workflows::{notifications, review_queue};
use crate::error::{ApiError, ApiResult};
use crate::graphql::connection::{NestedConnection, nested_connection, nested_spec};
use crate::graphql::context::RequestContext;
use crate::graphql::ids::{NodeKind, decode_as};
use crate::graphql::pagination::PageArgs;
use crate::loaders::page::Sort;
use crate::loaders::relations::{
    ApprovalRequestFilter, BrandApprovalRequests, BrandEscalationEvents, BrandWorkflowInstances,
};

fn page_size(first: i32) -> ApiResult<u64> {
    if (1..=100).contains(&first) {
        Ok(first as u64)
    } else {
        Err(ApiError::bad_input("first", "first must be 1 to 100"))
    }
}

/// `Brand.approvalRequests`, newest first.
pub async fn approval_requests(
    ctx: &Context<'_>,
    brand: Uuid,
    status: Option<String>,
    assigned_to: Option<ID>,
    page: PageArgs,
) -> ApiResult<NestedConnection<ApprovalRequest>> {
    let filter = ApprovalRequestFilter {
        status,
        assigned_to: assigned_to
            .map(|id| decode_as(NodeKind::User, &id))
            .transpose()?,
    };
    let spec = nested_spec(ctx, filter, Sort::NEWEST_FIRST, page)?;
    nested_connection::<BrandApprovalRequests, _>(
        ctx,
        brand,
        spec,
        |l| l.brand_approval_requests(),
        |l| l.brand_approval_requests_count(),
        ApprovalRequest,
    )
    .await
}

/// `Brand.workflowTemplates`, oldest first.
pub async fn workflow_templates(
    ctx: &Context<'_>,
    brand: Uuid,
) -> ApiResult<Vec<WorkflowTemplate>> {
    Ok(ctx
        .loaders()?
        .brand_workflow_templates()
        .load_one(brand)
        .await?
        .unwrap_or_default()
        .into_iter()
        .map(WorkflowTemplate)
        .collect())
}

/// `Brand.workflows`, newest first.
pub async fn workflows(
    ctx: &Context<'_>,
    brand: Uuid,
    status: Option<String>,
    page: PageArgs,
) -> ApiResult<NestedConnection<WorkflowInstance>> {
    let spec = nested_spec(ctx, status, Sort::NEWEST_FIRST, page)?;
    nested_connection::<BrandWorkflowInstances, _>(
        ctx,
        brand,
        spec,
        |l| l.brand_workflow_instances(),
        |l| l.brand_workflow_instances_count(),
        WorkflowInstance,
    )
    .await
}

/// `Brand.escalationRules`, oldest first.
pub async fn escalation_rules(ctx: &Context<'_>, brand: Uuid) -> ApiResult<Vec<EscalationRule>> {
    Ok(ctx
        .loaders()?
        .brand_escalation_rules()
        .load_one(brand)
        .await?
        .unwrap_or_default()
        .into_iter()
        .map(EscalationRule)
        .collect())
}

/// `Brand.escalationEvents`, newest first.
pub async fn escalation_events(
    ctx: &Context<'_>,
    brand: Uuid,
    status: Option<String>,
    page: PageArgs,
) -> ApiResult<NestedConnection<EscalationEvent>> {
    let spec = nested_spec(ctx, status, Sort::NEWEST_FIRST, page)?;
    nested_connection::<BrandEscalationEvents, _>(
        ctx,
        brand,
        spec,
        |l| l.brand_escalation_events(),
        |l| l.brand_escalation_events_count(),
        EscalationEvent,
    )
    .await
}

/// `viewer.reviewQueue`.
pub async fn review_queue(
    ctx: &Context<'_>,
    brand_id: Option<ID>,
    overdue_only: bool,
    first: i32,
) -> ApiResult<Vec<ApprovalRequest>> {
    let brand = brand_id
        .map(|id| decode_as(NodeKind::Brand, &id))
        .transpose()?;
    let rows = review_queue::queue(
        ctx.db()?,
        ctx.viewer()?,
        brand,
        overdue_only,
        page_size(first)?,
    )
    .await?;
    Ok(rows.into_iter().map(ApprovalRequest).collect())
}

/// `viewer.notifications`.
pub async fn notifications(
    ctx: &Context<'_>,
    unread_only: bool,
    first: i32,
) -> ApiResult<Vec<WorkflowNotification>> {
    let rows =
        notifications::list(ctx.db()?, ctx.viewer()?, unread_only, page_size(first)?).await?;
    Ok(rows.into_iter().map(WorkflowNotification).collect())
}
