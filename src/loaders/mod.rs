//! Request-scoped dataloaders: every relation lookup is batched, so the number of SQL
//! statements a query runs depends on its depth, not on how many rows it returns. A fresh
//! [`Loaders`] is built for each request (and each websocket connection), so no cache is
//! ever shared between users.

pub mod analytics;
mod by_id;
mod content_assets;
pub mod group;
pub mod page;
pub mod parent;
pub mod publishing_stats;
pub mod relations;

pub use by_id::ByIdLoader;

use std::sync::Arc;

use async_graphql::dataloader::DataLoader;
use sea_orm::DatabaseConnection;

use analytics::{MetricRangeLoader, SummaryLoader};
use content_assets::ContentAssetsLoader;
use group::GroupLoader;
use page::{CountLoader, PageLoader};
use publishing_stats::PublishingStatsLoader;
use relations::*;

use entity::{
    brands, connections, connector_platforms, content_items, media_assets, post_approvals,
    publish_jobs, tenants, users,
};

/// Errors must be `Clone` to be shared by every waiter of a batch.
pub type LoadError = Arc<sea_orm::DbErr>;

/// `column = ANY($n)` with the keys as one `uuid[]` parameter: one bind and one plan
/// whatever the batch size, where `IN (...)` would bind (and plan) a parameter per key.
pub fn any_of<C: sea_orm::ColumnTrait>(
    column: C,
    keys: &[uuid::Uuid],
) -> sea_orm::sea_query::SimpleExpr {
    use sea_orm::sea_query::Expr;
    Expr::cust_with_values(
        format!(
            "\"{}\".\"{}\" = ANY($1)",
            column.entity_name(),
            column.as_str()
        ),
        [sea_orm::Value::from(keys.to_vec())],
    )
}

/// The loaders of one request.
pub struct Loaders {
    pub tenants: DataLoader<ByIdLoader<tenants::Entity>>,
    pub users: DataLoader<ByIdLoader<users::Entity>>,
    pub brands: DataLoader<ByIdLoader<brands::Entity>>,
    pub content_items: DataLoader<ByIdLoader<content_items::Entity>>,
    pub media_assets: DataLoader<ByIdLoader<media_assets::Entity>>,
    pub post_approvals: DataLoader<ByIdLoader<post_approvals::Entity>>,
    pub workflow_templates: DataLoader<ByIdLoader<entity::workflow_templates::Entity>>,

    pub brand_content: DataLoader<PageLoader<BrandContent>>,
    pub brand_content_count: DataLoader<CountLoader<BrandContent>>,
    pub brand_assets: DataLoader<PageLoader<BrandAssets>>,
    pub brand_assets_count: DataLoader<CountLoader<BrandAssets>>,
    pub brand_approvals: DataLoader<PageLoader<BrandApprovals>>,
    pub brand_approvals_count: DataLoader<CountLoader<BrandApprovals>>,
    pub brand_schedule: DataLoader<PageLoader<BrandSchedule>>,
    pub brand_schedule_count: DataLoader<CountLoader<BrandSchedule>>,
    pub asset_usage: DataLoader<PageLoader<AssetUsage>>,
    pub asset_usage_count: DataLoader<CountLoader<AssetUsage>>,
    pub brand_publish_jobs: DataLoader<PageLoader<BrandPublishJobs>>,
    pub brand_publish_jobs_count: DataLoader<CountLoader<BrandPublishJobs>>,
    pub brand_publishing_logs: DataLoader<PageLoader<BrandPublishingLogs>>,
    pub brand_publishing_logs_count: DataLoader<CountLoader<BrandPublishingLogs>>,
    pub brand_sync_logs: DataLoader<PageLoader<BrandSyncLogs>>,
    pub brand_sync_logs_count: DataLoader<CountLoader<BrandSyncLogs>>,
    pub brand_audit_log: DataLoader<PageLoader<BrandAuditLog>>,
    pub brand_audit_log_count: DataLoader<CountLoader<BrandAuditLog>>,
    pub brand_milestones: DataLoader<GroupLoader<BrandMilestones>>,
    pub brand_invitations: DataLoader<GroupLoader<BrandInvitations>>,
    pub brand_approval_requests: DataLoader<PageLoader<BrandApprovalRequests>>,
    pub brand_approval_requests_count: DataLoader<CountLoader<BrandApprovalRequests>>,
    pub brand_workflow_instances: DataLoader<PageLoader<BrandWorkflowInstances>>,
    pub brand_workflow_instances_count: DataLoader<CountLoader<BrandWorkflowInstances>>,
    pub brand_escalation_events: DataLoader<PageLoader<BrandEscalationEvents>>,
    pub brand_escalation_events_count: DataLoader<CountLoader<BrandEscalationEvents>>,
    pub brand_webhook_events: DataLoader<PageLoader<BrandWebhookEvents>>,
    pub brand_webhook_events_count: DataLoader<CountLoader<BrandWebhookEvents>>,
    pub brand_strategy_briefs: DataLoader<PageLoader<BrandStrategyBriefs>>,
    pub brand_strategy_briefs_count: DataLoader<CountLoader<BrandStrategyBriefs>>,
    pub brand_content_packages: DataLoader<PageLoader<BrandContentPackages>>,
    pub brand_content_packages_count: DataLoader<CountLoader<BrandContentPackages>>,
    pub brand_history: DataLoader<PageLoader<BrandHistoryEntries>>,
    pub brand_history_count: DataLoader<CountLoader<BrandHistoryEntries>>,
    pub brand_collaboration_logs: DataLoader<PageLoader<BrandCollaborationLogs>>,
    pub brand_collaboration_logs_count: DataLoader<CountLoader<BrandCollaborationLogs>>,
    pub brand_advisor_feedback: DataLoader<PageLoader<BrandAdvisorFeedback>>,
    pub brand_advisor_feedback_count: DataLoader<CountLoader<BrandAdvisorFeedback>>,
    pub brand_social_posts: DataLoader<PageLoader<BrandSocialPosts>>,
    pub brand_social_posts_count: DataLoader<CountLoader<BrandSocialPosts>>,
    pub brand_platform_reviews: DataLoader<PageLoader<BrandPlatformReviews>>,
    pub brand_platform_reviews_count: DataLoader<CountLoader<BrandPlatformReviews>>,
    pub brand_workflow_templates: DataLoader<GroupLoader<BrandWorkflowTemplates>>,
    pub brand_escalation_rules: DataLoader<GroupLoader<BrandEscalationRules>>,
    pub brand_auto_plans: DataLoader<GroupLoader<BrandAutoPlans>>,

    pub brand_members: DataLoader<GroupLoader<BrandMembers>>,
    pub brand_goals: DataLoader<GroupLoader<BrandGoals>>,
    pub brand_quota: DataLoader<GroupLoader<BrandQuota>>,
    pub post_approvals_by_post: DataLoader<GroupLoader<PostApprovals>>,
    pub post_schedules: DataLoader<GroupLoader<PostSchedules>>,
    pub brand_connections: DataLoader<GroupLoader<BrandConnections>>,
    pub connection_secrets: DataLoader<GroupLoader<ConnectionSecrets>>,
    pub connections: DataLoader<ByIdLoader<connections::Entity>>,
    pub connector_platforms: DataLoader<ByIdLoader<connector_platforms::Entity>>,
    pub publish_jobs: DataLoader<ByIdLoader<publish_jobs::Entity>>,
    pub content_assets: DataLoader<ContentAssetsLoader>,

    pub metric_ranges: DataLoader<MetricRangeLoader>,
    pub summaries: DataLoader<SummaryLoader>,
    pub publishing_stats: DataLoader<PublishingStatsLoader>,
}

/// A loader whose batches run in a `dataloader.batch` span under the resolver's span, so
/// a trace shows each batch and the SQL it ran.
fn loader<T: Send + Sync + 'static>(inner: T) -> DataLoader<T> {
    use tracing::Instrument;
    let name = std::any::type_name::<T>()
        .rsplit("::")
        .next()
        .unwrap_or_default()
        .trim_end_matches('>');
    DataLoader::new(inner, move |batch| {
        tokio::spawn(batch.instrument(tracing::info_span!("dataloader.batch", loader = name)))
    })
}

impl Loaders {
    pub fn new(db: &DatabaseConnection) -> Self {
        let db = || db.clone();
        Self {
            tenants: loader(ByIdLoader::new(db())),
            users: loader(ByIdLoader::new(db())),
            brands: loader(ByIdLoader::new(db())),
            content_items: loader(ByIdLoader::new(db())),
            media_assets: loader(ByIdLoader::new(db())),
            post_approvals: loader(ByIdLoader::new(db())),
            workflow_templates: loader(ByIdLoader::new(db())),

            brand_content: loader(PageLoader::new(db())),
            brand_content_count: loader(CountLoader::new(db())),
            brand_assets: loader(PageLoader::new(db())),
            brand_assets_count: loader(CountLoader::new(db())),
            brand_approvals: loader(PageLoader::new(db())),
            brand_approvals_count: loader(CountLoader::new(db())),
            brand_schedule: loader(PageLoader::new(db())),
            brand_schedule_count: loader(CountLoader::new(db())),
            asset_usage: loader(PageLoader::new(db())),
            asset_usage_count: loader(CountLoader::new(db())),
            brand_publish_jobs: loader(PageLoader::new(db())),
            brand_publish_jobs_count: loader(CountLoader::new(db())),
            brand_publishing_logs: loader(PageLoader::new(db())),
            brand_publishing_logs_count: loader(CountLoader::new(db())),
            brand_sync_logs: loader(PageLoader::new(db())),
            brand_sync_logs_count: loader(CountLoader::new(db())),
            brand_audit_log: loader(PageLoader::new(db())),
            brand_audit_log_count: loader(CountLoader::new(db())),
            brand_milestones: loader(GroupLoader::new(db())),
            brand_invitations: loader(GroupLoader::new(db())),
            brand_approval_requests: loader(PageLoader::new(db())),
            brand_approval_requests_count: loader(CountLoader::new(db())),
            brand_workflow_instances: loader(PageLoader::new(db())),
            brand_workflow_instances_count: loader(CountLoader::new(db())),
            brand_escalation_events: loader(PageLoader::new(db())),
            brand_escalation_events_count: loader(CountLoader::new(db())),
            brand_webhook_events: loader(PageLoader::new(db())),
            brand_webhook_events_count: loader(CountLoader::new(db())),
            brand_strategy_briefs: loader(PageLoader::new(db())),
            brand_strategy_briefs_count: loader(CountLoader::new(db())),
            brand_content_packages: loader(PageLoader::new(db())),
            brand_content_packages_count: loader(CountLoader::new(db())),
            brand_history: loader(PageLoader::new(db())),
            brand_history_count: loader(CountLoader::new(db())),
            brand_collaboration_logs: loader(PageLoader::new(db())),
            brand_collaboration_logs_count: loader(CountLoader::new(db())),
            brand_advisor_feedback: loader(PageLoader::new(db())),
            brand_advisor_feedback_count: loader(CountLoader::new(db())),
            brand_social_posts: loader(PageLoader::new(db())),
            brand_social_posts_count: loader(CountLoader::new(db())),
            brand_platform_reviews: loader(PageLoader::new(db())),
            brand_platform_reviews_count: loader(CountLoader::new(db())),
            brand_workflow_templates: loader(GroupLoader::new(db())),
            brand_escalation_rules: loader(GroupLoader::new(db())),
            brand_auto_plans: loader(GroupLoader::new(db())),

            brand_members: loader(GroupLoader::new(db())),
            brand_goals: loader(GroupLoader::new(db())),
            brand_quota: loader(GroupLoader::new(db())),
            post_approvals_by_post: loader(GroupLoader::new(db())),
            post_schedules: loader(GroupLoader::new(db())),
            brand_connections: loader(GroupLoader::new(db())),
            connection_secrets: loader(GroupLoader::new(db())),
            connections: loader(ByIdLoader::new(db())),
            connector_platforms: loader(ByIdLoader::new(db())),
            publish_jobs: loader(ByIdLoader::new(db())),
            content_assets: loader(ContentAssetsLoader::new(db())),

            metric_ranges: loader(MetricRangeLoader::new(db())),
            summaries: loader(SummaryLoader::new(db())),
            publishing_stats: loader(PublishingStatsLoader::new(db())),
        }
    }
}
