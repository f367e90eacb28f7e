//! `Campaign`, its tasks and daily metrics as the API shows them.

use async_graphql::{Context, ID, Json, Object, SimpleObject};
use chrono::{DateTime, FixedOffset, NaiveDate};
use uuid::Uuid;

use super::lead::Lead;
use super::summary::CampaignSummary;
use crate::domain::marketing::{CampaignStatus, CampaignType, Money, TaskPriority, TaskStatus};
use crate::error::{ApiError, ApiResult};
use crate::graphql::brand::Brand;
use crate::graphql::connection::{NestedConnection, nested_connection, nested_spec};
use crate::graphql::content::ContentItem;
use crate::graphql::context::RequestContext;
use crate::graphql::identity::User;
use crate::graphql::ids::{self, NodeKind};
use crate::graphql::pagination::PageArgs;
use crate::loaders::marketing::{CampaignContent, CampaignLeads, CampaignMetricsKey};
use crate::loaders::page::Sort;
use entity::{campaign_metrics, campaign_tasks, campaigns};

type Timestamp = DateTime<FixedOffset>;

/// The longest range `Campaign.metrics` answers.
const MAX_METRIC_DAYS: i64 = 366;

pub(super) async fn user(ctx: &Context<'_>, id: Option<Uuid>) -> ApiResult<Option<User>> {
    match id {
        Some(id) => Ok(ctx.loaders()?.users().load_one(id).await?.map(User)),
        None => Ok(None),
    }
}

/// A marketing campaign of a brand: its plan, budget, dates and what it produced.
pub struct Campaign(pub campaigns::Model);

/// A marketing campaign of a brand: its plan, budget, dates and what it produced.
#[Object]
impl Campaign {
    /// Global id.
    pub(crate) async fn id(&self) -> ID {
        ids::encode(NodeKind::Campaign, self.0.id)
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
    /// What it is about.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// What it is for.
    #[graphql(name = "type")]
    async fn campaign_type(&self) -> ApiResult<CampaignType> {
        CampaignType::parse(&self.0.r#type)
            .ok_or_else(|| ApiError::unexpected("campaign type", &self.0.r#type))
    }
    /// The primary channel.
    async fn channel(&self) -> Option<&str> {
        self.0.channel.as_deref()
    }
    /// Every channel it uses.
    async fn channels(&self) -> &[String] {
        &self.0.channels
    }
    /// Where it is in its lifecycle.
    async fn status(&self) -> ApiResult<CampaignStatus> {
        CampaignStatus::parse(&self.0.status)
            .ok_or_else(|| ApiError::unexpected("campaign status", &self.0.status))
    }
    /// The whole budget.
    async fn budget_total(&self) -> Money {
        Money::from_db(self.0.budget_total)
    }
    /// The part of the budget released for spending (at most the total).
    async fn budget_allocated(&self) -> Money {
        Money::from_db(self.0.budget_allocated)
    }
    /// What was spent so far (at most the allocated budget).
    async fn budget_spent(&self) -> Money {
        Money::from_db(self.0.budget_spent)
    }
    /// Allocated budget not yet spent.
    async fn budget_remaining(&self) -> Money {
        Money::from_db(self.0.budget_allocated - self.0.budget_spent)
    }
    /// When it starts.
    async fn start_date(&self) -> Option<Timestamp> {
        self.0.start_date
    }
    /// When it ends (never before the start).
    async fn end_date(&self) -> Option<Timestamp> {
        self.0.end_date
    }
    /// Its main goal.
    async fn objective(&self) -> Option<&str> {
        self.0.objective.as_deref()
    }
    /// Who it addresses (an object, e.g. `{"segments": ["b2b"], "regions": ["EU"]}`).
    async fn target_audience(&self) -> Json<&serde_json::Value> {
        Json(&self.0.target_audience)
    }
    /// Its KPI targets (an object, e.g. `{"leads": 200, "cpl": 12.5}`).
    async fn kpi_targets(&self) -> Json<&serde_json::Value> {
        Json(&self.0.kpi_targets)
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
    /// Its figures: spend against budget, leads by status, conversions, cost per lead and
    /// email counts, as of the last committed change (`campaignSummary` streams them).
    async fn summary(&self, ctx: &Context<'_>) -> ApiResult<Option<CampaignSummary>> {
        Ok(ctx
            .loaders()?
            .campaign_rollups()
            .load_one(self.0.id)
            .await?
            .map(|row| CampaignSummary(row.into())))
    }
    /// Its tasks, oldest first.
    async fn tasks(&self, ctx: &Context<'_>) -> ApiResult<Vec<CampaignTask>> {
        Ok(ctx
            .loaders()?
            .campaign_tasks()
            .load_one(self.0.id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(CampaignTask)
            .collect())
    }
    /// Its daily metrics from `from` to `to` (both included, at most 366 days), by day
    /// and metric name. `spend` is kept by `recordCampaignSpend`.
    #[graphql(complexity = "crate::graphql::pagination::range_cost(from, to, child_complexity)")]
    async fn metrics(
        &self,
        ctx: &Context<'_>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> ApiResult<Vec<CampaignMetric>> {
        if to < from {
            return Err(ApiError::bad_input("to", "`to` is before `from`"));
        }
        if (to - from).num_days() >= MAX_METRIC_DAYS {
            return Err(ApiError::bad_input("to", "at most 366 days per request"));
        }
        let key = CampaignMetricsKey {
            campaign: self.0.id,
            from,
            to,
        };
        Ok(ctx
            .loaders()?
            .campaign_metrics()
            .load_one(key)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(CampaignMetric::from)
            .collect())
    }
    /// The leads it produced, newest first.
    #[graphql(
        complexity = "crate::graphql::pagination::page_cost(first.or(last), child_complexity)"
    )]
    async fn leads(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last edge of the previous page.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100); not with `first`.")] last: Option<
            i32,
        >,
        #[graphql(desc = "Cursor of the first edge of the next page.")] before: Option<String>,
    ) -> ApiResult<NestedConnection<Lead>> {
        let spec = nested_spec(
            ctx,
            (),
            Sort::NEWEST_FIRST,
            PageArgs::new(first, after, last, before),
        )?;
        nested_connection::<CampaignLeads, _>(
            ctx,
            self.0.id,
            spec,
            |l| l.campaign_leads(),
            |l| l.campaign_leads_count(),
            Lead,
        )
        .await
    }
    /// The brand's content items that belong to it, newest first.
    #[graphql(
        complexity = "crate::graphql::pagination::page_cost(first.or(last), child_complexity)"
    )]
    async fn content_items(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last edge of the previous page.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100); not with `first`.")] last: Option<
            i32,
        >,
        #[graphql(desc = "Cursor of the first edge of the next page.")] before: Option<String>,
    ) -> ApiResult<NestedConnection<ContentItem>> {
        let spec = nested_spec(
            ctx,
            (),
            Sort::NEWEST_FIRST,
            PageArgs::new(first, after, last, before),
        )?;
        nested_connection::<CampaignContent, _>(
            ctx,
            self.0.id,
            spec,
            |l| l.campaign_content(),
            |l| l.campaign_content_count(),
            ContentItem,
        )
        .await
    }
    /// Its email campaigns, newest first.
    #[graphql(
        complexity = "crate::graphql::pagination::page_cost(first.or(last), child_complexity)"
    )]
    async fn email_campaigns(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last edge of the previous page.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100); not with `first`.")] last: Option<
            i32,
        >,
        #[graphql(desc = "Cursor of the first edge of the next page.")] before: Option<String>,
    ) -> ApiResult<NestedConnection<crate::graphql::email::EmailCampaign>> {
        crate::graphql::email::brand_fields::of_campaign(
            ctx,
            self.0.id,
            PageArgs::new(first, after, last, before),
        )
        .await
    }
}

/// A task of a campaign.
pub struct CampaignTask(pub campaign_tasks::Model);

/// A task of a campaign.
#[Object]
impl CampaignTask {
    /// Database id.
    async fn uuid(&self) -> Uuid {
        self.0.id
    }
    /// Database id of its campaign.
    async fn campaign_id(&self) -> Uuid {
        self.0.campaign_id
    }
    /// What to do.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// Details.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// Its progress.
    async fn status(&self) -> ApiResult<TaskStatus> {
        TaskStatus::parse(&self.0.status)
            .ok_or_else(|| ApiError::unexpected("task status", &self.0.status))
    }
    /// How urgent it is.
    async fn priority(&self) -> ApiResult<TaskPriority> {
        TaskPriority::parse(&self.0.priority)
            .ok_or_else(|| ApiError::unexpected("task priority", &self.0.priority))
    }
    /// When it is due.
    async fn due_date(&self) -> Option<Timestamp> {
        self.0.due_date
    }
    /// When it was completed.
    async fn completed_at(&self) -> Option<Timestamp> {
        self.0.completed_at
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

/// One day's value of one campaign metric.
#[derive(SimpleObject)]
pub struct CampaignMetric {
    /// The day.
    pub date: NaiveDate,
    /// The metric's name, e.g. `spend`, `impressions`, `clicks`.
    pub metric: String,
    /// Its value that day.
    pub value: f64,
}

impl From<campaign_metrics::Model> for CampaignMetric {
    fn from(row: campaign_metrics::Model) -> Self {
        Self {
            date: row.date,
            metric: row.metric,
            value: row.value.to_string().parse().unwrap_or_default(),
        }
    }
}
