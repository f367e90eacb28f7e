//! `Lead` and `LeadActivity` as the API shows them. A lead's email and phone are personal
//! data: members and above read them, viewers get null.

use async_graphql::{Context, ID, Json, Object};
use chrono::{DateTime, FixedOffset};
use uuid::Uuid;

use super::campaign::{Campaign, user};
use crate::auth::Role;
use crate::domain::marketing::{CompanySize, LeadActivityType, LeadStatus};
use crate::error::{ApiError, ApiResult};
use crate::graphql::brand::Brand;
use crate::graphql::connection::{NestedConnection, nested_connection, nested_spec};
use crate::graphql::context::RequestContext;
use crate::graphql::identity::User;
use crate::graphql::ids::{self, NodeKind};
use crate::graphql::pagination::PageArgs;
use crate::loaders::marketing::LeadActivities;
use crate::loaders::page::Sort;
use entity::{lead_activities, leads};

type Timestamp = DateTime<FixedOffset>;

/// The least role that reads a lead's contact details.
pub const PERSONAL_DATA_ROLE: Role = Role::Member;

/// Whether the viewer may read the personal data of `brand`'s leads (memberships are
/// loaded once per request, so this costs no statement per lead).
pub(super) async fn reads_personal_data(ctx: &Context<'_>, brand: Uuid) -> ApiResult<bool> {
    Ok(ctx
        .viewer()?
        .role_in(brand)
        .await?
        .is_some_and(|role| role >= PERSONAL_DATA_ROLE))
}

/// A prospect of a brand: who they are, where they came from and how far they got.
pub struct Lead(pub leads::Model);

/// A prospect of a brand: who they are, where they came from and how far they got.
#[Object]
impl Lead {
    /// Global id.
    pub(crate) async fn id(&self) -> ID {
        ids::encode(NodeKind::Lead, self.0.id)
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
    /// The person's name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Email address, unique per brand ignoring case. Personal data: null for viewers.
    async fn email(&self, ctx: &Context<'_>) -> ApiResult<Option<&str>> {
        Ok(reads_personal_data(ctx, self.0.brand_id)
            .await?
            .then_some(self.0.email.as_str()))
    }
    /// Phone number. Personal data: null for viewers.
    async fn phone(&self, ctx: &Context<'_>) -> ApiResult<Option<&str>> {
        Ok(reads_personal_data(ctx, self.0.brand_id)
            .await?
            .then_some(self.0.phone.as_deref())
            .flatten())
    }
    /// Their company.
    async fn company(&self) -> Option<&str> {
        self.0.company.as_deref()
    }
    /// Their job title.
    async fn job_title(&self) -> Option<&str> {
        self.0.job_title.as_deref()
    }
    /// Their company's industry.
    async fn industry(&self) -> Option<&str> {
        self.0.industry.as_deref()
    }
    /// Their company's size.
    async fn company_size(&self) -> ApiResult<Option<CompanySize>> {
        self.0
            .company_size
            .as_deref()
            .map(|size| {
                CompanySize::parse(size).ok_or_else(|| ApiError::unexpected("company size", size))
            })
            .transpose()
    }
    /// Where the lead came from, e.g. `website`, `event`, `referral`, `manual`.
    async fn source(&self) -> &str {
        &self.0.source
    }
    /// Where the lead is in the funnel.
    async fn status(&self) -> ApiResult<LeadStatus> {
        LeadStatus::parse(&self.0.status)
            .ok_or_else(|| ApiError::unexpected("lead status", &self.0.status))
    }
    /// Quality score, 0 to 100: computed by the database from the brand's scoring rules
    /// when it has any (`Brand.leadScoringRules`), else set by hand.
    async fn score(&self) -> i32 {
        self.0.score
    }
    /// Free tags.
    async fn tags(&self) -> &[String] {
        &self.0.tags
    }
    /// The campaign that produced it.
    async fn campaign(&self, ctx: &Context<'_>) -> ApiResult<Option<Campaign>> {
        match self.0.campaign_id {
            Some(id) => Ok(ctx.loaders()?.campaigns().load_one(id).await?.map(Campaign)),
            None => Ok(None),
        }
    }
    /// Notes.
    async fn notes(&self) -> Option<&str> {
        self.0.notes.as_deref()
    }
    /// When it was converted (`convertLead`).
    async fn converted_at(&self) -> Option<Timestamp> {
        self.0.converted_at
    }
    /// Why it was lost (`loseLead`).
    async fn lost_reason(&self) -> Option<&str> {
        self.0.lost_reason.as_deref()
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
    /// What happened with the lead, newest first.
    #[graphql(
        complexity = "crate::graphql::pagination::page_cost(first.or(last), child_complexity)"
    )]
    async fn activities(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last edge of the previous page.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100); not with `first`.")] last: Option<
            i32,
        >,
        #[graphql(desc = "Cursor of the first edge of the next page.")] before: Option<String>,
    ) -> ApiResult<NestedConnection<LeadActivity>> {
        let spec = nested_spec(
            ctx,
            (),
            Sort::NEWEST_FIRST,
            PageArgs::new(first, after, last, before),
        )?;
        nested_connection::<LeadActivities, _>(
            ctx,
            self.0.id,
            spec,
            |l| l.lead_activities(),
            |l| l.lead_activities_count(),
            LeadActivity,
        )
        .await
    }
}

/// Something that happened with a lead.
pub struct LeadActivity(pub lead_activities::Model);

/// Something that happened with a lead.
#[Object]
impl LeadActivity {
    /// Database id.
    async fn uuid(&self) -> Uuid {
        self.0.id
    }
    /// Database id of the lead.
    async fn lead_id(&self) -> Uuid {
        self.0.lead_id
    }
    /// What happened.
    #[graphql(name = "type")]
    async fn activity_type(&self) -> ApiResult<LeadActivityType> {
        LeadActivityType::parse(&self.0.r#type)
            .ok_or_else(|| ApiError::unexpected("lead activity type", &self.0.r#type))
    }
    /// In words.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// Details (an object; a status change has `from` and `to`).
    async fn metadata(&self) -> Json<&serde_json::Value> {
        Json(&self.0.metadata)
    }
    /// Who logged it.
    async fn created_by(&self, ctx: &Context<'_>) -> ApiResult<Option<User>> {
        user(ctx, self.0.created_by).await
    }
    /// When it was logged.
    async fn created_at(&self) -> Timestamp {
        self.0.created_at
    }
}
