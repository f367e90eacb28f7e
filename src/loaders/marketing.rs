//! The relations of campaigns and leads, served by the generic page and group loaders,
//! and a campaign's daily metrics over a date range.

use std::collections::HashMap;
use std::sync::Arc;

use crate::db::OperationDb;
use async_graphql::dataloader::Loader;
use chrono::{DateTime, FixedOffset, NaiveDate};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, Order, QueryFilter, QueryOrder, Select};
use uuid::Uuid;

use super::LoadError;
use super::group::GroupedRelation;
use super::page::PagedRelation;
use super::relations::{grouped, paged};
use entity::{
    campaign_metrics, campaign_rollups, campaign_tasks, campaigns, content_items, lead_activities,
    leads,
};

type Timestamp = DateTime<FixedOffset>;

/// Narrows a brand's campaigns.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct CampaignFilter {
    pub status: Option<String>,
    pub campaign_type: Option<String>,
    /// Starting at or after this time.
    pub starts_after: Option<Timestamp>,
    /// Ending at or before this time.
    pub ends_before: Option<Timestamp>,
}

paged!(
    BrandCampaigns, campaigns, BrandId, |m| m.brand_id,
    filter: CampaignFilter,
    sort: |m, column| m.created_at,
    apply: |select, filter| {
        use campaigns::Column;
        if let Some(status) = &filter.status {
            select = select.filter(Column::Status.eq(status.as_str()));
        }
        if let Some(kind) = &filter.campaign_type {
            select = select.filter(Column::Type.eq(kind.as_str()));
        }
        if let Some(from) = filter.starts_after {
            select = select.filter(Column::StartDate.gte(from));
        }
        if let Some(to) = filter.ends_before {
            select = select.filter(Column::EndDate.lte(to));
        }
        select
    },
);

/// Narrows a brand's leads.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct LeadFilter {
    pub status: Option<String>,
    pub min_score: Option<i32>,
    pub source: Option<String>,
    pub tag: Option<String>,
    pub campaign_id: Option<Uuid>,
    pub search: Option<LeadSearch>,
}

/// Full-text words over a brand's leads (`search_documents`, migration 020): name
/// (weight A) and company (B) for everyone who reads leads, the address (D) only when
/// `by_email` (the viewer may read addresses), so a search cannot reveal one.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LeadSearch {
    pub words: String,
    pub by_email: bool,
}

paged!(
    BrandLeads, leads, BrandId, |m| m.brand_id,
    filter: LeadFilter,
    sort: |m, column| match column {
        "score" => super::page::SortValue::from(m.score),
        _ => m.created_at.into(),
    },
    apply: |select, filter| {
        use leads::Column;
        if let Some(status) = &filter.status {
            select = select.filter(Column::Status.eq(status.as_str()));
        }
        if let Some(score) = filter.min_score {
            select = select.filter(Column::Score.gte(score));
        }
        if let Some(source) = &filter.source {
            select = select.filter(Column::Source.eq(source.as_str()));
        }
        if let Some(tag) = &filter.tag {
            // `@>` so the GIN index on tags serves it; the tag is bound as a one-element
            // `text[]` (sea-query's custom expressions do not number `$n` inside `[...]`).
            select = select.filter(Expr::cust_with_values(
                "\"leads\".\"tags\" @> $1",
                [sea_orm::Value::from(vec![tag.clone()])],
            ));
        }
        if let Some(campaign) = filter.campaign_id {
            select = select.filter(Column::CampaignId.eq(campaign));
        }
        if let Some(search) = &filter.search {
            // The brand's own text search configuration, as the index was built with.
            select = select.filter(Expr::cust_with_values(
                "EXISTS (SELECT 1 FROM search_documents d, brands sb
                          WHERE d.entity_type = 'lead' AND d.entity_id = \"leads\".\"id\"
                            AND sb.id = \"leads\".\"brand_id\"
                            AND (CASE WHEN $1 THEN d.search ELSE ts_filter(d.search, '{a,b}') END)
                                @@ websearch_to_tsquery(sb.search_language, $2))",
                [
                    sea_orm::Value::from(search.by_email),
                    sea_orm::Value::from(search.words.clone()),
                ],
            ));
        }
        select
    },
);

paged!(
    CampaignLeads, leads, CampaignId, |m| m.campaign_id.unwrap_or_default(),
    filter: (),
    sort: |m, column| m.created_at,
    apply: |select, filter| select,
);

paged!(
    CampaignContent, content_items, CampaignId, |m| m.campaign_id.unwrap_or_default(),
    filter: (),
    sort: |m, column| m.created_at,
    apply: |select, filter| select,
);

paged!(
    LeadActivities, lead_activities, LeadId, |m| m.lead_id,
    filter: (),
    sort: |m, column| m.created_at,
    apply: |select, filter| select,
);

grouped!(
    CampaignTasks,
    campaign_tasks,
    CampaignId,
    |m| m.campaign_id,
    CreatedAt,
    Order::Asc
);

/// A campaign's metrics from `from` to `to` (both included).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CampaignMetricsKey {
    pub campaign: Uuid,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// Daily campaign metrics: one statement per distinct date range in a batch.
pub struct CampaignMetricsLoader {
    db: OperationDb,
}

impl CampaignMetricsLoader {
    pub fn new(db: OperationDb) -> Self {
        Self { db }
    }
}

impl Loader<CampaignMetricsKey> for CampaignMetricsLoader {
    type Value = Vec<campaign_metrics::Model>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[CampaignMetricsKey],
    ) -> Result<HashMap<CampaignMetricsKey, Self::Value>, Self::Error> {
        use campaign_metrics::Column;
        let mut by_range: HashMap<(NaiveDate, NaiveDate), Vec<Uuid>> = HashMap::new();
        for key in keys {
            by_range
                .entry((key.from, key.to))
                .or_default()
                .push(key.campaign);
        }
        let mut out = HashMap::with_capacity(keys.len());
        for ((from, to), campaigns) in by_range {
            let select: Select<campaign_metrics::Entity> = campaign_metrics::Entity::find();
            let rows = select
                .filter(super::any_of(Column::CampaignId, &campaigns))
                .filter(Column::Date.between(from, to))
                .order_by_asc(Column::Date)
                .order_by_asc(Column::Metric)
                .all(&self.db)
                .await
                .map_err(Arc::new)?;
            let mut grouped: HashMap<Uuid, Vec<campaign_metrics::Model>> =
                campaigns.iter().map(|id| (*id, Vec::new())).collect();
            for row in rows {
                grouped.entry(row.campaign_id).or_default().push(row);
            }
            for (campaign, rows) in grouped {
                out.insert(CampaignMetricsKey { campaign, from, to }, rows);
            }
        }
        Ok(out)
    }
}

/// Campaigns' rollup rows (`campaign_rollups`), by campaign.
pub struct CampaignRollupLoader {
    db: OperationDb,
}

impl CampaignRollupLoader {
    pub fn new(db: OperationDb) -> Self {
        Self { db }
    }
}

impl Loader<Uuid> for CampaignRollupLoader {
    type Value = campaign_rollups::Model;
    type Error = LoadError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        if keys.is_empty() {
            return Ok(HashMap::new());
        }
        let rows = campaign_rollups::Entity::find()
            .filter(super::any_of(campaign_rollups::Column::CampaignId, keys))
            .all(&self.db)
            .await
            .map_err(Arc::new)?;
        Ok(rows.into_iter().map(|row| (row.campaign_id, row)).collect())
    }
}
