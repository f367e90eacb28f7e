//! Loads the object a global id names (through the request's by-id loaders) together
//! with who may reach it.

use async_graphql::Context;
use uuid::Uuid;

use super::Node;
use super::reach::Reach;
use crate::auth::Role;
use crate::error::ApiResult;
use crate::graphql::analytics::{AnalyticsGoal, AnalyticsMetric};
use crate::graphql::approval::PostApproval;
use crate::graphql::asset::MediaAsset;
use crate::graphql::brand::Brand;
use crate::graphql::content::{ContentItem, ScheduledContent};
use crate::graphql::context::RequestContext;
use crate::graphql::email::{EmailAutomationRule, EmailCampaign, EmailContact, EmailTemplate};
use crate::graphql::identity::{BrandMember, Tenant, User};
use crate::graphql::ids::NodeKind;
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

/// The row `uuid` of `kind` as a [`Node`], and who may reach it; `None` if there is no
/// such row.
pub async fn fetch(
    ctx: &Context<'_>,
    kind: NodeKind,
    uuid: Uuid,
) -> ApiResult<Option<(Reach, Node)>> {
    let loaders = ctx.loaders()?;
    // Kinds whose row carries a non-null `brand_id` and are read by every member.
    macro_rules! of_brand {
        ($loader:ident, $variant:ident) => {
            loaders
                .$loader()
                .load_one(uuid)
                .await?
                .map(|row| (Reach::Brand(row.brand_id), Node::$variant($variant(row))))
        };
    }
    // Kinds whose `brand_id` is nullable: without a brand no field reads them.
    macro_rules! of_optional_brand {
        ($loader:ident, $variant:ident) => {
            loaders.$loader().load_one(uuid).await?.map(|row| {
                let reach = row.brand_id.map_or(Reach::Nobody, Reach::Brand);
                (reach, Node::$variant($variant(row)))
            })
        };
    }
    Ok(match kind {
        NodeKind::Tenant => loaders
            .tenants()
            .load_one(uuid)
            .await?
            .map(|row| (Reach::Tenant(row.id), Node::Tenant(Tenant(row)))),
        NodeKind::User => loaders
            .users()
            .load_one(uuid)
            .await?
            .map(|row| (Reach::User(row.id), Node::User(User(row)))),
        NodeKind::Brand => loaders
            .brands()
            .load_one(uuid)
            .await?
            .map(|row| (Reach::Brand(row.id), Node::Brand(Brand(row)))),
        NodeKind::BrandMember => of_brand!(memberships, BrandMember),
        NodeKind::ContentItem => of_brand!(content_items, ContentItem),
        NodeKind::MediaAsset => of_brand!(media_assets, MediaAsset),
        NodeKind::PostApproval => of_brand!(post_approvals, PostApproval),
        NodeKind::AnalyticsMetric => of_brand!(analytics_metrics, AnalyticsMetric),
        NodeKind::AnalyticsGoal => of_brand!(analytics_goals, AnalyticsGoal),
        NodeKind::ScheduledContent => of_brand!(scheduled_content, ScheduledContent),
        NodeKind::PlatformConnection => of_optional_brand!(connections, PlatformConnection),
        NodeKind::PublishJob => of_optional_brand!(publish_jobs, PublishJob),
        NodeKind::ApprovalRequest => of_brand!(approval_requests, ApprovalRequest),
        NodeKind::WorkflowTemplate => of_brand!(workflow_templates, WorkflowTemplate),
        NodeKind::WorkflowInstance => of_brand!(workflow_instances, WorkflowInstance),
        NodeKind::WorkflowNotification => loaders
            .workflow_notifications()
            .load_one(uuid)
            .await?
            .map(|row| {
                let reach = Reach::Recipient {
                    brand: row.brand_id,
                    user: row.user_id,
                };
                (reach, Node::WorkflowNotification(WorkflowNotification(row)))
            }),
        NodeKind::EscalationRule => of_brand!(escalation_rules, EscalationRule),
        NodeKind::EscalationEvent => of_brand!(escalation_events, EscalationEvent),
        // `Brand.webhookEvents` is for owners and admins.
        NodeKind::WebhookEvent => loaders.webhook_events().load_one(uuid).await?.map(|row| {
            let reach = row
                .brand_id
                .map_or(Reach::Nobody, |brand| Reach::BrandRole(brand, Role::Admin));
            (reach, Node::WebhookEvent(WebhookEvent(row)))
        }),
        NodeKind::StrategyBrief => of_brand!(strategy_briefs, StrategyBrief),
        NodeKind::ContentPackage => of_brand!(content_packages, ContentPackage),
        NodeKind::BrandHistory => of_brand!(history_entries, BrandHistory),
        NodeKind::CollaborationLog => of_brand!(collaboration_logs, CollaborationLog),
        NodeKind::SocialPost => of_brand!(social_posts, SocialPost),
        NodeKind::PlatformReview => of_brand!(platform_reviews, PlatformReview),
        NodeKind::AdvisorFeedback => of_brand!(advisor_feedback, AdvisorFeedback),
        NodeKind::AutoPlan => of_brand!(auto_plans, AutoPlan),
        NodeKind::Campaign => of_brand!(campaigns, Campaign),
        NodeKind::Lead => of_brand!(leads, Lead),
        NodeKind::EmailTemplate => of_brand!(email_templates, EmailTemplate),
        NodeKind::EmailCampaign => of_brand!(email_campaigns, EmailCampaign),
        NodeKind::EmailContact => of_brand!(email_contacts, EmailContact),
        NodeKind::EmailAutomationRule => of_brand!(email_automation_rules, EmailAutomationRule),
    })
}
