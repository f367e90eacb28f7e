//! The marketing fields of `Brand` (the type only delegates) and their filters.

use async_graphql::{Context, Enum, ID, InputObject};
use chrono::{DateTime, FixedOffset};
use uuid::Uuid;

use super::lead::reads_personal_data;
use super::{Campaign, Lead, LeadFormKey, LeadScoringRule};
use crate::domain::marketing::scoring;
use crate::domain::marketing::{CampaignStatus, CampaignType, LeadStatus};
use crate::error::ApiError;
use crate::error::ApiResult;
use crate::graphql::connection::{NestedConnection, nested_connection, nested_spec};
use crate::graphql::context::RequestContext;
use crate::graphql::ids::{NodeKind, decode_as};
use crate::graphql::pagination::PageArgs;
use crate::loaders::marketing::{
    BrandCampaigns, BrandLeads, CampaignFilter, LeadFilter, LeadSearch,
};
use crate::loaders::page::Sort;

type Timestamp = DateTime<FixedOffset>;

/// Narrows `Brand.campaigns`.
#[derive(InputObject, Default)]
#[graphql(name = "CampaignFilter")]
pub struct CampaignFilterInput {
    /// Only campaigns in this status.
    pub status: Option<CampaignStatus>,
    /// Only campaigns of this type.
    #[graphql(name = "type")]
    pub campaign_type: Option<CampaignType>,
    /// Only campaigns starting at or after this time.
    pub starts_after: Option<Timestamp>,
    /// Only campaigns ending at or before this time.
    pub ends_before: Option<Timestamp>,
}

/// Narrows `Brand.leads`.
#[derive(InputObject, Default)]
#[graphql(name = "LeadFilter")]
pub struct LeadFilterInput {
    /// Only leads in this status.
    pub status: Option<LeadStatus>,
    /// Only leads scoring at least this.
    pub min_score: Option<i32>,
    /// Only leads from this source.
    pub source: Option<String>,
    /// Only leads with this tag.
    pub tag: Option<String>,
    /// Only leads of this campaign.
    pub campaign_id: Option<ID>,
    /// Only leads whose name, company or email match these words (full-text, web-search
    /// syntax: quotes, `or`, `-word`). Email addresses match whole, and only for members
    /// and above (who may read them).
    pub search: Option<String>,
}

/// The order of `Brand.leads`.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Default)]
pub enum LeadOrder {
    /// Newest first.
    #[default]
    CreatedAtDesc,
    /// Highest score first (ties by id, descending); its cursors carry the score.
    ScoreDesc,
}

impl LeadOrder {
    pub fn sort(self) -> Sort {
        match self {
            Self::CreatedAtDesc => Sort::NEWEST_FIRST,
            Self::ScoreDesc => Sort::HIGHEST_SCORE_FIRST,
        }
    }
}

/// `Brand.campaigns`, newest first.
pub async fn campaigns(
    ctx: &Context<'_>,
    brand: Uuid,
    filter: Option<CampaignFilterInput>,
    page: PageArgs,
) -> ApiResult<NestedConnection<Campaign>> {
    let filter = filter.unwrap_or_default();
    let filter = CampaignFilter {
        status: filter.status.map(|s| s.as_str().to_string()),
        campaign_type: filter.campaign_type.map(|t| t.as_str().to_string()),
        starts_after: filter.starts_after,
        ends_before: filter.ends_before,
    };
    let spec = nested_spec(ctx, filter, Sort::NEWEST_FIRST, page)?;
    nested_connection::<BrandCampaigns, _>(
        ctx,
        brand,
        spec,
        |l| l.brand_campaigns(),
        |l| l.brand_campaigns_count(),
        Campaign,
    )
    .await
}

/// `Brand.leads`, newest first or in `order`.
pub async fn leads(
    ctx: &Context<'_>,
    brand: Uuid,
    filter: Option<LeadFilterInput>,
    order: Option<LeadOrder>,
    page: PageArgs,
) -> ApiResult<NestedConnection<Lead>> {
    let filter = filter.unwrap_or_default();
    let search = match filter.search.as_deref().map(str::trim) {
        None => None,
        Some(words) if words.is_empty() || words.chars().count() > 200 => {
            return Err(ApiError::bad_input(
                "search",
                "search must be 1 to 200 characters",
            ));
        }
        Some(words) => Some(LeadSearch {
            words: words.to_string(),
            by_email: reads_personal_data(ctx, brand).await?,
        }),
    };
    let filter = LeadFilter {
        status: filter.status.map(|s| s.as_str().to_string()),
        min_score: filter.min_score,
        source: filter.source,
        tag: filter.tag,
        campaign_id: filter
            .campaign_id
            .map(|id| decode_as(NodeKind::Campaign, &id))
            .transpose()?,
        search,
    };
    let sort = order.unwrap_or_default().sort();
    let spec = nested_spec(ctx, filter, sort, page)?;
    nested_connection::<BrandLeads, _>(
        ctx,
        brand,
        spec,
        |l| l.brand_leads(),
        |l| l.brand_leads_count(),
        Lead,
    )
    .await
}

/// `Brand.leadScoringRules`, by name (every member reads them).
pub async fn lead_scoring_rules(ctx: &Context<'_>, brand: Uuid) -> ApiResult<Vec<LeadScoringRule>> {
    Ok(scoring::of_brand(ctx.db()?, brand)
        .await?
        .into_iter()
        .map(LeadScoringRule)
        .collect())
}

/// `Brand.leadFormKeys`, newest first (admins and owners).
pub async fn lead_form_keys(ctx: &Context<'_>, brand: Uuid) -> ApiResult<Vec<LeadFormKey>> {
    super::capture::form_keys(ctx, brand).await
}
