//! Campaign and lead mutations. Each runs in one transaction with its audit row.

use async_graphql::{Context, ID, InputObject, Json, Object};
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

use super::{Campaign, Lead, LeadActivity};
use crate::domain::marketing::campaigns::{self, CampaignChanges, NewCampaign};
use crate::domain::marketing::leads::{self, LeadChanges, NewLead};
use crate::domain::marketing::{
    CampaignStatus, CampaignType, CompanySize, LeadActivityType, LeadStatus, Money,
};
use crate::error::ApiResult;
use crate::graphql::context::{RequestContext, write};
use crate::graphql::ids::{NodeKind, decode_as};

type Timestamp = DateTime<FixedOffset>;

/// A new campaign (it starts as a draft).
#[derive(InputObject)]
pub struct CreateCampaignInput {
    /// The brand it belongs to.
    pub brand_id: ID,
    /// Its name, unique within the brand (1 to 200 characters).
    pub name: String,
    /// What it is about.
    pub description: Option<String>,
    /// What it is for.
    #[graphql(name = "type")]
    pub campaign_type: CampaignType,
    /// The primary channel, e.g. `instagram`, `email`.
    pub channel: Option<String>,
    /// Every channel it uses.
    #[graphql(default)]
    pub channels: Vec<String>,
    /// The whole budget (default 0).
    pub budget_total: Option<Money>,
    /// The part released for spending (default 0; at most the total).
    pub budget_allocated: Option<Money>,
    /// When it starts.
    pub start_date: Option<Timestamp>,
    /// When it ends (not before the start).
    pub end_date: Option<Timestamp>,
    /// Its main goal.
    pub objective: Option<String>,
    /// Who it addresses (an object).
    pub target_audience: Option<Json<serde_json::Value>>,
    /// KPI targets (an object).
    pub kpi_targets: Option<Json<serde_json::Value>>,
}

/// Changes to a campaign; omitted fields stay as they are.
#[derive(InputObject)]
pub struct UpdateCampaignInput {
    /// New name.
    pub name: Option<String>,
    /// New description (empty clears it).
    pub description: Option<String>,
    /// New type.
    #[graphql(name = "type")]
    pub campaign_type: Option<CampaignType>,
    /// New primary channel (empty clears it).
    pub channel: Option<String>,
    /// New channel list.
    pub channels: Option<Vec<String>>,
    /// New total budget.
    pub budget_total: Option<Money>,
    /// New allocated budget (at least what was spent, at most the total).
    pub budget_allocated: Option<Money>,
    /// New start.
    pub start_date: Option<Timestamp>,
    /// New end.
    pub end_date: Option<Timestamp>,
    /// New objective (empty clears it).
    pub objective: Option<String>,
    /// New target audience (an object).
    pub target_audience: Option<Json<serde_json::Value>>,
    /// New KPI targets (an object).
    pub kpi_targets: Option<Json<serde_json::Value>>,
}

/// A new lead.
#[derive(InputObject)]
pub struct CreateLeadInput {
    /// The brand it belongs to.
    pub brand_id: ID,
    /// The person's name.
    pub name: String,
    /// Their email address; one lead per address and brand, ignoring case.
    pub email: String,
    /// Their phone number.
    pub phone: Option<String>,
    /// Their company.
    pub company: Option<String>,
    /// Their job title.
    pub job_title: Option<String>,
    /// Their company's industry.
    pub industry: Option<String>,
    /// Their company's size.
    pub company_size: Option<CompanySize>,
    /// Where they came from (lowercase, e.g. `website`; default `manual`).
    pub source: Option<String>,
    /// Quality score, 0 to 100 (default 0); only where the brand has no scoring rules
    /// (else `BAD_USER_INPUT`: the rules compute it).
    pub score: Option<i32>,
    /// Free tags (at most 20).
    #[graphql(default)]
    pub tags: Vec<String>,
    /// The campaign that produced it (of the same brand).
    pub campaign_id: Option<ID>,
    /// Notes.
    pub notes: Option<String>,
}

/// Changes to a lead; omitted fields stay as they are.
#[derive(InputObject)]
pub struct UpdateLeadInput {
    /// New name.
    pub name: Option<String>,
    /// New email address.
    pub email: Option<String>,
    /// New phone number (empty clears it).
    pub phone: Option<String>,
    /// New company (empty clears it).
    pub company: Option<String>,
    /// New job title (empty clears it).
    pub job_title: Option<String>,
    /// New industry (empty clears it).
    pub industry: Option<String>,
    /// New company size.
    pub company_size: Option<CompanySize>,
    /// New source.
    pub source: Option<String>,
    /// `NEW`, `CONTACTED` or `QUALIFIED` (close a lead with `convertLead` / `loseLead`).
    pub status: Option<LeadStatus>,
    /// New score, 0 to 100; only where the brand has no scoring rules.
    pub score: Option<i32>,
    /// New tags (replace the old ones).
    pub tags: Option<Vec<String>>,
    /// New campaign (of the same brand).
    pub campaign_id: Option<ID>,
    /// New notes (empty clears them).
    pub notes: Option<String>,
}

fn json(value: Option<Json<serde_json::Value>>) -> Option<serde_json::Value> {
    value.map(|json| json.0)
}

#[derive(Default)]
pub struct MarketingMutation;

impl MarketingMutation {
    async fn move_campaign(ctx: &Context<'_>, id: ID, to: CampaignStatus) -> ApiResult<Campaign> {
        let id = decode_as(NodeKind::Campaign, &id)?;
        let row = write(ctx, async |txn| {
            campaigns::transition(txn, ctx.viewer()?, ctx.audit()?, id, to).await
        })
        .await?;
        Ok(Campaign(row))
    }

    async fn close_lead(
        ctx: &Context<'_>,
        id: ID,
        to: LeadStatus,
        reason: Option<String>,
    ) -> ApiResult<Lead> {
        let id = decode_as(NodeKind::Lead, &id)?;
        let row = write(ctx, async |txn| {
            leads::close(txn, ctx.viewer()?, ctx.audit()?, id, to, reason).await
        })
        .await?;
        Ok(Lead(row))
    }
}

#[Object]
impl MarketingMutation {
    /// Creates a campaign as a draft (managers and above). A second campaign of the
    /// same name in the brand is `CONFLICT`.
    async fn create_campaign(
        &self,
        ctx: &Context<'_>,
        input: CreateCampaignInput,
    ) -> ApiResult<Campaign> {
        let new = NewCampaign {
            brand_id: decode_as(NodeKind::Brand, &input.brand_id)?,
            name: input.name,
            description: input.description,
            campaign_type: input.campaign_type,
            channel: input.channel,
            budget_total: input.budget_total,
            budget_allocated: input.budget_allocated,
            start_date: input.start_date,
            end_date: input.end_date,
            objective: input.objective,
            target_audience: json(input.target_audience),
            channels: input.channels,
            kpi_targets: json(input.kpi_targets),
        };
        let row = write(ctx, async |txn| {
            campaigns::create(txn, ctx.viewer()?, ctx.audit()?, new).await
        })
        .await?;
        Ok(Campaign(row))
    }

    /// Changes a campaign's plan or budget (managers and above); completed campaigns
    /// are final.
    async fn update_campaign(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateCampaignInput,
    ) -> ApiResult<Campaign> {
        let id = decode_as(NodeKind::Campaign, &id)?;
        let changes = CampaignChanges {
            name: input.name,
            description: input.description,
            campaign_type: input.campaign_type,
            channel: input.channel,
            budget_total: input.budget_total,
            budget_allocated: input.budget_allocated,
            start_date: input.start_date,
            end_date: input.end_date,
            objective: input.objective,
            target_audience: json(input.target_audience),
            channels: input.channels,
            kpi_targets: json(input.kpi_targets),
        };
        let row = write(ctx, async |txn| {
            campaigns::update(txn, ctx.viewer()?, ctx.audit()?, id, changes).await
        })
        .await?;
        Ok(Campaign(row))
    }

    /// Starts a draft campaign or resumes a paused one (managers and above).
    async fn activate_campaign(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Campaign> {
        Self::move_campaign(ctx, id, CampaignStatus::Active).await
    }

    /// Pauses an active campaign (managers and above).
    async fn pause_campaign(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Campaign> {
        Self::move_campaign(ctx, id, CampaignStatus::Paused).await
    }

    /// Completes a campaign (managers and above); completed is final.
    async fn complete_campaign(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Campaign> {
        Self::move_campaign(ctx, id, CampaignStatus::Completed).await
    }

    /// Adds spend to a campaign and to its daily `spend` metric (managers and above).
    /// Spend may never exceed the allocated budget (`BAD_USER_INPUT`).
    async fn record_campaign_spend(
        &self,
        ctx: &Context<'_>,
        id: ID,
        #[graphql(desc = "The amount spent (positive).")] amount: Money,
        #[graphql(desc = "The day it was spent (default: today, UTC).")] date: Option<NaiveDate>,
    ) -> ApiResult<Campaign> {
        let id = decode_as(NodeKind::Campaign, &id)?;
        let date = date.unwrap_or_else(|| Utc::now().date_naive());
        let row = write(ctx, async |txn| {
            campaigns::record_spend(txn, ctx.viewer()?, ctx.audit()?, id, amount, date).await
        })
        .await?;
        Ok(Campaign(row))
    }

    /// Creates a lead (members and above). A second lead with the same email in the
    /// brand, whatever its case, is `CONFLICT`.
    async fn create_lead(&self, ctx: &Context<'_>, input: CreateLeadInput) -> ApiResult<Lead> {
        let new = NewLead {
            brand_id: decode_as(NodeKind::Brand, &input.brand_id)?,
            name: input.name,
            email: input.email,
            phone: input.phone,
            company: input.company,
            job_title: input.job_title,
            industry: input.industry,
            company_size: input.company_size,
            source: input.source,
            score: input.score,
            tags: input.tags,
            campaign_id: input
                .campaign_id
                .map(|id| decode_as(NodeKind::Campaign, &id))
                .transpose()?,
            notes: input.notes,
        };
        let row = write(ctx, async |txn| {
            leads::create(txn, ctx.viewer()?, ctx.audit()?, new).await
        })
        .await?;
        Ok(Lead(row))
    }

    /// Changes a lead (members and above); a status change is logged as an activity.
    async fn update_lead(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateLeadInput,
    ) -> ApiResult<Lead> {
        let id = decode_as(NodeKind::Lead, &id)?;
        let changes = LeadChanges {
            name: input.name,
            email: input.email,
            phone: input.phone,
            company: input.company,
            job_title: input.job_title,
            industry: input.industry,
            company_size: input.company_size,
            source: input.source,
            status: input.status,
            score: input.score,
            tags: input.tags,
            campaign_id: input
                .campaign_id
                .map(|id| decode_as(NodeKind::Campaign, &id))
                .transpose()?,
            notes: input.notes,
        };
        let row = write(ctx, async |txn| {
            leads::update(txn, ctx.viewer()?, ctx.audit()?, id, changes).await
        })
        .await?;
        Ok(Lead(row))
    }

    /// Marks an open lead as converted (members and above).
    async fn convert_lead(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Lead> {
        Self::close_lead(ctx, id, LeadStatus::Converted, None).await
    }

    /// Marks an open lead as lost (members and above).
    async fn lose_lead(
        &self,
        ctx: &Context<'_>,
        id: ID,
        #[graphql(desc = "Why it was lost.")] reason: Option<String>,
    ) -> ApiResult<Lead> {
        Self::close_lead(ctx, id, LeadStatus::Lost, reason).await
    }

    /// Logs something that happened with a lead (members and above).
    async fn log_lead_activity(
        &self,
        ctx: &Context<'_>,
        lead_id: ID,
        #[graphql(name = "type")] activity_type: LeadActivityType,
        description: Option<String>,
        #[graphql(desc = "Details (an object).")] metadata: Option<Json<serde_json::Value>>,
    ) -> ApiResult<LeadActivity> {
        let lead = decode_as(NodeKind::Lead, &lead_id)?;
        let row = write(ctx, async |txn| {
            leads::log_activity(
                txn,
                ctx.viewer()?,
                ctx.audit()?,
                lead,
                activity_type,
                description,
                json(metadata),
            )
            .await
        })
        .await?;
        Ok(LeadActivity(row))
    }
}
