//! Workflow objects as the API shows them.

use async_graphql::{Context, ID, Json, Object, SimpleObject};
use chrono::{DateTime, FixedOffset};
use uuid::Uuid;

use crate::auth::Role;
use crate::domain::workflows::review_queue::ReviewPriority;
use crate::domain::workflows::templates::steps_of;
use crate::error::ApiResult;
use crate::graphql::content::ContentItem;
use crate::graphql::context::RequestContext;
use crate::graphql::identity::User;
use crate::graphql::ids::{self, NodeKind};
use entity::{
    approval_requests, escalation_events, escalation_rules, workflow_instances,
    workflow_notifications, workflow_templates,
};

type Timestamp = DateTime<FixedOffset>;

async fn user(ctx: &Context<'_>, id: Option<Uuid>) -> ApiResult<Option<User>> {
    match id {
        Some(id) => Ok(ctx.loaders()?.users().load_one(id).await?.map(User)),
        None => Ok(None),
    }
}

async fn content_item(ctx: &Context<'_>, id: Option<Uuid>) -> ApiResult<Option<ContentItem>> {
    match id {
        Some(id) => Ok(ctx
            .loaders()?
            .content_items()
            .load_one(id)
            .await?
            .map(ContentItem)),
        None => Ok(None),
    }
}

/// A request that someone review a content item, by a deadline.
pub struct ApprovalRequest(pub approval_requests::Model);

/// A request that someone review a content item, by a deadline.
#[Object]
impl ApprovalRequest {
    /// Global id.
    pub(crate) async fn id(&self) -> ID {
        ids::encode(NodeKind::ApprovalRequest, self.0.id)
    }
    /// Database id.
    async fn uuid(&self) -> Uuid {
        self.0.id
    }
    /// Database id of the brand.
    async fn brand_id(&self) -> Uuid {
        self.0.brand_id
    }
    /// The content item to review.
    async fn content_item(&self, ctx: &Context<'_>) -> ApiResult<Option<ContentItem>> {
        content_item(ctx, Some(self.0.post_id)).await
    }
    /// Who asked for the review.
    async fn requested_by(&self, ctx: &Context<'_>) -> ApiResult<Option<User>> {
        user(ctx, self.0.requested_by).await
    }
    /// Who should review.
    async fn assigned_to(&self, ctx: &Context<'_>) -> ApiResult<Option<User>> {
        user(ctx, self.0.assigned_to).await
    }
    /// How urgent it is.
    async fn priority(&self) -> ReviewPriority {
        ReviewPriority::parse(&self.0.priority).unwrap_or(ReviewPriority::Normal)
    }
    /// When the review is due.
    async fn deadline(&self) -> Option<Timestamp> {
        self.0.deadline
    }
    /// Pending past its deadline.
    async fn overdue(&self) -> bool {
        self.0.status == "pending"
            && self
                .0
                .deadline
                .is_some_and(|deadline| deadline < chrono::Utc::now())
    }
    /// `pending`, `completed` (the item was decided) or `cancelled`.
    async fn status(&self) -> &str {
        &self.0.status
    }
    /// When it was requested.
    async fn created_at(&self) -> Timestamp {
        self.0.created_at
    }
}

/// One step of a workflow.
#[derive(SimpleObject, Clone)]
pub struct WorkflowStep {
    /// What the step is.
    pub name: String,
    /// The least role that acts on it; members with exactly this role are notified.
    pub role: Role,
}

/// A brand's workflow: ordered steps, each acted on by a role.
pub struct WorkflowTemplate(pub workflow_templates::Model);

/// A brand's workflow: ordered steps, each acted on by a role.
#[Object]
impl WorkflowTemplate {
    /// Global id.
    pub(crate) async fn id(&self) -> ID {
        ids::encode(NodeKind::WorkflowTemplate, self.0.id)
    }
    /// Database id.
    async fn uuid(&self) -> Uuid {
        self.0.id
    }
    /// Its name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The steps, in order.
    async fn steps(&self) -> Vec<WorkflowStep> {
        steps_of(&self.0)
            .into_iter()
            .map(|s| WorkflowStep {
                name: s.name,
                role: s.role,
            })
            .collect()
    }
    /// When it was created.
    async fn created_at(&self) -> Timestamp {
        self.0.created_at
    }
    /// When it last changed.
    async fn updated_at(&self) -> Timestamp {
        self.0.updated_at
    }
}

/// A workflow under way (or finished).
pub struct WorkflowInstance(pub workflow_instances::Model);

/// A workflow under way (or finished).
#[Object]
impl WorkflowInstance {
    /// Global id.
    pub(crate) async fn id(&self) -> ID {
        ids::encode(NodeKind::WorkflowInstance, self.0.id)
    }
    /// Database id.
    async fn uuid(&self) -> Uuid {
        self.0.id
    }
    /// Database id of the brand.
    async fn brand_id(&self) -> Uuid {
        self.0.brand_id
    }
    /// `active`, `completed` or `cancelled`.
    async fn status(&self) -> &str {
        &self.0.status
    }
    /// Index of the step to act on next (0-based; past the end once completed).
    async fn current_step(&self) -> i32 {
        self.0.current_step
    }
    /// The step to act on next, while active.
    async fn current_step_info(&self, ctx: &Context<'_>) -> ApiResult<Option<WorkflowStep>> {
        if self.0.status != "active" {
            return Ok(None);
        }
        let Some(template) = self.template_row(ctx).await? else {
            return Ok(None);
        };
        Ok(steps_of(&template)
            .into_iter()
            .nth(self.0.current_step as usize)
            .map(|s| WorkflowStep {
                name: s.name,
                role: s.role,
            }))
    }
    /// What the workflow carries; `history` lists each completed step.
    async fn context(&self) -> Json<serde_json::Value> {
        Json(self.0.context.clone())
    }
    /// The template it follows (null if deleted).
    async fn template(&self, ctx: &Context<'_>) -> ApiResult<Option<WorkflowTemplate>> {
        Ok(self.template_row(ctx).await?.map(WorkflowTemplate))
    }
    /// The content item it is about, if any.
    async fn content_item(&self, ctx: &Context<'_>) -> ApiResult<Option<ContentItem>> {
        content_item(ctx, self.0.content_item_id).await
    }
    /// Who started it.
    async fn started_by(&self, ctx: &Context<'_>) -> ApiResult<Option<User>> {
        user(ctx, self.0.started_by).await
    }
    /// When it started.
    async fn created_at(&self) -> Timestamp {
        self.0.created_at
    }
    /// When it completed or was cancelled.
    async fn finished_at(&self) -> Option<Timestamp> {
        self.0.finished_at
    }
}

impl WorkflowInstance {
    async fn template_row(
        &self,
        ctx: &Context<'_>,
    ) -> ApiResult<Option<workflow_templates::Model>> {
        match self.0.template_id {
            Some(id) => Ok(ctx.loaders()?.workflow_templates().load_one(id).await?),
            None => Ok(None),
        }
    }
}

/// Something for the viewer to act on or know.
pub struct WorkflowNotification(pub workflow_notifications::Model);

/// Something for the viewer to act on or know.
#[Object]
impl WorkflowNotification {
    /// Global id.
    pub(crate) async fn id(&self) -> ID {
        ids::encode(NodeKind::WorkflowNotification, self.0.id)
    }
    /// Database id.
    async fn uuid(&self) -> Uuid {
        self.0.id
    }
    /// Database id of the brand.
    async fn brand_id(&self) -> Uuid {
        self.0.brand_id
    }
    /// `step_assigned`, `workflow_completed`, `workflow_cancelled` or `escalation`.
    #[graphql(name = "type")]
    async fn kind(&self) -> &str {
        &self.0.r#type
    }
    /// What to tell the user.
    async fn message(&self) -> &str {
        &self.0.message
    }
    /// The workflow it is about (global id), if any.
    async fn workflow_id(&self) -> Option<ID> {
        self.0
            .instance_id
            .map(|id| ids::encode(NodeKind::WorkflowInstance, id))
    }
    /// The escalation it is about (global id), if any.
    async fn escalation_id(&self) -> Option<ID> {
        self.0
            .escalation_event_id
            .map(|id| ids::encode(NodeKind::EscalationEvent, id))
    }
    /// Whether it was read.
    async fn read(&self) -> bool {
        self.0.read_at.is_some()
    }
    /// When it was read.
    async fn read_at(&self) -> Option<Timestamp> {
        self.0.read_at
    }
    /// When it was sent.
    async fn created_at(&self) -> Timestamp {
        self.0.created_at
    }
}

/// When to escalate, and to whom.
pub struct EscalationRule(pub escalation_rules::Model);

/// When to escalate, and to whom.
#[Object]
impl EscalationRule {
    /// Global id.
    pub(crate) async fn id(&self) -> ID {
        ids::encode(NodeKind::EscalationRule, self.0.id)
    }
    /// Database id.
    async fn uuid(&self) -> Uuid {
        self.0.id
    }
    /// What it watches (`approval_overdue`).
    async fn rule_type(&self) -> &str {
        &self.0.rule_type
    }
    /// Hours an approval may stay pending per level.
    async fn trigger_hours(&self) -> i32 {
        self.0.trigger_hours
    }
    /// The role notified.
    async fn escalate_to_role(&self) -> Option<Role> {
        self.0.escalate_to_role.parse().ok()
    }
    /// Whether it is evaluated.
    async fn enabled(&self) -> bool {
        self.0.enabled
    }
    /// When it was created.
    async fn created_at(&self) -> Timestamp {
        self.0.created_at
    }
}

/// An approval that waited too long, at one level.
pub struct EscalationEvent(pub escalation_events::Model);

/// An approval that waited too long, at one level.
#[Object]
impl EscalationEvent {
    /// Global id.
    pub(crate) async fn id(&self) -> ID {
        ids::encode(NodeKind::EscalationEvent, self.0.id)
    }
    /// Database id.
    async fn uuid(&self) -> Uuid {
        self.0.id
    }
    /// The overdue approval (global id).
    async fn approval_id(&self) -> Option<ID> {
        self.0
            .approval_id
            .map(|id| ids::encode(NodeKind::PostApproval, id))
    }
    /// The rule that fired (global id; null if deleted).
    async fn rule_id(&self) -> Option<ID> {
        self.0
            .rule_id
            .map(|id| ids::encode(NodeKind::EscalationRule, id))
    }
    /// 1 after one period, 2 after two, ...
    async fn level(&self) -> i32 {
        self.0.level
    }
    /// `pending`, or `resolved` once the approval was decided.
    async fn status(&self) -> &str {
        &self.0.status
    }
    /// When it was raised.
    async fn created_at(&self) -> Timestamp {
        self.0.created_at
    }
    /// When the approval was decided.
    async fn resolved_at(&self) -> Option<Timestamp> {
        self.0.resolved_at
    }
}
