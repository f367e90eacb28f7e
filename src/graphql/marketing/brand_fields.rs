//! The marketing fields of `Brand` (the type only delegates) and their filters.

use async_graphql::{Context, ID, InputObject};
use chrono::{DateTime, FixedOffset};
use uuid::Uuid;

use super::{Campaign, Lead};
use crate::domain::marketing::{CampaignStatus, CampaignType, LeadStatus};
use crate::error::ApiResult;
use crate::graphql::connection::{NestedConnection, nested_connection, nested_spec};
use crate::graphql::ids::{NodeKind, decode_as};
use crate::loaders::marketing::{BrandCampaigns, BrandLeads, CampaignFilter, LeadFilter};
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
}

/// `Brand.campaigns`, newest first.
pub async fn campaigns(
    ctx: &Context<'_>,
    brand: Uuid,
    filter: Option<CampaignFilterInput>,
    first: Option<i32>,
    after: Option<String>,
) -> ApiResult<NestedConnection<Campaign>> {
    let filter = filter.unwrap_or_default();
    let filter = CampaignFilter {
        status: filter.status.map(|s| s.as_str().to_string()),
        campaign_type: filter.campaign_type.map(|t| t.as_str().to_string()),
        starts_after: filter.starts_after,
        ends_before: filter.ends_before,
    };
    let spec = nested_spec(ctx, filter, Sort::NEWEST_FIRST, first, after.as_deref())?;
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

/// `Brand.leads`, newest first.
pub async fn leads(
    ctx: &Context<'_>,
    brand: Uuid,
    filter: Option<LeadFilterInput>,
    first: Option<i32>,
    after: Option<String>,
) -> ApiResult<NestedConnection<Lead>> {
    let filter = filter.unwrap_or_default();
    let filter = LeadFilter {
        status: filter.status.map(|s| s.as_str().to_string()),
        min_score: filter.min_score,
        source: filter.source,
        tag: filter.tag,
        campaign_id: filter
            .campaign_id
            .map(|id| decode_as(NodeKind::Campaign, &id))
            .transpose()?,
    };
    let spec = nested_spec(ctx, filter, Sort::NEWEST_FIRST, first, after.as_deref())?;
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
