//! `EmailTemplate`, `EmailCampaign`, `EmailContact` and `EmailAutomationRule` as the API
//! shows them. A contact's address is personal data: members and above read it, viewers
//! get null.

use async_graphql::{Context, ID, Json, Object, SimpleObject};
use chrono::{DateTime, FixedOffset};
use uuid::Uuid;

use crate::domain::email::{
    AutomationAction, AutomationTrigger, EmailCampaignStatus, PERSONAL_DATA_ROLE,
    SubscriptionStatus,
};
use crate::error::{ApiError, ApiResult};
use crate::graphql::brand::Brand;
use crate::graphql::context::RequestContext;
use crate::graphql::identity::User;
use crate::graphql::ids::{self, NodeKind};
use crate::graphql::marketing::{Campaign, Lead};
use crate::graphql::publishing::PublishJob;
use entity::{email_automation_rules, email_campaigns, email_contacts, email_templates};

type Timestamp = DateTime<FixedOffset>;

async fn user(ctx: &Context<'_>, id: Option<Uuid>) -> ApiResult<Option<User>> {
    match id {
        Some(id) => Ok(ctx.loaders()?.users().load_one(id).await?.map(User)),
        None => Ok(None),
    }
}

/// A reusable email of a brand: subject and body that email campaigns start from.
pub struct EmailTemplate(pub email_templates::Model);

/// A reusable email of a brand: subject and body that email campaigns start from.
#[Object]
impl EmailTemplate {
    /// Global id.
    pub(crate) async fn id(&self) -> ID {
        ids::encode(NodeKind::EmailTemplate, self.0.id)
    }
    /// Database id.
    async fn uuid(&self) -> Uuid {
        self.0.id
    }
    /// Database id of the brand.
    async fn brand_id(&self) -> Uuid {
        self.0.brand_id
    }
    /// The brand it belongs to.
    async fn brand(&self, ctx: &Context<'_>) -> ApiResult<Brand> {
        Brand::load(ctx, self.0.brand_id).await
    }
    /// Its name, unique within the brand.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The subject line.
    async fn subject(&self) -> &str {
        &self.0.subject
    }
    /// The HTML body.
    async fn html_content(&self) -> &str {
        &self.0.html_content
    }
    /// The plain-text body.
    async fn plain_text(&self) -> Option<&str> {
        self.0.plain_text.as_deref()
    }
    /// The placeholders its body uses (e.g. `first_name`).
    async fn variables(&self) -> &[String] {
        &self.0.variables
    }
    /// Who created it.
    async fn created_by(&self, ctx: &Context<'_>) -> ApiResult<Option<User>> {
        user(ctx, self.0.created_by).await
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

/// What happened to an email campaign's recipients, each counted once per kind.
#[derive(SimpleObject)]
pub struct EmailCampaignStats {
    /// Recipients the provider delivered to.
    pub delivered: i64,
    /// Recipients who opened it (unique opens).
    pub opened: i64,
    /// Recipients who clicked a link (unique clicks).
    pub clicked: i64,
    /// Recipients whose address bounced.
    pub bounced: i64,
    /// Recipients who unsubscribed (or complained) from it.
    pub unsubscribed: i64,
    /// Unique opens per delivered email, 0 to 1 (null before anything was delivered).
    pub open_rate: Option<f64>,
    /// Unique clicks per delivered email, 0 to 1 (null before anything was delivered).
    pub click_rate: Option<f64>,
}

/// An email sent (or to be sent) to a brand's contacts through its `mailchimp`
/// connection, as a publish job.
pub struct EmailCampaign(pub email_campaigns::Model);

/// An email sent (or to be sent) to a brand's contacts through its `mailchimp`
/// connection, as a publish job.
#[Object]
impl EmailCampaign {
    /// Global id.
    pub(crate) async fn id(&self) -> ID {
        ids::encode(NodeKind::EmailCampaign, self.0.id)
    }
    /// Database id.
    async fn uuid(&self) -> Uuid {
        self.0.id
    }
    /// Database id of the brand.
    async fn brand_id(&self) -> Uuid {
        self.0.brand_id
    }
    /// The brand it belongs to.
    async fn brand(&self, ctx: &Context<'_>) -> ApiResult<Brand> {
        Brand::load(ctx, self.0.brand_id).await
    }
    /// The marketing campaign it is part of.
    async fn campaign(&self, ctx: &Context<'_>) -> ApiResult<Option<Campaign>> {
        match self.0.campaign_id {
            Some(id) => Ok(ctx.loaders()?.campaigns().load_one(id).await?.map(Campaign)),
            None => Ok(None),
        }
    }
    /// The template it was made from (null if none, or deleted since).
    async fn template(&self, ctx: &Context<'_>) -> ApiResult<Option<EmailTemplate>> {
        match self.0.template_id {
            Some(id) => Ok(ctx
                .loaders()?
                .email_templates()
                .load_one(id)
                .await?
                .map(EmailTemplate)),
            None => Ok(None),
        }
    }
    /// Its name, unique within the brand.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The subject line.
    async fn subject(&self) -> &str {
        &self.0.subject
    }
    /// The sender's display name.
    #[graphql(name = "fromName")]
    async fn sender_name(&self) -> Option<&str> {
        self.0.from_name.as_deref()
    }
    /// The sender's address.
    async fn from_address(&self) -> Option<&str> {
        self.0.from_address.as_deref()
    }
    /// The HTML body.
    async fn html_content(&self) -> &str {
        &self.0.html_content
    }
    /// The plain-text body.
    async fn plain_text(&self) -> Option<&str> {
        self.0.plain_text.as_deref()
    }
    /// Who it goes to: the subscribed contacts carrying any of these tags (empty: every
    /// subscribed contact). Unsubscribed, bounced and complaining contacts never get it.
    async fn audience_tags(&self) -> &[String] {
        &self.0.audience_tags
    }
    /// Where it is.
    async fn status(&self) -> ApiResult<EmailCampaignStatus> {
        EmailCampaignStatus::parse(&self.0.status)
            .ok_or_else(|| ApiError::unexpected("email campaign status", &self.0.status))
    }
    /// When it is due to go out (scheduled campaigns).
    async fn scheduled_for(&self) -> Option<Timestamp> {
        self.0.scheduled_for
    }
    /// When the provider took it.
    async fn sent_at(&self) -> Option<Timestamp> {
        self.0.sent_at
    }
    /// How many contacts the worker was given at its last claim.
    async fn recipient_count(&self) -> i32 {
        self.0.recipient_count
    }
    /// Deliveries, unique opens and clicks, bounces and unsubscribes, from the
    /// provider's events.
    async fn stats(&self, ctx: &Context<'_>) -> ApiResult<EmailCampaignStats> {
        let counts = ctx
            .loaders()?
            .email_delivery_counts()
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        let rate = |n: i64| (counts.delivered > 0).then(|| n as f64 / counts.delivered as f64);
        Ok(EmailCampaignStats {
            delivered: counts.delivered,
            opened: counts.opened,
            clicked: counts.clicked,
            bounced: counts.bounced,
            unsubscribed: counts.unsubscribed,
            open_rate: rate(counts.opened),
            click_rate: rate(counts.clicked),
        })
    }
    /// The publish job that sends it (the latest, if it was queued more than once).
    async fn publish_job(&self, ctx: &Context<'_>) -> ApiResult<Option<PublishJob>> {
        Ok(ctx
            .loaders()?
            .email_campaign_jobs()
            .load_one(self.0.id)
            .await?
            .and_then(|jobs| jobs.into_iter().next())
            .map(PublishJob))
    }
    /// Who created it.
    async fn created_by(&self, ctx: &Context<'_>) -> ApiResult<Option<User>> {
        user(ctx, self.0.created_by).await
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

/// A person on a brand's mailing list and whether they receive email.
pub struct EmailContact(pub email_contacts::Model);

/// A person on a brand's mailing list and whether they receive email.
#[Object]
impl EmailContact {
    /// Global id.
    pub(crate) async fn id(&self) -> ID {
        ids::encode(NodeKind::EmailContact, self.0.id)
    }
    /// Database id.
    async fn uuid(&self) -> Uuid {
        self.0.id
    }
    /// Database id of the brand.
    async fn brand_id(&self) -> Uuid {
        self.0.brand_id
    }
    /// The brand it belongs to.
    async fn brand(&self, ctx: &Context<'_>) -> ApiResult<Brand> {
        Brand::load(ctx, self.0.brand_id).await
    }
    /// Email address, unique per brand ignoring case. Personal data: null for viewers.
    async fn email(&self, ctx: &Context<'_>) -> ApiResult<Option<&str>> {
        let reads = ctx
            .viewer()?
            .role_in(self.0.brand_id)
            .await?
            .is_some_and(|role| role >= PERSONAL_DATA_ROLE);
        Ok(reads.then_some(self.0.email.as_str()))
    }
    /// The person's name.
    async fn name(&self) -> Option<&str> {
        self.0.name.as_deref()
    }
    /// Their company.
    async fn company(&self) -> Option<&str> {
        self.0.company.as_deref()
    }
    /// Free tags (audiences pick contacts by tag).
    async fn tags(&self) -> &[String] {
        &self.0.tags
    }
    /// Whether they receive email.
    async fn subscription_status(&self) -> ApiResult<SubscriptionStatus> {
        SubscriptionStatus::parse(&self.0.subscription_status)
            .ok_or_else(|| ApiError::unexpected("subscription status", &self.0.subscription_status))
    }
    /// When the subscription status last changed.
    async fn status_changed_at(&self) -> Option<Timestamp> {
        self.0.status_changed_at
    }
    /// The brand's lead of the same person, if any.
    async fn lead(&self, ctx: &Context<'_>) -> ApiResult<Option<Lead>> {
        match self.0.lead_id {
            Some(id) => Ok(ctx.loaders()?.leads().load_one(id).await?.map(Lead)),
            None => Ok(None),
        }
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

/// What should happen when something happens, for a brand's email.
pub struct EmailAutomationRule(pub email_automation_rules::Model);

/// What should happen when something happens, for a brand's email.
#[Object]
impl EmailAutomationRule {
    /// Global id.
    pub(crate) async fn id(&self) -> ID {
        ids::encode(NodeKind::EmailAutomationRule, self.0.id)
    }
    /// Database id.
    async fn uuid(&self) -> Uuid {
        self.0.id
    }
    /// Database id of the brand.
    async fn brand_id(&self) -> Uuid {
        self.0.brand_id
    }
    /// Its name, unique within the brand.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// What starts it.
    async fn trigger_type(&self) -> ApiResult<AutomationTrigger> {
        AutomationTrigger::parse(&self.0.trigger_type)
            .ok_or_else(|| ApiError::unexpected("automation trigger", &self.0.trigger_type))
    }
    /// Conditions on the trigger (an object).
    async fn trigger_conditions(&self) -> Json<&serde_json::Value> {
        Json(&self.0.trigger_conditions)
    }
    /// What it does.
    async fn action_type(&self) -> ApiResult<AutomationAction> {
        AutomationAction::parse(&self.0.action_type)
            .ok_or_else(|| ApiError::unexpected("automation action", &self.0.action_type))
    }
    /// How it does it (an object: `templateId` for `SEND_TEMPLATE`, `tag` for the tag
    /// actions).
    async fn action_config(&self) -> Json<&serde_json::Value> {
        Json(&self.0.action_config)
    }
    /// Whether it is on.
    async fn is_active(&self) -> bool {
        self.0.is_active
    }
    /// Who created it.
    async fn created_by(&self, ctx: &Context<'_>) -> ApiResult<Option<User>> {
        user(ctx, self.0.created_by).await
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
