use std::sync::Arc;

use async_graphql::{Context, ID, Json, Lookahead, Object};
use chrono::{DateTime, FixedOffset, NaiveDate};
use uuid::Uuid;

use crate::auth::Role;
use crate::domain::analytics::{Platform, summary_days};
use crate::domain::learning::feedback::AverageWeight;
use crate::domain::status::{ApprovalStatus, ScheduleStatus};
use crate::error::{ApiError, ApiResult};
use crate::graphql::analytics::{
    AnalyticsGoal, AnalyticsMetric, AnalyticsSummary, AnalyticsSyncLog, sync_logs,
};
use crate::graphql::approval::PostApproval;
use crate::graphql::asset::{MediaAsset, MediaAssetFilter, StorageQuota};
use crate::graphql::connection::{
    NestedConnection, nested_connection, nested_spec, nested_spec_at,
};
use crate::graphql::content::{ContentItem, ContentItemFilter, ContentOrder, ScheduledContent};
use crate::graphql::context::RequestContext;
use crate::graphql::email::{
    self as email, EmailAutomationRule, EmailCampaign, EmailContact, EmailTemplate,
    brand_fields::{EmailCampaignFilterInput, EmailContactFilterInput},
};
use crate::graphql::identity::{BrandMember, Tenant};
use crate::graphql::ids::{self, NodeKind};
use crate::graphql::integrations::{self, PlatformReview, SocialPost, WebhookEvent};
use crate::graphql::learning::{
    self, AdvisorFeedback, AutoPlan, BrandHistory, CollaborationLog, ContentPackage, StrategyBrief,
};
use crate::graphql::marketing::{
    self as marketing, Campaign, Lead, LeadFormKey, LeadScoringRule,
    brand_fields::{CampaignFilterInput, LeadFilterInput, LeadOrder},
};
use crate::graphql::pagination::PageArgs;
use crate::graphql::prefetch::{self, MetricRows, Summaries};
use crate::graphql::publishing::{
    ConnectionStats, ConnectorPlatform, PlatformConnection, PlatformPublishingStats,
    PlatformSyncLog, PublishJob, PublishJobStatus, PublishingLog, brand_fields,
};
use crate::graphql::workflows::{
    self, ApprovalRequest, EscalationEvent, EscalationRule, WorkflowInstance, WorkflowTemplate,
};
use crate::graphql::workspace::{self, AuditEntry, AuditLogFilter, Invitation, Milestone};
use crate::loaders::analytics::{MetricRange, MetricRangeKey, SummaryKey};
use crate::loaders::page::{PageSpec, Sort};
use crate::loaders::relations::{ActivityFilter, PackageFilter, SocialPostFilter};
use crate::loaders::relations::{
    ApprovalFilter, AssetFilter, BrandApprovals, BrandAssets, BrandContent, BrandSchedule,
    ContentFilter, ScheduleFilter,
};
use entity::brands;

/// A brand of a tenant: its identity, voice and everything published under it.
pub struct Brand(pub brands::Model);

impl Brand {
    /// The brand an already visible row belongs to (batched through the brands loader).
    pub async fn load(ctx: &Context<'_>, id: Uuid) -> ApiResult<Brand> {
        let brand = ctx.loaders()?.brands().load_one(id).await?;
        brand.map(Brand).ok_or(ApiError::NotFound("brand"))
    }

    /// The page `contentItems(first, after, filter, orderBy)` at `selection` asks for.
    pub fn content_items_spec(
        selection: &Lookahead<'_>,
        page: PageArgs,
        filter: Option<ContentItemFilter>,
        order_by: Option<ContentOrder>,
    ) -> ApiResult<Arc<PageSpec<ContentFilter>>> {
        let filter = ContentFilter::from(filter.unwrap_or_default());
        let sort = order_by.unwrap_or_default().sort();
        nested_spec_at(selection, filter, sort, page)
    }

    /// The window of `analyticsSummary` when none is given.
    pub const DEFAULT_SUMMARY_DAYS: i32 = 30;

    /// The checked arguments of `analytics` for `brand` (the field at `selection`): the
    /// key of its rows.
    pub fn metric_range_key(
        brand: Uuid,
        selection: &Lookahead<'_>,
        from: NaiveDate,
        to: NaiveDate,
        platform: Option<String>,
    ) -> ApiResult<MetricRangeKey> {
        if to < from {
            return Err(ApiError::bad_input("to", "`to` is before `from`"));
        }
        if (to - from).num_days() > 366 {
            return Err(ApiError::bad_input("to", "at most 366 days per request"));
        }
        let platform = platform_filter(platform)?;
        let columns = AnalyticsMetric::columns(selection);
        Ok(MetricRangeKey {
            brand,
            range: MetricRange {
                from,
                to,
                platform,
                columns,
            },
        })
    }

    /// The checked arguments of `analyticsSummary` for `brand`: the key of its summary.
    pub fn summary_key(brand: Uuid, days: i32, platform: Option<String>) -> ApiResult<SummaryKey> {
        Ok(SummaryKey {
            brand,
            days: summary_days(days)?,
            platform: platform_filter(platform)?,
        })
    }

    /// The page `mediaAssets(first, after, filter)` at `selection` asks for.
    pub fn media_assets_spec(
        selection: &Lookahead<'_>,
        page: PageArgs,
        filter: Option<MediaAssetFilter>,
    ) -> ApiResult<Arc<PageSpec<AssetFilter>>> {
        let filter = AssetFilter::from(filter.unwrap_or_default());
        nested_spec_at(selection, filter, Sort::NEWEST_FIRST, page)
    }
}

/// The checked `platform` argument of the analytics fields.
fn platform_filter(platform: Option<String>) -> ApiResult<Option<String>> {
    Ok(platform
        .map(|p| Platform::parse(&p))
        .transpose()?
        .map(Platform::into_inner))
}

/// A brand of a tenant: its identity, voice and everything published under it.
#[Object]
impl Brand {
    /// Global id (for `node`).
    pub(crate) async fn id(&self) -> ID {
        ids::encode(NodeKind::Brand, self.0.id)
    }
    /// Database id.
    async fn uuid(&self) -> Uuid {
        self.0.id
    }
    /// The tenant that owns the brand.
    async fn tenant(&self, ctx: &Context<'_>) -> ApiResult<Option<Tenant>> {
        let Some(tenant_id) = self.0.tenant_id else {
            return Ok(None);
        };
        let loaders = ctx.loaders()?;
        Ok(loaders.tenants().load_one(tenant_id).await?.map(Tenant))
    }
    /// Display name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// URL-safe name, unique within the tenant.
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    /// Legacy workspace alias of the brand.
    async fn workspace_id(&self) -> Option<&str> {
        self.0.workspace_id.as_deref()
    }
    /// Logo image URL.
    async fn logo_url(&self) -> Option<&str> {
        self.0.logo_url.as_deref()
    }
    /// Primary brand colour, e.g. `#3b82f6`.
    async fn primary_color(&self) -> Option<&str> {
        self.0.primary_color.as_deref()
    }
    /// Website URL.
    async fn website_url(&self) -> Option<&str> {
        self.0.website_url.as_deref()
    }
    /// Industry.
    async fn industry(&self) -> Option<&str> {
        self.0.industry.as_deref()
    }
    /// Free-text description.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// Brand kit (colours, fonts, logos) as JSON.
    async fn brand_kit(&self) -> Option<Json<serde_json::Value>> {
        self.0.brand_kit.clone().map(Json)
    }
    /// Summary of the brand's voice.
    async fn voice_summary(&self) -> Option<&str> {
        self.0.voice_summary.as_deref()
    }
    /// Summary of the brand's visual identity.
    async fn visual_summary(&self) -> Option<&str> {
        self.0.visual_summary.as_deref()
    }
    /// Keywords describing the brand's tone.
    async fn tone_keywords(&self) -> Vec<String> {
        self.0.tone_keywords.clone().unwrap_or_default()
    }
    /// Compliance rules content must follow.
    async fn compliance_rules(&self) -> Option<&str> {
        self.0.compliance_rules.as_deref()
    }
    /// Whether onboarding intake is complete.
    async fn intake_completed(&self) -> bool {
        self.0.intake_completed.unwrap_or(false)
    }
    /// When onboarding intake completed.
    async fn intake_completed_at(&self) -> Option<DateTime<FixedOffset>> {
        self.0.intake_completed_at
    }
    /// When the website crawler last ran.
    async fn scraped_at(&self) -> Option<DateTime<FixedOffset>> {
        self.0.scraped_at
    }
    /// Website crawler status (`never_run`, ...).
    async fn scraper_status(&self) -> Option<&str> {
        self.0.scraper_status.as_deref()
    }
    /// Creation time.
    async fn created_at(&self) -> DateTime<FixedOffset> {
        self.0.created_at
    }
    /// Last update time.
    async fn updated_at(&self) -> DateTime<FixedOffset> {
        self.0.updated_at
    }
    /// The caller's role in this brand (`OWNER` for the service role).
    async fn viewer_role(&self, ctx: &Context<'_>) -> ApiResult<Option<Role>> {
        Ok(ctx.viewer()?.role_in(self.0.id).await?)
    }

    /// Members and their roles.
    async fn members(&self, ctx: &Context<'_>) -> ApiResult<Vec<BrandMember>> {
        let rows = ctx.loaders()?.brand_members().load_one(self.0.id).await?;
        Ok(rows
            .unwrap_or_default()
            .into_iter()
            .map(BrandMember)
            .collect())
    }
    /// Content items, newest first unless `orderBy` says otherwise.
    #[graphql(
        complexity = "crate::graphql::pagination::page_cost(first.or(last), child_complexity)"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn content_items(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last edge of the previous page.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100); not with `first`.")] last: Option<
            i32,
        >,
        #[graphql(desc = "Cursor of the first edge of the next page.")] before: Option<String>,
        filter: Option<ContentItemFilter>,
        #[graphql(desc = "Default: newest first.")] order_by: Option<ContentOrder>,
    ) -> ApiResult<NestedConnection<ContentItem>> {
        let spec = Brand::content_items_spec(
            &ctx.look_ahead(),
            PageArgs::new(first, after, last, before),
            filter,
            order_by,
        )?;
        nested_connection::<BrandContent, _>(
            ctx,
            self.0.id,
            spec,
            |l| l.brand_content(),
            |l| l.brand_content_count(),
            ContentItem,
        )
        .await
    }
    /// Media assets, newest first.
    #[graphql(
        complexity = "crate::graphql::pagination::page_cost(first.or(last), child_complexity)"
    )]
    async fn media_assets(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last edge of the previous page.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100); not with `first`.")] last: Option<
            i32,
        >,
        #[graphql(desc = "Cursor of the first edge of the next page.")] before: Option<String>,
        filter: Option<MediaAssetFilter>,
    ) -> ApiResult<NestedConnection<MediaAsset>> {
        let spec = Brand::media_assets_spec(
            &ctx.look_ahead(),
            PageArgs::new(first, after, last, before),
            filter,
        )?;
        nested_connection::<BrandAssets, _>(
            ctx,
            self.0.id,
            spec,
            |l| l.brand_assets(),
            |l| l.brand_assets_count(),
            MediaAsset,
        )
        .await
    }
    /// Storage allowance and use.
    async fn storage_quota(&self, ctx: &Context<'_>) -> ApiResult<Option<StorageQuota>> {
        let rows = ctx.loaders()?.brand_quota().load_one(self.0.id).await?;
        Ok(rows
            .unwrap_or_default()
            .into_iter()
            .next()
            .map(StorageQuota))
    }
    /// Approval rounds of the brand's content, newest first.
    #[graphql(
        complexity = "crate::graphql::pagination::page_cost(first.or(last), child_complexity)"
    )]
    async fn approvals(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only approvals in this status.")] status: Option<ApprovalStatus>,
        #[graphql(desc = "Page size (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last edge of the previous page.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100); not with `first`.")] last: Option<
            i32,
        >,
        #[graphql(desc = "Cursor of the first edge of the next page.")] before: Option<String>,
    ) -> ApiResult<NestedConnection<PostApproval>> {
        let filter = ApprovalFilter {
            status: status.map(|s| s.as_str().to_string()),
        };
        let spec = nested_spec(
            ctx,
            filter,
            Sort::NEWEST_FIRST,
            PageArgs::new(first, after, last, before),
        )?;
        nested_connection::<BrandApprovals, _>(
            ctx,
            self.0.id,
            spec,
            |l| l.brand_approvals(),
            |l| l.brand_approvals_count(),
            PostApproval,
        )
        .await
    }
    /// Daily metric rows between two dates (inclusive, at most 366 days), oldest first.
    #[graphql(complexity = "crate::graphql::pagination::range_cost(from, to, child_complexity)")]
    async fn analytics(
        &self,
        ctx: &Context<'_>,
        from: NaiveDate,
        to: NaiveDate,
        #[graphql(desc = "Only this platform.")] platform: Option<String>,
    ) -> ApiResult<Vec<AnalyticsMetric>> {
        let key = Self::metric_range_key(self.0.id, &ctx.look_ahead(), from, to, platform)?;
        let rows = match prefetch::taken::<MetricRows>(ctx, &key) {
            Some(rows) => rows,
            None => ctx
                .loaders()?
                .metric_ranges()
                .load_one(key)
                .await?
                .unwrap_or_default(),
        };
        Ok(rows.into_iter().map(AnalyticsMetric).collect())
    }
    /// Totals over the last `days` days (today included) and per platform, aggregated in SQL.
    async fn analytics_summary(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            default_with = "Self::DEFAULT_SUMMARY_DAYS",
            desc = "Window length, 1 to 366 days."
        )]
        days: i32,
        #[graphql(desc = "Only this platform.")] platform: Option<String>,
    ) -> ApiResult<AnalyticsSummary> {
        let key = Self::summary_key(self.0.id, days, platform)?;
        let days = key.days;
        let summary = match prefetch::taken::<Summaries>(ctx, &key) {
            Some(summary) => summary,
            None => ctx
                .loaders()?
                .summaries()
                .load_one(key)
                .await?
                .unwrap_or_default(),
        };
        Ok(AnalyticsSummary { days, summary })
    }
    /// Analytics goals, earliest deadline first.
    async fn goals(&self, ctx: &Context<'_>) -> ApiResult<Vec<AnalyticsGoal>> {
        let rows = ctx.loaders()?.brand_goals().load_one(self.0.id).await?;
        Ok(rows
            .unwrap_or_default()
            .into_iter()
            .map(AnalyticsGoal)
            .collect())
    }
    /// Scheduled publications, earliest first.
    #[graphql(
        complexity = "crate::graphql::pagination::page_cost(first.or(last), child_complexity)"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn scheduled_content(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only publications at or after this time.")] from: Option<
            DateTime<FixedOffset>,
        >,
        #[graphql(desc = "Only publications before this time.")] to: Option<DateTime<FixedOffset>>,
        #[graphql(desc = "Only publications in this status.")] status: Option<ScheduleStatus>,
        #[graphql(desc = "Page size (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last edge of the previous page.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100); not with `first`.")] last: Option<
            i32,
        >,
        #[graphql(desc = "Cursor of the first edge of the next page.")] before: Option<String>,
    ) -> ApiResult<NestedConnection<ScheduledContent>> {
        let filter = ScheduleFilter {
            from,
            to,
            status: status.map(|s| s.as_str().to_string()),
        };
        let sort = Sort {
            column: "scheduled_at",
            descending: false,
        };
        let spec = nested_spec(ctx, filter, sort, PageArgs::new(first, after, last, before))?;
        nested_connection::<BrandSchedule, _>(
            ctx,
            self.0.id,
            spec,
            |l| l.brand_schedule(),
            |l| l.brand_schedule_count(),
            ScheduledContent,
        )
        .await
    }

    /// Platform accounts connected to the brand (tokens are never readable).
    async fn connections(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this connector platform.")] platform: Option<String>,
        #[graphql(desc = "Only this status (`active`, `disconnected`, ...).")] status: Option<
            String,
        >,
        #[graphql(desc = "Only active connections whose token expires within this many hours.")]
        expiring_within_hours: Option<i32>,
        #[graphql(desc = "Matches the display name or account id.")] search: Option<String>,
    ) -> ApiResult<Vec<PlatformConnection>> {
        brand_fields::connections(
            ctx,
            self.0.id,
            platform,
            status,
            expiring_within_hours,
            search,
        )
        .await
    }
    /// Counts over the brand's connections.
    async fn connection_stats(&self, ctx: &Context<'_>) -> ApiResult<ConnectionStats> {
        brand_fields::connection_stats(ctx, self.0.id).await
    }
    /// The tenant's connector platform settings.
    async fn connector_platforms(&self, ctx: &Context<'_>) -> ApiResult<Vec<ConnectorPlatform>> {
        brand_fields::connector_platforms(ctx, self.0.tenant_id).await
    }
    /// Publish jobs, newest first.
    #[graphql(
        complexity = "crate::graphql::pagination::page_cost(first.or(last), child_complexity)"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn publish_jobs(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only jobs in this status.")] status: Option<PublishJobStatus>,
        #[graphql(desc = "Only jobs of this content item.")] content_item_id: Option<ID>,
        #[graphql(desc = "Page size (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last edge of the previous page.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100); not with `first`.")] last: Option<
            i32,
        >,
        #[graphql(desc = "Cursor of the first edge of the next page.")] before: Option<String>,
    ) -> ApiResult<NestedConnection<PublishJob>> {
        brand_fields::publish_jobs(
            ctx,
            self.0.id,
            status,
            content_item_id,
            PageArgs::new(first, after, last, before),
        )
        .await
    }
    /// Every publish job transition, newest first.
    #[graphql(
        complexity = "crate::graphql::pagination::page_cost(first.or(last), child_complexity)"
    )]
    async fn publishing_logs(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this job's transitions.")] job_id: Option<ID>,
        #[graphql(desc = "Page size (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last edge of the previous page.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100); not with `first`.")] last: Option<
            i32,
        >,
        #[graphql(desc = "Cursor of the first edge of the next page.")] before: Option<String>,
    ) -> ApiResult<NestedConnection<PublishingLog>> {
        brand_fields::publishing_logs(
            ctx,
            self.0.id,
            job_id,
            PageArgs::new(first, after, last, before),
        )
        .await
    }
    /// The brand's audit trail, newest first (owners and admins).
    #[graphql(
        complexity = "crate::graphql::pagination::page_cost(first.or(last), child_complexity)"
    )]
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        filter: Option<AuditLogFilter>,
        #[graphql(desc = "Page size (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last edge of the previous page.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100); not with `first`.")] last: Option<
            i32,
        >,
        #[graphql(desc = "Cursor of the first edge of the next page.")] before: Option<String>,
    ) -> ApiResult<NestedConnection<AuditEntry>> {
        workspace::query::audit_log(
            ctx,
            self.0.id,
            filter,
            PageArgs::new(first, after, last, before),
        )
        .await
    }
    /// Onboarding milestones reached, in order.
    async fn milestones(&self, ctx: &Context<'_>) -> ApiResult<Vec<Milestone>> {
        workspace::query::milestones(ctx, self.0.id).await
    }
    /// Invitations, newest first (owners and admins).
    async fn invitations(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = true, desc = "Only pending ones.")] pending_only: bool,
    ) -> ApiResult<Vec<Invitation>> {
        workspace::query::invitations(ctx, self.0.id, pending_only).await
    }
    /// When the brand was archived (seen only in `archiveBrand`'s answer: archived
    /// brands are invisible).
    async fn archived_at(&self) -> Option<DateTime<FixedOffset>> {
        self.0.archived_at
    }
    /// Publish job counts per connector platform over the last `days` days.
    async fn publishing_stats(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            default_with = "Self::DEFAULT_SUMMARY_DAYS",
            desc = "Window length, 1 to 366 days."
        )]
        days: i32,
    ) -> ApiResult<Vec<PlatformPublishingStats>> {
        brand_fields::publishing_stats(ctx, self.0.id, days).await
    }
    /// Synchronisation runs with the platforms, newest first.
    #[graphql(
        complexity = "crate::graphql::pagination::page_cost(first.or(last), child_complexity)"
    )]
    async fn sync_logs(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this platform.")] platform: Option<String>,
        #[graphql(desc = "Page size (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last edge of the previous page.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100); not with `first`.")] last: Option<
            i32,
        >,
        #[graphql(desc = "Cursor of the first edge of the next page.")] before: Option<String>,
    ) -> ApiResult<NestedConnection<PlatformSyncLog>> {
        brand_fields::sync_logs(
            ctx,
            self.0.id,
            platform,
            PageArgs::new(first, after, last, before),
        )
        .await
    }
    /// Analytics ingest runs (one per platform of each `ingestAnalytics` batch), newest
    /// first.
    #[graphql(
        complexity = "crate::graphql::pagination::page_cost(first.or(last), child_complexity)"
    )]
    async fn analytics_sync_logs(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this platform.")] platform: Option<String>,
        #[graphql(desc = "Page size (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last edge of the previous page.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100); not with `first`.")] last: Option<
            i32,
        >,
        #[graphql(desc = "Cursor of the first edge of the next page.")] before: Option<String>,
    ) -> ApiResult<NestedConnection<AnalyticsSyncLog>> {
        sync_logs::brand_analytics_sync_logs(
            ctx,
            self.0.id,
            platform,
            PageArgs::new(first, after, last, before),
        )
        .await
    }

    /// Review requests of the brand's content, newest first.
    #[graphql(
        complexity = "crate::graphql::pagination::page_cost(first.or(last), child_complexity)"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn approval_requests(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only `pending`, `completed` or `cancelled` ones.")] status: Option<
            String,
        >,
        #[graphql(desc = "Only those assigned to this user.")] assigned_to: Option<ID>,
        #[graphql(desc = "Page size (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last edge of the previous page.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100); not with `first`.")] last: Option<
            i32,
        >,
        #[graphql(desc = "Cursor of the first edge of the next page.")] before: Option<String>,
    ) -> ApiResult<NestedConnection<ApprovalRequest>> {
        workflows::brand_fields::approval_requests(
            ctx,
            self.0.id,
            status,
            assigned_to,
            PageArgs::new(first, after, last, before),
        )
        .await
    }
    /// Workflow templates, oldest first.
    async fn workflow_templates(&self, ctx: &Context<'_>) -> ApiResult<Vec<WorkflowTemplate>> {
        workflows::brand_fields::workflow_templates(ctx, self.0.id).await
    }
    /// Workflows started in the brand, newest first.
    #[graphql(
        complexity = "crate::graphql::pagination::page_cost(first.or(last), child_complexity)"
    )]
    async fn workflows(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only `active`, `completed` or `cancelled` ones.")] status: Option<String>,
        #[graphql(desc = "Page size (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last edge of the previous page.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100); not with `first`.")] last: Option<
            i32,
        >,
        #[graphql(desc = "Cursor of the first edge of the next page.")] before: Option<String>,
    ) -> ApiResult<NestedConnection<WorkflowInstance>> {
        workflows::brand_fields::workflows(
            ctx,
            self.0.id,
            status,
            PageArgs::new(first, after, last, before),
        )
        .await
    }
    /// Escalation rules, oldest first.
    async fn escalation_rules(&self, ctx: &Context<'_>) -> ApiResult<Vec<EscalationRule>> {
        workflows::brand_fields::escalation_rules(ctx, self.0.id).await
    }
    /// Escalations raised, newest first.
    #[graphql(
        complexity = "crate::graphql::pagination::page_cost(first.or(last), child_complexity)"
    )]
    async fn escalation_events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only `pending` or `resolved` ones.")] status: Option<String>,
        #[graphql(desc = "Page size (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last edge of the previous page.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100); not with `first`.")] last: Option<
            i32,
        >,
        #[graphql(desc = "Cursor of the first edge of the next page.")] before: Option<String>,
    ) -> ApiResult<NestedConnection<EscalationEvent>> {
        workflows::brand_fields::escalation_events(
            ctx,
            self.0.id,
            status,
            PageArgs::new(first, after, last, before),
        )
        .await
    }
    /// Inbound webhook deliveries for the brand, newest first (owners and admins).
    #[graphql(
        complexity = "crate::graphql::pagination::page_cost(first.or(last), child_complexity)"
    )]
    async fn webhook_events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this status (`processed`, `dead`, ...).")] status: Option<String>,
        #[graphql(desc = "Page size (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last edge of the previous page.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100); not with `first`.")] last: Option<
            i32,
        >,
        #[graphql(desc = "Cursor of the first edge of the next page.")] before: Option<String>,
    ) -> ApiResult<NestedConnection<WebhookEvent>> {
        integrations::brand_fields::webhook_events(
            ctx,
            self.0.id,
            status,
            PageArgs::new(first, after, last, before),
        )
        .await
    }
    /// Posts as the platforms reported them, newest first.
    #[graphql(
        complexity = "crate::graphql::pagination::page_cost(first.or(last), child_complexity)"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn social_posts(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this platform.")] platform: Option<String>,
        #[graphql(desc = "Only this status.")] status: Option<String>,
        #[graphql(desc = "Reported at or after this time.")] from: Option<DateTime<FixedOffset>>,
        #[graphql(desc = "Reported before this time.")] to: Option<DateTime<FixedOffset>>,
        #[graphql(desc = "Page size (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last edge of the previous page.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100); not with `first`.")] last: Option<
            i32,
        >,
        #[graphql(desc = "Cursor of the first edge of the next page.")] before: Option<String>,
    ) -> ApiResult<NestedConnection<SocialPost>> {
        let filter = SocialPostFilter {
            platform,
            status,
            from,
            to,
        };
        integrations::brand_fields::social_posts(
            ctx,
            self.0.id,
            filter,
            PageArgs::new(first, after, last, before),
        )
        .await
    }
    /// Reviews of the brand on the platforms, newest first.
    #[graphql(
        complexity = "crate::graphql::pagination::page_cost(first.or(last), child_complexity)"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn platform_reviews(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this platform.")] platform: Option<String>,
        #[graphql(desc = "At least this rating (1 to 5).")] min_rating: Option<i32>,
        #[graphql(desc = "At most this rating (1 to 5).")] max_rating: Option<i32>,
        #[graphql(desc = "Received at or after this time.")] from: Option<DateTime<FixedOffset>>,
        #[graphql(desc = "Received before this time.")] to: Option<DateTime<FixedOffset>>,
        #[graphql(default, desc = "Only reviews without a response.")] unanswered: bool,
        #[graphql(desc = "Page size (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last edge of the previous page.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100); not with `first`.")] last: Option<
            i32,
        >,
        #[graphql(desc = "Cursor of the first edge of the next page.")] before: Option<String>,
    ) -> ApiResult<NestedConnection<PlatformReview>> {
        integrations::brand_fields::platform_reviews(
            ctx,
            self.0.id,
            platform,
            min_rating,
            max_rating,
            from,
            to,
            unanswered,
            PageArgs::new(first, after, last, before),
        )
        .await
    }

    /// Strategy briefs, newest first.
    #[graphql(
        complexity = "crate::graphql::pagination::page_cost(first.or(last), child_complexity)"
    )]
    async fn strategy_briefs(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this planning cycle.")] cycle_id: Option<String>,
        #[graphql(desc = "Page size (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last edge of the previous page.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100); not with `first`.")] last: Option<
            i32,
        >,
        #[graphql(desc = "Cursor of the first edge of the next page.")] before: Option<String>,
    ) -> ApiResult<NestedConnection<StrategyBrief>> {
        learning::brand_fields::strategy_briefs(
            ctx,
            self.0.id,
            cycle_id,
            PageArgs::new(first, after, last, before),
        )
        .await
    }
    /// Generated content packages, newest first.
    #[graphql(
        complexity = "crate::graphql::pagination::page_cost(first.or(last), child_complexity)"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn content_packages(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this status.")] status: Option<String>,
        #[graphql(desc = "Only this planning cycle.")] cycle_id: Option<String>,
        #[graphql(desc = "Page size (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last edge of the previous page.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100); not with `first`.")] last: Option<
            i32,
        >,
        #[graphql(desc = "Cursor of the first edge of the next page.")] before: Option<String>,
    ) -> ApiResult<NestedConnection<ContentPackage>> {
        let filter = PackageFilter {
            status,
            cycle: cycle_id,
        };
        learning::brand_fields::content_packages(
            ctx,
            self.0.id,
            filter,
            PageArgs::new(first, after, last, before),
        )
        .await
    }
    /// What the agents did for the brand, latest first.
    #[graphql(
        complexity = "crate::graphql::pagination::page_cost(first.or(last), child_complexity)"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn brand_history(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this agent.")] agent: Option<String>,
        #[graphql(desc = "Only entries with this tag.")] tag: Option<String>,
        #[graphql(desc = "Only about this content.")] content_id: Option<String>,
        #[graphql(desc = "Page size (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last edge of the previous page.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100); not with `first`.")] last: Option<
            i32,
        >,
        #[graphql(desc = "Cursor of the first edge of the next page.")] before: Option<String>,
    ) -> ApiResult<NestedConnection<BrandHistory>> {
        let filter = ActivityFilter {
            agent,
            cycle: None,
            tag,
            content_id,
        };
        learning::brand_fields::brand_history(
            ctx,
            self.0.id,
            filter,
            PageArgs::new(first, after, last, before),
        )
        .await
    }
    /// Agent collaboration steps, latest first.
    #[graphql(
        complexity = "crate::graphql::pagination::page_cost(first.or(last), child_complexity)"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn collaboration_logs(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this planning cycle.")] cycle_id: Option<String>,
        #[graphql(desc = "Only this agent.")] agent: Option<String>,
        #[graphql(desc = "Only about this content.")] content_id: Option<String>,
        #[graphql(desc = "Page size (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last edge of the previous page.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100); not with `first`.")] last: Option<
            i32,
        >,
        #[graphql(desc = "Cursor of the first edge of the next page.")] before: Option<String>,
    ) -> ApiResult<NestedConnection<CollaborationLog>> {
        let filter = ActivityFilter {
            agent,
            cycle: cycle_id,
            tag: None,
            content_id,
        };
        learning::brand_fields::collaboration_logs(
            ctx,
            self.0.id,
            filter,
            PageArgs::new(first, after, last, before),
        )
        .await
    }
    /// Feedback on advisor insights, newest first.
    #[graphql(
        complexity = "crate::graphql::pagination::page_cost(first.or(last), child_complexity)"
    )]
    async fn advisor_feedback(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this category.")] category: Option<String>,
        #[graphql(desc = "Page size (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last edge of the previous page.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100); not with `first`.")] last: Option<
            i32,
        >,
        #[graphql(desc = "Cursor of the first edge of the next page.")] before: Option<String>,
    ) -> ApiResult<NestedConnection<AdvisorFeedback>> {
        learning::brand_fields::advisor_feedback(
            ctx,
            self.0.id,
            category,
            PageArgs::new(first, after, last, before),
        )
        .await
    }
    /// Mean learned weight per insight category and type (seed 004 `getAverageWeights`).
    async fn average_weights(&self, ctx: &Context<'_>) -> ApiResult<Vec<AverageWeight>> {
        learning::brand_fields::average_weights(ctx, self.0.id).await
    }
    /// Generated monthly plans, latest month first.
    async fn auto_plans(&self, ctx: &Context<'_>) -> ApiResult<Vec<AutoPlan>> {
        learning::brand_fields::auto_plans(ctx, self.0.id).await
    }
    /// Marketing campaigns, newest first.
    #[graphql(
        complexity = "crate::graphql::pagination::page_cost(first.or(last), child_complexity)"
    )]
    async fn campaigns(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last edge of the previous page.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100); not with `first`.")] last: Option<
            i32,
        >,
        #[graphql(desc = "Cursor of the first edge of the next page.")] before: Option<String>,
        filter: Option<CampaignFilterInput>,
    ) -> ApiResult<NestedConnection<Campaign>> {
        marketing::brand_fields::campaigns(
            ctx,
            self.0.id,
            filter,
            PageArgs::new(first, after, last, before),
        )
        .await
    }
    /// Leads, newest first (or highest score first). Their email and phone are for
    /// members and above.
    #[allow(clippy::too_many_arguments)]
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
        filter: Option<LeadFilterInput>,
        #[graphql(desc = "Default: newest first.")] order_by: Option<LeadOrder>,
    ) -> ApiResult<NestedConnection<Lead>> {
        marketing::brand_fields::leads(
            ctx,
            self.0.id,
            filter,
            order_by,
            PageArgs::new(first, after, last, before),
        )
        .await
    }
    /// Email templates, newest first.
    #[graphql(
        complexity = "crate::graphql::pagination::page_cost(first.or(last), child_complexity)"
    )]
    async fn email_templates(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last edge of the previous page.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100); not with `first`.")] last: Option<
            i32,
        >,
        #[graphql(desc = "Cursor of the first edge of the next page.")] before: Option<String>,
    ) -> ApiResult<NestedConnection<EmailTemplate>> {
        email::brand_fields::templates(ctx, self.0.id, PageArgs::new(first, after, last, before))
            .await
    }
    /// Email campaigns, newest first.
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
        filter: Option<EmailCampaignFilterInput>,
    ) -> ApiResult<NestedConnection<EmailCampaign>> {
        email::brand_fields::campaigns(
            ctx,
            self.0.id,
            filter,
            PageArgs::new(first, after, last, before),
        )
        .await
    }
    /// Email contacts, newest first. Their addresses are for members and above.
    #[graphql(
        complexity = "crate::graphql::pagination::page_cost(first.or(last), child_complexity)"
    )]
    async fn email_contacts(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last edge of the previous page.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100); not with `first`.")] last: Option<
            i32,
        >,
        #[graphql(desc = "Cursor of the first edge of the next page.")] before: Option<String>,
        filter: Option<EmailContactFilterInput>,
    ) -> ApiResult<NestedConnection<EmailContact>> {
        email::brand_fields::contacts(
            ctx,
            self.0.id,
            filter,
            PageArgs::new(first, after, last, before),
        )
        .await
    }
    /// Email automation rules, newest first.
    #[graphql(
        complexity = "crate::graphql::pagination::page_cost(first.or(last), child_complexity)"
    )]
    async fn email_automation_rules(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last edge of the previous page.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100); not with `first`.")] last: Option<
            i32,
        >,
        #[graphql(desc = "Cursor of the first edge of the next page.")] before: Option<String>,
    ) -> ApiResult<NestedConnection<EmailAutomationRule>> {
        email::brand_fields::automation_rules(
            ctx,
            self.0.id,
            PageArgs::new(first, after, last, before),
        )
        .await
    }
    /// Lead scoring rules, by name: a lead's score is the sum of the weights of the
    /// active rules it matches, clamped to 0 to 100.
    async fn lead_scoring_rules(&self, ctx: &Context<'_>) -> ApiResult<Vec<LeadScoringRule>> {
        marketing::brand_fields::lead_scoring_rules(ctx, self.0.id).await
    }
    /// Publishable keys of the brand's web forms, newest first (admins and owners; others
    /// get `FORBIDDEN`).
    async fn lead_form_keys(&self, ctx: &Context<'_>) -> ApiResult<Vec<LeadFormKey>> {
        marketing::brand_fields::lead_form_keys(ctx, self.0.id).await
    }
}
