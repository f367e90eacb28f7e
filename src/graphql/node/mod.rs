//! `node(id:)`: any object with a global id, if the caller may read it where it lives.
//!
//! [`fetch`] loads the row of each kind and says who may reach it ([`reach::Reach`]);
//! [`reach`] decides that with the same rules the kind's own fields apply.

mod fetch;
mod reach;

use async_graphql::{Context, ID, Interface, Object};

use crate::error::ApiResult;
use crate::graphql::analytics::{AnalyticsGoal, AnalyticsMetric};
use crate::graphql::approval::PostApproval;
use crate::graphql::asset::MediaAsset;
use crate::graphql::brand::Brand;
use crate::graphql::content::{ContentItem, ScheduledContent};
use crate::graphql::context::RequestContext;
use crate::graphql::email::{EmailAutomationRule, EmailCampaign, EmailContact, EmailTemplate};
use crate::graphql::identity::{BrandMember, Tenant, User};
use crate::graphql::ids;
use crate::graphql::integrations::{PlatformReview, SocialPost, WebhookEvent};
use crate::graphql::learning::{
    AdvisorFeedback, AutoPlan, BrandHistory, CollaborationLog, ContentPackage, StrategyBrief,
};
use crate::graphql::marketing::{Campaign, Lead};
use crate::graphql::publishing::{PlatformConnection, PublishJob};
use crate::graphql::workflows::{
    ApprovalRequest, EscalationEvent, EscalationRule, WorkflowInstance, WorkflowNotification,
    WorkflowTemplate,
};

/// An object with a global id.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "Global id."))]
pub enum Node {
    Tenant(Tenant),
    User(User),
    Brand(Brand),
    BrandMember(BrandMember),
    ContentItem(ContentItem),
    MediaAsset(MediaAsset),
    PostApproval(PostApproval),
    AnalyticsMetric(AnalyticsMetric),
    AnalyticsGoal(AnalyticsGoal),
    ScheduledContent(ScheduledContent),
    PlatformConnection(PlatformConnection),
    PublishJob(PublishJob),
    ApprovalRequest(ApprovalRequest),
    WorkflowTemplate(WorkflowTemplate),
    WorkflowInstance(WorkflowInstance),
    WorkflowNotification(WorkflowNotification),
    EscalationRule(EscalationRule),
    EscalationEvent(EscalationEvent),
    WebhookEvent(WebhookEvent),
    StrategyBrief(StrategyBrief),
    ContentPackage(ContentPackage),
    BrandHistory(BrandHistory),
    CollaborationLog(CollaborationLog),
    SocialPost(SocialPost),
    PlatformReview(PlatformReview),
    AdvisorFeedback(AdvisorFeedback),
    AutoPlan(AutoPlan),
    Campaign(Campaign),
    Lead(Lead),
    EmailTemplate(EmailTemplate),
    EmailCampaign(EmailCampaign),
    EmailContact(EmailContact),
    EmailAutomationRule(EmailAutomationRule),
}

#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// Any object with a global id; null when it does not exist or the caller may not
    /// read it. Brand-owned objects follow their brand (visible to its members, never
    /// archived) and the role their brand field needs (webhook events: admins); a
    /// notification only its recipient; a tenant whoever sees one of its brands; a user
    /// themself and whoever shares a brand with them.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Option<Node>> {
        let (kind, uuid) = ids::decode(&id)?;
        ctx.viewer()?.require_authenticated()?;
        let Some((reach, node)) = fetch::fetch(ctx, kind, uuid).await? else {
            return Ok(None);
        };
        Ok(reach::allows(ctx, reach).await?.then_some(node))
    }
}
