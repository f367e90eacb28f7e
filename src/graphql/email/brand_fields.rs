//! The email fields of `Brand` and `Campaign` (the types only delegate) and their filters.

use async_graphql::{Context, ID, InputObject};
use uuid::Uuid;

use super::{EmailAutomationRule, EmailCampaign, EmailContact, EmailTemplate};
use crate::domain::email::{EmailCampaignStatus, SubscriptionStatus};
use crate::error::ApiResult;
use crate::graphql::connection::{NestedConnection, nested_connection, nested_spec};
use crate::graphql::ids::{NodeKind, decode_as};
use crate::graphql::pagination::PageArgs;
use crate::loaders::email::{
    BrandEmailAutomationRules, BrandEmailCampaigns, BrandEmailContacts, BrandEmailTemplates,
    CampaignEmailCampaigns, EmailCampaignFilter, EmailContactFilter,
};
use crate::loaders::page::Sort;

/// Narrows `Brand.emailCampaigns`.
#[derive(InputObject, Default)]
#[graphql(name = "EmailCampaignFilter")]
pub struct EmailCampaignFilterInput {
    /// Only email campaigns in this status.
    pub status: Option<EmailCampaignStatus>,
    /// Only those of this marketing campaign.
    pub campaign_id: Option<ID>,
}

/// Narrows `Brand.emailContacts`.
#[derive(InputObject, Default)]
#[graphql(name = "EmailContactFilter")]
pub struct EmailContactFilterInput {
    /// Only contacts in this subscription status.
    pub subscription_status: Option<SubscriptionStatus>,
    /// Only contacts with this tag.
    pub tag: Option<String>,
}

/// `Brand.emailTemplates`, newest first.
pub async fn templates(
    ctx: &Context<'_>,
    brand: Uuid,
    page: PageArgs,
) -> ApiResult<NestedConnection<EmailTemplate>> {
    let spec = nested_spec(ctx, (), Sort::NEWEST_FIRST, page)?;
    nested_connection::<BrandEmailTemplates, _>(
        ctx,
        brand,
        spec,
        |l| l.brand_email_templates(),
        |l| l.brand_email_templates_count(),
        EmailTemplate,
    )
    .await
}

/// `Brand.emailCampaigns`, newest first.
pub async fn campaigns(
    ctx: &Context<'_>,
    brand: Uuid,
    filter: Option<EmailCampaignFilterInput>,
    page: PageArgs,
) -> ApiResult<NestedConnection<EmailCampaign>> {
    let filter = filter.unwrap_or_default();
    let filter = EmailCampaignFilter {
        status: filter.status.map(|s| s.as_str().to_string()),
        campaign_id: filter
            .campaign_id
            .map(|id| decode_as(NodeKind::Campaign, &id))
            .transpose()?,
    };
    let spec = nested_spec(ctx, filter, Sort::NEWEST_FIRST, page)?;
    nested_connection::<BrandEmailCampaigns, _>(
        ctx,
        brand,
        spec,
        |l| l.brand_email_campaigns(),
        |l| l.brand_email_campaigns_count(),
        EmailCampaign,
    )
    .await
}

/// `Campaign.emailCampaigns`, newest first.
pub async fn of_campaign(
    ctx: &Context<'_>,
    campaign: Uuid,
    page: PageArgs,
) -> ApiResult<NestedConnection<EmailCampaign>> {
    let spec = nested_spec(ctx, (), Sort::NEWEST_FIRST, page)?;
    nested_connection::<CampaignEmailCampaigns, _>(
        ctx,
        campaign,
        spec,
        |l| l.campaign_email_campaigns(),
        |l| l.campaign_email_campaigns_count(),
        EmailCampaign,
    )
    .await
}

/// `Brand.emailContacts`, newest first.
pub async fn contacts(
    ctx: &Context<'_>,
    brand: Uuid,
    filter: Option<EmailContactFilterInput>,
    page: PageArgs,
) -> ApiResult<NestedConnection<EmailContact>> {
    let filter = filter.unwrap_or_default();
    let filter = EmailContactFilter {
        subscription_status: filter.subscription_status.map(|s| s.as_str().to_string()),
        tag: filter.tag,
    };
    let spec = nested_spec(ctx, filter, Sort::NEWEST_FIRST, page)?;
    nested_connection::<BrandEmailContacts, _>(
        ctx,
        brand,
        spec,
        |l| l.brand_email_contacts(),
        |l| l.brand_email_contacts_count(),
        EmailContact,
    )
    .await
}

/// `Brand.emailAutomationRules`, newest first.
pub async fn automation_rules(
    ctx: &Context<'_>,
    brand: Uuid,
    page: PageArgs,
) -> ApiResult<NestedConnection<EmailAutomationRule>> {
    let spec = nested_spec(ctx, (), Sort::NEWEST_FIRST, page)?;
    nested_connection::<BrandEmailAutomationRules, _>(
        ctx,
        brand,
        spec,
        |l| l.brand_email_automation_rules(),
        |l| l.brand_email_automation_rules_count(),
        EmailAutomationRule,
    )
    .await
}
